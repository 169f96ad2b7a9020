"""Hypothesis: after any sequence of writes through the app's API, any single change behind its back
(a field of any row of any table the record shows, or of any event; a row deleted) is found by verify."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storage_helpers import drop_triggers, run_session, wait
from test_storage_tamper import _changed

from neurotimer.session.clock import ManualClock
from neurotimer.storage.derived import TABLES
from neurotimer.storage.store import open_memory
from neurotimer.storage.verify import verify_store

WRITES = ("patient", "course", "session", "score", "adverse", "plan", "amend", "screening", "archive", "practitioner")


def _apply(store, clock: ManualClock, op: str, n: int) -> None:
    patients = [p.id for p in store.list_patients(include_archived=True)]
    sessions = [r[0] for r in store.conn.execute("SELECT id FROM sessions")]
    if op == "practitioner":
        store.create_practitioner(f"Practitioner {n}", profession="doctor", registration=f"R{n}")
    elif op == "patient" or not patients:
        store.create_patient(f"P-{n:04d}-{len(patients)}", f"Name {n}", 1950 + n % 50, {"epilepsy": n % 2 == 0})
    elif op == "course":
        store.create_course(patients[n % len(patients)], f"condition {n}", 1 + n % 10, 2)
    elif op == "session" or not sessions:
        sid, session, recorder = run_session(store, clock, patient_id=patients[n % len(patients)], settings=1 + n % 3,
                                             end=False)
        if n % 3:
            wait(clock, session, 2, recorder)
            session.end()
    elif op == "score":
        store.add_score(sessions[n % len(sessions)], "pain", n % 11, ("before", "after")[n % 2])
    elif op == "adverse":
        store.add_adverse_event(sessions[n % len(sessions)], "soreness", "mild", f"note {n}")
    elif op == "plan":
        sid = sessions[n % len(sessions)]
        if store.get_session(sid).summary.state in ("running", "paused"):
            store.save_plan(sid, [("LI4", "L"), ("ST36", "R")][: 1 + n % 2])
    elif op == "amend":
        store.amend_session(sessions[n % len(sessions)], "setting", f"room {n}", "Dr X", "typo")
    elif op == "screening":
        store.update_screening(patients[n % len(patients)], {"pregnancy": True})
    else:
        store.set_archived(patients[n % len(patients)], bool(n % 2))
    clock.advance(1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    writes=st.lists(st.tuples(st.sampled_from(WRITES), st.integers(0, 99)), min_size=1, max_size=12),
    data=st.data(),
)
def test_any_writes_then_any_single_corruption_is_found(writes, data) -> None:
    clock = ManualClock()
    store = open_memory(clock=clock)
    try:
        for op, n in writes:
            _apply(store, clock, op, n)
        assert verify_store(store).ok, verify_store(store).lines()
        conn = store.conn
        drop_triggers(conn)
        conn.execute("PRAGMA foreign_keys = OFF")
        targets = [(name, spec.key, spec.columns) for name, spec in TABLES.items()]
        targets.append(("events", ("n",), ("at", "offset_s", "kind", "payload", "prev_hash", "hash")))
        filled = [t for t in targets if conn.execute(f"SELECT count(*) FROM {t[0]}").fetchone()[0]]
        table, key, columns = data.draw(st.sampled_from(filled), label="table")
        rows = conn.execute(f"SELECT {', '.join(key)} FROM {table}").fetchall()
        row = data.draw(st.sampled_from(rows), label="row")
        where = " AND ".join(f"{k} = ?" for k in key)
        column = data.draw(st.sampled_from([c for c in columns if c not in key] + ["<delete>"]), label="change")
        if column == "<delete>":
            conn.execute(f"DELETE FROM {table} WHERE {where}", row)
        else:
            (value,) = conn.execute(f"SELECT {column} FROM {table} WHERE {where}", row).fetchone()
            new = _changed(value, data.draw(st.integers(0, 200)), column)
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (new, *row))
        assert not verify_store(store).ok
    finally:
        store.close()
