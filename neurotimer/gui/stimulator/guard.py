"""The rules that stand between the practitioner's intent and the stimulator's output."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.stimulator.controller import StimulatorController
from neurotimer.session.session import SessionState


class StimulationGuard(QObject):
    """An output starts only on a paired channel, in a running session, once every safety check passes;
    it is switched off when the checks stop passing, when the session pauses and when it ends."""

    alarm = Signal(str, str)  # key, text

    def __init__(self, stim: StimulatorController, pairing: Any, sessions: SessionPresenter,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stim = stim
        self._pairing = pairing
        self._sessions = sessions
        stim.set_output_gate(self.refusal)
        stim.statusChanged.connect(self.on_status)
        pairing.outputAllowedChanged.connect(self.on_verdict)
        sessions.stateChanged.connect(self.on_state)

    def refusal(self, channel: int) -> str | None:
        """Why channel may not start or rise now, in words for the practitioner; None when it may."""
        state = self._sessions.session.state
        if state is not SessionState.RUNNING:
            return (f"Channel {channel} stays off: start the session first (or resume it), so that the "
                    "stimulation is timed and recorded.")
        paired = {pair.channel for pair in self._pairing.plan().active_pairs}
        if channel not in paired:
            return f"Channel {channel} stays off: it has no pair of needles in the plan (Channel pairs tab)."
        allowed, _findings = self._pairing.can_start_output()
        if not allowed:
            return f"Channel {channel} stays off. {self._pairing.summary.text()}"
        return None

    def channels_on(self) -> list[int]:
        return [ch for ch in range(1, self._stim.channel_count + 1)
                if (status := self._stim.last_status(ch)) is not None and status.output]

    def switch_all_off(self) -> list[int]:
        on = self.channels_on()
        for channel in on:
            self._stim.output_off(channel)
        return on

    def on_verdict(self, allowed: bool) -> None:
        if allowed:
            return
        stopped = self.switch_all_off()
        if stopped:
            names = ", ".join(str(ch) for ch in stopped)
            self.alarm.emit("safety-stop", f"Output switched off on channel {names}: the safety checks no longer "
                            f"pass. {self._pairing.summary.text()}")

    def on_state(self, state: SessionState) -> None:
        if state is SessionState.PAUSED or state.is_closed:
            stopped = self.switch_all_off()
            if stopped and state is SessionState.PAUSED:
                self.alarm.emit("paused-off", "Paused: every output is off. Switch on again from 0 mA after "
                                "resuming.")

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
