"""Escape stops every output whatever has focus: a drop-down list, a menu, a dialog or another window of the app."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QWidget


class EscapeStop(QObject):
    """An application-wide event filter. A window shortcut never reaches an open drop-down list or menu (they
    take the keyboard for themselves), so Escape is caught here, before any widget sees it, and then left to do
    what it does there too (a list or menu closes). One press reaches the filter several times (the shortcut
    check, the key press, its way up to the parents): it stops once per press."""

    triggered = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._handled = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        if not isinstance(event, QKeyEvent) or event.key() != Qt.Key.Key_Escape or event.isAutoRepeat():
            return False
        if not self._handled:
            # Every delivery of this press happens before the event loop turns again.
            self._handled = True
            QTimer.singleShot(0, self._rearm)
            self.triggered.emit()
            QTimer.singleShot(0, _close_popups)  # after this press has reached them
        # A form stays open with what was typed in it (Escape would cancel it): the stop is what Escape meant.
        window = watched.window() if isinstance(watched, QWidget) else None
        return event.type() == QEvent.Type.KeyPress and _is_form(window)

    def _rearm(self) -> None:
        self._handled = False


def _is_form(window: QWidget | None) -> bool:
    return isinstance(window, QDialog) and not isinstance(window, QMessageBox | QFileDialog)


def _close_popups() -> None:
    """Closes open drop-down lists and menus (nested menus one by one), as Escape there would."""
    for _ in range(10):
        popup = QApplication.activePopupWidget()
        if popup is None:
            return
        popup.close()
