"""The course maths: baseline, latest, change against the IMMPACT thresholds, and the pace of sessions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from neurotimer.session.course import (
    Verdict,
    judge,
    pace_text,
    percent_text,
    progress_text,
    sessions_done,
    sessions_per_week,
    symptom_progress,
)


@dataclass(frozen=True)
class S:
    id: int
    state: str = "completed"
    started_at: str = "2026-03-03T09:00:00Z"


@dataclass(frozen=True)
class Sc:
    session_id: int
    symptom: str
    value: int
    timing: str = "before"


@pytest.mark.parametrize(
    ("baseline", "latest", "verdict"),
    [
        (8, 4, Verdict.SUBSTANTIAL),  # exactly 50 %
        (10, 5, Verdict.SUBSTANTIAL),
        (8, 0, Verdict.SUBSTANTIAL),
        (10, 7, Verdict.MODERATE),  # exactly 30 %
        (7, 4, Verdict.MODERATE),  # 43 %
        (7, 5, Verdict.LITTLE),  # 29 %
        (6, 6, Verdict.LITTLE),
        (6, 7, Verdict.WORSE),
    ],
)
def test_verdict_follows_the_immpact_thresholds(baseline: int, latest: int, verdict: Verdict) -> None:
    assert judge(baseline, latest)[1] is verdict


def test_percentage_is_negative_for_a_fall() -> None:
    assert judge(8, 4)[0] == -50.0
    assert judge(6, 7)[0] == pytest.approx(16.67, abs=0.01)
    assert percent_text(-50.0) == "−50 %"
    assert percent_text(16.67) == "+17 %"
    assert percent_text(0.2) == "0 %"
    assert percent_text(None) == "—"


def test_baseline_zero_has_no_percentage() -> None:
    assert judge(0, 0) == (None, Verdict.LITTLE)
    assert judge(0, 3) == (None, Verdict.WORSE)


def test_single_session_is_too_early_to_judge() -> None:
    (pain,) = symptom_progress([S(1)], [Sc(1, "pain", 7)])
    assert (pain.baseline, pain.latest, pain.verdict) == (7, 7, Verdict.TOO_EARLY)
    assert not pain.verdict.improved


def test_no_scores_gives_no_symptoms() -> None:
    assert symptom_progress([S(1), S(2)], []) == []
    assert symptom_progress([], [Sc(9, "pain", 5)]) == []


def test_baseline_is_first_scored_session_and_after_scores_are_ignored() -> None:
    sessions = [S(10), S(11), S(12), S(13)]
    scores = [
        Sc(11, "pain", 8),  # session 10 has no pain score: the baseline is session 11's
        Sc(11, "pain", 2, "after"),
        Sc(12, "pain", 6),
        Sc(13, "pain", 5),
        Sc(13, "pain", 4),  # re-entered in the same session: the correction counts
        Sc(10, "burning", 6),
        Sc(13, "burning", 5),
    ]
    pain, burning = sorted(symptom_progress(sessions, scores), key=lambda p: p.symptom, reverse=True)
    assert (pain.symptom, pain.baseline, pain.latest, pain.values) == ("pain", 8, 4, (8, 6, 4))
    assert pain.verdict is Verdict.SUBSTANTIAL and pain.percent == -50.0
    assert (burning.baseline, burning.latest, burning.verdict) == (6, 5, Verdict.LITTLE)


def test_course_order_not_score_order_decides_baseline() -> None:
    sessions = [S(5), S(3)]  # course order: session id 5 came first
    (pain,) = symptom_progress(sessions, [Sc(3, "pain", 3), Sc(5, "pain", 6)])
    assert (pain.baseline, pain.latest) == (6, 3)


def test_sessions_done_counts_closed_ones_only() -> None:
    sessions = [S(1), S(2, "ended_early"), S(3, "interrupted"), S(4, "running")]
    assert sessions_done(sessions) == 3


def test_progress_text() -> None:
    assert progress_text(5, 8) == "session 5 of 8"
    assert progress_text(4, 8, running=True) == "session 5 of 8 under way"
    assert progress_text(0, 6) == "no session yet of 6 planned"
    assert progress_text(10, 8) == "session 10 of 8 (2 beyond the plan)"


def test_sessions_per_week() -> None:
    twice_weekly = [f"2026-03-{d:02d}T09:00:00Z" for d in (2, 5, 9, 12, 16)]
    assert sessions_per_week(twice_weekly) == pytest.approx(2.0)
    assert sessions_per_week(["2026-03-02T09:00:00Z"]) is None
    assert sessions_per_week([]) is None
    assert sessions_per_week(["2026-03-02T09:00:00Z", "2026-03-02T15:00:00Z"]) is None
    assert pace_text(2.0, 2) == "2.0 a week (plan 2)"
    assert pace_text(None, 1.5) == "1.5 a week planned"
