"""A transport that plays a script of (sent line, reply) pairs and fails on any deviation or leftover."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

Pair = tuple[str, str | None]


class ScriptError(AssertionError):
    """The driver sent something other than the script, or left part of it unplayed."""


class ScriptedTransport:
    """pymeasure's `expected_protocol` habit: every line written must be the next one in the script.

    A pair's reply is None for a setting (nothing comes back); a query whose reply is None reads as a
    timeout. Lines written before the previous reply was read are fine, as on a real link.
    """

    def __init__(self, pairs: Sequence[Pair]) -> None:
        self._pairs = list(pairs)
        self._index = 0
        self._replies: list[bytes] = []
        self._partial = b""
        self.timeout: float | None = 1.0
        self.is_open = True
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def write(self, data: bytes) -> int:
        with self._lock:
            if not self.is_open:
                raise OSError("scripted transport closed")
            self._partial += data
            while b"\n" in self._partial:
                raw, self._partial = self._partial.split(b"\n", 1)
                self._take(raw.decode("ascii"))
            return len(data)

    def _take(self, line: str) -> None:
        self.sent.append(line)
        if self._index >= len(self._pairs):
            raise ScriptError(f"unexpected extra line {line!r} after the script ended")
        expected, reply = self._pairs[self._index]
        if line != expected:
            raise ScriptError(f"line {self._index + 1}: expected {expected!r}, got {line!r}")
        self._index += 1
        if reply is not None:
            self._replies.append(reply.encode("ascii") + b"\n")

    def readline(self) -> bytes:
        with self._lock:
            return self._replies.pop(0) if self._replies else b""

    def reset_input_buffer(self) -> None:
        with self._lock:
            self._replies.clear()

    def close(self) -> None:
        self.is_open = False

    @property
    def leftover(self) -> list[Pair]:
        return self._pairs[self._index :]

    def assert_done(self) -> None:
        if self._index < len(self._pairs):
            raise ScriptError(f"script not finished; still expected {self.leftover!r}")
        if self._replies:
            raise ScriptError(f"replies never read: {self._replies!r}")


@contextmanager
def expected_protocol(pairs: Sequence[Pair]) -> Iterator[ScriptedTransport]:
    transport = ScriptedTransport(pairs)
    yield transport
    transport.assert_done()
