"""Smoke test of the frozen one-folder build: files, links, every subcommand and the GUI, headless."""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Messages on stderr that mean something the app needs was not bundled or not found.
BAD_STDERR = re.compile(
    r"Traceback|Error:|ImportError|No module named|cannot open shared object|Could not load the Qt platform"
    r"|Cannot open file|Error decoding source|could not be read|ERROR"
)
# Qt modules and plugins the app uses (body chart SVGs, chime, window on X11/Wayland, offscreen for tests).
NEEDED = [
    "PySide6/QtCore.abi3.so", "PySide6/QtGui.abi3.so", "PySide6/QtWidgets.abi3.so", "PySide6/QtSvg.abi3.so",
    "PySide6/QtSvgWidgets.abi3.so", "PySide6/QtMultimedia.abi3.so", "PySide6/Qt/lib/libQt6Svg.so.6",
    "PySide6/Qt/lib/libQt6Multimedia.so.6", "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqwayland.so", "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/Qt/plugins/imageformats/libqsvg.so", "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
]
# What build.spec leaves out; finding one means the spec's filters stopped matching (a PySide6 upgrade?).
UNWANTED = [
    "PySide6/Qt/lib/libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Qml.so.6", "PySide6/Qt/lib/libQt6Pdf.so.6",
    "PySide6/Qt/lib/libQt6WebEngineCore.so.6", "PySide6/Qt/lib/libavcodec.so.61",
    "PySide6/Qt/plugins/multimedia", "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "PySide6/Qt/translations", "PySide6/QtQml.abi3.so", "PySide6/QtWebEngineCore.abi3.so",
]


