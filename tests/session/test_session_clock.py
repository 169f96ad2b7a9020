"""The session clock: states, treatment time, pauses, milestones, gaps, extension."""

from __future__ import annotations

import pytest

from neurotimer.session.clock import ManualClock, SystemClock, rfc3339
from neurotimer.session.session import (
    EventKind,
    Milestone,
    Session,
    SessionError,
    SessionState,
    format_clock,
    validate_planned_minutes,
)


def kinds(session: Session) -> list[EventKind]:
    return [e.kind for e in session.events]


def test_treatment_time_comes_from_the_clock_not_from_ticks(clock: ManualClock) -> None:
    s = Session(clock, 30)
    s.start()
    clock.advance(600)
    # No tick was called at all, yet ten minutes of treatment are shown.
    assert s.treatment_seconds == 600
    assert s.remaining_seconds == 1200


def test_pauses_are_left_out_of_treatment_and_recorded(clock: ManualClock) -> None:
    s = Session(clock, 30)
    s.start()
    clock.advance(300)
    s.pause()
    clock.advance(120)
    assert s.treatment_seconds == 300
    s.resume()
    clock.advance(60)
    assert s.treatment_seconds == 360
    assert s.paused_seconds == 120
    assert s.pauses == [(300, 420)]
    resumed = next(e for e in s.events if e.kind is EventKind.RESUMED)
    assert resumed.data["paused_seconds"] == 120


def test_ending_at_or_after_the_planned_time_is_completed(clock: ManualClock) -> None:
    s = Session(clock, 1)
    s.start()
    clock.advance(60)
    assert s.end() is SessionState.COMPLETED


def test_ending_before_the_planned_time_is_ended_early(clock: ManualClock) -> None:
    s = Session(clock, 30)
    s.start()
    clock.advance(59)
    assert s.end() is SessionState.ENDED_EARLY
    clock.advance(1000)
    assert s.treatment_seconds == 59, "an ended session's time is frozen"


def test_ending_while_paused_counts_only_treatment(clock: ManualClock) -> None:
    s = Session(clock, 1)
    s.start()
    clock.advance(40)
    s.pause()
    clock.advance(100)
    assert s.end() is SessionState.ENDED_EARLY
    assert s.treatment_seconds == 40
    assert s.pauses == [(40, 140)]


def test_overdue_keeps_counting_after_the_planned_end(clock: ManualClock) -> None:
    s = Session(clock, 1)
    s.start()
    clock.advance(75)
    s.tick()
    assert s.overdue
    assert format_clock(s.remaining_seconds) == "-00:15"
    assert s.state is SessionState.RUNNING


def test_milestones_fire_once_in_order_even_after_a_stall(clock: ManualClock) -> None:
    s = Session(clock, 30)
    s.start()
    clock.advance(29 * 60)  # the UI stalled past halfway and the 5-minute reminder
    s.tick()
    s.tick()
    assert s.fired_milestones == [Milestone.HALFWAY, Milestone.MINUTES_LEFT]
    clock.advance(61)
    s.tick()
    s.tick()
    assert s.fired_milestones == [Milestone.HALFWAY, Milestone.MINUTES_LEFT, Milestone.PLANNED_END]


def test_reminder_uses_the_configured_minutes(clock: ManualClock) -> None:
    s = Session(clock, 45, warn_minutes=10)
    s.start()
    clock.advance(34 * 60)
    s.tick()
    assert Milestone.MINUTES_LEFT not in s.fired_milestones
    clock.advance(60)
    s.tick()
    assert s.fired_milestones[-1] is Milestone.MINUTES_LEFT
    assert s.events[-1].data["remaining_seconds"] == 600


def test_short_session_has_no_reminder_before_halfway(clock: ManualClock) -> None:
    s = Session(clock, 1)
    s.start()
    clock.advance(61)
    s.tick()
    assert s.fired_milestones == [Milestone.HALFWAY, Milestone.PLANNED_END]


def test_no_milestone_while_paused(clock: ManualClock) -> None:
    s = Session(clock, 2)
    s.start()
    clock.advance(30)
    s.pause()
    clock.advance(600)
    s.tick()
    assert s.fired_milestones == []


def test_extend_adds_five_minutes_to_a_running_session(clock: ManualClock) -> None:
    s = Session(clock, 30)
    s.start()
    clock.advance(60)
    s.extend()
    assert s.planned_seconds == 35 * 60
    assert s.events[-1].kind is EventKind.EXTENDED


