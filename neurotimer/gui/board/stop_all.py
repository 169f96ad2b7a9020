"""Escape with several chairs: every output of every chair off at once, then one line saying what was stopped."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext

from PySide6.QtCore import QObject, QTimer, Signal

from neurotimer.session.clock import Clock

CONFIRM_WAIT_MS = 1500  # a device that has not confirmed by then is named in the line as not confirmed
# The stop's records wait for one commit at most this long (a device slow to confirm): memory only until then.
BATCH_WAIT_MS = 300


class StopAll(QObject):
    """Sends every chair's stop in one go (each chair's own thread carries it), and once every stimulator has
    reported its outputs off, or the wait is over, says which chairs and channels were stopped.

    `hold_records` opens the log writer's batch: what the stop brings to record (every chair's stop, commands,
    statuses, outputs off, confirmations: ~90 with 8 chairs) is written in one commit, not one each, when every
    device has confirmed (or after BATCH_WAIT_MS), before the line."""

    finished = Signal(str)  # the confirmation line

    def __init__(self, chairs: Callable[[], Sequence], clock: Clock,
                 hold_records: Callable[[], AbstractContextManager] = nullcontext,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._chairs = chairs
        self._hold_records = hold_records
        self._clock = clock
        self._waiting: set[int] = set()
        self._was_on: list[tuple[str, list[int]]] = []
        self._several = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._report)
        self._bound: set[int] = set()
        self._batch: AbstractContextManager | None = None
        self._batch_timer = QTimer(self)
        self._batch_timer.setSingleShot(True)
        self._batch_timer.timeout.connect(self._end_batch)

    def stop(self) -> None:
        chairs = list(self._chairs())
        self._several = len(chairs) > 1
        # What was on is read before the stop goes out: afterwards every status says off.
        self._was_on = [(chair.name, [channel for channel, _mA in chair.outputs()]) for chair in chairs]
        self._waiting = set()
        for chair in chairs:
            if chair.stim is None:
                continue
            self._bind(chair)
            self._waiting.add(id(chair.stim))
        # Every ABORt goes out (each from its own chair's thread) before anything is written to the log.
        for chair in chairs:
            if chair.stim is not None:
                chair.stim.emergency_stop()
        if self._batch is None:
            self._batch = self._hold_records()
            self._batch.__enter__()
            self._batch_timer.start(BATCH_WAIT_MS)
        for chair in chairs:
            if chair.stim_record is not None:
                chair.stim_record.on_emergency_stop()
        if not self._waiting:
            self._end_batch()
        self._timer.start(CONFIRM_WAIT_MS)

    def _end_batch(self) -> None:
        """The stop's records so far go into the log, in order, in one commit."""
        batch, self._batch = self._batch, None
        self._batch_timer.stop()
        if batch is not None:
            batch.__exit__(None, None, None)

    def _bind(self, chair) -> None:
        stim = chair.stim
        if id(stim) not in self._bound:
            self._bound.add(id(stim))
            stim.emergencyStopConfirmed.connect(lambda s=stim: self._confirmed(id(s)))

    def _confirmed(self, key: int) -> None:
        if key in self._waiting:
            self._waiting.discard(key)
            if not self._waiting and self._timer.isActive():
                self._timer.stop()
                self._report()

    def _report(self) -> None:
        self._end_batch()
        at = f"{self._clock.wall().astimezone():%H:%M:%S}"
        chairs = {id(chair.stim): chair.name for chair in self._chairs() if chair.stim is not None}
        unconfirmed = [chairs[key] for key in self._waiting if key in chairs]
        stopped = [f"{name + ' ' if self._several else ''}{', '.join(f'CH{c}' for c in channels)}"
                   for name, channels in self._was_on if channels]
        text = f"All outputs stopped at {at}"
        text += f": {'; '.join(stopped)}" if stopped else " (none was on)"
        if unconfirmed:
            text += f". Not confirmed by {', '.join(sorted(unconfirmed))}: check that stimulator at the device"
        self._waiting = set()
        self.finished.emit(text + ".")
