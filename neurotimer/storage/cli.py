"""Subcommands of the storage package (`demo-data`, `export`, `verify`)."""

from __future__ import annotations

import argparse
import datetime as dt
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

EXIT_CODES = """\
exit codes:
  0  done (verify: everything checks out)
  1  a problem was found or the command could not finish (verify: tampered or damaged; the lines say where)
  2  refused: bad arguments, or a file that is not a neurotimer session log, is damaged or cannot be opened"""


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
    demo = sub.add_parser("demo-data", help="write made-up patients and sessions into a new log")
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

    export = sub.add_parser("export", help="export session records as JSON or CSV")
    _add_db(export)
    export.add_argument("--format", choices=("json", "csv"), required=True)
    export.add_argument("--patient", metavar="CODE", help="only this patient's sessions")
    export.add_argument("--session", type=_positive, metavar="ID", help="only this session")
    export.add_argument("--since", type=_date, metavar="DATE", help="only sessions started on or after DATE")
    export.add_argument(
        "--deidentify", action="store_true", help="leave out names and notes; dates become years, event times offsets"
    )
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    export.set_defaults(func=_lazy("run_export"))

    verify = sub.add_parser(
        "verify",
        help="check the log's integrity, its hash chain and every table against the chained events",
        description="Checks SQLite's integrity, the one hash chain over the whole log, and every table the "
        "record shows (sessions, plans, scores, adverse events, amendments, patients, courses, practitioners) "
        "against what the chained events say, naming table, row and field of any difference; then each head "
        "in the anchor files.",
        epilog=THREAT_MODEL + "\n\n" + EXIT_CODES,
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
        "migrate", help="copy a log between a SQLite file and a PostgreSQL server, chains intact, and verify it"
    )
    migrate.add_argument("--from", dest="source", type=parse_location, required=True, metavar="PATH|URL",
                         help="the log to copy (only read)")
    migrate.add_argument("--to", dest="target", type=parse_location, required=True, metavar="PATH|URL",
                         help="a new file, or an empty database on the server")
    migrate.set_defaults(func=_lazy("run_migrate"))
