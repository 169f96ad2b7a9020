"""Subcommands of the storage package (`demo-data`, `export`, `verify`)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

from neurotimer.storage.location import parse_location

THREAT_MODEL = """\
what verify catches and what it does not (threat model):
  caught:  any change to an event, or to a row of a table the record shows, made outside the app;
           an event or a whole session deleted, inserted, duplicated or moved (one chain links every
           session and patient record in the order they were written);
           with an anchor file: an edit after which the whole chain was recomputed, and a log cut back
           or replaced by an older copy, for everything written before the last anchored head.
  not caught: someone with write access to the log AND to every copy of the anchor file (the hash is
           plain SHA-256 with no key: anyone can recompute it; the anchor is what catches that);
           changes to records written after the last anchored head when the whole chain is recomputed;
           what the app was never told. Keep a copy of the anchor file off this machine."""

REFUSED = "  2  refused: bad arguments, or a log that is missing, not a neurotimer session log or cannot be opened"
EXIT_CODES = {
    "verify": "  0  everything checks out\n"
              "  1  tampered or damaged: the lines say where\n" + REFUSED,
    "export": "  0  exported\n"
              "  1  nothing exported: no such patient or session, or the file could not be written\n"
              + REFUSED + ",\n     or an output that is the log, a file beside it (-wal, -shm, a backup, an anchor)"
              " or a folder",
    "demo-data": "  0  written\n  1  the log could not be written\n" + REFUSED,
    "migrate": "  0  copied, and the copy verifies and exports as the original\n"
               "  1  copied, but the copy differs from the original\n" + REFUSED + ", or a target that is not empty",
}
DEIDENTIFY = (
    "leave out what can name a person: names, birth years, notes and every other free text (depth; course "
    "condition, style, reasoning and outcome; acknowledgement texts; amendment reasons and who gave them); "
    "needle type, response sought, setting, symptoms and adverse kinds are kept only when they are one of "
    "the app's own choices, else they read 'other'; patient codes become pseudonyms new to each export; "
    "the practitioner is a code (PR-001), not the name; dates become years and event times offsets"
)
MAX_ID = 2**63 - 1  # the largest row number SQLite (and PostgreSQL's bigint) can hold


def exit_codes(command: str) -> str:
    return "exit codes:\n" + EXIT_CODES[command]


def out_file(text: str) -> Path:
    """An `--out` value: a file name, never empty or a folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("needs a file name (it was empty)")
    if text.endswith(("/", os.sep)) or Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder; give a file name")
    return Path(text)


def record_id(text: str) -> int:
    """A session or course number as on screen: 1 or more, and no larger than a row number can be."""
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_ID:
        raise argparse.ArgumentTypeError(f"{text!r} is not a record number such as 12")
    return int(text)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    if value > 1_000_000:
        raise argparse.ArgumentTypeError(f"{text} is more than a million")
    return value


def _add_db(parser: argparse.ArgumentParser, required: bool = False) -> None:
    # SUPPRESS keeps a `neurotimer --db PATH verify` given before the subcommand.
    parser.add_argument(
        "--db",
        type=parse_location,
        metavar="PATH|URL",
        default=argparse.SUPPRESS,
        required=required,
        help="the session log: a file, or postgresql://user@host/dbname (default: the one in the app data folder)",
    )


def _lazy(name: str):
    """The handler, imported only when its subcommand runs: the app's start-up must not load SQLite code."""

    def run(args: argparse.Namespace) -> int:
        from neurotimer.storage import commands

        return getattr(commands, name)(args)

    return run


def register(sub: argparse._SubParsersAction) -> None:
    """Adds the storage subcommands to the `neurotimer` parser."""
    raw = argparse.RawDescriptionHelpFormatter
    demo = sub.add_parser("demo-data", help="write made-up patients and sessions into a new log",
                          epilog=exit_codes("demo-data"), formatter_class=raw)
    _add_db(demo, required=True)
    demo.add_argument("--patients", type=_positive, default=8, metavar="N", help="patients (default 8)")
    demo.add_argument(
        "--sessions",
        type=_positive,
        default=60,
        metavar="N",
        help="sessions in all, shared among the patients (default 60)",
    )
    demo.add_argument("--seed", type=int, default=1, metavar="N", help="random seed (default 1)")
    demo.set_defaults(func=_lazy("run_demo_data"))

    export = sub.add_parser(
        "export",
        help="export session records as JSON or CSV",
        description="Exports session records as JSON, or as CSV (FILE and, beside it, FILE-events.csv). Each "
        "file is written to a new\ntemporary file (mode 0600) and renamed into place: a failed export leaves "
        "nothing half-written. An output that\nis the log, its -wal or -shm, a backup or an anchor file is "
        "refused.",
        epilog=exit_codes("export"),
        formatter_class=raw,
    )
    _add_db(export)
    export.add_argument("--format", choices=("json", "csv"), required=True)
    export.add_argument("--patient", metavar="CODE", help="only this patient's sessions")
    export.add_argument("--session", type=record_id, metavar="ID", help="only this session")
    export.add_argument("--since", type=_date, metavar="DATE", help="only sessions started on or after DATE")
    export.add_argument("--deidentify", action="store_true", help=DEIDENTIFY)
    export.add_argument("--out", type=out_file, required=True, metavar="FILE")
    export.set_defaults(func=_lazy("run_export"))

    verify = sub.add_parser(
        "verify",
        help="check the log's integrity, its hash chain and every table against the chained events",
        description="Checks SQLite's integrity, the one hash chain over the whole log, and every table the "
        "record shows (sessions, plans, scores, adverse events, amendments, patients, courses, practitioners) "
        "against what the chained events say, naming table, row and field of any difference; then each head "
        "in the anchor files.",
        epilog=THREAT_MODEL + "\n\n" + exit_codes("verify"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_db(verify)
    verify.add_argument(
        "--anchor",
        type=Path,
        action="append",
        metavar="FILE",
        help="an anchor file (a copy kept elsewhere); may be given more than once. Without it, the anchor "
        "file beside the log's backups is checked when there is one",
    )
    verify.set_defaults(func=_lazy("run_verify"))

    migrate = sub.add_parser(
        "migrate", help="copy a log between a SQLite file and a PostgreSQL server, chains intact, and verify it",
        epilog=exit_codes("migrate"), formatter_class=raw,
    )
    migrate.add_argument("--from", dest="source", type=parse_location, required=True, metavar="PATH|URL",
                         help="the log to copy (only read)")
    migrate.add_argument("--to", dest="target", type=parse_location, required=True, metavar="PATH|URL",
                         help="a new file, or an empty database on the server")
    migrate.set_defaults(func=_lazy("run_migrate"))
