"""The review list says where each session was recorded: on a server log the workstation and chair its lease
kept (two unassigned sessions started in the same minute told apart); a file log keeps neither."""

from __future__ import annotations

from storage_helpers import wait

from neurotimer.session.session import Session
from neurotimer.storage.pg.open import open_pg_store
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.review_queries import ReviewFilter, fetch_rows, session_ids
from neurotimer.storage.store import open_readonly


def _start(store, clock, chair: str) -> int:
    lane = Recorder(store, clock).lane(chair)
    session = Session(clock, 20)
    lane.attach(session)
    session.start()
    wait(clock, session, 1, lane)
    return lane.session_id


def test_each_row_names_the_workstation_and_chair_it_was_recorded_at(any_store, clock, engine) -> None:
    first, second = _start(any_store, clock, "Chair 1"), _start(any_store, clock, "Chair 2")
    rows = {r.id: r for r in fetch_rows(any_store.conn, ReviewFilter(), check_chains=False)}
    if engine == "sqlite":  # one workstation's file, and the record keeps no chair
        assert {(rows[i].workstation, rows[i].chair) for i in (first, second)} == {("", "")}
        return
    assert (rows[first].chair, rows[second].chair) == ("Chair 1", "Chair 2")
    assert rows[first].workstation == rows[second].workstation == any_store.leases.workstation


def test_two_workstations_sessions_read_and_sort_by_where_they_ran(pg_url, clock) -> None:
    room1 = open_pg_store(pg_url, clock=clock, lease_options={"workstation": "room1"})
    room3 = open_pg_store(pg_url, clock=clock, lease_options={"workstation": "room3"})
    reader = open_readonly(pg_url)  # the review list's own read-only connection, bounded as the window's is
    reader.bound_gui_calls(10.0, every_thread=True)
    try:
        in3, in1 = _start(room3, clock, "Chair 2"), _start(room1, clock, "Chair 2")
        rows = fetch_rows(reader.conn, ReviewFilter(), "where", False, check_chains=False)
        assert [(r.id, r.workstation, r.chair) for r in rows] == [(in1, "room1", "Chair 2"), (in3, "room3", "Chair 2")]
        assert session_ids(reader.conn, ReviewFilter(), "where", True) == [in3, in1]
        room1.close()  # its session stays open, its lease lapses: the row still says where it was recorded
        assert {r.workstation for r in fetch_rows(reader.conn, ReviewFilter(), check_chains=False)} == {"room1",
                                                                                                    "room3"}
    finally:
        reader.close()
        room3.close()
