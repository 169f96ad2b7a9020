"""The session record panel at the chair, writing into a real in-memory log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from neurotimer.gui.plan.plan_model import PlanModel
from neurotimer.gui.record.presenter import RecordPresenter
from neurotimer.gui.record.record_panel import SessionRecordPanel, follow_sessions
from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.shell.theme import STYLE_SHEET
from neurotimer.session.clock import ManualClock
from neurotimer.storage.db import StoreError
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import Store, open_memory


class LockedCommits:
    """Wraps a connection so that every COMMIT fails while `locked`, as a busy or dying disk would."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.locked = True

    def execute(self, sql: str, *args):
        if sql == "COMMIT" and self.locked:
            raise sqlite3.OperationalError("database is locked")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


class Chair:
    """A store, the recorder, the session and record presenters as the app wires them, the panel in front."""

    def __init__(self, qtbot, clock: ManualClock, idle_ms: int = 2500) -> None:
        self.clock = clock
        self.store: Store = open_memory(clock=clock)
        self.alarms: list[str] = []
        self.recorder = Recorder(self.store, clock, on_alarm=self.alarms.append)
        self.sessions = SessionPresenter(clock)
        self.records = RecordPresenter(self.store, self.recorder, self.sessions, PlanModel())
        self.panel = SessionRecordPanel(
            self.records.record, self.records.record_score, self.records.record_adverse_event, idle_ms=idle_ms
        )
        follow_sessions(self.panel, self.sessions, self.records)
        qtbot.addWidget(self.panel)

    def start(self) -> int:
        self.sessions.start()
        assert self.recorder.session_id is not None
        return self.recorder.session_id

    def events(self, kind: str) -> list[dict]:
        sid = self.recorder.session_id
        return [e["data"] for e in self.store.session_events(sid) if e["kind"] == kind]

    def scores(self) -> dict[tuple[str, str], int]:
        record = self.store.get_session(self.recorder.session_id)
        return {(s.symptom, s.timing): s.value for s in record.scores}


@pytest.fixture
def chair(qtbot, clock: ManualClock) -> Chair:
    return Chair(qtbot, clock)


def test_scores_taken_before_the_session_row_exists_are_written_when_it_does(chair: Chair) -> None:
    chair.panel.score_spins[("pain", "before")].setValue(7)
    chair.panel.score_spins[("numbness", "before")].setValue(0)
    chair.panel.commit()
    assert chair.recorder.pending == 0  # nothing handed to the log before the session has its row
    assert "2 entries will be saved when the session starts" in chair.panel.status.text()

    chair.start()

    assert chair.scores() == {("pain", "before"): 7, ("numbness", "before"): 0}
    assert chair.panel.status.text() == ""


def test_a_score_left_blank_is_not_written_and_a_corrected_one_is_written_again(chair: Chair) -> None:
    chair.start()
    spin = chair.panel.score_spins[("burning", "after")]
    spin.setValue(4)
    chair.panel.commit()
    chair.panel.commit()  # nothing new: no second row
    spin.setValue(3)
    chair.panel.commit()
    rows = [(s.symptom, s.timing, s.value) for s in chair.store.get_session(chair.recorder.session_id).scores]
    assert rows == [("burning", "after", 4), ("burning", "after", 3)]


def test_a_score_the_log_cannot_take_waits_in_the_recorders_queue_and_is_written_when_it_can(chair: Chair) -> None:
    chair.start()
    real = chair.store.conn
    chair.store.conn = LockedCommits(real)
    chair.panel.score_spins[("pain", "after")].setValue(2)
    chair.panel.commit()

    assert chair.alarms and "locked" in chair.alarms[0]
    assert chair.recorder.pending == 1
    assert chair.panel.score_spins[("pain", "after")].value() == 2

    chair.store.conn = real
    assert chair.recorder.flush()
    assert chair.scores() == {("pain", "after"): 2}
    assert [e["value"] for e in chair.events("score.recorded")] == [2]


def test_a_score_the_log_refuses_is_kept_with_a_message(qtbot) -> None:
    def refuse(*_args) -> None:
        raise StoreError("A score needs the symptom it rates.")

    panel = SessionRecordPanel(lambda kind, payload: None, refuse, lambda *a: None)
    qtbot.addWidget(panel)
    problems: list[str] = []
    panel.problem.connect(problems.append)
    panel.set_session_id(5)
    panel.score_spins[("pain", "after")].setValue(2)
    panel.commit()
    assert "pain score (after) could not be saved (A score needs the symptom it rates.)" in panel.status.text()
    assert panel.score_spins[("pain", "after")].value() == 2
    assert problems and "symptom it rates" in problems[-1]


