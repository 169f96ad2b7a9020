"""The real `neurotimer clinic` process on a virtual X screen, watching a PostgreSQL log while another
process (a workstation of its own) records a session into it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from neurotimer.gui.shell import theme
from neurotimer.storage.store import open_store

ROOT = Path(__file__).resolve().parents[3]
STORAGE_TESTS = ROOT / "tests" / "storage"


def _wait_for_title(env: dict[str, str], pattern: str, timeout: float = 30) -> str:
    found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", pattern],
                           env=env, capture_output=True, text=True, timeout=timeout)
    return found.stdout.strip()


def _pixels_of(path: Path, hex_colour: str) -> int:
    """Every pixel of the colour in the board's corner of the screen (a sample of one in three missed a word's
    few pure-colour pixels when the column moved by one)."""
    from PySide6.QtGui import QColor, QImage

    image = QImage(str(path))
    target = QColor(hex_colour).rgb()
    return sum(1 for x in range(min(image.width(), 900)) for y in range(min(image.height(), 420))
               if image.pixel(x, y) == target)


def test_the_clinic_board_shows_another_workstations_session_live(xvfb_display, pg_url, tmp_path):
    from tests.conftest import image_colour_count
    from tests.gui.shell.test_real_process import painted_screenshot

    open_store(pg_url, daily_backup=False).close()  # the log exists, empty
    env = {**os.environ, "DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb",
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    exe = Path(sys.executable).parent / "neurotimer"
    board_log = (tmp_path / "board.txt").open("wb")
    board = subprocess.Popen([str(exe), "clinic", "--db", pg_url], env=env, stdout=subprocess.DEVNULL,
                             stderr=board_log)
    writer = None
    try:
        assert _wait_for_title(env, "^Clinic: 0 open"), f"no board: {(tmp_path / 'board.txt').read_text()}"
        writer_env = {**os.environ, "NEUROTIMER_WORKSTATION": "room7",
                      "PYTHONPATH": os.pathsep.join([str(ROOT), str(STORAGE_TESTS)])}
        writer = subprocess.Popen([sys.executable, str(STORAGE_TESTS / "pg_workstation.py"), "hold", pg_url],
                                  env=writer_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert writer.stdout.readline().startswith("session "), writer.stderr.read()
        assert _wait_for_title(env, "^Clinic: 1 open"), "the other workstation's session appeared on its own"
        shot = painted_screenshot(xvfb_display, tmp_path / "clinic.png", image_colour_count)
        assert _pixels_of(shot, theme.STATE_COLOURS["running"]) > 10, "its state is shown, in the running colour"
    finally:
        if writer is not None:
            writer.send_signal(signal.SIGKILL)
            writer.communicate(timeout=10)  # reads and closes its pipes
        board.terminate()
        board.wait(10)
        board_log.close()