class Smoke:
    def __init__(self, dist: Path, timeout: float) -> None:
        self.dist = dist
        self.exe = dist / "neurotimer"
        self.internal = dist / "_internal"
        self.timeout = timeout
        self.failures: list[str] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="nt-smoke-"))
        # The app's data and log folders go to a scratch place, never the user's.
        self.env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(self.tmp / "data"),
                    "XDG_CONFIG_HOME": str(self.tmp / "config"), "HOME": str(self.tmp)}

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        mark = "ok  " if ok else "FAIL"
        sys.stdout.write(f"{mark} {what}\n")
        if not ok:
            self.failures.append(what)
            if detail.strip():
                sys.stdout.write("     " + detail.strip().replace("\n", "\n     ") + "\n")
        sys.stdout.flush()
        return ok

    def run(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run([str(self.exe), *args], capture_output=True, text=True, env=env or self.env,
                                  timeout=self.timeout)
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
            err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
            return subprocess.CompletedProcess(exc.cmd, -1, out, err + f"\n(no exit after {self.timeout:.0f} s)")

    # -- what is in the folder -------------------------------------------------------------------
    def files(self) -> None:
        self.check(self.exe.is_file() and os.access(self.exe, os.X_OK), f"{self.exe} is an executable")
        shipped = ROOT / "resources"
        expected = sorted(p.relative_to(shipped) for p in shipped.rglob("*") if p.is_file() and p.suffix != ".py")
        missing = [str(p) for p in expected if not (self.internal / "resources" / p).is_file()]
        differ = [str(p) for p in expected if str(p) not in missing
                  and not filecmp.cmp(shipped / p, self.internal / "resources" / p, shallow=False)]
        self.check(not missing and not differ and bool(expected),
                   f"resources bundled ({len(expected)} files: catalogue, nerves, templates, chart, chime)",
                   f"missing: {missing}\nout of date: {differ}")
        absent = [n for n in NEEDED if not (self.internal / n).exists()]
        self.check(not absent, "Qt modules and plugins the app uses are bundled (Svg, SvgWidgets, Multimedia, xcb)",
                   f"missing: {absent}")
        present = [n for n in UNWANTED if (self.internal / n).exists()]
        self.check(not present, "unused Qt modules are left out (Quick, Qml, Pdf, WebEngine, ffmpeg, translations)",
                   f"present: {present}")

    def links(self) -> None:
        """Every library a bundled binary needs is bundled, or is one PyInstaller leaves to the system on purpose."""
        if not shutil.which("ldd"):
            self.check(False, "shared libraries resolve", "ldd is not installed")
            return
        try:
            from PyInstaller.depend.dylib import include_library
        except ImportError:
            self.check(False, "shared libraries resolve", "run this with the venv that has PyInstaller (.[build])")
            return
        env = {**os.environ, "LD_LIBRARY_PATH": str(self.internal)}  # what the bootloader sets
        problems: set[str] = set()
        binaries = [p for p in self.internal.rglob("*.so*") if p.is_file()]
        for path in binaries:
            out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
            for line in out.splitlines():
                name, arrow, where = line.strip().partition(" => ")
                if not arrow or not include_library(name):
                    continue  # libc, libGL, libwayland-* …: the system's own copy is the right one
                where = where.split(" (")[0]
                if where == "not found" or not Path(where).resolve().is_relative_to(self.internal.resolve()):
                    problems.add(f"{path.relative_to(self.internal)} needs {name} ({where})")
        self.check(not problems, f"shared libraries of {len(binaries)} bundled binaries resolve inside the folder",
                   "\n".join(sorted(problems)[:20]))

    # -- the command line ------------------------------------------------------------------------
    def cli(self) -> None:
        version = re.search(r'__version__ = "([^"]+)"', (ROOT / "neurotimer" / "__init__.py").read_text())
        got = self.run("--version")
        want = f"neurotimer {version.group(1) if version else '?'}"
        self.check(got.returncode == 0 and got.stdout.strip() == want, f"--version prints '{want}'",
                   got.stdout + got.stderr)
        got = self.run("--help")
        self.check(got.returncode == 0 and all(c in got.stdout for c in ("sim", "verify", "export", "demo-data")),
                   "--help lists sim, verify, export, demo-data", got.stdout + got.stderr)
        got = self.run("--no-such-option")
        self.check(got.returncode == 2 and len(got.stderr.strip().splitlines()) == 1,
                   "a bad option gives one line and exit 2", got.stderr)

        db = self.tmp / "demo.sqlite3"
        got = self.run("demo-data", "--db", str(db), "--patients", "3", "--sessions", "12")
        self.check(got.returncode == 0 and db.is_file(), "demo-data writes a log", got.stdout + got.stderr)
        got = self.run("verify", "--db", str(db))
        self.check(got.returncode == 0 and got.stdout.startswith("OK"), "verify finds every chain intact",
                   got.stdout + got.stderr)
        got = self.run("verify", "--db", str(self.tmp / "none.sqlite3"))
        self.check(got.returncode == 2 and "no session log" in got.stderr, "verify of a missing file: exit 2, message",
                   got.stdout + got.stderr)
        for fmt in ("json", "csv"):
            out = self.tmp / f"export.{fmt}"
            got = self.run("export", "--db", str(db), "--format", fmt, "--deidentify", "--out", str(out))
            ok = got.returncode == 0 and out.is_file()
            if ok and fmt == "json":
                try:
                    json.loads(out.read_text(encoding="utf-8"))
                except ValueError as exc:
                    ok, got = False, subprocess.CompletedProcess([], 0, "", f"not JSON: {exc}")
            if ok and fmt == "csv":
                ok = out.read_text(encoding="utf-8").startswith("id,patient_code")
            self.check(ok, f"export --format {fmt} writes a readable file", got.stdout + got.stderr)

    def sim(self) -> None:
        proc = subprocess.Popen([str(self.exe), "sim", "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.env)
        try:
            line = proc.stdout.readline() if proc.stdout else ""  # the server's first line, printed once bound
            match = re.fullmatch(r"listening (127\.0\.0\.1):(\d+)\n", line)
            if not self.check(match is not None, "sim prints 'listening HOST:PORT'", line):
                return
            with socket.create_connection((match.group(1), int(match.group(2))), timeout=10) as conn:
                conn.sendall(b"*IDN?\n")
                reply = conn.makefile("rb").readline().decode(errors="replace")
            self.check("SIM" in reply, "the simulator answers *IDN?", reply)
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=self.timeout)
            self.check(code == 0, "sim stops with exit 0 on SIGTERM", f"exit {code}\n{proc.stderr.read()}")
        except (OSError, subprocess.TimeoutExpired) as exc:
            self.check(False, "sim serves and stops", str(exc))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    # -- the window ------------------------------------------------------------------------------
    def gui_offscreen(self) -> None:
        for extra in ((), ("--demo",)):
            args = ["--startup-probe", *extra] if extra else ["--startup-probe", "--db", str(self.tmp / "p.sqlite3")]
            got = self.run(*args)
            marks = {line.split()[0] for line in got.stdout.splitlines() if line.strip()}
            bad = [line for line in got.stderr.splitlines() if BAD_STDERR.search(line)]
            self.check(got.returncode == 0 and {"first-paint", "ready"} <= marks and not bad,
                       f"offscreen {' '.join(args[:2])}: first paint, then catalogue, chart, chime, stimulator ready",
                       f"exit {got.returncode}\n" + "\n".join(bad or got.stderr.splitlines()[-10:]))

    def gui_xvfb(self, screenshot: Path) -> None:
        sys.path.insert(0, str(ROOT / "scripts"))
        from xvfb import start_xvfb

        xvfb, display = start_xvfb()
        env = {**self.env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        app = subprocess.Popen([str(self.exe), "--demo"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
        try:
            found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^neurotimer"],
                                   env=env, capture_output=True, text=True, timeout=self.timeout)
            if self.check(found.returncode == 0 and found.stdout.strip() != "", "xcb: the --demo window opens",
                          found.stderr):
                time.sleep(3)  # the log, catalogue and stimulator come after the first paint
                subprocess.run(["xdotool", "mousemove", "150", "413", "click", "1"], env=env)  # the Body chart tab
                time.sleep(1)
                subprocess.run(["import", "-window", "root", str(screenshot)], env=env, check=False)
                self.check(app.poll() is None and screenshot.is_file(), f"xcb: still running; screenshot {screenshot}")
        finally:
            app.terminate()
            try:
                app.wait(self.timeout)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait()
            err = app.stderr.read() if app.stderr else ""
            bad = [line for line in err.splitlines() if BAD_STDERR.search(line)]
            self.check(not bad, "xcb: nothing missing on stderr", "\n".join(bad))
            xvfb.terminate()
            xvfb.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dist", type=Path, help="the one-folder build, e.g. dist/neurotimer")
    parser.add_argument("--xvfb", metavar="PNG", type=Path,
                        help="also open the real window on a virtual X screen and save a screenshot here")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds any one step may take (default 60)")
    args = parser.parse_args()
    smoke = Smoke(args.dist.resolve(), args.timeout)
    if not smoke.exe.is_file():
        sys.stdout.write(f"FAIL no frozen app at {smoke.exe}: build it first (make build)\n")
        return 1
    try:
        smoke.files()
        smoke.links()
        smoke.cli()
        smoke.sim()
        smoke.gui_offscreen()
        if args.xvfb:
            smoke.gui_xvfb(args.xvfb.resolve())
    finally:
        shutil.rmtree(smoke.tmp, ignore_errors=True)
    if smoke.failures:
        sys.stdout.write(f"\n{len(smoke.failures)} check(s) failed:\n- " + "\n- ".join(smoke.failures) + "\n")
        return 1
    sys.stdout.write("\nfrozen build OK\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
