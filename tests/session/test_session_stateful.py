"""Random sequences of session commands and time: the invariants a practitioner relies on."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from neurotimer.session.clock import ManualClock
from neurotimer.session.session import MILESTONE_ORDER, EventKind, Milestone, Session, SessionState


class SessionMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.session = Session(self.clock, 10)
        self.last_treatment = 0.0
        self.fired_at: list[tuple[Milestone, float, float, int]] = []  # milestone, treatment, planned, segment
        self.segment = 0  # how many extensions so far: each one re-arms the reminder and the end
        self.session.subscribe(self._heard)

    def _heard(self, event) -> None:
        if event.kind is EventKind.EXTENDED:
            self.segment += 1
        if event.kind is EventKind.MILESTONE:
            s = self.session
            self.fired_at.append((Milestone(event.data["milestone"]), s.treatment_seconds, s.planned_seconds,
                                  self.segment))

    @rule()
    @precondition(lambda self: self.session.state is SessionState.PLANNED)
    def start(self) -> None:
        self.session.start()

    @rule()
    @precondition(lambda self: self.session.state is SessionState.RUNNING)
    def pause(self) -> None:
        self.session.pause()

    @rule()
    @precondition(lambda self: self.session.state is SessionState.PAUSED)
    def resume(self) -> None:
        self.session.resume()

    @rule()
    @precondition(
        lambda self: self.session.state is SessionState.RUNNING and self.session.planned_seconds <= 115 * 60
    )
    def extend(self) -> None:
        self.session.extend()

    @rule()
    @precondition(lambda self: self.session.state.is_active)
    def end(self) -> None:
        self.session.end()

    @rule(seconds=st.floats(min_value=0, max_value=400, allow_nan=False))
    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    @rule()
    def tick(self) -> None:
        self.session.tick()

    @invariant()
    def treatment_never_decreases(self) -> None:
        now = self.session.treatment_seconds
        assert now >= self.last_treatment - 1e-9
        self.last_treatment = now

    @invariant()
    def treatment_never_exceeds_time_since_start(self) -> None:
        assert self.session.treatment_seconds <= self.session.since_start_seconds + 1e-9

    @invariant()
    def milestones_fire_once_and_in_order(self) -> None:
        fired = [m for m, *_ in self.fired_at]
        assert fired.count(Milestone.HALFWAY) <= 1
        for segment in {seg for *_, seg in self.fired_at}:
            part = [m for m, _, _, seg in self.fired_at if seg == segment]
            assert len(part) == len(set(part)), "a milestone fired twice for the same planned end"
            assert part == [m for m in MILESTONE_ORDER if m in part]

    @invariant()
    def a_milestone_never_fires_early(self) -> None:
        for milestone, treatment, planned, _ in self.fired_at:
            if milestone is Milestone.PLANNED_END:
                assert treatment >= planned - 1e-9
            if milestone is Milestone.HALFWAY:
                assert treatment >= planned / 2 - 1e-9

    @invariant()
    def end_and_halfway_have_fired_once_the_planned_time_passed_while_running(self) -> None:
        s = self.session
        if s.state is SessionState.RUNNING:
            s.tick()
            if s.treatment_seconds >= s.planned_seconds:
                fired = s.fired_milestones
                assert Milestone.HALFWAY in fired
                assert Milestone.PLANNED_END in fired


    @invariant()
    def outcome_matches_treatment_time(self) -> None:
        s = self.session
        if s.state is SessionState.COMPLETED:
            assert s.treatment_seconds >= s.planned_seconds
        if s.state is SessionState.ENDED_EARLY:
            assert s.treatment_seconds < s.planned_seconds


SessionMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestSessionMachine = SessionMachine.TestCase
