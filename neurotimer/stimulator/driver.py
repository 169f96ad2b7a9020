"""Controls any NTS-1 stimulator: every setting checked against the device's limits, then against its queue."""

from __future__ import annotations

from dataclasses import dataclass

from neurotimer.stimulator import validate as v
from neurotimer.stimulator.link import DeviceInfo, DeviceLink, LinkState
from neurotimer.stimulator.protocol import (
    Mode,
    format_current,
    format_number,
    parse_mode_reply,
    parse_number_reply,
    query_line,
    setting_line,
)

__all__ = ["ChannelSettings", "DeviceInfo", "Driver", "LinkState"]


@dataclass(frozen=True)
class ChannelSettings:
    """A channel's settings as the device holds them (read back, never assumed)."""

    mode: Mode
    freq: float
    freq_low: float
    freq_high: float
    width_us: float
    slew: float


class Driver(DeviceLink):
    """The NTS-1 command set on top of the link; refuses out-of-range values before sending them."""

    # -- settings ----------------------------------------------------------------------------------
    def _channel(self, channel: int) -> int:
        return v.check_channel(channel, self.info.channels)

    def set_mode(self, channel: int, mode: Mode) -> None:
        ch = self._channel(channel)
        mode = Mode(mode)
        self._setting(setting_line("FUNCTION", ch, mode.value), f"Channel {ch}: choosing {v.MODE_LABELS[mode]}")

    def set_frequency(self, channel: int, hz: float) -> None:
        ch = self._channel(channel)
        value = v.check_span(hz, self.limits.freq, "frequency", "Hz", ch)
        self._setting(setting_line("FREQ", ch, format_number(value)), f"Channel {ch}: setting {value:g} Hz")

    def set_dense_frequencies(self, channel: int, low_hz: float, high_hz: float) -> None:
        """Both rates of dense-disperse, sent in the order that never makes LOW >= HIGH on the device."""
        ch = self._channel(channel)
        low = v.check_span(low_hz, self.limits.freq, "low frequency", "Hz", ch)
        high = v.check_span(high_hz, self.limits.freq, "high frequency", "Hz", ch)
        v.check_low_high(low, high, ch)
        current_high = parse_number_reply(self.query(query_line("FREQ_HIGH", ch)))
        low_line = (setting_line("FREQ_LOW", ch, format_number(low)), f"Channel {ch}: setting low {low:g} Hz")
        high_line = (setting_line("FREQ_HIGH", ch, format_number(high)), f"Channel {ch}: setting high {high:g} Hz")
        order = (high_line, low_line) if low >= current_high else (low_line, high_line)
        for line, context in order:
            self._setting(line, context)

    def set_pulse_width(self, channel: int, microseconds: float) -> None:
        ch = self._channel(channel)
        value = v.check_span(microseconds, self.limits.width, "pulse width", "µs", ch)
        self._setting(setting_line("WIDTH", ch, format_number(value)), f"Channel {ch}: setting {value:g} µs pulses")

    def set_slew(self, channel: int, ma_per_s: float) -> None:
        ch = self._channel(channel)
        value = v.check_span(ma_per_s, self.limits.slew, "ramp rate", "mA/s", ch)
        self._setting(
            setting_line("SLEW", ch, format_number(value)), f"Channel {ch}: setting a ramp of {value:g} mA/s"
        )

    def set_current(self, channel: int, milliamps: float) -> None:
        """The target intensity; the device ramps toward it at the slew rate."""
        ch = self._channel(channel)
        value = v.check_current(milliamps, self.limits.current, ch)
        self._setting(setting_line("CURRENT", ch, format_current(value)), f"Channel {ch}: setting {value:.1f} mA")

    def output_on(self, channel: int) -> None:
        ch = self._channel(channel)
        self._setting(
            setting_line("OUTPUT", ch, "ON"),
            f"Channel {ch}: switching the output on",
            conflict=f"Channel {ch}: the output can only be switched on at 0 mA with the lead attached. "
            "Set the intensity to 0 and check the lead.",
        )

    def output_off(self, channel: int) -> None:
        ch = self._channel(channel)
        self._trackers[ch].expect_off = True
        self._setting(setting_line("OUTPUT", ch, "OFF"), f"Channel {ch}: switching the output off")

    def set_watchdog(self, seconds: float) -> None:
        value = v.check_watchdog(seconds)
        self._send_watchdog(value)
        self._watchdog_s = value

    def read_settings(self, channel: int) -> ChannelSettings:
        """What the device holds now, so the window shows it after a refusal or a reconnect."""
        ch = self._channel(channel)
        number = lambda name: parse_number_reply(self.query(query_line(name, ch)))  # noqa: E731
        return ChannelSettings(
            mode=parse_mode_reply(self.query(query_line("FUNCTION", ch))),
            freq=number("FREQ"),
            freq_low=number("FREQ_LOW"),
            freq_high=number("FREQ_HIGH"),
            width_us=number("WIDTH"),
            slew=number("SLEW"),
        )
