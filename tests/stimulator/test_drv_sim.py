"""The driver against the simulated stimulator in-process (`sim:`), in simulated time."""

from __future__ import annotations

import logging

import pytest

from neurotimer.session.clock import SystemClock
from neurotimer.stimulator.driver import Driver, LinkState
from neurotimer.stimulator.errors import DeviceRefused, LinkDown, OutOfRange
from neurotimer.stimulator.events import StimEventKind as K
from neurotimer.stimulator.protocol import Mode
from neurotimer.stimulator.simlink import SimDevicePort, parse_sim_url
from neurotimer.stimulator.transport import normalise_url, transport_factory


@pytest.fixture
def port(clock) -> SimDevicePort:
    return SimDevicePort(clock)


@pytest.fixture
def driver(port, clock):
    drv = Driver(port.open, clock)
    drv.seen = []
    drv.subscribe(drv.seen.append)
    drv.connect()
    yield drv
    drv.close()


def run(driver, clock, seconds: float, step: float = 0.2) -> None:
    for _ in range(round(seconds / step)):
        clock.advance(step)
        driver.poll_once()


def kinds(driver) -> list[tuple[K, int | None]]:
    return [(e.kind, e.channel) for e in driver.seen]


def switch_on_and_ramp(driver, clock, channel: int, milliamps: float, seconds: float) -> None:
    driver.output_on(channel)
    driver.set_current(channel, milliamps)
    run(driver, clock, seconds)


def test_connect_reads_identity_channels_and_limits(driver, port) -> None:
    assert driver.identity.model == "SIM-4"
    assert driver.channel_count == 4
    assert driver.limits.current == (0.0, 20.0)
    assert port.model.watchdog_s == 2.0


def test_ramp_reaches_the_target_at_the_slew_rate(driver, clock) -> None:
    driver.set_slew(1, 0.5)
    driver.output_on(1)
    driver.set_current(1, 3)
    run(driver, clock, 2.0)
    assert driver.last_status(1).measured_ma == pytest.approx(1.0, abs=0.01)
    assert (K.INTENSITY_REACHED, 1) not in kinds(driver)
    run(driver, clock, 4.2)
    assert driver.last_status(1).measured_ma == 3.0
    assert kinds(driver).count((K.INTENSITY_REACHED, 1)) == 1


def test_configuration_lands_on_the_device(driver, port) -> None:
    driver.set_mode(2, Mode.DENS)
    driver.set_dense_frequencies(2, 4, 80)
    driver.set_pulse_width(2, 500)
    channel = port.model.channels[1]
    assert (channel.mode, channel.freq_low, channel.freq_high, channel.width_us) == (Mode.DENS, 4, 80, 500)


def test_switch_on_from_nonzero_is_refused_in_plain_words(driver) -> None:
    driver.set_current(1, 2)
    with pytest.raises(DeviceRefused, match="only be switched on at 0 mA"):
        driver.output_on(1)


def test_lead_off_mid_ramp_switches_off_and_is_reported_once(driver, clock) -> None:
    switch_on_and_ramp(driver, clock, 1, 5, 2.0)
    driver.command("SIMulate:LEAD1 OFF")
    run(driver, clock, 0.4)
    status = driver.last_status(1)
    assert (status.output, status.measured_ma, status.target_ma, status.lead_ok) == (False, 0.0, 0.0, False)
    assert kinds(driver).count((K.LEAD_OFF, 1)) == 1
    assert (K.OUTPUT_OFF, 1) in kinds(driver)
    driver.command("SIMulate:LEAD1 ON")
    run(driver, clock, 0.2)
    assert (K.LEAD_RESTORED, 1) in kinds(driver)


def test_over_current_switches_off_and_is_reported(driver, clock) -> None:
    driver.command("SIMulate:IMPedance2 100")
    driver.output_on(2)
    run(driver, clock, 0.2)
    driver.set_current(2, 2)
    run(driver, clock, 0.4)
    assert (K.OVER_CURRENT, 2) in kinds(driver)
    assert driver.last_status(2).output is False
    assert "check the needles" in next(e for e in driver.seen if e.kind is K.OVER_CURRENT).message


def test_watchdog_expiry_when_the_host_stops_polling(driver, clock) -> None:
    switch_on_and_ramp(driver, clock, 3, 1, 1.0)
    clock.advance(2.5)  # the host is silent longer than the 2 s watchdog
    driver.poll_once()
    assert driver.last_status(3).output is False
    assert (K.WATCHDOG_EXPIRED, None) in kinds(driver)


