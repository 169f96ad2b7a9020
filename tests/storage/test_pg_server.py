"""The test server itself: a throwaway cluster (or NEUROTIMER_TEST_PG) that logs in the way a clinic's does."""

from __future__ import annotations

import psycopg
import pytest


def test_each_test_gets_its_own_empty_database(pg_url: str, pg_server) -> None:
    with psycopg.connect(pg_url, connect_timeout=10) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        conn.execute("CREATE TABLE scratch (x int)")
    assert tables == 0
    with pg_server.admin() as admin:
        names = [r[0] for r in admin.execute("SELECT datname FROM pg_database")]
    assert pg_url.rpartition("/")[2] in names


def test_an_app_role_needs_its_password(pg_url: str, pg_server, tmp_path) -> None:
    with pg_server.admin() as admin:
        admin.execute("DROP ROLE IF EXISTS nt_test_nurse")
        admin.execute("CREATE ROLE nt_test_nurse LOGIN PASSWORD 'right horse'")
    try:
        url = pg_server.url(pg_url.rpartition("/")[2], user="nt_test_nurse")
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(url, password="wrong", connect_timeout=10).close()
        with psycopg.connect(url, password="right horse", connect_timeout=10) as conn:
            assert conn.execute("SELECT current_user").fetchone()[0] == "nt_test_nurse"
    finally:
        with pg_server.admin() as admin:
            admin.execute("DROP ROLE nt_test_nurse")


def test_the_throwaway_server_survives_an_immediate_stop(pg_url: str, pg_server) -> None:
    if pg_server.cluster is None:
        pytest.skip("NEUROTIMER_TEST_PG names a server these tests do not control")
    with psycopg.connect(pg_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute("CREATE TABLE kept (x int)")
        conn.execute("INSERT INTO kept VALUES (1), (2)")
    pg_server.cluster.stop("immediate")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(pg_url, connect_timeout=3).close()
    pg_server.cluster.start()
    with psycopg.connect(pg_url, connect_timeout=10) as conn:
        assert conn.execute("SELECT sum(x) FROM kept").fetchone()[0] == 3
