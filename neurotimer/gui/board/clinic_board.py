"""The clinic board: every chair's session on every workstation sharing the log, refreshed live, read-only."""

from __future__ import annotations

import socket
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.board.clinic_poller import ClinicPoller
from neurotimer.gui.shell import theme
from neurotimer.session.clock import Clock
from neurotimer.session.session import format_clock
from neurotimer.storage.clinic import ChairState
from neurotimer.storage.location import describe, is_server_url

TITLE = "Clinic — neurotimer"
COLUMNS = ("Workstation", "Chair", "Patient", "State", "Remaining", "Last heard from")
STALE_AFTER_POLLS = 3  # no answer for this many polls (a network that hangs rather than fails): stale
STATE_COLOURS = {**theme.STATE_COLOURS, "ended": theme.STATE_COLOURS["completed"]}
NOT_HEARD = "NOT HEARD FROM"  # an open session whose workstation's lease expired: it may have died
LAST_WORD = " at last word"  # its remaining time as last written, no longer running down
LOST_TIP = ("Its workstation has not been heard from for a whole lease: it may have stopped. The session was "
            "{was} when last heard from; the time left is what it last wrote.")


def _ago(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"


class ClinicBoard(QMainWindow):
    """Shows what the poller reads; between reads the remaining times run down on the window's clock."""

    def __init__(self, poller: ClinicPoller, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._where = describe(poller.location)
        self.setWindowTitle(f"{TITLE} ({self._where})")
        self.setStyleSheet(theme.STYLE_SHEET)
        self.resize(900, 420)
        self.poller = poller
        self._clock = clock
        self._here = "" if is_server_url(poller.location) else f"{socket.gethostname()} (this computer)"
        self.rows: list[ChairState] = []
        self.read_at: datetime | None = None  # wall time of the last good read
        self.problem = ""  # why the last read failed, "" when it did not
        self.stale = False

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(12, 8, 12, 8)
        self.status = QLabel("Reading the log…")
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # The workstation read whole ("front-desk-pc (this computer)"): the other columns share what is left.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        self.empty = QLabel("No chair has a session now.")
        self.empty.setObjectName("muted")
        self.empty.hide()
        layout.addWidget(self.empty)
        self.setCentralWidget(central)

        poller.read.connect(self._on_read)
        poller.failed.connect(self._on_failed)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.render)
        self._tick.start()
        poller.start()

    # -- what the poller says -------------------------------------------------------------------
    def _on_read(self, rows: list[ChairState], read_at: datetime) -> None:
        self.rows, self.read_at, self.problem = rows, read_at, ""
        open_now = sum(1 for row in rows if row.remaining_s is not None)
        # The count in the title too: seen from the taskbar, and by a screen reader.
        self.setWindowTitle(f"Clinic: {open_now} open — neurotimer ({self._where})")
        self.render()

    def _on_failed(self, reason: str) -> None:
        self.problem = reason
        self.render()

    # -- rendering -------------------------------------------------------------------------------
    def render(self) -> None:
        now = self._clock.wall()
        since = None if self.read_at is None else (now - self.read_at).total_seconds()
        self.stale = bool(self.problem) or (since is not None and since > STALE_AFTER_POLLS * self.poller.interval_s)
        if self.read_at is None:
            self.status.setText(f"Not read yet: {self.problem}." if self.problem else "Reading the log…")
        elif self.stale:
            why = self.problem or "the log has not answered"
            self.status.setText(f"STALE: {why}. Last refreshed {self.read_at.astimezone():%H:%M:%S}; "
                                "what is shown may have changed.")
        else:
            self.status.setText(f"Last refreshed {self.read_at.astimezone():%H:%M:%S}")
        colour = theme.ALARM_COLOURS["high"] if self.stale or (self.problem and self.read_at is None) else theme.MUTED
        self.status.setStyleSheet(f"color: {colour};" + (" font-weight: bold;" if self.stale else ""))
        self._fill(since or 0.0)

    def _fill(self, since: float) -> None:
        self.table.setRowCount(len(self.rows))
        self.empty.setVisible(self.read_at is not None and not self.rows)
        for r, row in enumerate(self.rows):
            remaining = row.remaining_s
            if remaining is not None and row.counting:
                remaining -= since
            state = "overdue" if remaining is not None and remaining < 0 and row.state == "running" else row.state
            lost = row.lease_expired  # its workstation may be dead: what it last said, not a session seen running
            if row.lease_age_s is None:
                heard = ""
            elif row.lease_expired:
                heard = f"no word for {_ago(row.lease_age_s + since).removesuffix(' ago')}"
            else:
                heard = _ago(row.lease_age_s + since)
            cells = (
                row.workstation or self._here,
                row.chair or "—",
                row.patient_code or "unassigned",
                NOT_HEARD if lost else theme.state_word(state),
                "" if remaining is None else format_clock(remaining) + (LAST_WORD if lost else ""),
                heard,
            )
            for c, text in enumerate(cells):
                item = self.table.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    self.table.setItem(r, c, item)
                item.setText(text)
                ink = theme.MUTED if self.stale else theme.INK
                if c == 3 and not self.stale:
                    ink = STATE_COLOURS.get(state, theme.INK)
                if lost and c in (3, 5):
                    ink = theme.ERROR
                elif lost and c == 4:
                    ink = theme.MUTED
                item.setToolTip(LOST_TIP.format(was=theme.state_word(state).lower()) if lost and c in (3, 4) else "")
                item.setForeground(QColor(ink))
                if c == 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def row_texts(self) -> list[list[str]]:
        """What the table shows, row by row (for tests and the practitioner's screen reader alike)."""
        return [[self.table.item(r, c).text() for c in range(len(COLUMNS))] for r in range(self.table.rowCount())]

    def closeEvent(self, event: QCloseEvent) -> None:
        self._tick.stop()
        self.poller.stop()
        event.accept()
