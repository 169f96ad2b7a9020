"""A banner for alarms and reminders that never blocks the timer (no modal dialogs)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from neurotimer.gui.shell import theme


class Priority(Enum):
    HIGH = "high"
    MEDIUM = "medium"
    INFO = "info"


_RANK = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.INFO: 2}


@dataclass
class Alarm:
    key: str
    text: str
    priority: Priority


class AlarmBanner(QFrame):
    """Shows the most urgent active alarm; each can be acknowledged, and a high one stays until it clears."""

    acknowledged = Signal(str)  # alarm key
    raised = Signal(str, str, str)  # key, text, priority: for the session record
    visibilityChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._alarms: dict[str, Alarm] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 4, 6, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMaximumHeight(72)
        layout.addWidget(self.label, 1)
        self.more = QLabel()
        layout.addWidget(self.more)
        self.ack_button = QPushButton("Acknowledge")
        self.ack_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.ack_button.clicked.connect(self._ack_current)
        layout.addWidget(self.ack_button)
        self.hide()

    def raise_alarm(self, key: str, text: str, priority: Priority = Priority.HIGH) -> None:
        known = self._alarms.get(key)
        self._alarms[key] = Alarm(key, text, priority)
        if known is None or known.text != text:
            self.raised.emit(key, text, priority.value)
        self._refresh()

    def clear(self, key: str) -> None:
        if self._alarms.pop(key, None) is not None:
            self._refresh()

    def active(self) -> list[Alarm]:
        return sorted(self._alarms.values(), key=lambda a: _RANK[a.priority])

    def current(self) -> Alarm | None:
        alarms = self.active()
        return alarms[0] if alarms else None

    def _ack_current(self) -> None:
        alarm = self.current()
        if alarm is None:
            return
        self._alarms.pop(alarm.key)
        self.acknowledged.emit(alarm.key)
        self._refresh()

    def _refresh(self) -> None:
        alarm = self.current()
        if alarm is None:
            self.hide()
            self.visibilityChanged.emit(False)
            return
        colour = theme.ALARM_COLOURS[alarm.priority.value]
        self.setStyleSheet(
            f"AlarmBanner {{ background: {colour}; border-radius: 8px; }}"
            "QLabel { color: white; font-size: 17px; font-weight: bold; }"
        )
        self.label.setText(alarm.text)
        self.label.setToolTip(alarm.text)
        extra = len(self._alarms) - 1
        self.more.setText(f"+{extra} more" if extra else "")
        self.show()
        self.visibilityChanged.emit(True)
