"""The real process at 1366×768: the whole chair (clock, tabs, all four channel cards) fits the screen unscrolled."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from neurotimer.gui.shell import theme
from tests.gui.shell.test_real_alarms import geometry, wait_until
from tests.gui.shell.test_real_process import ARTIFACTS, count_colour, painted_screenshot, screenshot, stop_app

SCREEN = (1366, 768)


def whole_off_badges(path: Path) -> int:
    """The channel cards' OFF badges (solid grey) in the right-hand column, counted as bands of rows."""
    from PySide6.QtGui import QColor, QImage

    image = QImage(str(path))
    grey = QColor(theme.MUTED).rgb()
    rows = [sum(1 for x in range(880, 1100) if image.pixel(x, y) == grey) >= 20 for y in range(200, SCREEN[1])]
    bands, run = 0, 0
    for marked in [*rows, False]:
        if marked:
            run += 1
            continue
        bands += run >= 16  # a badge painted whole, not cut by the bottom of a scrolled column
        run = 0
    return bands


@pytest.mark.xvfb
@pytest.mark.parametrize("extra", [[], ["--chairs", "3"]], ids=["one chair", "the board of 3 chairs"])
def test_the_real_window_fits_1366x768_with_every_channel_card(xvfb_display, tmp_path, colour_count, extra) -> None:
    exe = Path(sys.executable).parent / "neurotimer"
    assert shutil.which("xdotool") and shutil.which("import"), "xdotool and imagemagick are needed"
    env = {**os.environ, "DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb",
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    log = (tmp_path / "stderr.txt").open("wb")
    proc = subprocess.Popen([str(exe), "--demo", *extra], env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^neurotimer"],
                               env=env, capture_output=True, text=True, timeout=30)
        assert found.stdout.strip(), f"no neurotimer window appeared (app exit: {proc.poll()})"
        window_id = found.stdout.split()[0]
        painted_screenshot(xvfb_display, tmp_path / "first.png", colour_count)
        # The simulator connects after the first paint; its purple mark says the channel cards are built.
        shot = tmp_path / "room.png"
        wait_until(lambda: count_colour(screenshot(xvfb_display, shot), theme.SIMULATOR_COLOUR) > 300)
        time.sleep(1.0)
        screenshot(xvfb_display, shot)
        assert proc.poll() is None, (tmp_path / "stderr.txt").read_text()
        width, height = (int(v) for v in geometry(env, window_id).split("Geometry: ")[1].split("x"))
        assert width <= SCREEN[0] and height <= SCREEN[1], f"the window is {width}×{height}"
        assert whole_off_badges(shot) == 4, "not every channel card is whole on screen"
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(shot, ARTIFACTS / f"room-{'-'.join(extra) or 'one-chair'}.png")
    finally:
        stop_app(proc)
        log.close()