def test_more_needles_in_than_out_blocks_closing_with_the_count_left(chair: Chair) -> None:
    checks: list[tuple[bool, str]] = []
    chair.panel.needlesChanged.connect(lambda ok, text: checks.append((ok, text)))
    chair.panel.set_planned_needles(12)
    assert chair.panel.needles_in.value() == 12
    assert chair.panel.can_close() == (False, "12 needles are still in: count them out before ending.")

    chair.panel.needles_out.setValue(9)
    ok, message = chair.panel.can_close()
    assert not ok and message == "3 needles are still in: count them out before ending."
    assert checks[-1] == (False, message)
    assert chair.panel.needle_check.text() == message

    chair.panel.needles_out.setValue(12)
    assert chair.panel.can_close() == (True, "")
    assert checks[-1] == (True, "")


def test_needle_counts_are_recorded_as_events(chair: Chair) -> None:
    chair.panel.set_planned_needles(12)
    chair.start()
    chair.panel.set_planned_needles(14)  # a point added after the start: still following the plan
    chair.panel.needles_out.setValue(14)
    chair.panel.can_close()
    assert chair.events("needles.in") == [{"count": 12, "planned": 12}, {"count": 14, "planned": 14}]
    assert chair.events("needles.out") == [{"count": 14, "in": 14}]


def test_a_count_typed_by_hand_stops_following_the_plan(chair: Chair, qtbot) -> None:
    chair.panel.set_planned_needles(12)
    chair.start()
    chair.panel.needles_in.setValue(11)  # one point skipped at the chair
    chair.panel.commit()
    chair.panel.set_planned_needles(16)
    assert chair.panel.needles_in.value() == 11
    assert chair.events("needles.in")[-1] == {"count": 11, "planned": 12}


def test_details_are_recorded_once_per_edit_not_per_keystroke(chair: Chair, qtbot) -> None:
    chair.start()
    with qtbot.waitActive(chair.panel):
        chair.panel.show()
        chair.panel.activateWindow()
    depth = chair.panel.depth
    depth.setFocus()
    qtbot.keyClicks(depth, "10-15 mm")
    assert chair.events("session.details") == []
    qtbot.keyClick(depth, Qt.Key.Key_Return)
    assert chair.events("session.details") == [
        {"needle_type": "", "depth": "10-15 mm", "response_sought": "", "setting": ""}
    ]
    depth.clearFocus()  # leaving the field again without a change writes nothing more
    chair.panel.needle_type.setFocus()
    qtbot.keyClicks(chair.panel.needle_type.lineEdit(), "0.30 × 40 mm, gold")
    chair.panel.response.setFocus()  # focus out of the needle field
    chair.panel.response.setCurrentIndex(0)
    chair.panel.response.activated.emit(0)
    details = chair.events("session.details")
    assert len(details) == 3
    assert details[1]["needle_type"] == "0.30 × 40 mm, gold"
    assert details[2] == {
        "needle_type": "0.30 × 40 mm, gold",
        "depth": "10-15 mm",
        "response_sought": "de qi",
        "setting": "",
    }


def test_details_left_in_a_field_are_saved_after_a_pause(qtbot, clock: ManualClock) -> None:
    chair = Chair(qtbot, clock, idle_ms=50)
    chair.start()
    qtbot.keyClicks(chair.panel.depth, "5 mm")
    assert chair.events("session.details") == []  # not at each keystroke
    qtbot.waitUntil(lambda: len(chair.events("session.details")) == 1, timeout=2000)
    assert chair.events("session.details")[0]["depth"] == "5 mm"


def test_an_adverse_event_is_in_the_session_record_and_listed(chair: Chair) -> None:
    sid = chair.start()
    chair.panel.adverse.severity.setCurrentText("moderate")
    chair.panel.adverse.notes.setText("SP6 left")
    chair.panel.adverse.buttons["bruising"].click()
    events = chair.store.get_session(sid).adverse_events
    assert [(e.kind, e.severity, e.notes) for e in events] == [("bruising", "moderate", "SP6 left")]
    assert chair.panel.adverse.list.item(0).text() == "bruising (moderate): SP6 left"
    assert chair.panel.adverse.notes.text() == "" and chair.panel.adverse.severity.currentText() == "mild"


def test_an_adverse_event_before_the_start_waits_for_the_session_row(chair: Chair) -> None:
    chair.panel.adverse.buttons["fainting"].click()
    assert "not saved yet" in chair.panel.adverse.list.item(0).text()
    sid = chair.start()
    assert [e.kind for e in chair.store.get_session(sid).adverse_events] == ["fainting"]
    assert chair.panel.adverse.list.item(0).text() == "fainting (mild)"


def test_other_needs_what_happened(chair: Chair) -> None:
    sid = chair.start()
    chair.panel.adverse.buttons["other"].click()
    assert "Type what happened" in chair.panel.status.text()
    assert chair.store.get_session(sid).adverse_events == []
    chair.panel.adverse.notes.setText("itching at LI4 right")
    chair.panel.adverse.buttons["other"].click()
    assert [(e.kind, e.notes) for e in chair.store.get_session(sid).adverse_events] == [
        ("other", "itching at LI4 right")
    ]
    assert chair.panel.status.text() == ""


