"""The course at a glance: the summary sentence and the off-rate weeks against hand computations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from neurotimer.session.course_glance import baseline_and_latest, series, summary_sentence, weeks


@dataclass(frozen=True)
class S:
    id: int
    state: str
    started_at: str


def test_summary_sentence_against_a_hand_computation() -> None:
    # 6 sessions done of 8; burning before 7, 6, 6, 5, 4, 4 and after 6, 5, 5, 4, 3, 3.
    days = ["2026-03-02", "2026-03-05", "2026-03-09", "2026-03-12", "2026-03-16", "2026-03-21"]
    sessions = [S(i + 1, "completed", f"{d}T09:00:00.000Z") for i, d in enumerate(days)]
    before, after = (7, 6, 6, 5, 4, 4), (6, 5, 5, 4, 3, 3)
    scores = {s.id: {("burning", "before"): b, ("burning", "after"): a}
              for s, b, a in zip(sessions, before, after, strict=True)}
    points = series(sessions, scores, "burning")
    assert baseline_and_latest(points) == (7, 3, 6)
    # (3 − 7) / 7 = −57.1 %; pace: 5 intervals over 19 days = 5 × 7 / 19 = 1.84 a week.
    assert summary_sentence("burning", points, sessions, 8) == (
        "Burning 3.0 from 7.0 at baseline (−57 %) after 6 of 8 sessions, 1.8 a week")


def test_a_symptom_without_an_after_score_ends_on_its_before_score() -> None:
    sessions = [S(1, "completed", "2026-03-02T09:00:00Z"), S(2, "interrupted", "2026-03-04T09:00:00Z")]
    scores = {1: {("pain", "before"): 8}, 2: {("pain", "before"): 4}}
    points = series(sessions, scores, "pain")
    assert baseline_and_latest(points) == (8, 4, 2)
    assert summary_sentence("pain", points, sessions, 10).startswith(
        "Pain 4.0 from 8.0 at baseline (−50 %) after 2 of 10")
    assert summary_sentence("aching", series(sessions, scores, "aching"), sessions, 10) == (
        "Aching: not scored yet, 2 of 10 sessions, 3.5 a week")


def test_weeks_off_the_planned_rate_are_marked() -> None:
    day = dt.date(2026, 3, 2)  # a Monday
    dates = [day, day + dt.timedelta(days=3),          # week 1: 2, on plan
             day + dt.timedelta(days=8),               # week 2: 1, under
             day + dt.timedelta(days=21), day + dt.timedelta(days=22), day + dt.timedelta(days=23)]  # week 4: 3
    found = weeks(dates, 2.0)
    assert [(w.monday.isoformat(), w.sessions, w.off_rate) for w in found] == [
        ("2026-03-02", 2, False), ("2026-03-09", 1, True), ("2026-03-16", 0, True), ("2026-03-23", 3, True)]
    assert [w.off_rate for w in weeks(dates[:3], 1.5)] == [False, False]
