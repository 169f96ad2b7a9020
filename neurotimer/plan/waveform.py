"""A protocol's stimulation waveform (mode, rates, pulse width), as a template prescribes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MODES = {"CONT": "continuous", "DENS": "dense-disperse", "INT": "intermittent"}
FREQ_RANGE = (1.0, 200.0)
WIDTH_RANGE = (50.0, 1000.0)


@dataclass(frozen=True)
class Waveform:
    mode: str  # CONT, DENS or INT, as the stimulator protocol names them
    freq: float | None = None  # CONT and INT
    low: float | None = None  # DENS
    high: float | None = None  # DENS
    width_us: float | None = None

    def describe(self) -> str:
        rate = f"{self.low:g}/{self.high:g} Hz" if self.mode == "DENS" else f"{self.freq:g} Hz"
        width = f", {self.width_us:g} µs" if self.width_us else ""
        return f"{rate} {MODES[self.mode]}{width}"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _number(data: dict[str, Any], key: str, where: str, bounds: tuple[float, float]) -> float | None:
    if key not in data:
        return None
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: field '{key}' must be a number.")
    low, high = bounds
    if not low <= value <= high:
        raise ValueError(f"{where}: field '{key}' must be {low:g} to {high:g}, not {value:g}.")
    return float(value)


def parse_waveform(data: Any, where: str) -> Waveform:
    """Refuses (never clips) a waveform the stimulator could not deliver; the message names the field."""
    if not isinstance(data, dict):
        raise ValueError(f"{where}: field 'waveform' must be an object with 'mode' and its rates.")
    mode = str(data.get("mode", "")).upper()
    if mode not in MODES:
        raise ValueError(f"{where}: field 'mode' must be CONT, DENS or INT, not '{data.get('mode')}'.")
    freq = _number(data, "freq", where, FREQ_RANGE)
    low = _number(data, "low", where, FREQ_RANGE)
    high = _number(data, "high", where, FREQ_RANGE)
    width = _number(data, "width_us", where, WIDTH_RANGE)
    if mode == "DENS":
        if low is None or high is None:
            raise ValueError(f"{where}: a dense-disperse waveform needs 'low' and 'high'.")
        if low >= high:
            raise ValueError(f"{where}: 'low' ({low:g} Hz) must be below 'high' ({high:g} Hz).")
    elif freq is None:
        raise ValueError(f"{where}: a {MODES[mode]} waveform needs 'freq'.")
    return Waveform(mode, freq, low, high, width)
