"""The record panel wired to the app's real session and record presenters."""

from __future__ import annotations

from neurotimer.gui.plan.plan_model import PlanModel
from neurotimer.gui.record.presenter import RecordPresenter
from neurotimer.gui.record.record_panel import SessionRecordPanel, follow_sessions
from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.plan.plan import Lead, NeedlePair, Plan
from neurotimer.session.clock import ManualClock
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import open_memory


def test_a_course_of_two_sessions_through_the_presenters(qtbot, clock: ManualClock) -> None:
    store = open_memory(clock=clock)
    sessions = SessionPresenter(clock)
    records = RecordPresenter(store, Recorder(store, clock), sessions, PlanModel())
    panel = SessionRecordPanel(records.record, records.record_score, records.record_adverse_event)
    qtbot.addWidget(panel)
    follow_sessions(panel, sessions, records)

    panel.set_planned_needles(8)
    panel.setting.setCurrentText("clinic, patient seated")
    panel.score_spins[("pain", "before")].setValue(6)
    sessions.start()
    first = records.recorder.session_id
    assert first is not None
    assert [(s.symptom, s.value) for s in store.get_session(first).scores] == [("pain", 6)]

    clock.advance(60)
    panel.needles_out.setValue(7)
    assert panel.can_close() == (False, "1 needle is still in: count them out before ending.")
    panel.needles_out.setValue(8)
    assert panel.can_close() == (True, "")
    sessions.end()
    panel.score_spins[("pain", "after")].setValue(3)  # asked once the needles are out
    panel.commit()

    sessions.start()  # prepares the next session
    assert panel.needles_out.value() == -1
    sessions.start()
    second = records.recorder.session_id
    assert second not in (None, first)

    def kinds(sid: int) -> list[tuple[str, dict]]:
        return [(e["kind"], e["data"]) for e in store.session_events(sid)]

    assert ("needles.out", {"count": 8, "in": 8}) in kinds(first)
    assert ("needles.in", {"count": 8, "planned": 8}) in kinds(first)
    assert [(s.timing, s.value) for s in store.get_session(first).scores] == [("before", 6), ("after", 3)]
    assert [e for e in kinds(second) if e[0].startswith("needles.out")] == []
    details = [data for kind, data in kinds(second) if kind == "session.details"]
    assert details and details[-1]["setting"] == "clinic, patient seated"
    sessions.end()


def test_the_plan_chosen_before_the_start_is_saved_with_the_session_and_every_change_after(
    qtbot, clock: ManualClock, pts
) -> None:
    store = open_memory(clock=clock)
    sessions = SessionPresenter(clock)
    plans = PlanModel()
    records = RecordPresenter(store, Recorder(store, clock), sessions, plans)
    plans.set_points(Plan().add(pts["ST36"], "both"))
    plans.set_pairs([NeedlePair(1, Lead("ST36", "L"), Lead("ST36", "R"))])
    sessions.start()
    saved = store.get_session(records.recorder.session_id)
    assert [tuple(p) for p in saved.points] == [("ST36", "L"), ("ST36", "R")]
    assert [c["channel"] for c in saved.channels] == [1]
    plans.set_pairs(())
    assert store.get_session(records.recorder.session_id).channels == []
