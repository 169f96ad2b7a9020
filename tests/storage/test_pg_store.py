"""The log on PostgreSQL keeps the SQLite log's guarantees: same export and verify, append-only rules as
triggers and as privileges, one-transaction migrations, and a one-line refusal of anything else."""

from __future__ import annotations

import random
import sys
import types
from pathlib import Path

import psycopg
import pytest
from storage_helpers import run_session, wait

from neurotimer.cli import main as cli_main
from neurotimer.session.clock import ManualClock
from neurotimer.storage import migrations
from neurotimer.storage.db import CannotOpenError, ForeignDatabaseError, NewerVersionError
from neurotimer.storage.deidentify import Pseudonyms
from neurotimer.storage.export import build_export, write_export
from neurotimer.storage.pg import schema
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import open_readonly, open_store
from neurotimer.storage.verify import verify_store

APP_LOGIN = "nt_test_workstation"
APP_PASSWORD = "correct horse battery"


def _fill(store, clock: ManualClock) -> None:
    """The same clinic morning on any engine: patients, a course, plans, scores, an amendment."""
    alma = store.create_patient("P-0001", "Alma Brandt", 1950, {"implanted_device": True})
    store.create_patient("p-0002", "bernard Okafor", 1961)
    store.create_practitioner("Dr Example", "Medical acupuncture")
    store.create_course(alma, "Diabetic neuropathy", 8, 2.5, reasoning="Trials 2013;14:225")
    sid, session, recorder = run_session(store, clock, patient_id=alma, end=False)
    store.save_plan(sid, [("ST36", "L"), ("ST36", "R")],
                    [{"channel": 1, "a": ("ST36", "L"), "b": ("GB39", "L"), "mode": "2/120", "pulse_us": 400}])
    store.add_score(sid, "pain", 7, "before")
    recorder.record("practitioner.note", {"note": "Ünïcode – and 'quotes' %s ?", "mA": 3.25, "nan": float("nan")})
    wait(clock, session, 61, recorder)
    session.end()
    store.add_adverse_event(sid, "bruising", "mild", "left shin")
    store.amend_session(sid, "notes", "Alma slept", "Dr Example", "forgot to note")
    clock.advance(86400)
    run_session(store, clock, patient_id=alma)
    run_session(store, clock, end=False)


def test_the_same_sessions_export_and_verify_byte_for_byte_alike(pg_url: str, tmp_path: Path) -> None:
    outputs = {}
    for name, location in (("sqlite", tmp_path / "log.sqlite3"), ("postgresql", pg_url)):
        clock = ManualClock()
        store = open_store(location, clock=clock, daily_backup=False)
        _fill(store, clock)
        write_export(build_export(store), tmp_path / f"{name}.json", "json")
        # Pseudonyms are drawn at random for each export: the same draws here, so that only the engine differs.
        same_draws = Pseudonyms(random.Random(7))
        write_export(build_export(store, deidentify=True, pseudonyms=same_draws), tmp_path / f"{name}-d.csv", "csv")
        outputs[name] = verify_store(store).lines()
        store.close()
    assert (tmp_path / "sqlite.json").read_bytes() == (tmp_path / "postgresql.json").read_bytes()
    assert (tmp_path / "sqlite-d.csv").read_bytes() == (tmp_path / "postgresql-d.csv").read_bytes()
    assert outputs["sqlite"] == outputs["postgresql"]
    assert outputs["sqlite"][0] == (
        "OK: 3 sessions and 30 events checked; the chain is intact and every row matches the chained events."
    )


def test_patients_sort_and_search_as_on_sqlite(pg_url: str, clock) -> None:
    store = open_store(pg_url, clock=clock)
    for code in ("b-2", "B-1", "a-9", "Ä-1"):
        store.create_patient(code, code.lower())
    assert [p.code for p in store.list_patients()] == ["B-1", "a-9", "b-2", "Ä-1"], "byte order, like SQLite"
    assert [p.code for p in store.list_patients("B-")] == ["B-1", "b-2"], "search ignores case"
    store.close()


def test_schema_has_the_same_versions_and_tables_as_sqlite(pg_url: str, clock) -> None:
    assert sorted(schema.MIGRATIONS) == sorted(migrations.MIGRATIONS)
    store = open_store(pg_url, clock=clock)
    assert store.schema_version == migrations.LATEST_VERSION
    memory = sqlite3_tables()
    pg_tables = {
        table: [r[1] for r in store.conn.execute(f"PRAGMA table_info({table})")] for table in memory
    }
    assert pg_tables == memory
    store.close()


