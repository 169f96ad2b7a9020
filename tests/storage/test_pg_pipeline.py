"""A write transaction on a server in two round trips: the writes nobody reads back wait for the next read
or the commit. A refusal is still raised, the transaction rolled back, and nothing of it is kept."""

from __future__ import annotations

import pytest
from storage_helpers import run_session

from neurotimer.storage.chain import head
from neurotimer.storage.pg.connection import PgConnection
from neurotimer.storage.pg.open import open_pg_store
from neurotimer.storage.store import WriteFailed


def test_an_event_takes_two_round_trips(pg_url, clock, monkeypatch) -> None:
    store = open_pg_store(pg_url, clock=clock)
    try:
        sid, _, recorder = run_session(store, clock, end=False)
        trips = []
        real = PgConnection._send
        monkeypatch.setattr(PgConnection, "_send", lambda self, *a: trips.append(a[0]) or real(self, *a))
        for step in range(10):
            assert recorder.record("stim.intensity", {"channel": 1, "mA": 1.0 + step / 10}) is not None
        assert len(trips) == 20, trips[:6]
        assert [e["seq"] for e in store.session_events(sid)][-10:] == list(range(len(store.session_events(sid)) - 9,
                                                                              len(store.session_events(sid)) + 1))
    finally:
        store.close()


def test_a_refused_write_that_waited_for_the_commit_is_raised_and_nothing_is_kept(pg_url, clock) -> None:
    store = open_pg_store(pg_url, clock=clock)
    try:
        sid, _, recorder = run_session(store, clock, end=False)
        before = head(store.conn)
        with pytest.raises(WriteFailed, match="must follow the last one"), store.transaction() as conn:
            conn.execute("UPDATE sessions SET notes = ? WHERE id = ?", ("kept", sid))
            conn.execute(  # out of place in the chain: the trigger refuses it, at the commit
                "INSERT INTO events (n, session_id, seq, at, offset_s, kind, payload, prev_hash, hash)"
                " VALUES (?, NULL, NULL, 'x', 0, 'log.note', '{}', ?, ?)", (before[0] + 5, before[1], before[1]))
        assert head(store.conn) == before
        assert store.conn.execute("SELECT notes FROM sessions WHERE id = ?", (sid,)).fetchone()[0] == "", \
            "the write before it in the same transaction is gone too"
        assert recorder.record("stim.intensity", {"channel": 2, "mA": 2.0}) is not None, "the next write goes in"
    finally:
        store.close()
