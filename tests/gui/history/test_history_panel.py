"""The History tab over a demo log: the course verdict, the sessions newest first, one session's record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from neurotimer.gui.history.panel import HINT, HistoryPanel
from neurotimer.gui.shell.theme import STYLE_SHEET
from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session
from neurotimer.storage.demo import make_demo_database
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import Store, open_readonly, open_store

TODAY = dt.date(2026, 3, 20)
SUBSTANTIAL = "substantial improvement (≥ 50 % less)"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_database(tmp_path_factory.mktemp("history") / "demo.sqlite", today=TODAY)


@pytest.fixture
def demo(demo_path: Path) -> Store:
    store = open_readonly(demo_path)
    yield store
    store.close()


@pytest.fixture
def writable(tmp_path: Path) -> Store:
    path = make_demo_database(tmp_path / "small.sqlite", patients=1, sessions=3, today=TODAY)
    clock = ManualClock(wall_start=dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC))
    store = open_store(path, clock=clock, daily_backup=False)
    yield store
    store.close()


def make_panel(qtbot, store: Store, tz: dt.tzinfo = dt.UTC) -> HistoryPanel:
    panel = HistoryPanel(store, tz=tz)
    panel.setStyleSheet(STYLE_SHEET + panel.styleSheet())
    qtbot.addWidget(panel)
    panel.resize(880, 330)
    panel.show()
    return panel


def table_column(panel: HistoryPanel, column: int) -> list[str]:
    return [panel.table.item(row, column).text() for row in range(panel.table.rowCount())]


def summary_text(panel: HistoryPanel) -> str:
    from PySide6.QtWidgets import QLabel

    return "\n".join(label.text() for label in panel.summary.findChildren(QLabel) if label.isVisible())


def test_without_a_patient_the_tab_says_how_to_choose_one(qtbot, demo: Store) -> None:
    panel = make_panel(qtbot, demo)
    assert panel.pages.currentWidget() is panel.hint
    assert "Ctrl+P" in panel.hint.text() and panel.hint.text() == HINT
    panel.set_patient(demo.find_patient("P-0003"))
    assert panel.pages.currentWidget() is panel.content
    panel.set_patient(None)
    assert panel.pages.currentWidget() is panel.hint and panel.table.rowCount() == 0


def test_every_session_of_the_patient_is_listed_newest_first(qtbot, demo: Store) -> None:
    panel = make_panel(qtbot, demo)
    for code in ("P-0001", "P-0003"):
        patient = demo.find_patient(code)
        panel.set_patient(patient)
        expected = demo.newest_sessions(500, patient_id=patient.id)
        assert panel.table.rowCount() == len(expected) > 0
        assert panel._session_ids == [s.id for s in expected]
    assert panel.table.rowCount() == 9  # P-0003's whole course in the demo log
    numbers = [int(n) for n in table_column(panel, 1)]
    assert numbers == sorted(numbers, reverse=True)


def test_pain_that_halved_is_called_a_substantial_improvement_in_green(qtbot, demo: Store) -> None:
    panel = make_panel(qtbot, demo)
    panel.set_patient(demo.find_patient("P-0003"))
    text = summary_text(panel)
    assert "Pain" in text and "4 → 1" in text and "−75 %" in text
    assert SUBSTANTIAL in text
    assert "Session 9 of 9" in text and "Chemotherapy-induced" in text
    verdict = next(v for v in panel.summary.verdicts if v.text() == SUBSTANTIAL)
    assert "#2e7d32" in verdict.styleSheet()
    assert panel.summary.sparkline.isVisible() and panel.summary.sparkline.values[0] == 4


def test_no_change_is_grey_not_green(qtbot, demo: Store) -> None:
    panel = make_panel(qtbot, demo)
    panel.set_patient(demo.find_patient("P-0007"))
    assert [v.text() for v in panel.summary.verdicts] == ["little change", "little change"]
    assert all("#2e7d32" not in v.styleSheet() for v in panel.summary.verdicts)


def test_selecting_a_session_shows_its_points_channels_and_scores(qtbot, demo: Store) -> None:
    panel = make_panel(qtbot, demo)
    panel.set_patient(demo.find_patient("P-0003"))
    panel.table.selectRow(2)
    record = demo.get_session(panel._session_ids[2])
    text = panel.details.toPlainText()
    assert f"Session {record.summary.number}" in text
    for code, _side in record.points:
        assert code in text
    assert "Ch 1:" in text and "(before → after)" in text
    assert table_column(panel, 5)[2] == str(len(record.points))


def test_sessions_that_fell_short_are_marked(qtbot, demo: Store) -> None:
    panel = make_panel(qtbot, demo)
    panel.set_patient(demo.find_patient("P-0001"))
    states = table_column(panel, 2)
    short = [row for row, state in enumerate(states) if "Ended early" in state]
    assert short, states
    for row in short:
        item = panel.table.item(row, 2)
        assert item.text().startswith("⚠") and item.font().bold()
    done = states.index("Completed")
    assert not panel.table.item(done, 2).font().bold()


def test_dates_are_local_and_short(qtbot, demo: Store) -> None:
    patient = demo.find_patient("P-0003")
    newest = demo.newest_sessions(1, patient_id=patient.id)[0]
    started = dt.datetime.fromisoformat(newest.started_at.replace("Z", "+00:00"))
    panel = make_panel(qtbot, demo, tz=dt.timezone(dt.timedelta(hours=-5)))
    panel.set_patient(patient)
    local = started - dt.timedelta(hours=5)
    assert table_column(panel, 0)[0] == f"{local:%a} {local.day} {local:%b %H:%M}"


def test_an_amendment_shows_old_and_new_who_and_why(qtbot, writable: Store) -> None:
    patient = writable.find_patient("P-0001")
    session_id = writable.newest_sessions(1, patient_id=patient.id)[0].id
    writable.amend_session(session_id, "planned_minutes", 45, "Dr Lind", "The plan was 45 minutes, not 30")
    panel = make_panel(qtbot, writable)
    panel.set_patient(patient)
    assert table_column(panel, 3)[0] == "45" and table_column(panel, 0)[0].endswith("✎")
    panel.table.selectRow(0)
    text = panel.details.toPlainText()
    assert "planned minutes:" in text and "→ 45" in text
    assert "by Dr Lind" in text and "The plan was 45 minutes, not 30" in text


def test_refresh_after_a_session_ends_shows_it_and_keeps_the_selection(qtbot, writable: Store) -> None:
    patient = writable.find_patient("P-0001")
    panel = make_panel(qtbot, writable)
    panel.set_patient(patient)
    panel.table.selectRow(1)
    chosen = panel.selected_session_id()
    clock = writable.clock
    session = Session(clock, 30)
    recorder = Recorder(writable, clock)
    recorder.attach(session, patient_id=patient.id)
    session.start()
    writable.add_score(recorder.session_id, "pain", 2, "before")
    clock.advance(1.0)
    session.tick()
    session.end()
    writable.add_adverse_event(recorder.session_id, "bruising")
    panel.refresh()
    assert panel.table.rowCount() == 4
    assert table_column(panel, 2)[0] == "⚠ Ended early" and table_column(panel, 6)[0] == "1"
    assert panel.selected_session_id() == chosen


def test_a_patient_without_a_course(qtbot, writable: Store) -> None:
    patient_id = writable.create_patient("P-0099")
    panel = make_panel(qtbot, writable)
    panel.set_patient(writable.get_patient(patient_id))
    assert "No course of treatment yet." in summary_text(panel)
    assert panel.table.rowCount() == 0 and not panel.summary.sparkline.isVisible()


def test_a_log_that_cannot_be_read_shows_a_message_not_an_exception(qtbot, demo_path: Path) -> None:
    store = open_readonly(demo_path)
    patient = store.find_patient("P-0003")
    panel = make_panel(qtbot, store)
    panel.set_patient(patient)
    panel.table.selectRow(0)
    store.conn.close()
    panel.table.selectRow(1)
    assert "could not be read" in panel.details.toPlainText()
    panel.refresh()
    assert panel.pages.currentWidget() is panel.error
    assert "could not be read" in panel.error.text()
    panel.set_patient(None)
    assert panel.pages.currentWidget() is panel.hint


def test_the_summary_fits_a_tab_of_880_by_330(qtbot, demo: Store) -> None:
    panel = make_panel(qtbot, demo)
    panel.set_patient(demo.find_patient("P-0003"))
    qtbot.waitExposed(panel)
    for verdict in panel.summary.verdicts:
        assert verdict.width() >= verdict.sizeHint().width(), verdict.text()
    metrics = panel.table.fontMetrics()
    panel.set_patient(demo.find_patient("P-0001"))  # two courses: dates from last year too
    dates = table_column(panel, 0)
    assert any(d.startswith("Mon ") for d in dates) and any(" 2025 " in d for d in dates)
    assert panel.table.columnWidth(0) >= max(metrics.horizontalAdvance(d) for d in dates) + 8
    assert panel.summary.sizeHint().height() <= 330


def test_an_interrupted_session_is_marked_and_a_closing_session_refreshes_the_tab(qtbot, writable: Store) -> None:
    from neurotimer.session.session import SessionState
    from neurotimer.storage.recovery import recover_interrupted

    patient = writable.find_patient("P-0001")
    panel = make_panel(qtbot, writable)
    panel.set_patient(patient)
    session = Session(writable.clock, 30)
    Recorder(writable, writable.clock).attach(session, patient_id=patient.id)
    session.start()
    panel.on_state_changed(SessionState.RUNNING)
    assert panel.table.rowCount() == 3  # a running session does not reload the tab
    recover_interrupted(writable)
    panel.on_state_changed(SessionState.INTERRUPTED)
    assert panel.table.rowCount() == 4
    item = panel.table.item(0, 2)
    assert item.text() == "⚠ Interrupted" and item.font().bold()


def test_sessions_of_an_earlier_course_are_greyed(qtbot, demo: Store) -> None:
    patient = demo.find_patient("P-0001")
    current = demo.current_course(patient.id).id
    panel = make_panel(qtbot, demo)
    panel.set_patient(patient)
    courses = [s.course_id for s in demo.newest_sessions(500, patient_id=patient.id)]
    assert current in courses and any(c != current for c in courses)
    for row, course in enumerate(courses):
        earlier = "earlier course" in panel.table.item(row, 0).toolTip()
        assert earlier == (course != current)
        assert (panel.table.item(row, 1).foreground().color().name() == "#8a979d") == earlier


def test_opening_the_tab_again_reads_what_was_added_since(qtbot, writable: Store) -> None:
    patient = writable.find_patient("P-0001")
    panel = make_panel(qtbot, writable)
    panel.set_patient(patient)
    had = len(writable.get_session(panel._session_ids[0]).adverse_events)
    assert table_column(panel, 6)[0] == (str(had) if had else "–")
    panel.hide()
    writable.add_adverse_event(panel._session_ids[0], "soreness", "mild", "at ST36 R")
    panel.show()
    assert table_column(panel, 6)[0] == str(had + 1)
    panel.table.selectRow(0)
    assert "soreness (mild): at ST36 R" in panel.details.toPlainText()
