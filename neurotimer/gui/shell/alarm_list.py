"""The alarm list (View menu): every alarm of the session with its raise, acknowledge and clear times."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.shell import theme
from neurotimer.safety.alarms import Alarm, AlarmModel

COLUMNS = ("Priority", "Alarm", "Raised", "Acknowledged", "Cleared")


def clock_text(moment: datetime | None) -> str:
    """Local time of day (the log keeps UTC with the date)."""
    return "" if moment is None else f"{moment.astimezone():%H:%M:%S}"


class AlarmListDialog(QDialog):
    """Newest first; an alarm still up has no clear time. Not modal: the timer and STOP stay usable."""

    def __init__(self, model: AlarmModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Alarms of this session")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.resize(900, 420)
        self._model = model
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # A long alarm (the log server's, with what waits) reads whole in its row, not cut to one line.
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for column in (0, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table)
        # Escape is the emergency stop everywhere, so the list closes with its own button.
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        layout.addWidget(buttons)
        model.subscribe(lambda _change, _alarm: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        alarms: list[Alarm] = sorted(self._model.history(), key=lambda a: -a.serial)
        self.table.setRowCount(len(alarms))
        for row, alarm in enumerate(alarms):
            cells = (alarm.priority.value.upper(), alarm.text, clock_text(alarm.raised_at),
                     clock_text(alarm.acknowledged_at), clock_text(alarm.cleared_at) or "still up")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)  # plain text: an alarm may quote what someone typed
                item.setToolTip(text)
                if column == 0:
                    item.setBackground(QColor(theme.ALARM_COLOURS[alarm.priority.value]))
                    item.setForeground(QColor(theme.ALARM_INK[alarm.priority.value]))
                self.table.setItem(row, column, item)
