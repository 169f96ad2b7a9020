"""One simulated output channel: its settings, its current ramp and its waveform mode, all in time."""

from __future__ import annotations

from neurotimer.stimulator.protocol import DEFAULTS, Mode

# The simulated physics (stimulator-protocol.md, simulator section); the host never reads these.
DEFAULT_IMPEDANCE_OHM = 1500.0
LOW_IMPEDANCE_OHM = 300.0  # below this load each upward ramp step overshoots by more than 0.5 mA
DENSE_HALF_PERIOD_S = 3.0
INTERMITTENT_ON_S = 5.0
INTERMITTENT_OFF_S = 5.0


class Channel:
    """Settings and output state of one channel.

    The ramp is kept as a segment (level at `since`, moving at `slew` toward `target`) and read
    analytically, so the delivered current at any moment is the same however often the model is
    advanced: a 30-minute run gives one result whether read every millisecond or once.
    """

    def __init__(self, number: int) -> None:
        self.number = number
        self.lead_ok = True
        self.impedance_ohm = DEFAULT_IMPEDANCE_OHM
        self.output = False
        self._from = 0.0
        self._since = 0.0
        self._phase_origin = 0.0
        self.reset_settings()

    def reset_settings(self) -> None:
        """Power-up settings; the simulated load and lead are not settings and stay."""
        self.mode = DEFAULTS.mode
        self.freq = DEFAULTS.freq
        self.freq_low = DEFAULTS.freq_low
        self.freq_high = DEFAULTS.freq_high
        self.width_us = DEFAULTS.width_us
        self.target = DEFAULTS.current_ma
        self.slew = DEFAULTS.slew
        self.switch_off()

    def level(self, now: float) -> float:
        """The level the ramp has reached (mA); 0 while the output is off."""
        if not self.output:
            return 0.0
        step = self.slew * max(0.0, now - self._since)
        if self.target >= self._from:
            return min(self.target, self._from + step)
        return max(self.target, self._from - step)

    def delivered(self, now: float) -> float:
        """The current flowing now: the ramp level, or 0 in the pause of intermittent mode."""
        return self.level(now) if self.pulsing(now) else 0.0

    def pulsing(self, now: float) -> bool:
        if not self.output:
            return False
        if self.mode is Mode.INT:
            return (now - self._phase_origin) % (INTERMITTENT_ON_S + INTERMITTENT_OFF_S) < INTERMITTENT_ON_S
        return True

    def pulse_rate(self, now: float) -> float:
        """Pulses per second being delivered now (0 when not pulsing); dense-disperse starts LOW."""
        if not self.pulsing(now):
            return 0.0
        if self.mode is Mode.DENS:
            low_phase = (now - self._phase_origin) % (2 * DENSE_HALF_PERIOD_S) < DENSE_HALF_PERIOD_S
            return self.freq_low if low_phase else self.freq_high
        return self.freq

    def ramping_up(self, now: float) -> bool:
        return self.output and self.level(now) < self.target

    def would_overload(self, now: float) -> bool:
        """True when the next upward ramp step would exceed the ramp level by more than 0.5 mA."""
        return self.ramping_up(now) and self.impedance_ohm < LOW_IMPEDANCE_OHM

    def set_target(self, ma: float, now: float) -> None:
        self._rebase(now)
        self.target = ma

    def set_slew(self, ma_per_s: float, now: float) -> None:
        self._rebase(now)
        self.slew = ma_per_s

    def set_mode(self, mode: Mode, now: float) -> None:
        self.mode = mode
        self._phase_origin = now

    def switch_on(self, now: float) -> None:
        self.output = True
        self._from = 0.0
        self._since = now
        self._phase_origin = now

    def switch_off(self) -> None:
        """Every switch-off drops the delivered current and the target to 0 at once."""
        self.output = False
        self.target = 0.0
        self._from = 0.0

    def _rebase(self, now: float) -> None:
        self._from = self.level(now)
        self._since = now
