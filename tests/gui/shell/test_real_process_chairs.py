"""The real `neurotimer --demo --chairs 4` on a 1366×768 X screen: the board, Ctrl+N and a second clock."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from neurotimer.gui.shell import theme
from tests.gui.shell.test_real_process import (
    ARTIFACTS,
    count_colour,
    painted_screenshot,
    screenshot,
    stop_app,
    type_into,
)


@pytest.mark.xvfb
def test_four_chairs_on_the_board_two_started_with_ctrl_keys(xvfb_display, tmp_path, colour_count):
    exe = Path(sys.executable).parent / "neurotimer"
    env = {**os.environ, "DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb",
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    log = (tmp_path / "stderr.txt").open("wb")
    proc = subprocess.Popen([str(exe), "--demo", "--chairs", "4"], env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^neurotimer"],
                               env=env, capture_output=True, text=True, timeout=30)
        assert found.stdout.strip(), f"no neurotimer window appeared (app exit: {proc.poll()})"
        window_id = found.stdout.split()[0]
        before = painted_screenshot(xvfb_display, tmp_path / "planned.png", colour_count)
        geometry = subprocess.run(["xdotool", "getwindowgeometry", window_id], env=env, capture_output=True,
                                  text=True, timeout=10).stdout
        assert "1366x768" in geometry or "1366x" in geometry, geometry
        green = theme.STATE_COLOURS["running"]
        green_before = count_colour(before, green)
        # Room 1 starts; Ctrl+3 brings Room 3 on screen and it starts too. On a busy machine the keys may arrive
        # while the chairs still load: the keys go again only when nothing has changed for a while.
        deadline = time.monotonic() + 40
        while True:
            type_into(env, window_id, ["key", "ctrl+1"], ["key", "ctrl+Return"], ["key", "ctrl+3"],
                      ["key", "ctrl+Return"])
            for _ in range(10):
                time.sleep(1.0)
                after = screenshot(xvfb_display, tmp_path / "board.png")
                assert proc.poll() is None, (tmp_path / "stderr.txt").read_text()
                if count_colour(after, green) > green_before + 600:
                    break
            if count_colour(after, green) > green_before + 600 or time.monotonic() > deadline:
                break
        # Two chairs running: their cards, their state chips and Room 3's clock turn the running colour.
        assert count_colour(after, green) > green_before + 600
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(after, ARTIFACTS / "board.png")
    finally:
        stop_app(proc)
        log.close()
