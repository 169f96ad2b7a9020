"""How a course is going: symptom change from baseline judged by IMMPACT thresholds, and the pace of sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

# IMMPACT (Dworkin 2008): a fall of 30 % from baseline is moderately important, 50 % substantial.
MODERATE_PERCENT = 30
SUBSTANTIAL_PERCENT = 50
CLOSED_STATES = ("completed", "ended_early", "interrupted")


class Verdict(Enum):
    SUBSTANTIAL = "substantial improvement (≥ 50 % less)"
    MODERATE = "moderate improvement (≥ 30 % less)"
    LITTLE = "little change"
    WORSE = "worse"
    TOO_EARLY = "one score so far"

    @property
    def improved(self) -> bool:
        return self in (Verdict.SUBSTANTIAL, Verdict.MODERATE)


class SessionLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def started_at(self) -> str: ...


class ScoreLike(Protocol):
    @property
    def session_id(self) -> int: ...
    @property
    def symptom(self) -> str: ...
    @property
    def timing(self) -> str: ...
    @property
    def value(self) -> int: ...


@dataclass(frozen=True)
class SymptomProgress:
    symptom: str
    baseline: int
    latest: int
    values: tuple[int, ...]  # the before-score of each scored session, in course order
    percent: float | None  # change from baseline; negative is better; None when the baseline is 0
    verdict: Verdict


def judge(baseline: int, latest: int, count: int = 2) -> tuple[float | None, Verdict]:
    """Percentage change and its verdict; whole-number arithmetic so 10 → 5 is exactly 50 %."""
    if count < 2:
        return (0.0 if baseline else None), Verdict.TOO_EARLY
    if latest > baseline:
        return ((latest - baseline) * 100 / baseline if baseline else None), Verdict.WORSE
    if baseline == 0:
        # Nothing to fall from: no percentage, and a score that stays at 0 has not changed.
        return None, Verdict.LITTLE
    fall = (baseline - latest) * 100
    percent = -fall / baseline
    if fall >= SUBSTANTIAL_PERCENT * baseline:
        return percent, Verdict.SUBSTANTIAL
    if fall >= MODERATE_PERCENT * baseline:
        return percent, Verdict.MODERATE
    return percent, Verdict.LITTLE


def symptom_progress(sessions: Sequence[SessionLike], scores: Sequence[ScoreLike]) -> list[SymptomProgress]:
    """Per symptom: baseline = the before-score of its first scored session, latest = of its last one.

    `sessions` are in course order; a score re-entered in one session counts by its last value (a correction).
    Symptoms come in the order they were first scored.
    """
    order = {s.id: i for i, s in enumerate(sessions)}
    by_symptom: dict[str, dict[int, int]] = {}
    for score in scores:
        if score.timing != "before" or score.session_id not in order:
            continue
        by_symptom.setdefault(score.symptom, {})[order[score.session_id]] = score.value
    result = []
    for symptom, per_session in by_symptom.items():
        values = tuple(per_session[i] for i in sorted(per_session))
        percent, verdict = judge(values[0], values[-1], len(values))
        result.append(SymptomProgress(symptom, values[0], values[-1], values, percent, verdict))
    return result


def sessions_done(sessions: Sequence[SessionLike]) -> int:
    """Closed sessions of the course (completed, ended early or interrupted); a running one is not yet done."""
    return sum(1 for s in sessions if s.state in CLOSED_STATES)


def progress_text(done: int, planned: int, running: bool = False) -> str:
    """'session 5 of 8', with the session under way and any beyond the plan said in words."""
    if running:
        text = f"session {done + 1} of {planned} under way"
    elif done == 0:
        text = f"no session yet of {planned} planned"
    else:
        text = f"session {done} of {planned}"
    beyond = done + (1 if running else 0) - planned
    if beyond > 0:
        text += f" ({beyond} beyond the plan)"
    return text


def _day(text: str) -> dt.date:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()


def sessions_per_week(started_at: Sequence[str]) -> float | None:
    """Actual pace: intervals between the first and last session per week; None before two distinct days."""
    if len(started_at) < 2:
        return None
    days = sorted(_day(t) for t in started_at)
    span = (days[-1] - days[0]).days
    if span <= 0:
        return None
    return (len(days) - 1) * 7 / span


def pace_text(actual: float | None, planned: float) -> str:
    planned_text = f"{planned:g} a week planned"
    if actual is None:
        return planned_text
    return f"{actual:.1f} a week (plan {planned:g})"


def percent_text(percent: float | None) -> str:
    """'−50 %', '+17 %', '0 %'; an em dash when there is no baseline to compare with."""
    if percent is None:
        return "—"
    rounded = round(percent)
    if rounded == 0:
        return "0 %"
    return f"{'+' if rounded > 0 else '−'}{abs(rounded)} %"