def sqlite3_tables() -> dict[str, list[str]]:
    from neurotimer.storage.store import open_memory

    store = open_memory()
    names = [r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    tables = {n: [r[1] for r in store.conn.execute(f"PRAGMA table_info({n})")] for n in names}
    store.close()
    return tables


def test_a_failing_migration_changes_nothing(pg_url: str, clock, monkeypatch) -> None:
    monkeypatch.setitem(schema.MIGRATIONS, 2, (schema.V2[0], "CREATE TABLE broken ("))
    with pytest.raises(CannotOpenError, match="Cannot prepare"):
        open_store(pg_url, clock=clock)
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT schema_version FROM neurotimer_meta").fetchone()[0] == 1
        assert conn.execute("SELECT to_regclass('sessions_by_start')").fetchone()[0] is None
    monkeypatch.undo()
    store = open_store(pg_url, clock=clock)
    assert store.schema_version == schema.LATEST_VERSION and store.list_patients() == []
    store.close()


def test_append_only_on_the_server_even_for_its_owner(pg_url: str, clock) -> None:
    store = open_store(pg_url, clock=clock)
    sid, _, _ = run_session(store, clock)
    store.close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for sql in ("UPDATE events SET payload = '{}'", "DELETE FROM events", "TRUNCATE events CASCADE",
                    "DELETE FROM sessions", "UPDATE sessions SET notes = 'x'"):
            with pytest.raises(psycopg.errors.RaiseException):
                conn.execute(sql)
        assert conn.execute("SELECT count(*) FROM events WHERE session_id = %s", (sid,)).fetchone()[0] == 8


@pytest.fixture
def app_role(pg_server, pg_url, tmp_path, monkeypatch):
    """The clinic's set-up (README): a group role `neurotimer_app`, a workstation login in it, a password
    in a libpq password file; the log created by the database owner."""
    with pg_server.admin() as admin:
        if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (schema.APP_ROLE,)).fetchone():
            admin.execute(f"CREATE ROLE {schema.APP_ROLE} NOLOGIN")
        admin.execute(f"DROP ROLE IF EXISTS {APP_LOGIN}")
        admin.execute(f"CREATE ROLE {APP_LOGIN} LOGIN PASSWORD '{APP_PASSWORD}' IN ROLE {schema.APP_ROLE}")
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"*:*:*:{APP_LOGIN}:{APP_PASSWORD}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    open_store(pg_url).close()  # the owner sets the schema up and grants the app role its rights
    yield pg_server.url(pg_url.rpartition("/")[2], user=APP_LOGIN)
    with pg_server.admin() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS \"{pg_url.rpartition('/')[2]}\" WITH (FORCE)")
        admin.execute(f"DROP ROLE IF EXISTS {APP_LOGIN}")


def test_the_app_role_records_sessions_but_cannot_change_or_delete_events(app_role: str, clock) -> None:
    store = open_store(app_role, clock=clock)
    patient = store.create_patient("P-0001")
    store.create_course(patient, "Neuropathy", 6, 1)
    sid, _, _ = run_session(store, clock, patient_id=patient)
    store.amend_session(sid, "depth", "10 mm", "Dr Example", "was missing")
    assert verify_store(store).ok
    store.close()
    with psycopg.connect(app_role, autocommit=True) as conn:
        for sql in ("UPDATE events SET payload = '{}'", "DELETE FROM events", "TRUNCATE events",
                    "UPDATE amendments SET why = 'x'", "DELETE FROM amendments",
                    "ALTER TABLE events DISABLE TRIGGER USER", "UPDATE neurotimer_meta SET schema_version = 1"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)


def test_tampering_by_a_superuser_is_found_by_verify(pg_url: str, clock, capsys) -> None:
    store = open_store(pg_url, clock=clock)
    for _ in range(3):
        run_session(store, clock)
    store.close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE events DISABLE TRIGGER USER")
        conn.execute("UPDATE events SET payload = replace(payload, '1.5', '9.5') WHERE session_id = 2")
    assert cli_main(["verify", "--db", pg_url]) == 1
    out = capsys.readouterr().out
    assert "first bad record is session 2, event 4" in out and "content was changed" in out


def test_verify_export_and_demo_data_take_a_server_address(pg_url: str, tmp_path: Path, capsys) -> None:
    assert cli_main(["demo-data", "--db", pg_url, "--patients", "3", "--sessions", "5"]) == 0
    assert "3 patients, 5 sessions" in capsys.readouterr().out
    assert cli_main(["--db", pg_url, "verify"]) == 0
    assert capsys.readouterr().out.startswith("OK: 5 sessions")
    out = tmp_path / "all.csv"
    assert cli_main(["export", "--db", pg_url, "--format", "csv", "--out", str(out)]) == 0
    assert out.read_text().count("\n") >= 6
    assert cli_main(["demo-data", "--db", pg_url]) == 1
    assert "already holds patients" in capsys.readouterr().err


