"""`neurotimer report --session ID|--course ID --out FILE.pdf [--deidentify] [--practitioner CODE]`: the review
window's PDFs without a window, each recorded in the log with who made it. Registering imports no Qt."""

from __future__ import annotations

import argparse
import os
import sys

from neurotimer.storage.cli import REFUSED, out_file, record_id
from neurotimer.storage.location import parse_location

EXIT_OK, EXIT_PROBLEM, EXIT_REFUSED = 0, 1, 2
EXIT_CODES = (
    "exit codes:\n  0  written and recorded in the log\n  1  nothing written: no such session, course or practitioner,"
    " or the file could not be written;\n     or written but not recorded in the log (read-only, older format)\n"
    + REFUSED + ",\n     or an output that is the log, a file beside it (-wal, -shm, a backup, an anchor) or a folder"
)


def _practitioner(text: str) -> int:
    from neurotimer.storage.db import StoreError
    from neurotimer.storage.practitioners import parse_practitioner_code

    try:
        return parse_practitioner_code(text)
    except StoreError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="make a session's or a course's report as a PDF", epilog=EXIT_CODES,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    report.add_argument("--db", type=parse_location, metavar="PATH|URL", default=argparse.SUPPRESS,
                        help="the session log: a file, or postgresql://user@host/dbname (default: the app's)")
    which = report.add_mutually_exclusive_group(required=True)
    which.add_argument("--session", type=record_id, metavar="ID", help="one session, on one page")
    which.add_argument("--course", type=record_id, metavar="ID", help="a course: summary, charts, every session")
    report.add_argument("--out", type=out_file, required=True, metavar="FILE.pdf")
    report.add_argument("--deidentify", action="store_true",
                        help="leave out the patient's name and notes and the practitioner's name (their code "
                        "stays); dates become years")
    report.add_argument("--practitioner", type=_practitioner, metavar="CODE",
                        help="who makes the report (PR-001), recorded in the log with it (default: the "
                        "session's or course's practitioner)")
    report.set_defaults(func=run_report)


def _say(message: str) -> None:
    sys.stderr.write(f"neurotimer report: {message}\n")


def run_report(args: argparse.Namespace) -> int:
    from neurotimer.storage.commands import _db_path, _open_for_reading
    from neurotimer.storage.db import StoreError
    from neurotimer.storage.outfile import check_output

    try:
        location = _db_path(args)
        check_output(args.out, location, "a report")  # never replaces the log or a file beside it
        store = _open_for_reading(location)
    except StoreError as exc:
        _say(" ".join(str(exc).split()))
        return EXIT_REFUSED
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a report needs no screen
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])  # fonts and images need one
    from neurotimer.gui.review.reports import course_report, session_report

    with store:
        try:
            version = store.schema_version
            made_by = args.practitioner
            if made_by is not None:
                store.get_practitioner(made_by)  # an unknown code is refused before anything is made
            if args.session is not None:
                report = session_report(store, args.session, args.deidentify, made_by)
            else:
                report = course_report(store, args.course, args.deidentify, made_by)
        except StoreError as exc:
            _say(str(exc))
            return EXIT_PROBLEM
    try:
        report.write_pdf(args.out)
    except OSError as exc:
        _say(f"cannot write {args.out}: {exc.strerror or exc}")
        return EXIT_PROBLEM
    del app
    sys.stdout.write(f"{report.title} written to {args.out}\n")
    problem = _record(location, report, version)
    if problem:
        _say(f"the report was written but not recorded in the log: {problem}")
        return EXIT_PROBLEM
    return EXIT_OK


def _record(location, report, version: int) -> str | None:
    """Appends `report.made` (what, by whom) to the log; the problem in words when it cannot."""
    import sqlite3

    from neurotimer.storage.db import StoreError
    from neurotimer.storage.migrations import LATEST_VERSION
    from neurotimer.storage.store import open_store

    if version != LATEST_VERSION:  # a report never migrates a log behind the practitioner's back
        return f"the log is in format {version}; this neurotimer writes format {LATEST_VERSION}"
    try:
        store = open_store(location, daily_backup=False, anchor_at_open=False)
    except StoreError as exc:
        return " ".join(str(exc).split())
    try:
        report.record_in(store, "pdf")
    except (StoreError, sqlite3.Error) as exc:
        return " ".join(str(exc).split())
    finally:
        store.close()
    return None
