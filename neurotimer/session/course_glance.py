"""A course at a glance: each followed symptom before and after every session, the summary sentence, and the
weeks whose number of sessions is off the planned rate (no Qt, no I/O)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from neurotimer.session.course import SessionLike, sessions_done, sessions_per_week


@dataclass(frozen=True)
class SymptomPoint:
    number: int  # the session's place in the course, from 1
    session_id: int
    before: int | None
    after: int | None


@dataclass(frozen=True)
class Week:
    monday: dt.date
    sessions: int
    off_rate: bool  # fewer or more sessions than the plan allows this week


def series(sessions: Sequence[SessionLike], scores: dict[int, dict[tuple[str, str], int]], symptom: str
           ) -> list[SymptomPoint]:
    """Before and after scores of `symptom` for every session in course order; `scores[session_id]` maps
    (symptom, timing) to the value as amended."""
    out = []
    for number, session in enumerate(sessions, start=1):
        values = scores.get(session.id, {})
        out.append(SymptomPoint(number, session.id, values.get((symptom, "before")), values.get((symptom, "after"))))
    return out


def baseline_and_latest(points: Sequence[SymptomPoint]) -> tuple[int, int, int] | None:
    """(baseline, latest, the session number of the latest): baseline is the first before-score; latest is the
    last session's after-score (its before-score when none was taken after)."""
    baseline = next((p.before for p in points if p.before is not None), None)
    if baseline is None:
        return None
    for point in reversed(points):
        value = point.after if point.after is not None else point.before
        if value is not None:
            return baseline, value, point.number
    return None


def change_percent(baseline: int, latest: int) -> float | None:
    return None if baseline == 0 else (latest - baseline) * 100 / baseline


def summary_sentence(symptom: str, points: Sequence[SymptomPoint], sessions: Sequence[SessionLike],
                     planned: int) -> str:
    """"Burning 3.0 from 7.0 at baseline (−57 %) after 6 of 8 sessions, 1.8 a week"."""
    found = baseline_and_latest(points)
    done = sessions_done(sessions)
    pace = sessions_per_week([s.started_at for s in sessions])
    pace_text = "" if pace is None else f", {pace:.1f} a week"
    if found is None:
        return f"{symptom.capitalize()}: not scored yet, {done} of {planned} sessions{pace_text}"
    baseline, latest, _ = found
    percent = change_percent(baseline, latest)
    change = "" if percent is None else f" ({'−' if percent < 0 else '+'}{abs(round(percent))} %)"
    if percent is not None and round(percent) == 0:
        change = " (no change)"
    return (f"{symptom.capitalize()} {latest:.1f} from {baseline:.1f} at baseline{change} "
            f"after {done} of {planned} sessions{pace_text}")


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weeks(days: Sequence[dt.date], per_week: float, until: dt.date | None = None) -> list[Week]:
    """Every calendar week from the first session's to the last (or `until`), with its session count; a week
    is off the rate when it holds fewer than the plan's whole sessions or more than it rounds up to."""
    if not days:
        return []
    first = _monday(min(days))
    last = _monday(max([*days, until] if until else days))
    low, high = math.floor(per_week), math.ceil(per_week)
    counts: dict[dt.date, int] = {}
    for day in days:
        counts[_monday(day)] = counts.get(_monday(day), 0) + 1
    out = []
    monday = first
    while monday <= last:
        n = counts.get(monday, 0)
        out.append(Week(monday, n, n < low or n > high))
        monday += dt.timedelta(days=7)
    return out