def test_an_adverse_event_refused_by_the_log_is_kept_and_written_on_the_next_save(qtbot) -> None:
    written: list[tuple] = []
    failing = [True]

    def record_adverse(*args) -> None:
        if failing[0]:
            raise StoreError("Severity is mild, moderate or severe.")
        written.append(args)

    panel = SessionRecordPanel(lambda kind, payload: None, lambda *a: None, record_adverse)
    qtbot.addWidget(panel)
    panel.set_session_id(5)
    panel.adverse.buttons["bleeding"].click()
    assert "Severity is mild, moderate or severe." in panel.status.text()
    assert "not saved yet" in panel.adverse.list.item(0).text()
    failing[0] = False
    panel.commit()
    assert written == [("bleeding", "mild", "")]
    assert panel.adverse.list.item(0).text() == "bleeding (mild)"


def test_a_new_session_starts_empty_but_keeps_the_needling_details(chair: Chair) -> None:
    chair.panel.set_planned_needles(6)
    chair.panel.depth.setText("10 mm")
    chair.panel.score_spins[("pain", "before")].setValue(6)
    chair.panel.needles_out.setValue(6)
    chair.panel.adverse.buttons["soreness"].click()
    first = chair.start()
    chair.sessions.end()

    chair.sessions.new_session()
    assert chair.panel.score_spins[("pain", "before")].value() == -1
    assert chair.panel.needles_out.value() == -1 and chair.panel.needles_in.value() == 6
    assert chair.panel.adverse.list.count() == 0
    assert chair.panel.depth.text() == "10 mm"
    second = chair.start()
    assert second != first
    assert chair.events("session.details")[-1]["depth"] == "10 mm"
    assert chair.store.get_session(second).scores == []


def test_a_symptom_can_be_added(chair: Chair, qtbot) -> None:
    chair.panel.scores.new_symptom.setText("cramp")
    qtbot.keyClick(chair.panel.scores.new_symptom, Qt.Key.Key_Return)
    assert "cramp" in chair.panel.scores.symptoms
    chair.start()
    chair.panel.score_spins[("cramp", "before")].setValue(3)
    chair.panel.commit()
    assert chair.scores() == {("cramp", "before"): 3}


def test_the_panel_fits_a_laptop_tab_with_the_app_style(chair: Chair, qtbot, tmp_path: Path, colour_count) -> None:
    chair.panel.setStyleSheet(STYLE_SHEET + chair.panel.styleSheet())
    chair.panel.resize(880, 330)
    chair.panel.show()
    qtbot.waitExposed(chair.panel)
    assert chair.panel.minimumSizeHint().width() <= 880
    assert chair.panel.minimumSizeHint().height() <= 330
    path = tmp_path / "record.png"
    assert chair.panel.grab().save(str(path))
    assert colour_count(path) > 5


def test_a_digit_typed_over_the_blank_is_the_score(chair: Chair, qtbot) -> None:
    chair.start()
    spin = chair.panel.score_spins[("numbness", "before")]
    with qtbot.waitActive(chair.panel):
        chair.panel.show()
        chair.panel.activateWindow()
    spin.setFocus()
    qtbot.keyClicks(spin, "8")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert chair.scores() == {("numbness", "before"): 8}


def test_scrolling_across_the_panel_does_not_change_a_score(chair: Chair, qtbot) -> None:
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    spin = chair.panel.score_spins[("pain", "before")]
    spin.setValue(5)
    chair.panel.show()
    qtbot.waitExposed(chair.panel)
    centre = QPointF(spin.rect().center())
    wheel = QWheelEvent(
        centre, QPointF(spin.mapToGlobal(centre)), QPoint(0, 0), QPoint(0, 120),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False,
    )
    QApplication.sendEvent(spin, wheel)
    assert spin.value() == 5


def test_tab_goes_from_the_needling_details_to_the_scores_then_the_adverse_events(chair: Chair) -> None:
    panel = chair.panel
    targets = [
        panel.needle_type, panel.depth, panel.needles_out, panel.score_spins[("pain", "before")], panel.adverse.notes
    ]
    seen = []
    widget = panel
    for _ in range(200):
        widget = widget.nextInFocusChain()
        if widget in targets and widget not in seen:
            seen.append(widget)
    assert seen == targets


def test_a_score_typed_after_the_end_goes_to_the_session_that_ended(chair: Chair) -> None:
    first = chair.start()
    chair.sessions.end()
    chair.panel.score_spins[("pain", "after")].setValue(3)  # typed, not yet left: the idle save has not run
    chair.sessions.new_session()
    assert [(s.symptom, s.timing, s.value) for s in chair.store.get_session(first).scores] == [("pain", "after", 3)]
    assert chair.panel.score_spins[("pain", "after")].value() == -1


def test_the_chair_scores_the_symptoms_a_neuropathy_course_follows(qtbot) -> None:
    from neurotimer.gui.record.widgets import ScoreGrid

    grid = ScoreGrid()
    qtbot.addWidget(grid)
    assert grid.symptoms == ["pain", "aching", "burning", "prickling", "numbness", "hypersensitivity"]
