"""The real `neurotimer` process when its log fails under it: the folder removed mid-session, the disk filled and
the app killed with events waiting. Nothing reported is lost; the next start finds everything."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from neurotimer.gui.shell.open_log import open_session_log
from neurotimer.session.clock import SystemClock
from neurotimer.storage.spool import read_spool
from neurotimer.storage.store import open_readonly, open_store
from neurotimer.storage.verify import verify_store


def start(display: str, tmp_path: Path, db: Path, name: str) -> tuple[subprocess.Popen, dict[str, str], str]:
    exe = Path(sys.executable).parent / "neurotimer"
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    with (tmp_path / f"stderr-{name}.txt").open("wb") as err:
        proc = subprocess.Popen([str(exe), "--db", str(db)], env=env, stdout=subprocess.DEVNULL, stderr=err)
    found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^neurotimer"],
                           env=env, capture_output=True, text=True, timeout=60)
    assert found.stdout.strip(), f"no neurotimer window appeared (app exit: {proc.poll()})"
    # The log opens after the first paint: its head anchored at opening says it is ready.
    # (a key pressed while it opens waits in the event queue until the recorder follows the session).
    wait_for((db.parent / "backups" / f"{db.stem}.anchors").exists, what="the log to open")
    choose_practitioner(env)
    return proc, env, found.stdout.split()[0]


def choose_practitioner(env: dict[str, str]) -> None:
    """Who is working: a fresh log asks for a name, a later start has it preselected; Enter goes on."""
    found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^Who is working"],
                           env=env, capture_output=True, text=True, timeout=60)
    chooser = found.stdout.split()[0]
    subprocess.run(["xdotool", "windowfocus", "--sync", chooser], env=env, check=True, timeout=10)
    subprocess.run(["xdotool", "type", "--delay", "30", "Dr Test"], env=env, check=True, timeout=20)
    subprocess.run(["xdotool", "key", "Return"], env=env, check=True, timeout=10)
    wait_for(lambda: not subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^Who is working"],
                                        env=env, capture_output=True, text=True, timeout=10).stdout.strip(),
             what="the practitioner chooser to close")


def keys(env: dict[str, str], window_id: str, *names: str) -> None:
    subprocess.run(["xdotool", "windowfocus", "--sync", window_id], env=env, check=True, timeout=10)
    for name in names:
        subprocess.run(["xdotool", "key", name], env=env, check=True, timeout=10)
        time.sleep(0.4)


def wait_for(condition, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def kinds_in(db: Path) -> list[str]:
    if not db.exists():
        return []  # the window paints first, the log opens after
    store = open_readonly(db)
    try:
        return [row[0] for row in store.conn.execute("SELECT kind FROM events WHERE session_id IS NOT NULL ORDER BY n")]
    except sqlite3.OperationalError:
        return []  # still being set up (created, then brought to the latest format)
    finally:
        store.close()


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)


def test_the_folder_removed_under_the_running_app_loses_nothing(xvfb_display, tmp_path) -> None:
    db = tmp_path / "clinic" / "log.sqlite3"
    proc, env, window = start(xvfb_display, tmp_path, db, "first")
    try:
        keys(env, window, "ctrl+Return")  # the session starts
        wait_for(lambda: "session.started" in kinds_in(db), what="the start in the log")
        shutil.rmtree(db.parent)  # the app data folder goes while the log is open
        wait_for(db.exists, what="the log saved again at its path")  # the next progress commit finds it gone
        # Its lock is taken again with it: a second window opens the log read-only, as before the removal.
        wait_for(Path(f"{db}.lock").exists, what="the log's lock taken again")
        second = open_session_log(db, SystemClock(), lambda _text, _choices: pytest.fail("asked"), lambda: None)
        try:
            assert "in use by another neurotimer window" in second.read_only_note
        finally:
            second.store.close()
        keys(env, window, "ctrl+equal", "ctrl+equal")  # +5 min twice: two events after the removal
        wait_for(lambda: kinds_in(db).count("session.extended") == 2, what="the events after the removal")
    finally:
        kill(proc)  # what lived only in the removed file would be gone now
    kinds = kinds_in(db)
    assert kinds.count("session.started") == 1 and kinds.count("session.extended") == 2
    assert "alarm.raised" in kinds, "the notice of the removal is itself in the record"
    store = open_store(db, daily_backup=False)
    try:
        assert verify_store(store).ok
    finally:
        store.close()


def test_a_full_disk_then_a_kill_and_the_next_start_writes_every_event(xvfb_display, tmp_path) -> None:
    disk = tmp_path / "small-disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        db = disk / "log.sqlite3"
        proc, env, window = start(xvfb_display, tmp_path, db, "first")
        try:
            keys(env, window, "ctrl+Return")
            wait_for(lambda: "session.started" in kinds_in(db), what="the start in the log")
            filler = disk / "filler"
            with open(filler, "wb") as handle:  # another program takes every byte left
                try:
                    while True:
                        handle.write(b"\0" * 65536)
                        handle.flush()
                except OSError:
                    pass
            keys(env, window, *["ctrl+equal"] * 6)
            spool = disk / "log.sqlite3.spool"
            wait_for(lambda: sum(r.get("kind") == "session.extended" for r in read_spool(spool)) == 6,
                     what="the six events in the spool")
        finally:
            kill(proc)
        filler.unlink()  # space again
        assert "session.extended" not in kinds_in(db), "none of them reached the log before the kill"
        proc, env, window = start(xvfb_display, tmp_path, db, "second")
        try:
            wait_for(lambda: kinds_in(db).count("session.extended") == 6, what="the replay at the next start")
        finally:
            proc.terminate()
            proc.wait(30)
        kinds = kinds_in(db)
        assert kinds.count("session.extended") == 6 and kinds[-1] == "session.interrupted"
        store = open_store(db, daily_backup=False)
        try:
            assert verify_store(store).ok
        finally:
            store.close()
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
