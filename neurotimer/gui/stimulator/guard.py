"""Feeds the output interlock what the window knows: the session, the pairs, the safety verdict, the choices."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.stimulator.controller import StimulatorController
from neurotimer.safety.interlock import Interlock, session_input

log = logging.getLogger(__name__)


class StimulationGuard(QObject):
    """The Qt adapter of the interlock: it decides nothing itself; the interlock does, at the device.

    Its inputs are refreshed on every session event (start, pause, resume, +5 min, end), every change of
    the pairs and of the verdict. A verdict that cannot be worked out is a failure: the interlock refuses.
    """

    keepPastEndChanged = Signal(bool, str)  # chosen, at (local HH:MM:SS)
    keepPastEndAvailable = Signal(bool)  # chosen before the planned end: while preparing the session or during it

    def __init__(self, stim: StimulatorController, pairing: Any, sessions: SessionPresenter, plans: Any,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stim = stim
        self._pairing = pairing
        self._sessions = sessions
        self.interlock: Interlock = stim.interlock
        self.keep_past_end = False
        stim.statusChanged.connect(self.on_status)
        pairing.verdictChanged.connect(lambda _allowed, _summary: self.feed_plan())
        plans.changed.connect(lambda _plan: self.feed_plan())  # after the pairs' own verdict, connected first
        sessions.sessionEvent.connect(lambda _event: self.feed_session())
        sessions.stateChanged.connect(lambda _state: self.feed_session())
        sessions.sessionCreated.connect(self._on_new_session)
        sessions.updated.connect(self._on_tick)
        self.feed_plan()
        self.feed_session()

    # -- inputs ------------------------------------------------------------------------------------
    def feed_session(self) -> None:
        session = self._sessions.session
        self.interlock.set_session(session_input(session, self._sessions.clock.now(), self.keep_past_end))
        self.keepPastEndAvailable.emit(self.may_choose_keep())
        self._stim.note_session_moved()

    def feed_plan(self) -> None:
        try:
            paired = {pair.channel for pair in self._pairing.plan().active_pairs}
            allowed, findings = self._pairing.can_start_output()
            summary = self._pairing.presenter.summary_text(findings)
        except Exception as exc:  # a check that breaks stops the output, with the reason
            log.exception("the safety verdict could not be worked out")
            self.interlock.fail("verdict", f"the safety checks could not be worked out ({exc}).")
            return
        self.interlock.recover("verdict")
        self.interlock.set_pairs(paired)
        self.interlock.set_verdict(allowed, summary)

    def may_choose_keep(self) -> bool:
        # Before the start too: the practitioner prepares the session, and the choice carries into it.
        session = self._sessions.session
        return not session.state.is_closed and not session.overdue

    def _on_tick(self, _snapshot: object) -> None:
        available = self.may_choose_keep()
        if available != getattr(self, "_available", None):
            self._available = available
            self.keepPastEndAvailable.emit(available)

    def _on_new_session(self, _session: object) -> None:
        self.keep_past_end = False
        self.keepPastEndChanged.emit(False, "")
        self.feed_session()

    # -- the practitioner's choice -------------------------------------------------------------------
    def choose_keep_past_end(self, keep: bool) -> str | None:
        """Keep stimulating past the planned end (or not), chosen before the end; returns why not, if refused."""
        if keep == self.keep_past_end:
            return None
        if not self.may_choose_keep():
            return ("Keep stimulating past the end is chosen before the planned end (before the start or while the "
                    "session runs). After the end, +5 min gives more time.")
        self.keep_past_end = keep
        at = f"{self._sessions.clock.wall().astimezone():%H:%M:%S}"
        self.feed_session()
        self.keepPastEndChanged.emit(keep, at)
        return None

    # -- helpers the window uses -------------------------------------------------------------------
    def channels_on(self) -> list[int]:
        return [ch for ch in range(1, self._stim.channel_count + 1)
                if (status := self._stim.last_status(ch)) is not None and status.output]

    def apply_waveform(self, waveform: Any) -> str:
        """Sets a template's waveform on its paired channels that are off; says what it did, in words."""
        from neurotimer.stimulator.protocol import Mode

        if self._stim.channel_count == 0:
            return "No stimulator is connected: the template's waveform was not set."
        on = set(self.channels_on())
        paired = sorted(pair.channel for pair in self._pairing.plan().active_pairs)
        targets = [ch for ch in paired if ch not in on and ch <= self._stim.channel_count]
        for channel in targets:
            self._stim.set_mode(channel, Mode(waveform.mode))
            if waveform.mode == "DENS":
                self._stim.set_dense_frequencies(channel, waveform.low, waveform.high)
            else:
                self._stim.set_frequency(channel, waveform.freq)
            if waveform.width_us:
                self._stim.set_pulse_width(channel, waveform.width_us)
        if not targets:
            return f"Template waveform {waveform.describe()}: pair the channels, then load it again to set them."
        skipped = f" (channel {', '.join(map(str, sorted(on)))} left as it is: output on)" if on & set(paired) else ""
        return f"Channel {', '.join(map(str, targets))} set to {waveform.describe()} as the template says{skipped}."

    def on_status(self, channel: int, status: Any) -> None:
        self._pairing.set_intensity(channel, status.target_ma)

