"""The exact lines the driver sends for a typical session, checked against a script."""

from __future__ import annotations

import logging

import pytest

from neurotimer.stimulator.driver import Driver, LinkState
from neurotimer.stimulator.errors import DeviceRefused, NotConnected, OutOfRange, StimulatorError
from neurotimer.stimulator.events import StimEventKind
from neurotimer.stimulator.protocol import Mode
from neurotimer.stimulator.scripted import ScriptedTransport, ScriptError, expected_protocol

OK = '0,"No error"'
IDN = "NeuroTimer,SIM-4,SIM000001,0.1.0"
LIMITS = "freq=1..200,width=50..1000,current=0..20,slew=0.1..2"
CONNECT = [
    ("*IDN?", IDN),
    ("SYSTem:CHANnels?", "4"),
    ("SYSTem:LIMits?", LIMITS),
    ("SYSTem:ERRor?", OK),
    ("SYSTem:WATChdog 2", None),
    ("SYSTem:ERRor?", OK),
]


def setting(line: str) -> list[tuple[str, str | None]]:
    return [(line, None), ("SYSTem:ERRor?", OK)]


def poll(*lines: str) -> list[tuple[str, str | None]]:
    return [(f"STATus:CHANnel{n}?", line) for n, line in enumerate(lines, start=1)]


OFF = "0,0.00,0.0,1500,OK"


def test_typical_session_sends_exactly_these_lines(clock, caplog) -> None:
    script = [
        *CONNECT,
        *setting("SOURce1:FUNCtion CONT"),
        *setting("SOURce1:FREQuency 2"),
        *setting("SOURce1:PULSe:WIDTh 300"),
        *setting("SOURce2:FUNCtion DENS"),
        ("SOURce2:FREQuency:HIGH?", "100"),
        *setting("SOURce2:FREQuency:LOW 4"),
        *setting("SOURce2:FREQuency:HIGH 80"),
        *setting("SOURce2:PULSe:WIDTh 500"),
        *setting("OUTPut1 ON"),
        *setting("OUTPut2 ON"),
        *poll("1,0.00,0.0,1500,OK", "1,0.00,0.0,1500,OK", OFF, OFF),
        *setting("SOURce1:CURRent 3.0"),
        *poll("1,1.50,3.0,1500,OK", "1,0.00,0.0,1500,OK", OFF, OFF),
        *poll("1,3.00,3.0,1500,OK", "1,0.00,0.0,1500,OK", OFF, OFF),
        ("ABORt", None),
        ("SYSTem:ERRor?", OK),
        *poll(OFF, OFF, OFF, OFF),
    ]
    caplog.set_level(logging.DEBUG, logger="neurotimer.stimulator.wire")
    with expected_protocol(script) as transport:
        driver = Driver(transport, clock)
        seen = []
        driver.subscribe(seen.append)
        info = driver.connect()
        assert (info.channels, info.identity.model, info.limits.current) == (4, "SIM-4", (0.0, 20.0))
        driver.set_mode(1, Mode.CONT)
        driver.set_frequency(1, 2)
        driver.set_pulse_width(1, 300)
        driver.set_mode(2, Mode.DENS)
        driver.set_dense_frequencies(2, 4, 80)
        driver.set_pulse_width(2, 500)
        driver.output_on(1)
        driver.output_on(2)
        driver.poll_once()
        driver.set_current(1, 3)
        driver.poll_once()
        clock.advance(3)
        driver.poll_once()
        driver.abort()
    kinds = [(e.kind, e.channel) for e in seen]
    assert kinds == [
        (StimEventKind.OUTPUT_ON, 1),
        (StimEventKind.OUTPUT_ON, 2),
        (StimEventKind.INTENSITY_REACHED, 1),
        (StimEventKind.OUTPUT_OFF, 1),
        (StimEventKind.OUTPUT_OFF, 2),
        (StimEventKind.EMERGENCY_STOP_CONFIRMED, None),
    ]
    wire_lines = [r.getMessage() for r in caplog.records if r.name == "neurotimer.stimulator.wire"]
    assert "> SOURce1:CURRent 3.0" in wire_lines and "< 1,3.00,3.0,1500,OK" in wire_lines


