"""The clinic board on a server that stops answering: its thread gives the silent server up (instead of waiting
as long as TCP does), the board says so, closes at once, and reads again by itself when the server answers."""

from __future__ import annotations

import neurotimer.storage.bounded as bounded
from neurotimer.gui.board.clinic_board import ClinicBoard
from neurotimer.gui.board.clinic_poller import ClinicPoller
from neurotimer.session.session import Session
from neurotimer.storage.recorder import Recorder
from tests.gui.silent_log import BACK_MS, relayed, through, timed


def test_the_board_says_a_silent_server_cannot_be_reached_and_comes_back(qtbot, monkeypatch, pg_url, clock) -> None:
    monkeypatch.setattr(bounded, "WORKER_CALL_BOUND_S", 2.0)  # 10 s in the app
    with relayed(pg_url, clock) as (store, relay):
        recorder = Recorder(store, clock)
        session = Session(clock, 20)
        recorder.attach(session, patient_id=store.create_patient("BRD-007"))
        session.start()
        recorder.progress()
        board = ClinicBoard(ClinicPoller(through(pg_url, relay.port), clock, interval_s=0.3), clock)
        qtbot.addWidget(board)
        board.show()
        qtbot.waitUntil(lambda: bool(board.rows), timeout=10_000)

        relay.silence()
        qtbot.waitUntil(lambda: board.stale and bool(board.problem), timeout=15_000)
        assert board.status.text().startswith("STALE: the log server cannot be reached. Last refreshed")
        assert board.row_texts()[0][2] == "BRD-007", "what was last read stays on screen, marked"

        relay.speak()
        qtbot.waitUntil(lambda: not board.stale and not board.problem, timeout=BACK_MS)
        relay.silence()
        board.poller.poll_now()  # a read now waits on the silent server
        assert timed(board.close) < 2.5, "closing never waits for the server"
        relay.speak()
        session.end()
        recorder.progress()
