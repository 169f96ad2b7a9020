"""The real `neurotimer --review` on a clinic's server that goes silent and comes back, under Xvfb: the window
says so in its red line, keeps answering clicks, and clears the line by itself once the server answers."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from neurotimer.gui.shell.theme import ALARM_COLOURS
from neurotimer.storage.store import open_readonly
from neurotimer.storage.transfer import copy_log
from tests.gui.review.test_review_real_process import ARTIFACTS, EXE, _env, _find, _shot
from tests.gui.shell.test_real_process import count_colour, painted_screenshot, stop_app
from tests.gui.silent_log import through
from tests.storage.blackhole import Blackhole

RED = ALARM_COLOURS["high"]  # the review window's message line
SELECTED = "#308cc6"  # the chosen row


def wait_for(condition, timeout: float, step: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def log_text(env: dict[str, str]) -> str:
    found = list(Path(env["XDG_DATA_HOME"]).rglob("neurotimer.log"))
    return found[0].read_text(errors="replace") if found else ""


@pytest.mark.xvfb
def test_the_review_window_keeps_working_while_its_server_is_silent_and_after(
        xvfb_display, tmp_path, review_demo, pg_url, colour_count) -> None:
    source = open_readonly(review_demo)
    try:
        assert copy_log(source, pg_url).ok
    finally:
        source.close()
    relay = Blackhole(urlsplit(pg_url).port)
    env = _env(xvfb_display, tmp_path)
    err = (tmp_path / "stderr.txt").open("wb")
    proc = subprocess.Popen([str(EXE), "--review", "--db", through(pg_url, relay.port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=err)
    shots = tmp_path
    try:
        window = _find(env, "^Review — neurotimer$", timeout=60)
        assert window, f"no review window (exit {proc.poll()})"
        painted_screenshot(xvfb_display, shots / "before.png", colour_count)

        def chosen(y: int) -> bool:
            """Clicks the row at `y`; True once a row shows selected (the list has arrived)."""
            subprocess.run(["xdotool", "mousemove", "400", str(y), "click", "1"], env=env, check=True, timeout=10)
            return count_colour(_shot(env, shots / "before.png"), SELECTED) > 100

        assert wait_for(lambda: chosen(187), 60, step=1), "the list never arrived"
        assert count_colour(shots / "before.png", RED) == 0

        relay.silence()
        # A click while the server is silent: the replay's reads are cut off, the window stays usable.
        subprocess.run(["xdotool", "mousemove", "400", "235", "click", "1"], env=env, check=True, timeout=10)
        # The list is read again every 3 s on its own thread; a silent server is given up after 10 s.
        assert wait_for(lambda: count_colour(_shot(env, shots / "silent.png"), RED) > 50, 45), \
            "the window never said the server cannot be reached"
        assert proc.poll() is None
        assert "review query failed" in log_text(env)

        relay.speak()
        assert wait_for(lambda: count_colour(_shot(env, shots / "back.png"), RED) == 0, 90), \
            "the message stayed after the server answered again"
        assert "the log answers again" in log_text(env)
        assert proc.poll() is None, "the window is still open"
        assert "Traceback" not in (tmp_path / "stderr.txt").read_text(errors="replace")
    finally:
        stop_app(proc)
        err.close()
        relay.close()
        ARTIFACTS.mkdir(exist_ok=True)
        for name in ("silent.png", "back.png"):
            if (shots / name).exists():
                (ARTIFACTS / f"review-server-{name}").write_bytes((shots / name).read_bytes())