def test_dense_rates_above_the_old_high_are_sent_high_first(clock) -> None:
    script = [
        *CONNECT,
        ("SOURce1:FREQuency:HIGH?", "100"),
        *setting("SOURce1:FREQuency:HIGH 200"),
        *setting("SOURce1:FREQuency:LOW 150"),
    ]
    with expected_protocol(script) as transport:
        driver = Driver(transport, clock)
        driver.connect()
        driver.set_dense_frequencies(1, 150, 200)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d: d.set_current(2, 25), "Channel 2: 25 mA is above this stimulator's maximum intensity of 20 mA."),
        (lambda d: d.set_current(1, -1), "Channel 1: -1 mA is below this stimulator's minimum intensity of 0 mA."),
        (lambda d: d.set_frequency(3, 250), "Channel 3: 250 Hz is above this stimulator's maximum frequency"),
        (lambda d: d.set_pulse_width(1, 20), "Channel 1: 20 µs is below this stimulator's minimum pulse width"),
        (lambda d: d.set_slew(1, 5), "Channel 1: 5 mA/s is above this stimulator's maximum ramp rate"),
        (lambda d: d.set_current(5, 1), "This stimulator has channels 1 to 4; there is no channel 5."),
        (lambda d: d.set_current(1, float("nan")), "Channel 1: the intensity must be a number"),
        (lambda d: d.set_dense_frequencies(1, 50, 20), "must be below the high frequency (20 Hz)"),
    ],
)
def test_out_of_range_values_are_refused_before_sending(clock, call, message) -> None:
    with expected_protocol(CONNECT) as transport:
        driver = Driver(transport, clock)
        driver.connect()
        with pytest.raises(OutOfRange) as info:
            call(driver)
    assert message in str(info.value)


def test_limits_come_from_the_device_not_from_the_spec(clock) -> None:
    narrow = [(a, "freq=1..100,width=50..500,current=0..10,slew=0.1..1" if a == "SYSTem:LIMits?" else b)
              for a, b in CONNECT]
    with expected_protocol(narrow) as transport:
        driver = Driver(transport, clock)
        driver.connect()
        with pytest.raises(OutOfRange, match="12 mA is above this stimulator's maximum intensity of 10 mA"):
            driver.set_current(1, 12)


def test_switch_on_refused_by_the_device_is_explained(clock) -> None:
    script = [*CONNECT, ("OUTPut1 ON", None),
              ("SYSTem:ERRor?", '-221,"Settings conflict; current must be 0 to switch on"'),
              ("SYSTem:ERRor?", OK)]
    with expected_protocol(script) as transport:
        driver = Driver(transport, clock)
        driver.connect()
        with pytest.raises(DeviceRefused) as info:
            driver.output_on(1)
    assert info.value.code == -221
    assert "only be switched on at 0 mA" in str(info.value)


def test_a_fault_found_while_checking_a_setting_is_an_event_not_a_refusal(clock) -> None:
    script = [*CONNECT, ("SOURce1:CURRent 2.0", None),
              ("SYSTem:ERRor?", '101,"Lead off; channel 3"'), ("SYSTem:ERRor?", OK)]
    with expected_protocol(script) as transport:
        driver = Driver(transport, clock)
        seen = []
        driver.subscribe(seen.append)
        driver.connect()
        driver.set_current(1, 2)
    assert [(e.kind, e.channel) for e in seen] == [(StimEventKind.LEAD_OFF, 3)]


def test_a_failed_query_is_read_from_the_queue(clock) -> None:
    script = [*CONNECT, ("MEASure9:CURRent?", None),
              ("SYSTem:ERRor?", '-114,"Header suffix out of range"'), ("SYSTem:ERRor?", OK)]
    with expected_protocol(script) as transport:
        driver = Driver(transport, clock)
        driver.connect()
        with pytest.raises(DeviceRefused, match="does not have that channel"):
            driver.query("MEASure9:CURRent?")


def test_silence_is_a_lost_connection(clock) -> None:
    script = [*CONNECT, ("STATus:CHANnel1?", None), ("SYSTem:ERRor?", None)]
    with expected_protocol(script) as transport:
        driver = Driver(transport, clock)
        seen = []
        driver.subscribe(seen.append)
        driver.connect()
        assert driver.poll_once() == {}
    assert driver.state is LinkState.LOST
    assert [e.kind for e in seen] == [StimEventKind.CONNECTION_LOST]
    with pytest.raises(NotConnected, match="reconnecting"):
        driver.set_current(1, 1)


def test_a_busy_device_is_explained(clock) -> None:
    transport = ScriptedTransport([("*IDN?", "ERR busy")])
    driver = Driver(transport, clock)
    with pytest.raises(Exception, match="already connected to another program"):
        driver.connect()


def test_the_script_fails_on_a_wrong_line(clock) -> None:
    transport = ScriptedTransport([("*IDN?", IDN)])
    with pytest.raises(ScriptError, match="expected"):
        transport.write(b"*RST\n")
    leftover = ScriptedTransport([("*IDN?", IDN)])
    with pytest.raises(ScriptError, match="not finished"):
        leftover.assert_done()


def test_an_unanswered_query_with_a_live_queue_keeps_the_link(clock) -> None:
    script = [*CONNECT, ("MEASure1:CURRent?", None), ("SYSTem:ERRor?", OK)]
    with expected_protocol(script) as transport:
        driver = Driver(transport, clock)
        driver.connect()
        with pytest.raises(StimulatorError, match="did not answer"):
            driver.query("MEASure1:CURRent?")
    assert driver.state is LinkState.CONNECTED
