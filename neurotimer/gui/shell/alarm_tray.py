"""A system-tray notification naming the alarm, when the practitioner is in another window."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from neurotimer.gui.shell import theme
from neurotimer.safety.alarms import Alarm, AlarmModel, Change, Priority

log = logging.getLogger(__name__)

Notify = Callable[[str, str, Priority], None]  # title, text, priority
TITLES = {Priority.HIGH: "neurotimer: HIGH alarm", Priority.MEDIUM: "neurotimer: alarm",
          Priority.LOW: "neurotimer"}


def _icon() -> QIcon:
    pixmap = QPixmap(32, 32)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(theme.ALARM_COLOURS["high"]))
    painter.setPen(QColor("white"))
    painter.drawEllipse(2, 2, 28, 28)
    painter.end()
    return QIcon(pixmap)


class AlarmTray(QObject):
    """Every raise while the window is not in front becomes a tray message with the alarm's words."""

    def __init__(self, model: AlarmModel, window: QWidget, notify: Notify | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent or window)
        self._window = window
        self._icon: QSystemTrayIcon | None = None
        self._notify = notify or self._tray_message
        model.subscribe(self._on_change)

    def _on_change(self, change: Change, alarm: Alarm) -> None:
        if change is not Change.RAISED or not alarm.audible:
            return
        if self._window.isActiveWindow() and not self._window.isMinimized():
            return
        self._notify(TITLES[alarm.priority], alarm.text, alarm.priority)

    def _tray_message(self, title: str, text: str, priority: Priority) -> None:
        if self._icon is None:
            if not QSystemTrayIcon.isSystemTrayAvailable():
                log.info("no system tray: alarm notifications show in the window only")
                self._notify = lambda *_args: None
                return
            self._icon = QSystemTrayIcon(_icon(), self)
            self._icon.setToolTip("neurotimer")
            self._icon.messageClicked.connect(self._bring_to_front)
            self._icon.activated.connect(lambda _reason: self._bring_to_front())
            self._icon.show()
        icon = {Priority.HIGH: QSystemTrayIcon.MessageIcon.Critical,
                Priority.MEDIUM: QSystemTrayIcon.MessageIcon.Warning}.get(
                    priority, QSystemTrayIcon.MessageIcon.Information)
        self._icon.showMessage(title, text, icon, 15000)

    def _bring_to_front(self) -> None:
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()
