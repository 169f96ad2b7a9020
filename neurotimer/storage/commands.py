"""What `neurotimer demo-data`, `export`, `verify` and `migrate` do, with their exit codes and one-line messages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from neurotimer.storage.db import CannotOpenError, NewerVersionError, NotSQLiteError, StoreError, check_existing
from neurotimer.storage.location import LogLocation, describe, is_server_url
from neurotimer.storage.store import Store, open_readonly

EXIT_OK, EXIT_PROBLEM, EXIT_REFUSED = 0, 1, 2


def _say(command: str, message: str) -> None:
    sys.stderr.write(f"neurotimer {command}: {message}\n")


def _db_path(args: argparse.Namespace) -> LogLocation:
    path = getattr(args, "db", None)
    if path is not None:
        return path if is_server_url(path) else Path(path)
    from neurotimer.paths import default_db_path

    return default_db_path(create=False)  # a command that only reads creates no app data folder


def _open_for_reading(path: LogLocation) -> Store:
    """Refuses exactly what the app refuses, then opens read-only: verify and export never write."""
    try:
        return _open_either(path)
    except NewerVersionError as exc:
        # The window would open it read-only; a command cannot use it at all: say what to do instead.
        text = str(exc).replace("this version can only open it read-only.", "use that version for this command.")
        raise NewerVersionError(exc.path, text) from exc


def _open_either(path: LogLocation) -> Store:
    if is_server_url(path):
        return _open_server_for_reading(str(path))
    path = Path(path)
    if not path.is_file():
        raise CannotOpenError(f"There is no session log at {path}.")
    check_existing(path)
    store = open_readonly(path)
    if store.schema_version == 0:
        store.close()
        raise NotSQLiteError(path, f"{path.name} is empty: it is not a neurotimer session log.")
    return store


def _open_server_for_reading(url: str) -> Store:
    from neurotimer.storage.pg.open import open_pg_readonly

    store = open_pg_readonly(url, allow_newer=False)
    if store.schema_version == 0:
        store.close()
        raise NotSQLiteError(url, f"{describe(url)} is empty: it is not a neurotimer session log.")  # type: ignore[arg-type]
    return store


def run_verify(args: argparse.Namespace) -> int:
    from neurotimer.storage.anchor import check_anchors
    from neurotimer.storage.migrations import WHOLE_LOG_VERSION
    from neurotimer.storage.verify import verify_store

    try:
        path = _db_path(args)
        store = _open_for_reading(path)
    except StoreError as exc:
        _say("verify", str(exc))
        return EXIT_REFUSED
    anchors = list(getattr(args, "anchor", None) or [])
    beside = store.anchor_file()
    if not anchors and beside is not None and beside.is_file():
        anchors = [beside]
    for anchor in anchors:
        if not anchor.is_file():
            store.close()
            _say("verify", f"there is no anchor file at {anchor}")
            return EXIT_REFUSED
    with store:
        report = verify_store(store)
        lines = report.lines()
        anchor_ok = True
        for anchor in anchors:
            if report.version < WHOLE_LOG_VERSION:
                lines.append(f"Anchor {anchor} not checked: the log is in an older format.")
                continue
            count, problems = check_anchors(store.conn, anchor)
            anchor_ok = anchor_ok and not problems
            if problems:
                lines = [*problems, *lines]
            else:
                lines.append(f"Anchors: all {count} head(s) in {anchor} are in the log.")
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK if report.ok and anchor_ok else EXIT_PROBLEM


def run_export(args: argparse.Namespace) -> int:
    from neurotimer.storage.export import build_export, write_export
    from neurotimer.storage.outfile import OutputRefused, check_output

    try:
        location = _db_path(args)
        check_output(args.out, location)  # before any work: an export never replaces the log
        store = _open_for_reading(location)
    except StoreError as exc:
        _say("export", str(exc))
        return EXIT_REFUSED
    with store:
        try:
            data = build_export(
                store, patient_code=args.patient, session_id=args.session, since=args.since, deidentify=args.deidentify
            )
        except StoreError as exc:
            _say("export", str(exc))
            return EXIT_PROBLEM
    try:
        write_export(data, args.out, args.format, protect=location)
    except OutputRefused as exc:
        _say("export", str(exc))
        return EXIT_REFUSED
    except OSError as exc:
        _say("export", f"cannot write {args.out}: {exc.strerror or exc}")
        return EXIT_PROBLEM
    sys.stdout.write(f"{len(data['sessions'])} session(s) exported to {args.out}\n")
    if data.get("log_head"):
        sys.stdout.write(f"log head {data['log_head']} (check it with neurotimer verify --anchor)\n")
    return EXIT_OK


def run_demo_data(args: argparse.Namespace) -> int:
    from neurotimer.storage.demo import make_demo_database

    try:
        make_demo_database(args.db, patients=args.patients, sessions=args.sessions, seed=args.seed)
    except CannotOpenError as exc:
        _say("demo-data", str(exc))
        return EXIT_REFUSED
    except StoreError as exc:
        _say("demo-data", str(exc))
        return EXIT_REFUSED if isinstance(exc, NotSQLiteError) or hasattr(exc, "can_open_read_only") else EXIT_PROBLEM
    where = describe(args.db) if is_server_url(args.db) else args.db
    sys.stdout.write(f"demo log written to {where}: {args.patients} patients, {args.sessions} sessions\n")
    return EXIT_OK


def run_migrate(args: argparse.Namespace) -> int:
    from neurotimer.storage.outfile import check_output
    from neurotimer.storage.transfer import copy_log

    try:
        if not is_server_url(args.target):  # never into the source's -wal, -shm, spool, backups or anchors
            check_output(Path(args.target), args.source, "a copy")
        source = _open_for_reading(args.source)
    except StoreError as exc:
        _say("migrate", str(exc))
        return EXIT_REFUSED
    with source:
        try:
            report = copy_log(source, args.target)
        except StoreError as exc:
            _say("migrate", str(exc))
            return EXIT_REFUSED
    sys.stdout.write("\n".join(report.lines()) + "\n")
    return EXIT_OK if report.ok else EXIT_PROBLEM
