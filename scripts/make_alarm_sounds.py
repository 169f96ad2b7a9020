"""Writes resources/sounds/alarm-{high,medium,low}.wav: IEC 60601-1-8 style alarm bursts made for neurotimer.

High: 10 pulses in two groups of five; medium: 3 pulses; low: 1 pulse. Each pulse has a fundamental within
150–1000 Hz and four harmonics above it, so it stays audible and easy to locate (clinical-reference.md,
"Alarms"). The app repeats the bursts itself (high every 3 s, medium every 4 s, low never).
"""

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 22050
HARMONICS = (1.0, 0.5, 0.35, 0.25, 0.18)  # the fundamental and four harmonics


def pulse(freq: float, seconds: float, volume: float) -> list[float]:
    n = int(RATE * seconds)
    ramp = int(RATE * 0.012)  # 12 ms rise and fall: no click
    total = sum(HARMONICS)
    out = []
    for i in range(n):
        envelope = min(1.0, i / ramp, (n - 1 - i) / ramp)
        wave_sum = sum(a * math.sin(2 * math.pi * freq * (k + 1) * i / RATE) for k, a in enumerate(HARMONICS))
        out.append(volume * envelope * wave_sum / total)
    return out


def silence(seconds: float) -> list[float]:
    return [0.0] * int(RATE * seconds)


def burst(freq: float, groups: tuple[int, ...], on: float, off: float, group_gap: float, volume: float) -> list[float]:
    samples: list[float] = []
    for g, count in enumerate(groups):
        if g:
            samples += silence(group_gap)
        for p in range(count):
            if p:
                samples += silence(off)
            samples += pulse(freq, on, volume)
    return samples + silence(0.05)


SOUNDS = {
    "alarm-high.wav": burst(660.0, (5, 5), on=0.10, off=0.07, group_gap=0.35, volume=0.6),
    "alarm-medium.wav": burst(520.0, (3,), on=0.18, off=0.12, group_gap=0.0, volume=0.5),
    "alarm-low.wav": burst(440.0, (1,), on=0.22, off=0.0, group_gap=0.0, volume=0.4),
}


def write(path: Path, samples: list[float]) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(s * 32767)) for s in samples))


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "resources/sounds")
    for name, samples in SOUNDS.items():
        write(folder / name, samples)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
