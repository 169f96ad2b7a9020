"""The real process at 1366×768: a high alarm, then three at once, and the window neither grows nor moves."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from neurotimer.gui.shell import theme
from neurotimer.session.clock import SystemClock
from neurotimer.stimulator.device import SimulatedStimulator
from neurotimer.stimulator.server import SimulatorServer
from tests.gui.shell.test_real_process import (
    ARTIFACTS,
    count_colour,
    painted_screenshot,
    screenshot,
    stop_app,
    type_into,
)


class ServerThread:
    """A simulated stimulator on a loopback port, served from a thread, that the test can unplug leads of."""

    def __init__(self) -> None:
        self.model = SimulatedStimulator(SystemClock())
        self.loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        ready = threading.Event()
        self.url = ""

        async def main() -> None:
            server = SimulatorServer(self.model, "127.0.0.1", 0)
            self.server = server
            host, port = await server.open()
            self.url = f"socket://{host}:{port}"
            self._stop = asyncio.Event()
            ready.set()
            await server.serve(self._stop)

        self.thread = threading.Thread(target=lambda: self.loop.run_until_complete(main()), daemon=True)
        self.thread.start()
        assert ready.wait(10), "the simulator did not start"

    def connected(self) -> bool:
        return self.server._client is not None

    def line(self, text: str) -> None:
        self.loop.call_soon_threadsafe(self.model.handle_line, text.encode("ascii"))

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(10)
        self.loop.close()


def geometry(env: dict[str, str], window_id: str) -> str:
    found = subprocess.run(["xdotool", "getwindowgeometry", window_id], env=env, capture_output=True, text=True,
                           check=True, timeout=10)
    return " ".join(found.stdout.split()[3:])  # "Position: x,y (screen: 0) Geometry: WxH" without the id


def crop(path: Path, x: int, y: int, w: int, h: int):
    from PySide6.QtGui import QImage

    return QImage(str(path)).copy(x, y, w, h)


def wait_until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.fixture
def simulator():
    server = ServerThread()
    yield server
    server.stop()


@pytest.fixture
def alarm_app(xvfb_display, tmp_path, simulator):
    exe = Path(sys.executable).parent / "neurotimer"
    assert shutil.which("xdotool") and shutil.which("import"), "xdotool and imagemagick are needed"
    env = {**os.environ, "DISPLAY": xvfb_display, "QT_QPA_PLATFORM": "xcb",
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    log = (tmp_path / "stderr.txt").open("wb")
    proc = subprocess.Popen([str(exe), "--demo", "--device", simulator.url], env=env,
                            stdout=subprocess.DEVNULL, stderr=log)
    try:
        found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^neurotimer"],
                               env=env, capture_output=True, text=True, timeout=30)
        assert found.stdout.strip(), f"no neurotimer window appeared (app exit: {proc.poll()})"
        yield proc, env, found.stdout.split()[0]
    finally:
        stop_app(proc)
        log.close()


def red_pixels(path: Path) -> int:
    # The strip flashes: a screenshot catches either phase.
    return count_colour(path, theme.ALARM_COLOURS["high"]) + count_colour(path, theme.ALARM_DIM_COLOURS["high"])


@pytest.mark.xvfb
def test_real_alarms_at_1366x768_leave_the_window_and_the_timer_where_they_were(alarm_app, xvfb_display, simulator,
                                                                              tmp_path, colour_count):
    proc, env, window_id = alarm_app
    painted_screenshot(xvfb_display, tmp_path / "first.png", colour_count)
    timer_card = (16, 84, 860, 160)  # the timer card, below the header line that holds the alarm strip
    # The stimulator connects once every panel is built (after the first paint); then the layout is final.
    wait_until(simulator.connected)
    time.sleep(1.5)
    calm = screenshot(xvfb_display, tmp_path / "calm.png")
    size_before = geometry(env, window_id)
    red_before = red_pixels(calm)

    simulator.line("SIMulate:LEAD1 OFF")
    deadline = time.monotonic() + 10
    while True:
        high = screenshot(xvfb_display, tmp_path / "alarm-high.png")
        if red_pixels(high) > red_before + 1500 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert red_pixels(high) > red_before + 1500, "no red alarm strip appeared"
    assert geometry(env, window_id) == size_before
    assert crop(high, *timer_card) == crop(calm, *timer_card), "the timer moved under the alarm"

    simulator.line("SIMulate:LEAD2 OFF")
    time.sleep(1.5)
    type_into(env, window_id, ["key", "Escape"])  # the stop: its confirmation is the third banner
    time.sleep(1.5)
    three = screenshot(xvfb_display, tmp_path / "alarms-three.png")
    assert proc.poll() is None, (tmp_path / "stderr.txt").read_text()
    assert geometry(env, window_id) == size_before
    assert crop(three, *timer_card) == crop(calm, *timer_card), "the timer moved under three alarms"
    width, height = (int(v) for v in size_before.split("Geometry: ")[1].split("x"))
    assert width <= 1366 and height <= 768
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(high, ARTIFACTS / "alarm-high.png")
    shutil.copy(three, ARTIFACTS / "alarms-three.png")
