"""Privacy at rest: the log, its -wal and -shm, backups, anchors, exports and the app's own log files are
readable by their owner only, in folders only the owner can enter; files left open by earlier versions
are closed on the next start."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from storage_helpers import run_session

from neurotimer import logsetup, paths
from neurotimer.cli import main as cli_main
from neurotimer.storage.store import open_store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _everything(folder: Path) -> list[Path]:
    return list(folder.rglob("*"))


def test_a_new_log_and_everything_beside_it_is_the_owners_only(tmp_path: Path, clock) -> None:
    old = os.umask(0o022)  # a usual umask: what is not created private would be readable by everyone
    try:
        path = tmp_path / "clinic" / "records" / "log.sqlite3"
        store = open_store(path, clock=clock)
        run_session(store, clock)
        store.write_anchor("session end")
        files = _everything(tmp_path / "clinic")
        assert {p.name for p in files} >= {"log.sqlite3", "log.sqlite3-wal", "log.sqlite3-shm", "backups",
                                           "log.anchors"}
        assert any(p.name.startswith("log-daily-") for p in files)
        for p in files:
            assert _mode(p) == (0o700 if p.is_dir() else 0o600), p
        assert _mode(tmp_path / "clinic") == 0o700
        store.close()
    finally:
        os.umask(old)


def test_files_an_earlier_version_left_readable_are_made_private_on_open(tmp_path: Path, clock) -> None:
    path = tmp_path / "log.sqlite3"
    store = open_store(path, clock=clock)
    run_session(store, clock)
    store.close()
    (tmp_path / "log.sqlite3.spool-20260105-101500-000001").write_bytes(b"events set aside\n")
    for p in _everything(tmp_path):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    store = open_store(path, clock=clock)
    try:
        for p in _everything(tmp_path):
            if p.is_file():
                assert _mode(p) == 0o600, p
    finally:
        store.close()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_exports_are_the_owners_only(tmp_path: Path, clock, fmt: str) -> None:
    path = tmp_path / "log.sqlite3"
    store = open_store(path, clock=clock, daily_backup=False)
    run_session(store, clock)
    store.close()
    old = os.umask(0o022)
    try:
        out = tmp_path / f"out.{fmt}"
        assert cli_main(["export", "--db", str(path), "--format", fmt, "--out", str(out)]) == 0
    finally:
        os.umask(old)
    written = [out] + ([out.with_name("out-events.csv")] if fmt == "csv" else [])
    for p in written:
        assert _mode(p) == 0o600, p


def test_the_app_data_folder_and_its_log_files_are_the_owners_only(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    folder = paths.app_data_dir(create=False)
    assert not folder.exists()
    (folder / "logs").mkdir(parents=True)
    os.chmod(folder, 0o755)
    old_file = folder / "logs" / "neurotimer.log.1"
    old_file.write_text("from an earlier version\n")
    os.chmod(old_file, 0o644)
    logs = paths.log_dir()
    assert _mode(folder) == 0o700 and _mode(logs) == 0o700 and _mode(old_file) == 0o600
    root = logging.getLogger()
    wire = logging.getLogger("neurotimer.stimulator.wire")
    before, levels = list(root.handlers), (root.level, wire.level)
    old = os.umask(0o022)
    try:
        logsetup.configure(logs)
        logging.getLogger("neurotimer.test").warning("a line")
        logging.getLogger("neurotimer.stimulator.wire").debug("> *IDN?")
    finally:
        os.umask(old)
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()
        for handler in list(wire.handlers):
            wire.removeHandler(handler)
            handler.close()
        wire.propagate = True
        root.setLevel(levels[0])
        wire.setLevel(levels[1])
    for name in ("neurotimer.log", "stimulator-wire.log"):
        assert _mode(logs / name) == 0o600, name
