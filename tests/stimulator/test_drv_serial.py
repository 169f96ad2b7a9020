"""The driver over a real serial device node: a pty bridged by socat to the `neurotimer sim` server."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from neurotimer.session.clock import SystemClock
from neurotimer.stimulator.driver import Driver
from neurotimer.stimulator.events import StimEventKind as K
from neurotimer.stimulator.transport import transport_factory

NEUROTIMER = Path(sys.executable).with_name("neurotimer")


@pytest.fixture
def serial_node(tmp_path):
    server = subprocess.Popen(
        [str(NEUROTIMER), "sim", "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    node = tmp_path / "ttySIM"
    bridge = None
    try:
        address = server.stdout.readline().split()[1]
        bridge = subprocess.Popen(
            ["socat", f"pty,raw,echo=0,link={node}", f"TCP:{address}"], stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 5
        while not node.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        yield str(node)
    finally:
        if bridge is not None:
            bridge.terminate()
            bridge.wait(timeout=5)
        server.terminate()
        server.wait(timeout=5)
        server.stdout.close()


def test_a_session_over_a_serial_port(serial_node) -> None:
    clock = SystemClock()
    factory = transport_factory(serial_node, clock, timeout=0.5)
    driver = Driver(factory, clock)
    seen = []
    driver.subscribe(seen.append)
    info = driver.connect()
    assert (info.identity.model, info.channels) == ("SIM-4", 4)
    driver.set_slew(1, 2.0)
    driver.output_on(1)
    driver.set_current(1, 0.4)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and (K.INTENSITY_REACHED, 1) not in [(e.kind, e.channel) for e in seen]:
        driver.poll_once()
    assert driver.last_status(1).measured_ma == 0.4
    driver.command("SIMulate:LEAD1 OFF")
    driver.poll_once()
    assert (K.LEAD_OFF, 1) in [(e.kind, e.channel) for e in seen]
    driver.command("SIMulate:LEAD1 ON")
    driver.abort()
    assert seen[-1].kind is K.EMERGENCY_STOP_CONFIRMED
    driver.close()
