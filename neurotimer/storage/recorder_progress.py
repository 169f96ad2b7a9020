"""The recorder's treatment-time progress: written about once a second, and owed (the alarm stays) until it is."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from neurotimer.session.clock import Clock, rfc3339
from neurotimer.storage.continuation import SessionClosedElsewhere
from neurotimer.storage.db import StoreError
from neurotimer.storage.store import Store

if TYPE_CHECKING:
    from neurotimer.storage.recorder_lane import _Target

log = logging.getLogger(__name__)


class ProgressMixin:
    """The Recorder's part that writes each chair's treatment time so far (see Recorder).

    A progress write that failed is owed: the log-write alarm stays raised (and says so) until a later one
    is written, or until the session's end is (it carries the total), even when no event waits."""

    _store: Store
    _clock: Clock
    _progress_interval: float
    _owing: list[_Target]

    if TYPE_CHECKING:  # the Recorder's own
        def _fail(self, exc: Exception) -> None:
            ...

        def _recovered(self) -> None:
            ...

        def _continue(self, target: _Target, refused: SessionClosedElsewhere) -> None:
            ...

        def _tell_notices(self) -> None:
            ...

        def _tell_continued(self) -> None:
            ...

    def _owed_progress(self) -> list[_Target]:
        """Chairs whose treatment time so far is not in the log: a failed progress write, the session still
        followed and not ended (a written end carries the total; an ending that waits is counted as an event)."""
        self._owing = [t for t in self._owing if t.progress_owed and not t.closed and t.lane._current is t]
        return self._owing

    def _write_progress(self, target: _Target) -> bool:
        now = self._clock.now()
        if now - target.last_progress_mono < self._progress_interval:
            return False
        treatment = round(target.session.treatment_seconds, 3)
        target.last_progress_mono = now
        if treatment == target.last_progress_value:
            return False
        try:
            try:
                self._upsert_progress(target, treatment, now)
            except SessionClosedElsewhere as refused:
                self._continue(target, refused)
                self._upsert_progress(target, treatment, now)
        except StoreError as exc:
            target.last_progress_mono = float("-inf")
            if not target.progress_owed:
                target.progress_owed = True
                self._owing.append(target)
            self._fail(exc)
            return False
        finally:
            self._tell_notices()
            self._tell_continued()
        target.last_progress_value = treatment
        target.progress_owed = False
        self._recovered()
        return True

    def _upsert_progress(self, target: _Target, treatment: float, now: float) -> None:
        with self._store.transaction() as conn:
            self._store.upsert_progress(
                conn, target.db_id, treatment, now - (target.start_mono or now), rfc3339(self._clock.wall())
            )

    def _progress_words(self) -> str:
        """The owed treatment time, as the alarm says it ('' when none is owed)."""
        owed = self._owed_progress()
        if not owed:
            return ""
        names = [t.lane.name for t in owed if t.lane.name]
        of = f" of {', '.join(names)}" if names else ""
        return f"the treatment time so far{of} is not saved yet"
