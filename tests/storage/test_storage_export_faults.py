"""Export faults that would lose or expose records: an output that is the log, a planted link, bad arguments,
a command that only reads creating the app folder, exit codes missing from --help."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from storage_helpers import run_session

from neurotimer.cli import main as cli_main
from neurotimer.storage.outfile import write_private
from neurotimer.storage.store import open_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def log(tmp_path: Path, clock) -> Path:
    path = tmp_path / "clinic" / "log.sqlite3"
    store = open_store(path, clock=clock)  # with its daily backup and anchor, as the app leaves it
    run_session(store, clock, patient_id=store.create_patient("P-0001", "Alma Brandt", 1950))
    store.close()
    return path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _beside(log: Path) -> list[Path]:
    backups = sorted((log.parent / "backups").glob("*"))
    assert any(p.suffix == ".anchors" for p in backups) and any(p.suffix == ".sqlite3" for p in backups)
    return [log, log.with_name(log.name + "-wal"), log.with_name(log.name + "-shm"), *backups]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_export_over_the_log_or_anything_beside_it_is_refused(log: Path, tmp_path: Path, capsys, fmt) -> None:
    before = _snapshot(log.parent)
    (tmp_path / "hard").mkdir()
    os.link(log, tmp_path / "hard" / "copy.json")
    (tmp_path / "via.json").symlink_to(log)
    targets = [*_beside(log), log.parent / "backups" / "new.json", tmp_path / "hard" / "copy.json",
               log.with_name(log.name + ".spool"), log.with_name(log.name + ".spool-20260105-101500-000001"),
               tmp_path / "via.json", log.parent / "." / ".." / log.parent.name / log.name]
    for target in targets:
        code = cli_main(["export", "--db", str(log), "--format", fmt, "--out", str(target)])
        err = capsys.readouterr().err
        assert code == 2, target
        assert err.startswith("neurotimer export: ") and err.count("\n") == 1 and "never" in err, err
    assert _snapshot(log.parent) == before
    assert cli_main(["verify", "--db", str(log)]) == 0


def test_the_events_file_of_a_csv_export_is_never_the_log(tmp_path: Path, clock, capsys) -> None:
    path = tmp_path / "x-events.csv"  # a log named so that `--out x.csv` would put its events over it
    store = open_store(path, clock=clock, daily_backup=False)
    run_session(store, clock)
    store.close()
    before = path.read_bytes()
    assert cli_main(["export", "--db", str(path), "--format", "csv", "--out", str(tmp_path / "x.csv")]) == 2
    assert "never" in capsys.readouterr().err and path.read_bytes() == before
    assert not (tmp_path / "x.csv").exists()


def test_another_database_is_never_overwritten(log: Path, tmp_path: Path, capsys) -> None:
    other = tmp_path / "other.db"
    other.write_bytes(log.read_bytes())
    assert cli_main(["export", "--db", str(log), "--format", "json", "--out", str(other)]) == 2
    assert "database" in capsys.readouterr().err and other.read_bytes() == log.read_bytes()


def test_a_link_planted_at_the_temporary_name_is_never_followed(log: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "export.json"
    (tmp_path / "export.json.partial").symlink_to(victim)
    assert cli_main(["export", "--db", str(log), "--format", "json", "--out", str(out)]) == 0
    assert victim.read_text() == "precious"
    assert (tmp_path / "export.json.partial").is_symlink(), "left as it was"
    assert json.loads(out.read_text())["sessions"][0]["patient"]["name"] == "Alma Brandt"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not list(tmp_path.glob("export.json.*.partial"))


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    out.write_text("the export of yesterday")

    def fail(handle) -> None:
        handle.write(b"half of it")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_private([(tmp_path / "first.csv", lambda h: h.write(b"ok")), (out, fail)])
    assert out.read_text() == "the export of yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.json"], "nothing half-written stays"


def _run(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
           "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "neurotimer", *args], capture_output=True, text=True, timeout=120,
                          env=env, cwd=home)


@pytest.mark.parametrize(("args", "words"), [
    (("export", "--format", "json", "--out", ""), "--out: needs a file name"),
    (("export", "--format", "json", "--out", "."), "is a folder"),
    (("export", "--format", "json", "--session", "99999999999999999999999", "--out", "x.json"),
     "not a record number"),
    (("export", "--format", "json", "--session", "-3", "--out", "x.json"), "not a record number"),
    (("report", "--session", "99999999999999999999999", "--out", "x.pdf"), "not a record number"),
    (("report", "--course", "1", "--out", ""), "needs a file name"),
    (("demo-data", "--db", "d.sqlite3", "--sessions", "99999999999999999999999"), "more than a million"),
])
def test_bad_arguments_get_one_line_and_status_2(tmp_path: Path, args, words) -> None:
    result = _run(*args, home=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and words in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "nothing written"


def test_a_session_that_does_not_exist_is_named(log: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "x.json"
    assert cli_main(["export", "--db", str(log), "--format", "json", "--session", "4242", "--out", str(out)]) == 1
    assert "no session 4242" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize("args", [
    ("verify",),
    ("export", "--format", "json", "--out", "x.json"),
    ("report", "--session", "1", "--out", "x.pdf"),
])
def test_a_command_that_only_reads_creates_no_app_folder(tmp_path: Path, args) -> None:
    result = _run(*args, home=tmp_path)
    assert result.returncode == 2 and "no session log" in result.stderr, result.stderr
    assert not (tmp_path / "data").exists(), "the app data folder was created"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["export", "verify", "demo-data", "migrate", "report", "sim"])
def test_each_command_lists_its_exit_codes(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        cli_main([command, "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert "exit codes:" in text
    for code in ("0", "1", "2"):
        assert f"\n  {code}  " in text, (command, code)


def test_a_copy_or_a_report_is_never_written_beside_the_log_either(log: Path, capsys) -> None:
    before = _snapshot(log.parent)
    wal = log.with_name(log.name + "-wal")
    wal.unlink(missing_ok=True)  # a closed log may have none: its name is still the log's
    before.pop(wal.name, None)
    assert cli_main(["migrate", "--from", str(log), "--to", str(wal)]) == 2
    err = capsys.readouterr().err
    assert "write-ahead log; a copy is never written over it" in err and not wal.exists()
    anchors = next((log.parent / "backups").glob("*.anchors"))
    assert cli_main(["report", "--db", str(log), "--session", "1", "--out", str(anchors)]) == 2
    assert "anchor file; a report is never written over it" in capsys.readouterr().err
    assert _snapshot(log.parent) == before