def test_extend_is_refused_unless_running(clock: ManualClock) -> None:
    s = Session(clock, 30)
    with pytest.raises(SessionError, match="planned"):
        s.extend()
    s.start()
    s.pause()
    with pytest.raises(SessionError, match="paused"):
        s.extend()


def test_extend_refuses_beyond_the_longest_session(clock: ManualClock) -> None:
    s = Session(clock, 118)
    s.start()
    with pytest.raises(SessionError, match="120 minutes"):
        s.extend()
    assert s.planned_seconds == 118 * 60


def test_commands_out_of_order_are_refused_with_a_reason(clock: ManualClock) -> None:
    s = Session(clock, 30)
    with pytest.raises(SessionError, match="Cannot pause a session that is planned"):
        s.pause()
    s.start()
    with pytest.raises(SessionError, match="Cannot start a session that is running"):
        s.start()
    s.end()
    with pytest.raises(SessionError, match="ended early"):
        s.resume()


@pytest.mark.parametrize("bad", [0, 121, -5, 30.5, True])
def test_planned_minutes_outside_range_are_refused_not_clipped(bad) -> None:
    with pytest.raises(ValueError, match="minutes"):
        validate_planned_minutes(bad)


@pytest.mark.parametrize("good", [1, 30, 45, 60, 120, 30.0])
def test_planned_minutes_inside_range(good) -> None:
    assert validate_planned_minutes(good) == int(good)


def test_a_jump_of_more_than_two_seconds_is_a_gap_event(clock: ManualClock) -> None:
    s = Session(clock, 30)
    s.start()
    clock.advance(1.0)
    s.tick()
    clock.advance(2.5)  # the laptop slept, or the UI froze
    s.tick()
    gaps = [e for e in s.events if e.kind is EventKind.GAP]
    assert len(gaps) == 1
    assert gaps[0].data["seconds"] == 2.5
    assert s.treatment_seconds == 3.5, "needles stayed in while the computer slept"


def test_listeners_hear_every_event(clock: ManualClock) -> None:
    heard = []
    s = Session(clock, 30)
    s.subscribe(heard.append)
    s.start()
    s.pause()
    s.resume()
    s.end()
    assert [e.kind for e in heard] == [EventKind.STARTED, EventKind.PAUSED, EventKind.RESUMED, EventKind.ENDED]


def test_unassigned_session_can_be_assigned_while_running(clock: ManualClock) -> None:
    s = Session(clock, 30)
    s.start()
    assert s.patient_id is None
    s.assign(7)
    assert s.patient_id == 7
    assert kinds(s)[-1] is EventKind.ASSIGNED
    s.end()
    with pytest.raises(SessionError, match="amendment"):
        s.assign(8)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(1800, "30:00"), (0.2, "00:01"), (0, "00:00"), (-0.4, "-00:01"), (-61, "-01:01"), (7200, "120:00")],
)
def test_format_clock(seconds: float, shown: str) -> None:
    assert format_clock(seconds) == shown


def test_system_clock_is_monotonic_and_counts_suspend_on_linux() -> None:
    c = SystemClock()
    a = c.now()
    b = c.now()
    assert b >= a
    assert c.source in {"CLOCK_BOOTTIME", "monotonic"}
    assert rfc3339(c.wall()).endswith("Z")


def test_manual_clock_refuses_to_go_back(clock: ManualClock) -> None:
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_planned_time_changes_only_before_the_start(clock: ManualClock) -> None:
    s = Session(clock, 30)
    s.set_planned_minutes(45)
    assert s.planned_seconds == 45 * 60
    with pytest.raises(ValueError, match="1 to 120"):
        s.set_planned_minutes(0)
    s.start()
    with pytest.raises(SessionError, match="running"):
        s.set_planned_minutes(60)


def test_extending_past_the_end_rearms_the_end_chime(clock: ManualClock) -> None:
    s = Session(clock, 10)
    s.start()
    clock.advance(10 * 60 + 30)
    s.tick()
    assert s.fired_milestones[-1] is Milestone.PLANNED_END
    s.extend()  # the patient is comfortable: five more minutes
    assert s.remaining_seconds == 270
    clock.advance(269)
    s.tick()
    assert s.fired_milestones.count(Milestone.PLANNED_END) == 1
    clock.advance(1)
    s.tick()
    assert s.fired_milestones.count(Milestone.PLANNED_END) == 2
    assert s.fired_milestones.count(Milestone.HALFWAY) == 1