def test_dropped_connection_is_lost_then_reconnected_with_outputs_off(driver, clock, port) -> None:
    switch_on_and_ramp(driver, clock, 1, 2, 1.0)
    with pytest.raises(LinkDown):
        driver.command("SIMulate:DROP")
    assert driver.state is LinkState.LOST
    assert port.model.status(1).output is False
    with pytest.raises(Exception, match="reconnecting"):
        driver.set_current(1, 1)
    run(driver, clock, 1.2)
    assert driver.state is LinkState.CONNECTED
    assert kinds(driver)[-1] == (K.RECONNECTED, None)
    assert [k for k, _ in kinds(driver)].count(K.CONNECTION_LOST) == 1
    run(driver, clock, 0.4)
    assert driver.last_status(1).output is False
    driver.output_on(1)  # allowed again, from zero
    run(driver, clock, 0.2)
    assert driver.last_status(1).output is True


def test_a_frozen_device_is_noticed_and_stopped_when_it_answers_again(driver, clock, port, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="neurotimer.stimulator.wire")
    switch_on_and_ramp(driver, clock, 2, 2, 1.0)
    port.model.feed(b"SIMulate:FREeze 3\n")  # the device hangs on its own, not on a host command
    driver.poll_once()
    assert driver.state is LinkState.LOST
    assert (K.CONNECTION_LOST, None) in kinds(driver)
    lost = next(e for e in driver.seen if e.kind is K.CONNECTION_LOST)
    assert "may still be on" in lost.message
    run(driver, clock, 2.0)
    assert driver.state is LinkState.LOST  # still frozen: reconnect attempts get no answer
    run(driver, clock, 2.0)
    assert driver.state is LinkState.CONNECTED
    assert port.model.status(2).output is False
    assert port.model.status(2).target_ma == 0.0
    sent = [r.getMessage() for r in caplog.records if r.getMessage().startswith(">")]
    last_idn = len(sent) - 1 - sent[::-1].index("> *IDN?")
    assert sent[last_idn - 1] == "> ABORt"  # the reconnect stops the outputs before anything else


def test_emergency_stop_confirms_every_output_off(driver, clock) -> None:
    for ch in (1, 2):
        switch_on_and_ramp(driver, clock, ch, 2, 0.4)
    driver.abort()
    assert not any(driver.last_status(ch).output for ch in (1, 2, 3, 4))
    assert kinds(driver)[-1] == (K.EMERGENCY_STOP_CONFIRMED, None)


def test_validator_uses_device_limits(driver) -> None:
    with pytest.raises(OutOfRange, match="Channel 2: 25 mA is above this stimulator's maximum intensity of 20 mA"):
        driver.set_current(2, 25)


def test_eight_channel_simulator_from_url(clock) -> None:
    drv = Driver(transport_factory("sim:?channels=8&seed=3", clock), clock)
    assert drv.connect().channels == 8
    drv.close()


def test_urls() -> None:
    assert normalise_url("127.0.0.1:5025") == "socket://127.0.0.1:5025"
    assert normalise_url("localhost:5025") == "socket://localhost:5025"
    assert normalise_url("/dev/ttyACM0") == "/dev/ttyACM0"
    assert normalise_url("COM3") == "COM3"
    assert parse_sim_url("sim:?channels=8") == {"channels": 8}
    with pytest.raises(ValueError, match="Choose a stimulator"):
        normalise_url("  ")
    with pytest.raises(ValueError, match="does not know"):
        parse_sim_url("sim:?speed=2")


def test_realtime_sim_ramps_on_the_system_clock() -> None:
    clock = SystemClock()
    drv = Driver(SimDevicePort(clock, timeout=0.2).open, clock)
    drv.connect()
    drv.set_slew(1, 2.0)
    drv.output_on(1)
    drv.set_current(1, 0.2)
    deadline = clock.now() + 2.0
    while clock.now() < deadline and drv.poll_once()[1].measured_ma < 0.2:
        pass
    assert drv.last_status(1).measured_ma == 0.2
    drv.close()


def test_nothing_listening_is_explained(clock) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    drv = Driver(transport_factory(f"127.0.0.1:{port}", clock, timeout=0.2), clock)
    with pytest.raises(Exception, match="Check that it is switched on and plugged in"):
        drv.connect()
    assert drv.state is LinkState.DISCONNECTED
