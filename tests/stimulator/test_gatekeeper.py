"""The device boundary: nothing the interlock refuses reaches the simulated device, typed or raw."""

from __future__ import annotations

import pytest

from neurotimer.safety.interlock import Interlock, SessionInput
from neurotimer.stimulator.driver import Driver
from neurotimer.stimulator.gatekeeper import ON_AFTER_END_KEY, Gatekeeper, Refused, judge_line
from neurotimer.stimulator.simlink import SimDevicePort


class Bench:
    """A driver on the simulated device behind a gatekeeper, as the worker runs them."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self.port = SimDevicePort(clock)
        self.driver = Driver(self.port.open, clock)
        self.driver.connect()
        self.interlock = Interlock(clock)
        self.alarms: dict[str, str] = {}
        self.cleared: list[str] = []
        self.gate = Gatekeeper(self.interlock, clock, self.alarms.__setitem__, self.cleared.append)

    def allow(self, ends_in: float = 600.0, keep: bool = False) -> None:
        self.interlock.set_session(SessionInput(True, False, self.clock.now() + ends_in, keep))
        self.interlock.set_pairs({1, 2, 3, 4})
        self.interlock.set_verdict(True, "Output allowed")
        self.interlock.set_link(True)

    def call(self, name: str, *args) -> None:
        method = getattr(self.driver, name)
        self.gate.run(self.driver, name, method, args)

    def poll(self) -> None:
        self.gate.enforce(self.driver, self.driver.poll_once())

    def run(self, seconds: float, step: float = 0.15) -> None:
        """Time passes with the worker polling as it does."""
        for _ in range(round(seconds / step)):
            self.clock.advance(step)
            self.poll()

    def device(self, channel: int):
        return self.port.model.status(channel)

    def behind_the_back(self, line: str) -> None:
        self.port.model.handle_line(line.encode())


@pytest.fixture
def bench(clock) -> Bench:
    return Bench(clock)


@pytest.mark.parametrize("line", ["OUTPut1 ON", ":OUTPut1 ON", "outp1:stat 1", "OUTP1:STATe ON", "SOUR1:CURR 2",
                                  "source1:current 0.5"])
def test_raw_lines_that_switch_on_or_raise_are_refused_like_the_typed_command(bench, line) -> None:
    bench.allow()
    bench.interlock.set_session(SessionInput(running=False, paused=False, ends_at=None))
    with pytest.raises(Refused, match="start the session first"):
        bench.call("command", line)
    assert not bench.device(1).output and bench.device(1).target_ma == 0


@pytest.mark.parametrize("line", ["OUTP1 ON\nOUTP1 ON", "OUTP1 ON;OUTP2 ON", "OUTP9 ON", "OUTP1 ÖN", "OUTP1 MAYBE"])
def test_lines_the_grammar_refuses_are_not_sent(bench, line) -> None:
    with pytest.raises(Refused):
        bench.call("command", line)


def test_lines_that_lower_or_only_configure_pass_without_a_session(bench) -> None:
    for line in ("OUTP1 OFF", "SOUR1:CURR 0", "ABOR", "SOUR2:FREQ 80", "SIMulate:LEAD3 OFF", "*RST"):
        bench.call("command", line)
    assert bench.driver.query("SOURce2:FREQuency?") == "2"  # *RST came last


def test_the_watchdog_is_never_changed_by_hand(bench) -> None:
    with pytest.raises(Refused, match="watchdog"):
        judge_line("SYST:WATC 0", 4)


def test_typed_commands_are_judged_and_lowering_always_passes(bench, clock) -> None:
    with pytest.raises(Refused, match="not ready"):
        bench.call("output_on", 1)
    bench.allow()
    bench.call("output_on", 1)
    bench.call("set_current", 1, 2.0)
    bench.interlock.set_pairs({2})
    with pytest.raises(Refused, match="no pair"):
        bench.call("set_current", 1, 2.5)
    bench.call("set_current", 1, 1.0)
    assert bench.device(1).target_ma == 1.0


def test_an_output_switched_on_behind_the_back_goes_off_at_the_next_poll_with_an_alarm(bench) -> None:
    bench.behind_the_back("OUTP2 ON")
    assert bench.device(2).output
    bench.poll()
    assert not bench.device(2).output
    assert "Output switched off on channel 2" in bench.alarms["interlock.found-on.2"]


def test_a_current_raised_behind_the_back_is_brought_back_down(bench) -> None:
    bench.allow()
    bench.call("output_on", 1)
    bench.call("set_current", 1, 1.0)
    bench.behind_the_back("SOUR1:CURR 6")
    bench.poll()
    assert bench.device(1).target_ma == 1.0
    assert "raised to 6.0 mA" in bench.alarms["interlock.raised.1"]


def test_at_the_planned_end_every_output_ramps_down_then_switches_off(bench, clock) -> None:
    bench.allow(ends_in=10)
    for channel, ma in ((1, 2.0), (2, 1.0)):
        bench.call("output_on", channel)
        bench.call("set_current", channel, ma)
    bench.run(9.9)
    clock.advance(0.15)
    bench.poll()
    assert bench.device(1).output and bench.device(1).target_ma == 0  # ramping down, not cut
    seconds = 0.0
    while bench.device(1).output or bench.device(2).output:
        clock.advance(0.15)
        seconds += 0.15
        bench.poll()
        assert seconds < 2.0 / 0.5 + 0.5
    assert bench.alarms == {}
    with pytest.raises(Refused, match="planned time is over"):
        bench.call("output_on", 1)


def test_keep_stimulating_past_the_end_leaves_the_output_on_without_an_alarm(bench, clock) -> None:
    bench.allow(ends_in=10, keep=True)
    bench.call("output_on", 1)
    bench.call("set_current", 1, 2.0)
    for _ in range(100):
        clock.advance(0.15)
        bench.poll()
    assert bench.device(1).output and bench.device(1).target_ma == 2.0
    assert bench.alarms == {}


def test_an_output_that_will_not_ramp_down_is_switched_off_with_an_alarm(bench, clock, monkeypatch) -> None:
    bench.allow(ends_in=1)
    bench.call("output_on", 1)
    bench.call("set_current", 1, 1.0)
    monkeypatch.setattr(bench.driver, "set_current", lambda *_a: None)  # firmware that ignores the ramp down
    bench.run(1.05)
    assert bench.device(1).output
    bench.run(1.0 / 0.5 + 0.6)
    assert not bench.device(1).output
    assert "still on after the planned end" in bench.alarms[ON_AFTER_END_KEY]
    clock.advance(0.2)
    bench.poll()
    assert bench.cleared == [ON_AFTER_END_KEY]


def test_five_more_minutes_before_the_end_moves_the_stop(bench, clock) -> None:
    from neurotimer.safety.interlock import session_input
    from neurotimer.session.session import Session

    session = Session(clock, 1)
    session.start()
    bench.allow()
    bench.interlock.set_session(session_input(session, clock.now()))
    bench.call("output_on", 1)
    bench.call("set_current", 1, 1.0)
    bench.run(50)
    session.extend(5)  # +5 min, before the end
    bench.interlock.set_session(session_input(session, clock.now()))
    bench.run(15)  # past the first planned end
    assert bench.device(1).output and bench.device(1).target_ma == 1.0
    bench.run(5 * 60 - 5)
    assert bench.device(1).target_ma == 0.0  # the moved end came: ramping down
    bench.run(2.5)
    assert not bench.device(1).output and bench.alarms == {}
