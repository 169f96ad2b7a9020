"""The clinic board window: every chair's session, the remaining time running down between reads, and a
stale marker when the log cannot be read."""

from __future__ import annotations

import sqlite3

import pytest

from neurotimer.gui.board.clinic_board import ClinicBoard
from neurotimer.gui.board.clinic_poller import ClinicPoller
from neurotimer.session.session import Session
from neurotimer.storage.clinic import read_board
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import open_store


@pytest.fixture
def log_with_a_running_session(tmp_path, clock):
    path = tmp_path / "log.sqlite3"
    store = open_store(path, clock=clock, daily_backup=False)
    pid = store.create_patient("BRD-007")
    recorder = Recorder(store, clock)
    session = Session(clock, 20)
    recorder.attach(session, patient_id=pid)
    session.start()
    clock.advance(60)
    session.tick()
    recorder.progress()
    yield path, store, session, recorder
    store.close()


def _board(qtbot, path, clock, **kw) -> ClinicBoard:
    board = ClinicBoard(ClinicPoller(path, clock, interval_s=3600, **kw), clock)
    qtbot.addWidget(board)
    board.show()
    return board


def test_the_board_lists_each_session_and_counts_down_between_reads(qtbot, clock, log_with_a_running_session):
    path, *_ = log_with_a_running_session
    board = _board(qtbot, path, clock)
    qtbot.waitUntil(lambda: bool(board.rows), timeout=5000)
    [row] = board.row_texts()
    assert row[1:5] == ["—", "BRD-007", "RUNNING", "19:00"]
    assert "this computer" in row[0]
    assert board.status.text().startswith("Last refreshed")
    clock.advance(30)  # no new read (the next is an hour away): the window's clock runs the time down
    board.render()
    assert board.row_texts()[0][4] == "18:30"
    board.close()


def test_a_session_written_meanwhile_appears_at_the_next_read(qtbot, clock, log_with_a_running_session):
    path, _store, session, _recorder = log_with_a_running_session
    board = _board(qtbot, path, clock)
    qtbot.waitUntil(lambda: len(board.rows) == 1, timeout=5000)
    session.end()
    board.poller.poll_now()
    qtbot.waitUntil(lambda: bool(board.row_texts()) and board.row_texts()[0][3] == "ENDED", timeout=5000)
    assert board.row_texts()[0][4] == "", "an ended session has no time left to show"
    board.close()


def test_a_log_that_cannot_be_read_is_marked_stale_and_the_last_rows_stay(qtbot, clock, log_with_a_running_session):
    path, *_ = log_with_a_running_session
    failing = {"now": False}

    def reader(store, now):
        if failing["now"]:
            raise sqlite3.OperationalError("the log server cannot be reached (reconnecting)")
        return read_board(store, now)

    board = _board(qtbot, path, clock, reader=reader)
    qtbot.waitUntil(lambda: bool(board.rows), timeout=5000)
    failing["now"] = True
    board.poller.poll_now()
    qtbot.waitUntil(lambda: board.stale, timeout=5000)
    assert board.status.text().startswith("STALE: the log server cannot be reached. Last refreshed")
    assert board.row_texts()[0][2] == "BRD-007", "what was last read stays on screen, marked"
    failing["now"] = False
    board.poller.poll_now()
    qtbot.waitUntil(lambda: not board.stale, timeout=5000)
    board.close()


def test_a_log_that_never_answers_says_why(qtbot, clock, tmp_path):
    board = _board(qtbot, tmp_path / "missing.sqlite3", clock)
    qtbot.waitUntil(lambda: bool(board.problem), timeout=5000)
    assert board.status.text().startswith("Not read yet: There is no session log file at")
    assert board.row_texts() == []
    board.close()


def test_the_clinic_command_refuses_a_bad_address_in_one_line(capsys, tmp_path) -> None:
    from neurotimer.cli import main

    assert main(["clinic", "--db", "postgresql://room1:secret@localhost/neurotimer"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds a password" in err and "secret" not in err
    other = tmp_path / "notes.txt"
    other.write_text("not a log")
    assert main(["clinic", "--db", str(other)]) == 2
    assert "not a neurotimer session log" in capsys.readouterr().err


def test_the_clinic_command_lists_its_exit_codes(capsys) -> None:
    from neurotimer.cli import main

    with pytest.raises(SystemExit) as ended:
        main(["clinic", "--help"])
    assert ended.value.code == 0
    text = capsys.readouterr().out
    assert "exit codes:" in text
    for code in ("0", "2"):
        assert f"\n  {code}  " in text, code


def test_the_workstation_is_read_whole_not_cut_to_an_ellipsis(qtbot, clock, log_with_a_running_session,
                                                              monkeypatch):
    # "front-desk-pc (this computer)" in a sixth of a 900 px window was shown as "front-desk… (this …".
    import socket

    monkeypatch.setattr(socket, "gethostname", lambda: "front-desk-pc")
    path, *_ = log_with_a_running_session
    board = _board(qtbot, path, clock)
    qtbot.waitUntil(lambda: bool(board.rows), timeout=5000)
    text = board.row_texts()[0][0]
    assert text == "front-desk-pc (this computer)"
    needed = board.table.fontMetrics().horizontalAdvance(text)
    assert board.table.columnWidth(0) >= needed + 8, (board.table.columnWidth(0), needed)
    board.close()


def test_a_dead_workstations_session_is_not_shown_running_and_its_time_stops(qtbot, clock, pg_url):
    # Room 1's computer died mid-session: its lease expired. The row said RUNNING in green and went on counting
    # down; only "no word for …" was red. It must read as not heard from, with the time it last wrote, marked.
    from neurotimer.gui.shell import theme
    from neurotimer.storage.pg.open import open_pg_store

    room1 = open_pg_store(pg_url, clock=clock, lease_options={"workstation": "room1", "lease_s": 0.3,
                                                               "heartbeat_s": 3600})
    try:
        recorder = Recorder(room1, clock).lane("Chair 1")
        session = Session(clock, 20)
        recorder.attach(session)
        session.start()
        clock.advance(60)
        session.tick()
        recorder.progress()
        board = _board(qtbot, pg_url, clock)

        def expired() -> bool:
            board.poller.poll_now()
            return bool(board.rows) and board.rows[0].lease_expired

        qtbot.waitUntil(expired, timeout=10_000)
        clock.advance(30)  # between reads, and at the next read: nothing counts down any more
        board.render()
        for _ in range(2):
            [row] = board.row_texts()
            assert row[:5] == ["room1", "Chair 1", "unassigned", "NOT HEARD FROM", "19:00 at last word"]
            assert row[5].startswith("no word for")
            state = board.table.item(0, 3)
            assert state.foreground().color().name() != theme.STATE_COLOURS["running"]
            assert "may have stopped" in state.toolTip()
            needed = board.table.fontMetrics().horizontalAdvance(row[4])
            assert board.table.columnWidth(4) >= needed + 8, "the mark is read whole, not cut to an ellipsis"
            clock.advance(60)
            board.poller.poll_now()
            qtbot.waitUntil(lambda: board.read_at == clock.wall(), timeout=10_000)
        board.close()
    finally:
        room1.close()
