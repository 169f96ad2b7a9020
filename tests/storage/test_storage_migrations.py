"""Migrations: a log from every earlier schema version (committed under data/) opens with today's code."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from neurotimer.cli import main as cli_main
from neurotimer.storage import migrations
from neurotimer.storage.db import CannotOpenError
from neurotimer.storage.recovery import recover_interrupted
from neurotimer.storage.store import open_store
from neurotimer.storage.verify import verify_store

DATA = Path(__file__).with_name("data")
OLD_LOGS = sorted(DATA.glob("log-v*.sqlite3"))


def test_there_is_a_committed_log_for_every_earlier_version() -> None:
    versions = {int(p.stem.split("-v")[1]) for p in OLD_LOGS}
    assert versions == set(range(1, migrations.LATEST_VERSION))


@pytest.mark.parametrize("old", OLD_LOGS, ids=lambda p: p.stem)
def test_an_old_log_opens_migrated_with_everything_kept(old: Path, tmp_path: Path, clock) -> None:
    path = tmp_path / "log.sqlite3"
    shutil.copyfile(old, path)
    store = open_store(path, clock=clock)
    try:
        assert store.schema_version == migrations.LATEST_VERSION
        assert [p.code for p in store.list_patients()] == ["P-0001", "P-0002"]
        first = store.get_session(1)
        assert first.summary.state == "completed" and first.summary.treatment_seconds == 1800.0
        assert first.points == [("ST36", "L"), ("ST36", "R")]
        assert first.effective("depth") == "15 mm" and first.details["depth"] == ""
        assert [s.value for s in first.scores] == [7, 5]
        found = recover_interrupted(store)
        assert [(r.patient_code, r.treatment_seconds) for r in found] == [("P-0001", 300.0)]
        report = verify_store(store)
        assert report.ok, report.lines()
        assert report.migrated_sessions == [1, 2]
        assert "2 session(s) written before the whole-log chain (sessions 1–2)" in "\n".join(report.lines())
        kinds = [e["kind"] for e in store.session_events(1)]
        assert kinds[-1] == "record.migrated" and kinds[0] == "session.started", "stored events kept, in order"
        indexes = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "sessions_by_start" in indexes
    finally:
        store.close()
    backups = list((tmp_path / "backups").glob("log-v*-before-v*.sqlite3"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    assert copy.execute("PRAGMA user_version").fetchone()[0] == int(old.stem.split("-v")[1])
    assert copy.execute("SELECT count(*) FROM events").fetchone()[0] == 11
    copy.close()


def test_a_failing_migration_changes_nothing(tmp_path: Path, clock, monkeypatch) -> None:
    path = tmp_path / "log.sqlite3"
    shutil.copyfile(DATA / "log-v1.sqlite3", path)
    monkeypatch.setitem(migrations.MIGRATIONS, 2, (migrations.V2[0], "CREATE TABLE broken ("))
    with pytest.raises(CannotOpenError, match="Cannot prepare"):
        open_store(path, clock=clock)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "sessions_by_start" not in names, "the half-done step was rolled back"
    conn.close()


def test_export_reads_an_old_log_without_migrating_it(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    shutil.copyfile(DATA / "log-v1.sqlite3", path)
    assert cli_main(["export", "--db", str(path), "--format", "json", "--out", str(tmp_path / "o.json")]) == 0
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()


def test_a_session_tampered_before_the_migration_is_named_not_healed(tmp_path: Path, clock) -> None:
    path = tmp_path / "log.sqlite3"
    shutil.copyfile(DATA / f"log-v{migrations.LATEST_VERSION - 1}.sqlite3", path)
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute("UPDATE events SET payload = replace(payload, '3.0', '9.0') WHERE kind = 'stim.intensity'")
    conn.commit()
    conn.close()
    store = open_store(path, clock=clock)
    try:
        lines = "\n".join(verify_store(store).lines())
    finally:
        store.close()
    assert "session 1 was already damaged before the migration" in lines


def test_verify_of_an_old_log_says_its_format(tmp_path: Path, capsys) -> None:
    path = tmp_path / "log.sqlite3"
    shutil.copyfile(DATA / "log-v1.sqlite3", path)
    assert cli_main(["verify", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 2 sessions") and "Log format 1" in out
