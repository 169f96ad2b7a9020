"""Where each session was recorded, in the review list: on a clinic's server log the workstation and chair (two
unassigned sessions started in the same minute are told apart), read whole at 1366 px with every other column,
the list never scrolling sideways; a file log, which keeps neither, gives the room back to the plan."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from review_helpers import wait_loaded

from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session
from neurotimer.storage.pg.open import open_pg_store
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import open_readonly
from neurotimer.storage.transfer import copy_log

SCREEN_W = 1366


def fits_at_1366(qtbot, window) -> list[str]:
    """The list at the screen's width: what does not read whole (every column but the plan's, which runs on)."""
    window.resize(SCREEN_W, 768)
    qtbot.waitUntil(lambda: window.width() <= SCREEN_W and window.table.viewport().width() > 1200, timeout=5000)
    qtbot.wait(50)  # the header lays its sections out from the event loop
    table, model = window.table, window.model
    metrics = table.fontMetrics()
    cut = []
    for column in range(model.columnCount()):
        key = model.headerData(column, Qt.Orientation.Horizontal)
        if table.isColumnHidden(column) or window.column_of("points") == column:
            continue
        widest = max(metrics.horizontalAdvance(model.index(r, column).data()) for r in range(model.rowCount()))
        if table.columnWidth(column) < widest + 8:
            cut.append(f"{key}: {table.columnWidth(column)} px for {widest} px of text")
    if table.horizontalScrollBar().isVisible():
        cut.append("the list scrolls sideways")
    if table.columnWidth(window.column_of("points")) < 120:
        cut.append(f"the plan has {table.columnWidth(window.column_of('points'))} px, not its first points")
    return cut


@pytest.fixture
def clinic_review(qtbot, review_demo, pg_url, catalogue_source):
    """The demo log on the server, and two unassigned sessions started in the same minute in treatment room 3
    (the day after the demo's last, so at the top of the list)."""
    clock = ManualClock(wall_start=datetime(2026, 11, 29, 10, 0, tzinfo=UTC))
    from neurotimer.gui.review.launch import build_review_window
    from neurotimer.storage.review_open import open_for_review

    source = open_readonly(review_demo)
    try:
        assert copy_log(source, pg_url).ok
    finally:
        source.close()
    room3 = open_pg_store(pg_url, clock=clock, lease_options={"workstation": "treatment-room-3"})
    sessions = []
    for chair in ("Chair 2", "Chair 4"):
        lane = Recorder(room3, clock).lane(chair)
        session = Session(clock, 20)
        lane.attach(session)
        session.start()
        lane.progress()
        sessions.append((session, lane))
    store, message = open_for_review(pg_url)
    assert store is not None, message
    window = build_review_window(store, catalogue_source)
    qtbot.addWidget(window)
    window.show()
    wait_loaded(qtbot, window)
    yield window, [lane.session_id for _s, lane in sessions]
    window.close()
    for session, lane in sessions:
        session.end()
        lane.flush()
    room3.close()


def test_two_unassigned_sessions_of_one_minute_say_where_they_run(qtbot, clinic_review) -> None:
    window, ids = clinic_review
    shown = {}
    for r in range(window.model.rowCount()):
        row = window.model.row_at(r)
        if row.id in ids:
            shown[row.id] = [window.model.index(r, window.column_of(k)).data()
                             for k in ("date", "patient", "state", "where")]
    first, second = shown[ids[0]], shown[ids[1]]
    assert first[:3] == second[:3] and first[1:3] == ["unassigned", "running"], "alike but for where they run"
    assert (first[3], second[3]) == ("treatment-room-3 · Chair 2", "treatment-room-3 · Chair 4")
    assert not window.table.isColumnHidden(window.column_of("where"))
    assert fits_at_1366(qtbot, window) == []


def test_a_file_log_shows_no_where_column_and_the_plan_has_its_room(qtbot, review_window) -> None:
    assert review_window.table.isColumnHidden(review_window.column_of("where")), "a file keeps no chair"
    assert fits_at_1366(qtbot, review_window) == []
    assert review_window.table.columnWidth(review_window.column_of("points")) >= 300


def test_choosing_a_session_leaves_the_column_titles_as_they_were(qtbot, review_window) -> None:
    """Bold titles on a chosen row cut 'Channels' and 'Peak mA' at 1366 px (seen in the real window)."""
    assert fits_at_1366(qtbot, review_window) == []
    header = review_window.table.horizontalHeader()
    before = header.grab().toImage()
    review_window.table.selectRow(0)
    qtbot.waitUntil(lambda: review_window.table.selectionModel().hasSelection(), timeout=2000)
    header.repaint()
    assert header.grab().toImage() == before
