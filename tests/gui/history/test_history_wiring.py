"""The History tab wired as the app wires it: patientChanged → set_patient, stateChanged → on_state_changed."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics

from neurotimer.gui.history.panel import HistoryPanel
from neurotimer.gui.plan.plan_model import PlanModel
from neurotimer.gui.record.presenter import RecordPresenter
from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.session.clock import ManualClock
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import open_memory


def test_the_tab_follows_the_chosen_patient_and_each_closed_session(qtbot, clock: ManualClock) -> None:
    store = open_memory(clock=clock)
    patient = store.get_patient(store.create_patient("P-0001"))
    store.create_course(patient.id, "Painful diabetic peripheral neuropathy", 8, 2)
    sessions = SessionPresenter(clock)
    records = RecordPresenter(store, Recorder(store, clock), sessions, PlanModel())
    panel = HistoryPanel(store)
    qtbot.addWidget(panel)
    records.patientChanged.connect(panel.set_patient)
    sessions.stateChanged.connect(panel.on_state_changed)

    records.choose_patient(patient)
    assert panel.patient == patient and panel.pages.currentWidget() is panel.content
    assert panel.table.rowCount() == 0
    assert "No session yet of 8 planned" in panel.summary.progress.text()

    sessions.start()
    store.add_score(records.recorder.session_id, "pain", 6, "before")
    clock.advance(120)
    sessions.tick()
    sessions.end()
    assert panel.table.rowCount() == 1
    assert panel.table.item(0, 2).text() == "⚠ Ended early"
    assert panel.summary.progress.text() == "Session 1 of 8"

    sessions.start()  # prepares the next, unassigned session: the tab goes back to its hint
    assert panel.patient is None and panel.pages.currentWidget() is panel.hint


def test_a_session_shows_its_added_minutes_and_a_quit_with_needles_in_stands_out(qtbot, clock: ManualClock) -> None:
    store = open_memory(clock=clock)
    patient = store.get_patient(store.create_patient("P-0002"))
    sessions = SessionPresenter(clock)
    records = RecordPresenter(store, Recorder(store, clock), sessions, PlanModel())
    panel = HistoryPanel(store)
    qtbot.addWidget(panel)
    records.patientChanged.connect(panel.set_patient)
    sessions.stateChanged.connect(panel.on_state_changed)
    records.choose_patient(patient)

    sessions.start()
    clock.advance(29 * 60)
    sessions.tick()
    sessions.extend()
    clock.advance(4 * 60)
    sessions.tick()
    records.record("session.quit_with_needles_in", {"why": "2 needles are not counted out."})
    sessions.end()  # as Quit does once the practitioner chose to quit anyway
    assert panel.table.rowCount() == 1
    plan, state = panel.table.item(0, 3), panel.table.item(0, 2)
    assert plan.text() == "30+5" and "35 in all" in plan.toolTip()
    assert state.text() == "⚠ Uncounted"
    assert panel.table.columnWidth(2) >= QFontMetrics(state.font()).horizontalAdvance(state.text()) + 8
    assert "2 needles are not counted out" in state.toolTip() and "Ended early" in state.toolTip()