def test_another_workstation_holding_the_write_lock_is_waited_out(pg_url: str, clock) -> None:
    store = open_store(pg_url, clock=clock, busy_timeout_ms=50)
    alarms: list[str] = []
    recorder = Recorder(store, clock, on_alarm=alarms.append)
    sid, session, _ = run_session(store, clock, end=False, recorder=recorder)
    with psycopg.connect(pg_url, autocommit=True) as other:
        other.execute("BEGIN")
        other.execute("SELECT pg_advisory_xact_lock(%s)", (migrations.APPLICATION_ID,))
        clock.advance(0.5)
        assert recorder.record("alarm.acknowledged", {"alarm": "intensity"}) is None
        assert alarms and "locked" in alarms[0] and "timer goes on" in alarms[0]
        other.execute("ROLLBACK")
    clock.advance(1.0)
    session.tick()
    assert recorder.progress() and recorder.pending == 0
    assert store.session_events(sid)[-1]["kind"] == "alarm.acknowledged"
    store.close()


# -- refusals: one line that says which, nothing written ---------------------------------------------


def _foreign(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id int PRIMARY KEY, amount numeric)")
        conn.execute("INSERT INTO invoices VALUES (1, 12.5)")


def _newer(url: str) -> None:
    open_store(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE neurotimer_meta SET schema_version = 99")


def _dump(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT c.relname, c.relkind, coalesce(s.n_tup_ins, 0), coalesce(s.n_tup_upd, 0)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE n.nspname = 'public' ORDER BY 1"
        ).fetchall()


@pytest.mark.parametrize(("spoil", "error", "words"), [
    (_foreign, ForeignDatabaseError, "belongs to another program"),
    (_newer, NewerVersionError, "newer version of neurotimer"),
])
def test_a_foreign_or_newer_database_is_never_written(pg_url: str, clock, capsys, spoil, error, words) -> None:
    spoil(pg_url)
    before = _dump(pg_url)
    with pytest.raises(error, match=words):
        open_store(pg_url, clock=clock)
    assert cli_main(["verify", "--db", pg_url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("neurotimer verify: ") and err.count("\n") == 1 and words in err
    assert _dump(pg_url) == before
    if error is NewerVersionError:
        store = open_readonly(pg_url, clock=clock)
        assert store.read_only and store.schema_version == 99
        store.close()


def test_bad_addresses_each_get_their_own_one_line_reason(pg_server, pg_url, capsys, tmp_path, monkeypatch) -> None:
    with pg_server.admin() as admin:
        admin.execute(f"DROP ROLE IF EXISTS {APP_LOGIN}")
        admin.execute(f"CREATE ROLE {APP_LOGIN} LOGIN PASSWORD '{APP_PASSWORD}'")
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"*:*:*:{APP_LOGIN}:not the password\n")
    passfile.chmod(0o600)
    host = pg_url.split("@")[1].split("/")[0]
    closed_port = pg_server.url("x").replace(f":{host.rpartition(':')[2]}/", ":1/")
    cases = [
        ("postgresql://", "names no database"),
        ("postgresql://user@host:notaport/db", "not a valid PostgreSQL address"),
        (closed_port, "refused the connection"),
        (pg_server.url("nt_no_such_db"), "no such database"),
        (pg_server.url(pg_url.rpartition("/")[2], user=APP_LOGIN), "refused the password"),
        (f"postgresql://{APP_LOGIN}:secret@{host}/db", "keep it in the PostgreSQL password file"),
        ("postgresql://nurse@clinic-server.example/neurotimer?sslmode=disable", "unencrypted"),
    ]
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    try:
        for url, words in cases:
            assert cli_main(["verify", "--db", url]) == 2, url
            err = capsys.readouterr().err
            assert err.count("\n") == 1 and words in err, (url, err)
            assert "secret" not in err
    finally:
        with pg_server.admin() as admin:
            admin.execute(f"DROP ROLE IF EXISTS {APP_LOGIN}")


def test_the_password_can_come_from_the_os_keyring(app_role: str, tmp_path: Path, monkeypatch, clock) -> None:
    empty = tmp_path / "empty-pgpass"
    empty.write_text("")
    empty.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(empty))
    dbname = app_role.rpartition("/")[2]
    wanted = ("neurotimer", f"{APP_LOGIN}@127.0.0.1/{dbname}")
    keyring = types.SimpleNamespace(get_password=lambda *key: APP_PASSWORD if key == wanted else None)
    monkeypatch.setitem(sys.modules, "keyring", keyring)
    store = open_store(app_role, clock=clock)
    assert store.list_patients() == []
    store.close()
    monkeypatch.setitem(sys.modules, "keyring", None)  # no keyring package, no password file entry
    with pytest.raises(CannotOpenError, match="asks for a password and there is none") as refused:
        open_store(app_role, clock=clock)
    assert APP_PASSWORD not in str(refused.value)
