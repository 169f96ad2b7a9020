"""A throwaway PostgreSQL cluster from Debian's `postgresql` package, on a free port in a temporary folder.

initdb and the server refuse to run as root, so as root they run as the `postgres` user the package
creates (the folder is handed to it); as anyone else they run as that user. The superuser `postgres`
logs in over loopback without a password; every other role needs its password (scram-sha-256), so the
tests can try wrong passwords. Durability settings are relaxed (fsync off): the data is thrown away,
and a server killed with `pg_ctl stop -m immediate` still keeps every commit (only an OS crash would not).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

HBA = """\
local all all trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
"""


def pg_bindir() -> Path:
    """The newest installed server's bin folder (Debian keeps it off PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError("PostgreSQL is not installed: run `make test` as root, or `sudo apt-get install postgresql`")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """One private server: start(), stop(mode), url(dbname), remove()."""

    def __init__(self, durable: bool = False) -> None:
        self.bindir = pg_bindir()
        self.folder = Path(tempfile.mkdtemp(prefix="neurotimer-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        os.chmod(self.folder, 0o700)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        (self.data / "pg_hba.conf").write_text(HBA)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.folder}'\n"
                + ("" if durable else "fsync = off\nfull_page_writes = off\n")
                + "max_connections = 60\nshared_buffers = 32MB\npassword_encryption = 'scram-sha-256'\n"
            )

    def _command(self, tool: str, *args: str) -> list[str]:
        command = [str(self.bindir / tool), *args]
        return ["runuser", "-u", "postgres", "--", *command] if self._as_postgres else command

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run(self._command(tool, *args), cwd=self.folder, capture_output=True, text=True,
                                timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed: {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> None:
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.folder / "server.log"))

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-w", "-t", "60", "-m", mode, "-D", str(self.data))

    def running(self) -> bool:
        result = subprocess.run(self._command("pg_ctl", "status", "-D", str(self.data)), cwd=self.folder,
                                capture_output=True, timeout=30)
        return result.returncode == 0

    def url(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def remove(self) -> None:
        if self.running():
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster(durable: bool = False) -> Cluster:
    """durable=True keeps fsync on, as a clinic's server would (for benchmarks)."""
    cluster = Cluster(durable)
    try:
        cluster.start()
    except BaseException:
        shutil.rmtree(cluster.folder, ignore_errors=True)
        raise
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", cluster.port), timeout=1):
                return cluster
        except OSError:
            time.sleep(0.05)
    cluster.remove()
    raise RuntimeError("the throwaway PostgreSQL server did not accept connections")
