"""Numbers a practitioner sees on a PostgreSQL log run on without gaps, as on SQLite: a rolled-back write, a
server crash and two workstations at once leave no "#23 … #54" for an auditor to read as deleted sessions."""

from __future__ import annotations

import pytest
from storage_helpers import run_session
from test_pg_workstations import _process

from neurotimer.storage.store import open_store
from neurotimer.storage.verify import verify_store


def _write_one_of_each(store, clock, n: int) -> dict[str, int]:
    """A practitioner, patient, course, session and amendment; the id each got."""
    practitioner = store.create_practitioner(f"Dr {n}")
    patient = store.create_patient(f"P-{n}")
    course = store.create_course(patient, "low back pain", 6, 2, practitioner_id=practitioner)
    session, _, _ = run_session(store, clock, patient_id=patient)
    amendment = store.amend_session(session, "planned_minutes", 2, "Dr", "typed 1 for 2")
    return {"practitioner": practitioner, "patient": patient, "course": course, "session": session,
            "amendment": amendment}


def test_a_rolled_back_write_leaves_no_gap(pg_url: str, clock) -> None:
    store = open_store(pg_url, clock=clock)
    first = _write_one_of_each(store, clock, 1)
    with pytest.raises(RuntimeError), store.transaction() as conn:
        store.create_practitioner("Dr never")
        store.create_patient("P-never")
        store.create_course(first["patient"], "neck pain", 6, 2)
        store.insert_session(conn, started_at=store.now_text(), planned_minutes=5)
        raise RuntimeError("the practitioner cancelled")
    second = _write_one_of_each(store, clock, 2)
    assert second == {kind: number + 1 for kind, number in first.items()}
    assert verify_store(store).ok
    store.close()


def test_a_server_crash_leaves_no_gap(pg_server, pg_url: str, clock) -> None:
    if pg_server.cluster is None:
        pytest.skip("NEUROTIMER_TEST_PG names a server these tests cannot stop")
    store = open_store(pg_url, clock=clock)
    first = _write_one_of_each(store, clock, 1)
    store.close()
    pg_server.cluster.stop("immediate")  # a sequence would skip the 32 values it had logged ahead
    pg_server.cluster.start()
    store = open_store(pg_url, clock=clock)
    second = _write_one_of_each(store, clock, 2)
    assert second == {kind: number + 1 for kind, number in first.items()}
    assert verify_store(store).ok
    store.close()


def test_two_workstations_at_once_get_consecutive_numbers_after_a_crash(pg_server, pg_url: str, clock) -> None:
    if pg_server.cluster is None:
        pytest.skip("NEUROTIMER_TEST_PG names a server these tests cannot stop")
    store = open_store(pg_url, clock=clock)
    run_session(store, clock)
    store.close()
    pg_server.cluster.stop("immediate")
    pg_server.cluster.start()
    procs = [_process("write", pg_url, "4", "5", name=name) for name in ("room1", "room2")]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outputs]
    ids = sorted(int(line.split()[1]) for out, _ in outputs for line in out.splitlines())
    assert ids == list(range(2, 10))
