"""The small Qt dialogs the app passes into its windows, and the after-first-paint hook."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton, QWidget


class AfterFirstPaint(QObject):
    """Runs a callback once the window has painted for the first time, so the clock shows before loading."""

    def __init__(self, window: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self._callback = callback
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._callback)
        return False


def confirm_with(parent: QWidget):
    """A yes/no question for the practitioner; passed into windows so tests can answer it."""

    def confirm(title: str, text: str) -> bool:
        return QMessageBox.question(parent, title, text) == QMessageBox.StandardButton.Yes

    return confirm


def ask_with(parent: QWidget):
    from neurotimer.gui.shell.open_log import Choice

    def ask(text: str, choices: list[Choice]) -> Choice:
        box = QMessageBox(QMessageBox.Icon.Warning, "Session log", text, parent=parent)
        buttons: dict[QPushButton, Choice] = {}
        for choice in choices:
            buttons[box.addButton(choice.value, QMessageBox.ButtonRole.ActionRole)] = choice
        box.exec()
        return buttons.get(box.clickedButton(), Choice.QUIT)

    return ask


def replace_or_add_with(parent: QWidget):
    """Asks whether a template replaces today's points or adds to them; None when cancelled."""

    def ask(question: str) -> str | None:
        box = QMessageBox(QMessageBox.Icon.Question, "Load template", question, parent=parent)
        box.setTextFormat(Qt.TextFormat.PlainText)
        replace = box.addButton("Replace", QMessageBox.ButtonRole.DestructiveRole)
        add = box.addButton("Add to them", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(add)
        box.exec()
        return {replace: "replace", add: "add"}.get(box.clickedButton())

    return ask


def pick_file_with(parent: QWidget):
    def pick() -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, "Session log file", str(Path.home()),
                                              "Session logs (*.sqlite3 *.db)")
        return Path(name) if name else None

    return pick


def pick_log_with(parent: QWidget, current=None):
    """Another log, a file or the clinic's server (Settings → Session log…'s dialog); None when cancelled."""

    def pick():
        from neurotimer.gui.shell.log_dialog import LogDialog

        dialog = LogDialog(current, parent)
        return dialog.location if dialog.exec() == LogDialog.DialogCode.Accepted else None

    return pick
