"""Newest first on a server comes straight off an index, as on SQLite: the store sorts NULL lowest (DESC is
sent as DESC NULLS LAST), which an index in PostgreSQL's default order can give only with a sort."""

from __future__ import annotations

import psycopg
from storage_helpers import run_session

from neurotimer.storage.pg.connection import translate
from neurotimer.storage.pg.open import open_pg_store
from neurotimer.storage.review_queries import ReviewFilter, fetch_rows


def test_the_newest_sessions_come_off_an_index_without_a_sort(pg_url, clock) -> None:
    store = open_pg_store(pg_url, clock=clock)
    try:
        ids = [run_session(store, clock)[0] for _ in range(3)]
        rows = fetch_rows(store.conn, ReviewFilter(), "date", True, 0, 60, check_chains=False)
        assert [r.id for r in rows] == ids[::-1]
    finally:
        store.close()
    text, _ = translate("SELECT s.id FROM sessions s ORDER BY s.started_at DESC, s.id DESC LIMIT 60")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("SET enable_seqscan = off")  # three rows would be read whole: ask what the indexes allow
        plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + text).fetchall())
    assert "Backward using sessions_newest_first" in plan and "Sort" not in plan, plan


def test_a_log_moved_to_a_server_is_analysed_so_its_first_list_is_planned_for_its_size(tmp_path, pg_url,
                                                                                       clock) -> None:
    from neurotimer.storage.store import open_readonly, open_store
    from neurotimer.storage.transfer import copy_log

    lite = open_store(tmp_path / "log.sqlite3", clock=clock, daily_backup=False)
    run_session(lite, clock)
    lite.close()
    source = open_readonly(tmp_path / "log.sqlite3")
    try:
        assert copy_log(source, pg_url).ok
    finally:
        source.close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        analysed = conn.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL ORDER BY relname").fetchall()
    assert {"events", "sessions", "session_points"} <= {r[0] for r in analysed}
