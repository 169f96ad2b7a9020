"""`sim:`: the simulated stimulator in-process behind a pyserial-like object (no socket, no thread)."""

from __future__ import annotations

import threading
from urllib.parse import parse_qs, urlsplit

import serial

from neurotimer.session.clock import Clock, SystemClock
from neurotimer.stimulator.device import SimulatedStimulator


def parse_sim_url(url: str) -> dict[str, int]:
    """`sim:`, `sim:?channels=8&seed=3` or `sim://?channels=8` -> keyword options for SimDevicePort."""
    query = parse_qs(urlsplit(url).query)
    options: dict[str, int] = {}
    for key in ("channels", "seed"):
        if key in query:
            try:
                options[key] = int(query[key][-1])
            except ValueError as exc:
                raise ValueError(f"sim: option {key} must be a whole number") from exc
    unknown = set(query) - {"channels", "seed"}
    if unknown:
        raise ValueError(f"sim: does not know the option {sorted(unknown)[0]!r}")
    return options


class SimDevicePort:
    """One simulated device; each `open()` is a new connection to it, as a cable plugged in again.

    The device outlives its connections, so its error queue and settings survive a reconnection.
    Waiting for a reply that never comes takes real time on the system clock (as with a real device)
    and none at all on a manual clock, so tests never sleep.
    """

    def __init__(
        self,
        clock: Clock | None = None,
        timeout: float = 1.0,
        channels: int = 4,
        seed: int = 0,
        realtime: bool | None = None,
    ) -> None:
        self.clock = clock if clock is not None else SystemClock()
        self.model = SimulatedStimulator(self.clock, channels=channels, seed=seed)
        self.timeout = timeout
        self.realtime = isinstance(self.clock, SystemClock) if realtime is None else realtime
        self._link: SimSerial | None = None

    def open(self) -> SimSerial:
        if self._link is not None and self._link.is_open:
            self._link.close()
        self._link = SimSerial(self.model, self.timeout, self.realtime)
        return self._link


class SimSerial:
    """The pyserial methods the driver uses, on top of the device model."""

    def __init__(self, model: SimulatedStimulator, timeout: float, realtime: bool) -> None:
        self._model = model
        self.timeout: float | None = timeout
        self._realtime = realtime
        self._replies: list[bytes] = []
        self._open = True
        self._dropped = False
        self._ready = threading.Condition()

    @property
    def is_open(self) -> bool:
        return self._open and not self._dropped

    def write(self, data: bytes) -> int:
        with self._ready:
            self._check()
            replies = self._model.feed(data)
            self._replies.extend(r.encode("ascii") + b"\n" for r in replies)
            if self._model.take_drop():
                # SIMulate:DROP: the link goes dead at once, as a pulled cable.
                self._dropped = True
                self._model.disconnect()
            self._ready.notify_all()
            return len(data)

    def readline(self) -> bytes:
        with self._ready:
            if not self._replies and not self._dropped and self._realtime and self.timeout:
                self._ready.wait_for(lambda: self._replies or self._dropped or not self._open, self.timeout)
            if self._replies:
                return self._replies.pop(0)
            self._check()
            return b""

    def read(self, size: int = 1) -> bytes:
        line = self.readline()
        if len(line) > size:
            with self._ready:
                self._replies.insert(0, line[size:])
            return line[:size]
        return line

    @property
    def in_waiting(self) -> int:
        with self._ready:
            return sum(len(r) for r in self._replies)

    def reset_input_buffer(self) -> None:
        with self._ready:
            self._check()
            self._replies.clear()

    def reset_output_buffer(self) -> None:
        """Nothing is buffered on the way out."""

    def close(self) -> None:
        with self._ready:
            if self._open and not self._dropped:
                self._model.disconnect()
            self._open = False
            self._ready.notify_all()

    def _check(self) -> None:
        if self._dropped:
            raise serial.SerialException("simulated stimulator: connection dropped")
        if not self._open:
            raise serial.PortNotOpenError()
