"""Any interleaving of session, plan, verdict, link and commands never leaves an output on or rising while the
interlock refuses it, as the simulated device itself reports."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from neurotimer.safety.interlock import Allow, Interlock, session_input
from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session, SessionState
from neurotimer.stimulator.driver import Driver, LinkState
from neurotimer.stimulator.errors import StimulatorError
from neurotimer.stimulator.gatekeeper import Gatekeeper
from neurotimer.stimulator.simlink import SimDevicePort

CHANNELS = st.integers(min_value=1, max_value=4)
RAW_LINES = st.sampled_from([
    "OUTP{ch} ON", ":OUTPut{ch}:STATe 1", "outp{ch} on", "OUTP{ch} OFF", "SOUR{ch}:CURR 3", "source{ch}:current 0.4",
    "SOUR{ch}:CURR 0", "ABOR", "*RST", "SOUR{ch}:CURR:SLEW 2", "SOUR{ch}:FREQ 100", "OUTP{ch} ON extra",
])
POLL_S = 0.15


class InterlockMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.port = SimDevicePort(self.clock)
        self.driver = Driver(self.port.open, self.clock)
        self.driver.connect()
        self.interlock = Interlock(self.clock)
        self.gate = Gatekeeper(self.interlock, self.clock, lambda _k, _t: None, lambda _k: None)
        self.session = Session(self.clock, 1)
        self.keep = False
        self.interlock.set_pairs(set())
        self.interlock.set_verdict(False, "Output blocked.")
        self._feed()

    # -- the app's adapters, as the window wires them ------------------------------------------------
    def _feed(self) -> None:
        self.interlock.set_session(session_input(self.session, self.clock.now(), self.keep))
        self.interlock.set_link(self.driver.state is LinkState.CONNECTED)

    def _device(self) -> dict[int, tuple[bool, float]]:
        model = self.port.model
        return {ch: (model.status(ch).output, model.status(ch).target_ma) for ch in range(1, 5)}

    def _app_step(self, step) -> None:
        """A step of the app: nothing it does may switch on or raise a channel the interlock refuses."""
        before = self._device()
        rising = {ch: self.interlock.decide(ch).may_rise for ch in range(1, 5)}
        with contextlib.suppress(StimulatorError):  # a refusal is one of the outcomes under test
            step()
        after = self._device()
        for ch in range(1, 5):
            switched_on = after[ch][0] and not before[ch][0]
            raised = after[ch][1] > before[ch][1] + 1e-9
            assert rising[ch] or not (switched_on or raised), (ch, before[ch], after[ch])

    # -- session ---------------------------------------------------------------------------------------
    @rule()
    @precondition(lambda self: self.session.state is SessionState.PLANNED)
    def start(self) -> None:
        self.session.start()
        self._feed()

    @rule()
    @precondition(lambda self: self.session.state is SessionState.RUNNING)
    def pause(self) -> None:
        self.session.pause()
        self._feed()

    @rule()
    @precondition(lambda self: self.session.state is SessionState.PAUSED)
    def resume(self) -> None:
        self.session.resume()
        self._feed()

    @rule()
    @precondition(lambda self: self.session.state is SessionState.RUNNING and self.session.planned_seconds < 3600)
    def extend(self) -> None:
        self.session.extend()
        self._feed()

    @rule()
    @precondition(lambda self: self.session.state.is_active)
    def end(self) -> None:
        self.session.end()
        self._feed()

    @rule()
    @precondition(lambda self: self.session.state.is_closed)
    def next_session(self) -> None:
        self.session = Session(self.clock, 1)
        self.keep = False
        self._feed()

    @rule()
    @precondition(lambda self: self.session.state.is_active and not self.session.overdue)
    def keep_stimulating_past_the_end(self) -> None:
        self.keep = True
        self._feed()

    # -- plan, verdict, link ---------------------------------------------------------------------------
    @rule(paired=st.sets(CHANNELS))
    def pairs(self, paired: set[int]) -> None:
        self.interlock.set_pairs(paired)

    @rule(allowed=st.booleans())
    def verdict(self, allowed: bool) -> None:
        self.interlock.set_verdict(allowed, "Output allowed." if allowed else "Output blocked.")

    @rule()
    def link_lost(self) -> None:
        self._app_step(lambda: self.gate.run(self.driver, "command", self.driver.command, ("SIMulate:DROP",)))
        self._feed()

    # -- commands --------------------------------------------------------------------------------------
    @rule(ch=CHANNELS)
    def output_on(self, ch: int) -> None:
        self._app_step(lambda: self.gate.run(self.driver, "output_on", self.driver.output_on, (ch,)))

    @rule(ch=CHANNELS, ma=st.sampled_from([0.0, 0.5, 1.0, 2.5, 6.0]))
    def set_current(self, ch: int, ma: float) -> None:
        self._app_step(lambda: self.gate.run(self.driver, "set_current", self.driver.set_current, (ch, ma)))

    @rule(ch=CHANNELS)
    def output_off(self, ch: int) -> None:
        self._app_step(lambda: self.gate.run(self.driver, "output_off", self.driver.output_off, (ch,)))

    @rule(ch=CHANNELS, line=RAW_LINES)
    def raw_line(self, ch: int, line: str) -> None:
        text = line.format(ch=ch)
        self._app_step(lambda: self.gate.run(self.driver, "command", self.driver.command, (text,)))

    @rule(ch=CHANNELS, line=st.sampled_from(["OUTP{ch} ON", "SOUR{ch}:CURR 4"]))
    def behind_the_back(self, ch: int, line: str) -> None:
        self.port.model.handle_line(line.format(ch=ch).encode())

    # -- time: the worker polls, and every poll holds the device to the interlock ----------------------
    @rule(polls=st.integers(min_value=1, max_value=60))
    def time_passes(self, polls: int) -> None:
        for _ in range(polls):
            self.clock.advance(POLL_S)
            self._app_step(lambda: self.gate.enforce(self.driver, self.driver.poll_once()))
            self._feed()
            if self.driver.state is not LinkState.CONNECTED:
                continue
            for ch in range(1, 5):
                decision = self.interlock.decide(ch)
                status = self.port.model.status(ch)
                if decision.allow is Allow.OFF:
                    assert not status.output, (ch, decision.reason)
                elif decision.allow is Allow.WIND_DOWN and status.output:
                    assert status.target_ma == 0, (ch, status)

    @rule()
    @precondition(lambda self: self.session.state is SessionState.RUNNING and not self.session.overdue)
    def until_the_planned_end(self) -> None:
        self.time_passes(max(1, round(self.session.remaining_seconds / POLL_S)))


TestInterlockMachine = InterlockMachine.TestCase
TestInterlockMachine.settings = settings(max_examples=60, stateful_step_count=40, deadline=None,
                                         suppress_health_check=[HealthCheck.too_slow])
