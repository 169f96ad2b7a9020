"""The recorder's spool: what waits for the log is also appended to the spool file, counted truly, asked at quit."""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING, Any

from neurotimer.session.clock import Clock, rfc3339
from neurotimer.storage.spool import Spool

if TYPE_CHECKING:
    from neurotimer.storage.recorder_lane import _Pending, _Target

log = logging.getLogger(__name__)


class SpoolingMixin:
    """The Recorder's part that keeps the spool file in step with its queue (see Recorder)."""

    _queue: deque[_Pending]
    _spool: Spool | None
    _spooling: bool
    _spool_error: str | None
    _spool_generation: int
    _headed: list[_Target]
    _reason: str
    _clock: Clock
    _progress_interval: float

    def flush(self) -> bool:
        raise NotImplementedError

    if TYPE_CHECKING:  # the Recorder's own (recorder_progress)
        def _progress_words(self) -> str:
            ...

    @property
    def spooled(self) -> int:
        """Of the events waiting, those also kept in the spool file (the next start writes them)."""
        return sum(1 for p in self._queue if p.spooled)

    @property
    def unsaved(self) -> int:
        """Events of started sessions that wait and would be lost if the app stopped now (memory only)."""
        return sum(1 for p in self._queue if not p.spooled and p.target.start_mono is not None)

    @property
    def spooling(self) -> bool:
        return self._spooling

    @property
    def spool_path(self):
        return None if self._spool is None else self._spool.path

    @property
    def waiting(self) -> int:
        """Events of started sessions not yet in the log (spooled or not)."""
        return sum(1 for p in self._queue if p.target.start_mono is not None)

    def quit_question(self) -> tuple[str, str] | None:
        """After one more try to write: None when nothing waits, else the question (title, text) to ask
        before quitting; Yes quits, No stays (and the recorder keeps trying every second)."""
        self.flush()
        waiting, memory = self.waiting, self.unsaved
        if not waiting:
            return None
        reason = self._reason or "The session log cannot be written."
        if memory:
            return ("Quit and lose events?", f"{reason}\n\n{waiting} event(s) are not in the session log yet, and "
                    f"{memory} of them are only in memory: quitting now loses them. Quit anyway? Choose No to stay "
                    "while neurotimer keeps trying (free some disk space, or bring the log back).")
        return ("Quit with events not yet in the log?", f"{reason}\n\n{waiting} event(s) are not in the session "
                f"log yet. They are kept in the spool file {self.spool_path} and are written into the log at the "
                "next start. Quit now, keeping them there? Choose No to stay while neurotimer keeps trying.")

    # -- the spool -------------------------------------------------------------------------------
    def _spool_waiting(self) -> None:
        """Appends to the spool file, in order, every waiting event of a started session not yet in it."""
        if self._spool is None:
            return
        items = [p for p in self._queue if not p.spooled and p.target.start_mono is not None]
        if not items:
            return
        try:
            self._spool.ensure()
        except OSError as exc:
            self._spool_error = exc.strerror or str(exc)
            return
        if self._spool.generation != self._spool_generation:
            self._respool()
            items = [p for p in self._queue if p.target.start_mono is not None]
        records: list[dict[str, Any]] = []
        headed: list[_Target] = []
        for item in items:
            target = item.target
            if not target.spooled and target not in headed:
                headed.append(target)
                records.append(self._header(target))
            records.append({"t": "event", "sk": target.key, "kind": item.kind, "at": item.at,
                            "offset": round(item.spool_offset(), 3), "payload": item.payload})
        try:
            self._spool.append(records)
        except OSError as exc:
            if self._spool_error is None:
                log.error("the spool file cannot be written: %s", exc)
            self._spool_error = exc.strerror or str(exc)
            return
        self._spool_error = None
        for target in headed:
            target.spooled = True
            self._headed.append(target)
        for item in items:
            item.spooled = True

    def _respool(self) -> None:
        assert self._spool is not None
        self._spool_generation = self._spool.generation
        for item in self._queue:
            item.spooled = False
        for target in self._headed:
            target.spooled = False
        self._headed.clear()

    def _header(self, target: _Target) -> dict[str, Any]:
        return {
            "t": "session", "sk": target.key, "id": target.db_id, "base": target.last_seq,
            "open": target.opening(),
        }

    def _spool_progress(self, target: _Target) -> None:
        """While the log cannot be written, the treatment time so far goes to the spool (about once a second)."""
        now = self._clock.now()
        if self._spool is None or not target.spooled or now - target.last_progress_mono < self._progress_interval:
            return
        target.last_progress_mono = now
        try:
            self._spool.append([{"t": "progress", "sk": target.key,
                                 "treatment": round(target.session.treatment_seconds, 3),
                                 "offset": round(now - (target.start_mono or now), 3),
                                 "at": rfc3339(self._clock.wall())}])
        except OSError as exc:
            log.error("the spool file cannot be written: %s", exc)

    def _spool_drained(self) -> None:
        """Everything spooled is in the log now: the spool file is emptied, and the next failure starts anew."""
        if not self._spooling or any(p.spooled for p in self._queue):
            return
        self._spooling = False
        for target in self._headed:
            target.spooled = False
        self._headed.clear()
        if self._spool is not None:
            try:
                self._spool.clear()
            except OSError as exc:
                # Left as it is, the next start finds every one of its events already in the log.
                log.warning("the spool file could not be emptied: %s", exc)

    def alarm_text(self) -> str:
        """What the log-write alarm says now, with the true count of what waits and where."""
        waiting = sum(1 for p in self._queue if p.target.start_mono is not None)
        spooled = self.spooled
        if self._spool is None:
            where = f"{waiting} event(s) wait in memory"
        elif spooled == waiting:
            where = f"{waiting} event(s) wait, kept in the spool file {self._spool.path.name}"
        else:
            why = f" ({self._spool_error})" if self._spool_error else ""
            where = (f"{waiting} event(s) wait: {spooled} kept in the spool file, {waiting - spooled} in memory "
                     f"only{why}")
        progress = self._progress_words()
        if progress and not waiting:  # no event waits, the treatment time does: never '0 event(s) wait'
            return f"{self._reason} The timer goes on; {progress}; it is saved as soon as the log can be written."
        if progress:
            where = f"{where}, and {progress}"
        return f"{self._reason} The timer goes on; {where}; they are saved as soon as the log can be written."
