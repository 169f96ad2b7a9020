"""The History tab: the chosen patient's course at a glance and their sessions, read-only."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from html import escape

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.history.summary import CourseSummary
from neurotimer.gui.history.text import SHORT_STATES, date_text, local_time, session_html, state_word, when_text
from neurotimer.gui.shell.log_reach import plain, unreachable
from neurotimer.gui.shell.theme import BORDER, ERROR, FAINT, GRID, HEADER, MUTED, PAPER, WARNING
from neurotimer.session.course import pace_text, progress_text, sessions_done, sessions_per_week, symptom_progress
from neurotimer.storage.db import StoreError
from neurotimer.storage.people import Patient
from neurotimer.storage.store import Store

log = logging.getLogger(__name__)

HINT = "Choose a patient (Ctrl+P) to see their course"
SHORT = WARNING  # a session that fell short of its plan
EARLIER = FAINT  # a value an amendment replaced
SESSION_LIMIT = 200
RETRY_MS = 3000  # while the log server does not answer, the tab reads again this often (when on screen)
EXTENDED = "session.extended"
QUIT_WITH_NEEDLES = "session.quit_with_needles_in"
NOT_COUNTED = "⚠ Uncounted"  # the state of a session quit with needles not counted out (the tip says it all)
SUMMARY_WIDTH = (200, 290)  # the course summary gives way first when the board narrows the tab
# (header, width in px, header tooltip); the date column takes what is left.
COLUMNS = (
    ("Date", 0, "When the session started (local time)"),
    ("No.", 36, "Session number in its course"),
    ("State", 118, "How the session ended (⚠ Uncounted: quit with needles not counted out)"),
    ("Plan", 48, "Planned minutes (+ minutes added with +5 min)"),
    ("Treated", 58, "Minutes of treatment (pauses left out)"),
    ("Points", 50, "Points needled"),
    ("Adverse", 58, "Adverse events recorded"),
)

TABLE_WIDTH = sum(width for _name, width, _tip in COLUMNS) + 150 + 40  # + the date, margins and scroll bar

LOCAL_STYLE = f"""
QTableWidget {{ font-size: 14px; gridline-color: {GRID}; border: 1px solid {BORDER}; }}
QHeaderView::section {{ font-size: 13px; color: {MUTED}; background: {HEADER}; border: none;
                       border-bottom: 1px solid {BORDER}; padding: 3px 4px; }}
