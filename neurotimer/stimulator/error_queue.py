"""The device's SCPI error queue: oldest first, bounded, overflow marked by -350."""

from __future__ import annotations

from collections import deque

from neurotimer.stimulator.protocol import ERROR_QUEUE_SIZE, NO_ERROR, ErrorCode, ErrorEntry


class ErrorQueue:
    """Holds at most `size` entries; when full, the newest is replaced by -350 (SCPI rule)."""

    def __init__(self, size: int = ERROR_QUEUE_SIZE) -> None:
        self._size = size
        self._entries: deque[ErrorEntry] = deque()

    def push(self, entry: ErrorEntry) -> None:
        if len(self._entries) < self._size:
            self._entries.append(entry)
        else:
            self._entries[-1] = ErrorEntry.of(ErrorCode.QUEUE_OVERFLOW)

    def pop(self) -> ErrorEntry:
        """The oldest entry, or `0,"No error"` when empty."""
        return self._entries.popleft() if self._entries else NO_ERROR

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
