"""A past session replayed: its timeline, plan on the body chart, scores and decisions, and the full event log."""

from __future__ import annotations

import json

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.review import replay_text
from neurotimer.gui.review.replay_plot import ReplayPlot
from neurotimer.gui.shell.log_reach import LOG_ERRORS, plain
from neurotimer.storage.replay import Replay, session_replay


class ReplayPanel(QWidget):
    """Shows one session; `show_session(id)` reads it from the store (a few queries, well under a frame)."""

    def __init__(self, store, catalogue=None, nerves=(), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.replay: Replay | None = None
        self.unread: int | None = None  # the session that could not be read (the server did not answer)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel("Choose a session above to replay it.")
        self.heading.setWordWrap(True)
        # At the top even when the tabs below are hidden (a session that could not be read).
        self.heading.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.heading)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)

        self.plot = ReplayPlot()
        self.tabs.addTab(self.plot, "Timeline")

        plan = QSplitter()
        self.chart = None
        if catalogue is not None:
            from neurotimer.gui.plan.body_chart_panel import BodyChartPanel

            self.chart = BodyChartPanel(catalogue, nerves)
            plan.addWidget(self.chart)
        self.plan_text = QTextBrowser()
        plan.addWidget(self.plan_text)
        self.tabs.addTab(plan, "Plan")

        record = QWidget()
        row = QHBoxLayout(record)
        row.setContentsMargins(0, 0, 0, 0)
        self.scores_text = QTextBrowser()
        self.events_text = QTextBrowser()
        row.addWidget(self.scores_text, 1)
        row.addWidget(self.events_text, 2)
        self.tabs.addTab(record, "Scores, decisions, amendments")

        self.log = QTableView()
        self.log_model = EventLogModel(self)
        self.log.setModel(self.log_model)
        self.log.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.log.verticalHeader().hide()
        self.log.verticalHeader().setDefaultSectionSize(22)
        self.log.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((50, 140, 90, 170)):
            self.log.setColumnWidth(column, width)
        self.tabs.addTab(self.log, "Event log")

    def set_store(self, store) -> None:
        self.store = store
        self.clear()

    def clear(self) -> None:
        self.replay = None
        self.unread = None
        self.tabs.show()
        self.heading.setText("Choose a session above to replay it.")

    def show_session(self, session_id: int | None) -> None:
        if session_id is None or self.store is None:
            self.clear()
            return
        try:
            replay = session_replay(self.store, session_id)
            summary = replay.record.summary
            name = None
            if summary.patient_id is not None:
                name = self.store.effective_patient(summary.patient_id).name
        except LOG_ERRORS as exc:
            # Another session's replay must not stay under this one's row: the panel says why it is empty.
            self.replay, self.unread = None, session_id
            self.tabs.hide()
            self.heading.setText(plain(exc, f"Session {session_id} cannot be shown",
                                       "It shows here once the log answers."))
            return
        self.replay, self.unread = replay, None
        self.tabs.show()
        self.heading.setText(replay_text.heading(replay, name))
        self.plot.show_replay(replay)
        if self.chart is not None:
            points = replay.record.effective("points")
            self.chart.set_selected([(str(code), str(side)) for code, side in points])
        self.plan_text.setHtml(replay_text.plan_html(replay))
        self.scores_text.setHtml("<h4>Scores (0–10)</h4>" + replay_text.scores_html(replay))
        self.events_text.setHtml(replay_text.events_html(replay))
        self._fill_log(replay)

    def _fill_log(self, replay: Replay) -> None:
        self.log_model.set_events(replay.events)


class EventLogModel(QAbstractTableModel):
    """The session's events as logged; each cell is formatted only when the view shows it."""

    HEADERS = ("#", "Time", "Into session", "Event", "Details")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.events: list[dict] = []

    def set_events(self, events: list[dict]) -> None:
        self.beginResetModel()
        self.events = events
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.events)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        event = self.events[index.row()]
        column = index.column()
        if column == 0:
            return str(event["seq"])
        if column == 1:
            return replay_text.when(event["at"])
        if column == 2:
            offset = float(event["offset"])
            return f"{int(offset // 60)}:{int(offset % 60):02d}"
        if column == 3:
            return event["kind"]
        return json.dumps(event["data"], ensure_ascii=False, sort_keys=True)