QTextBrowser {{ font-size: 14px; border: 1px solid {BORDER}; background: {PAPER}; }}
QLabel#historyHint {{ color: {MUTED}; font-size: 17px; }}
QLabel#historyError {{ color: {ERROR}; font-weight: bold; }}
QLabel#symptom {{ font-weight: bold; }}
QLabel#verdict {{ font-size: 13px; }}
"""


class HistoryPanel(QWidget):
    """Read-only review of the chosen patient's course: summary left, sessions right, one session below."""

    def __init__(self, store: Store, parent: QWidget | None = None, *, tz: dt.tzinfo | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.tz = tz
        self.patient: Patient | None = None
        self.setStyleSheet(LOCAL_STYLE)
        self.hint = QLabel(HINT)
        self.hint.setObjectName("historyHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error = QLabel()
        self.error.setObjectName("historyError")
        self.error.setWordWrap(True)
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.summary = CourseSummary()
        self.table = QTableWidget(0, len(COLUMNS))
        for column, (name, width, tip) in enumerate(COLUMNS):
            head = QTableWidgetItem(name)
            head.setToolTip(tip)
            self.table.setHorizontalHeaderItem(column, head)
            if width:
                self.table.setColumnWidth(column, width)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.table.itemSelectionChanged.connect(self.on_selection_changed)
        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.details.setPlaceholderText("Select a session to see its points, channels, scores and amendments.")
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.table)
        right.addWidget(self.details)
        right.setChildrenCollapsible(False)
        # The list of sessions gets the room (twelve rows and more at 1366×768); one session's record below it.
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setSizes([330, 110])
        content = QWidget()
        row = QHBoxLayout(content)
        row.setContentsMargins(10, 8, 10, 8)
        row.setSpacing(14)
        self.summary.setFixedWidth(SUMMARY_WIDTH[1])
        row.addWidget(self.summary)
        row.addWidget(right, 1)
        self.pages = QStackedWidget()
        for page in (self.hint, content, self.error):
            self.pages.addWidget(page)
        self.content = content
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.pages)
        self._session_ids: list[int] = []
        self.pages.setCurrentWidget(self.hint)
        self._retry = QTimer(self)  # runs only while a read failed because the server did not answer
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(lambda: self.isVisible() and self.refresh())

    # -- slots -----------------------------------------------------------------------------------
    @Slot(object)
    def set_patient(self, patient: Patient | None) -> None:
        self.patient = patient
        self._reload(keep_selection=False)

    @Slot()
    def refresh(self) -> None:
        """Reads the patient's course and sessions again (after a session ends, or an amendment)."""
        self._reload(keep_selection=True)

    @Slot(object)
    def on_state_changed(self, state: object) -> None:
        """For SessionPresenter.stateChanged: a session that has just closed belongs in the history."""
        if getattr(state, "is_closed", False):
            self.refresh()

    def resizeEvent(self, event) -> None:
        # Every column of the sessions whole: the summary beside them narrows (its lines wrap) before they do.
        low, high = SUMMARY_WIDTH
        self.summary.setFixedWidth(max(low, min(high, event.size().width() - TABLE_WIDTH)))
        super().resizeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        # Scores and adverse events are often added after a session closes: the tab reads afresh when opened.
        super().showEvent(event)
        if self.patient is not None:
            self.refresh()

    def _reload(self, keep_selection: bool) -> None:
        if self.patient is None:
            self.pages.setCurrentWidget(self.hint)
            self.table.setRowCount(0)
            self._session_ids = []
            return
        keep = self.selected_session_id() if keep_selection else None
        try:
            self._load(self.patient)
        except (sqlite3.Error, StoreError) as exc:
            log.warning("history could not be read: %s", type(exc).__name__)
            self.error.setText(plain(exc, "The history could not be read from the session log",
                                     "It shows here once the log answers." if unreachable(exc) else ""))
            self.pages.setCurrentWidget(self.error)
            self._retry_if(exc)
            return
        self._retry.stop()
        self.pages.setCurrentWidget(self.content)
        if keep in self._session_ids:
            self.table.selectRow(self._session_ids.index(keep))
        else:
            self.details.clear()

    def selected_session_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self._session_ids[rows[0].row()] if rows else None

    @Slot()
    def on_selection_changed(self) -> None:
        session_id = self.selected_session_id()
        if session_id is None:
            self.details.clear()
            return
        try:
            record = self.store.get_session(session_id)
        except (sqlite3.Error, StoreError) as exc:
            log.warning("session could not be read: %s", type(exc).__name__)
            why = escape(plain(exc, "This session could not be read"))
            self.details.setHtml(f"<span style='color:{ERROR}'><b>{why}</b></span>")
            self._retry_if(exc)
            return
        self.details.setHtml(session_html(record, self.tz, self._today()))

    def _retry_if(self, exc: BaseException) -> None:
        if unreachable(exc):
            self._retry.start()  # the tab comes back by itself when the server answers again

    # -- loading ---------------------------------------------------------------------------------
    def _today(self) -> dt.date:
        return self.store.clock.wall().astimezone(self.tz).date()

    def _load(self, patient: Patient) -> None:
        course = self.store.current_course(patient.id)
        view = self.store.patient_course(patient.id, course.id) if course else None
        if course is None or view is None:
            self.summary.show_course(patient.code, "No course of treatment yet.", "", "", [])
        else:
            done = sessions_done(view.sessions)
            running = any(s.state in ("running", "paused") for s in view.sessions)
            started = date_text(dt.datetime.combine(course.started_on, dt.time()), self._today())
            self.summary.show_course(
                f"{patient.code} · course",
                course.condition,
                progress_text(done, course.planned_sessions, running).capitalize(),
                pace_text(sessions_per_week([s.started_at for s in view.sessions]), course.sessions_per_week)
                + f" · since {started}",
                symptom_progress(view.sessions, view.scores),
            )
        self._fill_table(patient, course.id if course else None)

    def _fill_table(self, patient: Patient, course_id: int | None) -> None:
        summaries = self.store.newest_sessions(SESSION_LIMIT, patient_id=patient.id)
        records = [self.store.get_session(s.id) for s in summaries]
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(len(records))
        self._session_ids = [r.id for r in records]
        today = self._today()
        for row, record in enumerate(records):
            summary = record.summary
            number = record.effective("number")
            marks = self.store.session_marks(record.id, (EXTENDED, QUIT_WITH_NEEDLES))
            added = sum(int(data.get("minutes", 0)) for kind, data in marks if kind == EXTENDED)
            quit_why = next((str(data.get("why", "")) for kind, data in marks if kind == QUIT_WITH_NEEDLES), None)
            planned = record.effective("planned_minutes")
            cells = (
                when_text(summary.started_at, self.tz, today),
                "–" if number is None else str(number),
                state_word(summary.state),
                f"{planned}+{added}" if added else str(planned),
                f"{summary.treatment_seconds / 60:.0f}",
                str(len(record.effective("points"))),
                str(len(record.adverse_events)) if record.adverse_events else "–",
            )
            short = summary.state in SHORT_STATES
            earlier = summary.course_id != course_id
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if earlier:
                    # Numbers start again in each course: an earlier course's rows are greyed.
                    item.setForeground(QColor(EARLIER))
                    item.setToolTip("From an earlier course")
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if column == 2 and (short or quit_why is not None):
                    item.setForeground(QColor(SHORT if quit_why is None else ERROR))
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                    item.setText(f"⚠ {text}" if quit_why is None else NOT_COUNTED)
                    if quit_why is not None:
                        item.setToolTip(f"{text}: neurotimer was quit with needles not counted out "
                                        f"({quit_why.rstrip('.')}). Check that the patient has no needle left in.")
                if column == 3 and added:
                    item.setToolTip(f"{planned} minutes planned, {added} added with +5 min: {planned + added} in all")
                if column == 6 and record.adverse_events:
                    item.setToolTip(", ".join(f"{e.kind} ({e.severity})" for e in record.adverse_events))
                self.table.setItem(row, column, item)
            tip = f"{local_time(summary.started_at, self.tz):%A %d %B %Y, %H:%M} (local time)"
            if record.amendments:
                self.table.item(row, 0).setText(f"{cells[0]} ✎")
                tip += f"\nAmended {len(record.amendments)}× (see below)"
            if earlier:
                tip += "\nFrom an earlier course"
            self.table.item(row, 0).setToolTip(tip)
        self.table.blockSignals(False)
