"""The `neurotimer` command: the app by default, and its subcommands. Imports no Qt itself."""

from __future__ import annotations

import argparse
import sys

from neurotimer import __version__
from neurotimer.storage.location import parse_location


class Parser(argparse.ArgumentParser):
    """argparse that answers a bad argument with one line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _chair_count(text: str) -> int:
    from neurotimer.chairs.roster import MAX_CHAIRS

    if not text.isdigit() or not 1 <= int(text) <= MAX_CHAIRS:
        raise argparse.ArgumentTypeError(f"expected a number of chairs from 1 to {MAX_CHAIRS}, got {text!r}")
    return int(text)


# The window's own (each COMMAND's --help lists its own).
EXIT_CODES = (
    "exit codes:\n"
    "  0  closed: Quit (Ctrl+Q) or the window closed, or Quit chosen at the start\n"
    "     (the log could not be opened, or nobody chose a profile)\n"
    "  1  stopped by an error it could not recover from (said on standard error)\n"
    "  2  refused: bad arguments"
)


def build_parser() -> Parser:
    parser = Parser(
        prog="neurotimer",
        description="Session timer, stimulator control and treatment log for medical electro-acupuncture.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"neurotimer {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start with the simulated stimulator and made-up patients in a temporary database",
    )
    parser.add_argument(
        "--db",
        type=parse_location,
        metavar="PATH|URL",
        help="the session log: a file, or postgresql://user@host/dbname on the clinic's server",
    )
    parser.add_argument(
        "--device",
        metavar="URL",
        help="stimulator: sim: (built-in simulator), socket://HOST:PORT, or a serial port such as "
        "/dev/ttyACM0 or COM3",
    )
    parser.add_argument(
        "--review",
        action="store_true",
        help="open the review window (every session, courses, reports) instead of the chair window",
    )
    parser.add_argument(
        "--chairs",
        type=_chair_count,
        metavar="N",
        help="open N chairs (1 to 8), each with its own clock, record and built-in simulated stimulator, "
        "when the settings name no chairs (Settings → Chairs)",
    )
    parser.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    from neurotimer.gui.board import clinic_cli
    from neurotimer.gui.review import report_cli
    from neurotimer.stimulator import cli as stimulator_cli
    from neurotimer.storage import cli as storage_cli

    stimulator_cli.register(sub)
    storage_cli.register(sub)
    report_cli.register(sub)
    clinic_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is not None:
        return int(args.func(args) or 0)
    from neurotimer.app import run

    return run(args)
