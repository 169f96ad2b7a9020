"""The one place that builds and wires everything: clock, session, device, store and windows."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from neurotimer import __version__, logsetup
from neurotimer.clock import SystemClock
from neurotimer.gui import paths
from neurotimer.gui.main_window import MainWindow
from neurotimer.gui.session_presenter import SessionPresenter

log = logging.getLogger(__name__)


class FirstPaintProbe(QObject):
    """Prints the wall time of the window's first paint and quits (used by the start-up benchmark)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            sys.stdout.write(f"first-paint {time.time():.6f}\n")
            sys.stdout.flush()
            watched.removeEventFilter(self)
            QTimer.singleShot(0, QApplication.quit)
        return False


def ask(parent: QWidget):
    """A yes/no question for the practitioner; passed into windows so tests can answer it."""

    def confirm(title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text)
        return answer == QMessageBox.StandardButton.Yes

    return confirm


def run(args: argparse.Namespace) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(paths.APPLICATION)
    app.setOrganizationName(paths.ORGANIZATION)
    app.setApplicationVersion(__version__)
    logsetup.configure(None if args.startup_probe else paths.log_dir())
    log.info("neurotimer %s starting", __version__)

    clock = SystemClock()
    presenter = SessionPresenter(clock)
    holder: dict[str, QWidget] = {}
    window = MainWindow(presenter, confirm=lambda t, x: ask(holder["window"])(t, x))
    holder["window"] = window
    if args.startup_probe:
        window.installEventFilter(FirstPaintProbe(window))
    window.show()
    return app.exec()
