"""`neurotimer clinic [--db PATH|URL]`: the clinic board on its own (the front desk's screen). Registering
imports no Qt; the command loads it when it runs."""

from __future__ import annotations

import argparse
import sys

from neurotimer.storage.location import parse_location

EXIT_REFUSED = 2
EXIT_CODES = """exit codes:
  0  the board was closed
  2  refused: bad arguments, or a log that is missing, not a neurotimer session log or cannot be opened"""


def register(sub: argparse._SubParsersAction) -> None:
    clinic = sub.add_parser(
        "clinic", help="the clinic board: every chair's session on every workstation sharing the log, live",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    clinic.add_argument("--db", type=parse_location, metavar="PATH|URL", default=argparse.SUPPRESS,
                        help="the session log: a file, or postgresql://user@host/dbname (default: the app's)")
    clinic.set_defaults(func=run_clinic)


def run_clinic(args: argparse.Namespace) -> int:
    from neurotimer.gui.shell.settings import log_to_open
    from neurotimer.storage.db import StoreError
    from neurotimer.storage.store import open_readonly

    location = log_to_open(getattr(args, "db", None))  # --db, else the log chosen in Settings
    try:
        open_readonly(location).close()  # a wrong address or another program's database: one line, no window
    except StoreError as exc:
        sys.stderr.write(f"neurotimer clinic: {' '.join(str(exc).split())}\n")
        return EXIT_REFUSED
    from PySide6.QtWidgets import QApplication

    from neurotimer.gui.board.clinic_board import ClinicBoard
    from neurotimer.gui.board.clinic_poller import ClinicPoller
    from neurotimer.session.clock import SystemClock

    app = QApplication.instance() or QApplication(sys.argv[:1])
    clock = SystemClock()
    board = ClinicBoard(ClinicPoller(location, clock), clock)
    board.show()
    return app.exec()
