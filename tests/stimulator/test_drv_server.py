"""The driver against the real `neurotimer sim` server process over loopback TCP, in real time."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from neurotimer.session.clock import SystemClock
from neurotimer.stimulator.driver import Driver, LinkState
from neurotimer.stimulator.errors import LinkDown, UnexpectedDevice
from neurotimer.stimulator.events import StimEventKind as K
from neurotimer.stimulator.transport import transport_factory

NEUROTIMER = Path(sys.executable).with_name("neurotimer")


@pytest.fixture(scope="module")
def server_url():
    proc = subprocess.Popen(
        [str(NEUROTIMER), "sim", "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("listening "), first
        yield f"socket://{first.split()[1]}"
    finally:
        proc.terminate()
        assert proc.wait(timeout=5) == 0
        proc.stdout.close()
        proc.stderr.close()


@pytest.fixture
def driver(server_url):
    clock = SystemClock()
    drv = Driver(transport_factory(server_url, clock, timeout=0.3), clock, watchdog_s=0.5,
                 reconnect_interval_s=0.1)
    drv.seen = []
    drv.subscribe(drv.seen.append)
    drv.connect()
    drv.command("*RST")
    drv.set_watchdog(0.5)
    drv.command("*CLS")
    yield drv
    if drv.state is LinkState.CONNECTED:
        for ch in range(1, 5):
            drv.command(f"SIMulate:LEAD{ch} ON")
            drv.command(f"SIMulate:IMPedance{ch} 1500")
    drv.close()


def poll_until(driver, condition, seconds: float = 3.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        driver.poll_once()
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached")


def kinds(driver):
    return [(e.kind, e.channel) for e in driver.seen]


def test_connect_and_ramp_over_tcp(driver) -> None:
    assert driver.identity.maker == "NeuroTimer" and driver.channel_count == 4
    driver.set_slew(1, 2.0)
    driver.output_on(1)
    driver.set_current(1, 0.4)
    poll_until(driver, lambda: (K.INTENSITY_REACHED, 1) in kinds(driver))
    assert driver.last_status(1).measured_ma == 0.4


def test_second_client_is_told_the_device_is_busy(driver, server_url) -> None:
    clock = SystemClock()
    other = Driver(transport_factory(server_url, clock, timeout=0.3), clock)
    with pytest.raises(UnexpectedDevice, match="connected to another program or computer"):
        other.connect()


def test_lead_off_mid_ramp_over_tcp(driver) -> None:
    driver.output_on(2)
    driver.set_current(2, 5)
    poll_until(driver, lambda: driver.last_status(2).measured_ma > 0)
    driver.command("SIMulate:LEAD2 OFF")
    poll_until(driver, lambda: (K.LEAD_OFF, 2) in kinds(driver))
    assert driver.last_status(2).output is False


def test_over_current_over_tcp(driver) -> None:
    driver.command("SIMulate:IMPedance3 100")
    driver.output_on(3)
    driver.set_current(3, 2)
    poll_until(driver, lambda: (K.OVER_CURRENT, 3) in kinds(driver))
    poll_until(driver, lambda: driver.last_status(3).output is False)


def test_watchdog_when_the_host_stops_polling(driver) -> None:
    driver.output_on(1)
    driver.set_current(1, 1)
    driver.poll_once()
    time.sleep(0.8)  # real silence: the server's own clock must expire the 0.5 s watchdog
    poll_until(driver, lambda: (K.WATCHDOG_EXPIRED, None) in kinds(driver))
    assert driver.last_status(1).output is False


def test_dropped_connection_then_reconnect_with_outputs_off(driver) -> None:
    driver.output_on(4)
    driver.set_current(4, 1)
    with pytest.raises(LinkDown):
        driver.command("SIMulate:DROP")
    assert (K.CONNECTION_LOST, None) in kinds(driver)
    poll_until(driver, lambda: driver.state is LinkState.CONNECTED)
    poll_until(driver, lambda: driver.last_status(4) is not None)
    assert driver.last_status(4).output is False
    assert (K.RECONNECTED, None) in kinds(driver)
    assert kinds(driver).index((K.CONNECTION_LOST, None)) < kinds(driver).index((K.RECONNECTED, None))


def test_frozen_device_is_noticed_and_stopped_when_back(driver) -> None:
    driver.output_on(1)
    driver.set_current(1, 1)
    driver.poll_once()
    with pytest.raises(LinkDown):
        driver.command("SIMulate:FREeze 0.6")
    assert driver.state is LinkState.LOST
    assert (K.CONNECTION_LOST, None) in kinds(driver)
    poll_until(driver, lambda: driver.state is LinkState.CONNECTED, seconds=4)
    poll_until(driver, lambda: driver.last_status(1) is not None)
    assert driver.last_status(1).output is False
