"""The real `neurotimer` process on a fresh log: the practitioner chooser first, one Enter to the main window."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.gui.shell.test_real_process import ARTIFACTS, painted_screenshot, screenshot, stop_app

CHOOSER_TITLE = "^Who is working"


def find(env: dict[str, str], title: str, timeout: float = 30) -> str:
    found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", title],
                           env=env, capture_output=True, text=True, timeout=timeout)
    return found.stdout.split()[0] if found.stdout.strip() else ""


def visible(env: dict[str, str], title: str) -> bool:
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title],
                           env=env, capture_output=True, text=True, timeout=10)
    return bool(found.stdout.strip())


@pytest.mark.xvfb
def test_real_chooser_on_a_fresh_log_and_one_enter_goes_on(xvfb_display, tmp_path, colour_count):
    exe = Path(sys.executable).parent / "neurotimer"
    assert shutil.which("xdotool") and shutil.which("import"), "xdotool and imagemagick are needed"
    env = {**os.environ, "DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb",
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    db = tmp_path / "log.sqlite3"
    err = (tmp_path / "stderr.txt").open("wb")
    proc = subprocess.Popen([str(exe), "--db", str(db)], env=env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        chooser = find(env, CHOOSER_TITLE)
        assert chooser, f"the chooser did not open (app exit: {proc.poll()})"
        shot = painted_screenshot(xvfb_display, tmp_path / "chooser.png", colour_count)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(shot, ARTIFACTS / "practitioner-chooser.png")
        # A first run: the name field has the focus; the name, then one Enter.
        subprocess.run(["xdotool", "windowfocus", "--sync", chooser], env=env, check=True, timeout=10)
        subprocess.run(["xdotool", "type", "--delay", "30", "Dr Ana Lee"], env=env, check=True, timeout=20)
        subprocess.run(["xdotool", "key", "Return"], env=env, check=True, timeout=10)
        deadline = time.monotonic() + 20
        while visible(env, CHOOSER_TITLE) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not visible(env, CHOOSER_TITLE), "one Enter did not go on"
        assert find(env, "^neurotimer$"), "the main window is not there"
        assert proc.poll() is None, (tmp_path / "stderr.txt").read_text()
        # The window repaints where the chooser was: wait for the picture to settle.
        main = screenshot(xvfb_display, tmp_path / "main.png")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.5)
            again = screenshot(xvfb_display, tmp_path / "main-again.png")
            if again.read_bytes() == main.read_bytes():
                break
            main = screenshot(xvfb_display, tmp_path / "main.png")
        shutil.copy(main, ARTIFACTS / "practitioner-header.png")
    finally:
        stop_app(proc)
        err.close()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT name FROM practitioners").fetchall() == [("Dr Ana Lee",)]
    finally:
        conn.close()
