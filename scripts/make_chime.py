"""Writes resources/sounds/chime.wav: a soft two-note chime made for neurotimer (no third-party audio)."""

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 22050


def tone(freq: float, seconds: float, volume: float) -> list[float]:
    n = int(RATE * seconds)
    # A quick attack and an exponential decay sound like a bell, not a beep.
    return [volume * math.sin(2 * math.pi * freq * i / RATE) * min(1, i / 200) * math.exp(-3.5 * i / n)
            for i in range(n)]


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "resources/sounds/chime.wav")
    samples = tone(659.25, 0.45, 0.35) + tone(880.0, 0.7, 0.35)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(s * 32767)) for s in samples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
