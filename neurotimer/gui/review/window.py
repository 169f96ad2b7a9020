"""The review window: the whole log as a filtered, sorted table, and the chosen session below it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.review.filter_bar import FilterBar
from neurotimer.gui.review.session_table import COLUMNS, SessionTableModel
from neurotimer.gui.shell import theme
from neurotimer.gui.shell.log_reach import LOG_ERRORS, plain
from neurotimer.storage.location import is_server_url
from neurotimer.storage.review_queries import ReviewRow, adverse_kinds

log = logging.getLogger(__name__)

TITLE = "Review — neurotimer"
# Each column's width but the plan's (the rest) and where (its names): its widest text and its header, whole.
COLUMN_WIDTHS = {"date": 145, "patient": 190, "session": 160, "minutes": 75, "state": 110,
                 "channels": 75, "peak": 72, "adverse": 70, "amendments": 80}
LIVE_MS = 3000  # on a server log, how often the rows shown are read again (other workstations write meanwhile)


class ReviewWindow(QMainWindow):
    """Beside the chair window, never modal. `store` may be None (a refused log): the window says why."""

    sessionChosen = Signal(object)  # ReviewRow, or None when the selection is cleared

    def __init__(
        self,
        store,
        *,
        catalogue=None,
        nerves=(),
        message: str = "",
        pick_file: Callable[[], Path | None] | None = None,
        open_path: Callable[[Path], tuple[object, str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setStyleSheet(theme.STYLE_SHEET)
        self.resize(1280, 760)
        self.store = None
        self.model: SessionTableModel | None = None
        self._catalogue = catalogue
        self._nerves = nerves
        self.replay = None  # built after the first rows arrive: pyqtgraph takes a moment to load
        self.course = None
        self._pick_file = pick_file
        self._open_path = open_path

        central = QWidget()
        root = QVBoxLayout(central)
        root.setContentsMargins(12, 8, 12, 8)
        root.setSpacing(6)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.ALARM_COLOURS['high']}; font-weight: bold;")
        self.message.hide()
        root.addWidget(self.message)
        self.filters = FilterBar(catalogue, nerves)
        self.filters.changed.connect(self._on_filter)
        self.filters.problem.connect(self.show_message)
        root.addWidget(self.filters)
        self.count = QLabel("")
        self.count.setStyleSheet(f"color: {theme.MUTED};")
        root.addWidget(self.count)

        self.table = QTableView()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setStretchLastSection(False)
        # A chosen row must not turn the titles bold: bold, 'Channels' and 'Peak mA' no longer fit their columns.
        self.table.horizontalHeader().setHighlightSections(False)
        self._reach_message = ""  # what the message line says about a log that did not answer
        self._action_message = ""  # and what the last action came to
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.details = QTabWidget()  # the chosen session replayed, and its course at a glance
        self.splitter.addWidget(self.details)
        self.splitter.setSizes([300, 460])
        root.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._build_menus()
        self._live = QTimer(self)
        self._live.setInterval(LIVE_MS)
        self._live.timeout.connect(self._refresh_live)
        self.set_store(store, message)

    # -- the log ---------------------------------------------------------------------------------
    def set_store(self, store, message: str = "") -> None:
        """Shows `store`'s sessions; None (with the message) leaves the window empty but usable."""
        if self.model is not None:
            self.model.close()
            self.model = None
        self.store = store
        self.show_message(message)
        if store is None or store.path is None:
            self.table.setModel(None)
            self.count.setText("No session log is open." if store is None else
                               "The review window reads a log file or a server; this log is in memory.")
            return
        self.model = SessionTableModel(store.path, self)
        self.model.loaded.connect(self._on_loaded)
        self.model.changedLive.connect(self._on_changed_live)
        if is_server_url(store.path):
            self._live.start()
        else:
            self._live.stop()  # a file has one writer: this app, which refreshes the list itself
        # The panels below the list come a moment after the first rows, so the rows paint first.
        self.model.pageArrived.connect(lambda: self.replay is None and QTimer.singleShot(100, self.ensure_replay))
        self.model.failed.connect(self._on_failed)
        self.model.recovered.connect(self._retry)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for key, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(self.column_of(key), width)
        # Where a session was recorded is known on a server log only (a file keeps no workstation or chair); it
        # is as wide as the clinic's workstation names make it.
        self.table.setColumnHidden(self.column_of("where"), not is_server_url(store.path))
        header.setSectionResizeMode(self.column_of("where"), QHeaderView.ResizeMode.ResizeToContents)
        # The plan is the one column whose text runs on (a dozen points): it takes what the others leave, so
        # every other column reads whole and the list never scrolls sideways at 1366 px.
        header.setSectionResizeMode(self.column_of("points"), QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self._read_adverse_kinds()
        self.count.setText("Reading the log…")
        self.model.set_filter(self.filters.current())
        if self.replay is not None:
            self.replay.set_store(store)
            self.course.set_store(store)

    def refresh(self) -> None:
        """Reads the log again (after an amendment, a note or a new session)."""
        if self.model is not None and self.store is not None:
            self._read_adverse_kinds()
            self.model.reload()

    def _read_adverse_kinds(self) -> None:
        """The kinds the adverse filter offers; while the log does not answer, those offered before stay."""
        try:
            self.filters.set_adverse_kinds(adverse_kinds(self.store.conn))
        except LOG_ERRORS as exc:
            self.log_unreachable(exc, "The list of adverse event kinds could not be read")

    def _refresh_live(self) -> None:
        if self.model is not None and self.isVisible():
            self.model.refresh_quietly()
            self._retry()

    # -- a log that does not answer --------------------------------------------------------------
    def log_unreachable(self, exc: BaseException, what: str,
                        after: str = "The window tries again by itself; nothing is lost.") -> None:
        """Says why a read or write failed, in one line above the list; cleared when the log answers again."""
        log.warning("review: a read or write failed (%s)", type(exc).__name__)
        self._reach_message = plain(exc, what, after)
        self._render_message()

    def _on_failed(self, text: str) -> None:
        self._reach_message = text
        self._render_message()

    def _retry(self) -> None:
        """After a failed read (every few seconds on a server log, and as soon as the list is read again): the
        chosen session and its course are read again, and the message goes once everything answers."""
        if self.replay is not None and self.replay.unread is not None:
            self.replay.show_session(self.replay.unread)
        if self.course is not None and self.course.unread is not None:
            self.course.show_course(self.course.unread)
        if not self._reach_message or (self.model is not None and self.model.unread):
            return
        self._reach_message = ""
        self._read_adverse_kinds()  # says so again if the log still does not answer
        if not self._reach_message:
            log.info("review: the log answers again")
            self._render_message()

    def _on_changed_live(self, ids: set[int]) -> None:
        """The chosen session was written meanwhile (live on another workstation): its replay follows."""
        chosen = self.current_row()
        if chosen is not None and chosen.id in ids and self.replay is not None:
            self.replay.show_session(chosen.id)

    def show_message(self, text: str) -> None:
        """What an action came to (an export, a report, a form): it stays beside the log's own line."""
        self._action_message = text
        self._render_message()

    def _render_message(self) -> None:
        # Two lines, not one: a failed export's words were overwritten by the list's next failed read.
        parts = [m for m in (self._action_message, self._reach_message) if m]
        text = "\n".join(dict.fromkeys(parts))
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _on_filter(self, f) -> None:
        if self.model is not None:
            self.count.setText("Searching…")
            self.model.set_filter(f)

    def _on_loaded(self, total: int) -> None:
        words = "session" if total == 1 else "sessions"
        scope = "in the log" if self.model is not None and self.model.filter.is_empty() else "match the filters"
        self.count.setText(f"{total:,} {words} {scope}")

    def ensure_replay(self):
        """The replay and course panels under the list (built once, on first need)."""
        if self.replay is None:
            from neurotimer.gui.review.course_view import CourseView
            from neurotimer.gui.review.replay_panel import ReplayPanel

            self.replay = ReplayPanel(self.store, self._catalogue, self._nerves)
            self.course = CourseView(self.store)
            self.details.addTab(self.replay, "Session")
            self.details.addTab(self.course, "Course at a glance")
        return self.replay

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        row = self.current_row()
        self.ensure_replay().show_session(None if row is None else row.id)
        self.course.show_course(None if row is None else row.course_id)
        self.sessionChosen.emit(row)

    def after_change(self) -> None:
        """A note, an amendment or a course was written: the list and the chosen session are read again."""
        chosen = self.current_row()
        self.refresh()
        if chosen is not None and self.replay is not None:
            self.replay.show_session(chosen.id)
            try:
                course = self.store.get_session(chosen.id).summary.course_id
            except LOG_ERRORS as exc:
                self.log_unreachable(exc, "The session's course could not be read again")
                return
            self.course.show_course(course)

    def current_row(self) -> ReviewRow | None:
        if self.model is None:
            return None
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    # -- menus -----------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        self.file_menu = self.menuBar().addMenu("&File")
        open_action = QAction("&Open another log…", self)
        open_action.triggered.connect(self.open_other)
        self.file_menu.addAction(open_action)
        self.file_menu.addSeparator()
        close_action = QAction("&Close review window", self)
        close_action.setShortcut(QKeySequence("Ctrl+W"))
        close_action.triggered.connect(self.close)
        self.file_menu.addAction(close_action)
        self.session_menu = self.menuBar().addMenu("&Session")
        self.course_menu = self.menuBar().addMenu("&Course")
        self.report_menu = self.menuBar().addMenu("&Reports")
        from neurotimer.gui.review.actions import ReviewActions

        self.actions = ReviewActions(self)

    def open_other(self) -> None:
        if self._pick_file is None or self._open_path is None:
            return
        path = self._pick_file()
        if path is None:
            return
        store, message = self._open_path(path)
        if store is None:
            self.show_message(message)  # the log already shown stays shown
            return
        old = self.store
        self.set_store(store, message)
        if old is not None and getattr(old, "owned_by_review", False):
            old.close()

    def column_of(self, key: str) -> int:
        return next(i for i, (name, _) in enumerate(COLUMNS) if name == key)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._live.stop()
        if self.model is not None:
            self.model.close()
            self.model = None
            self.table.setModel(None)
        if self.store is not None and getattr(self.store, "owned_by_review", False):
            self.store.close()
            self.store = None
        event.accept()
