"""The review list's table model: SQL pages fetched as the view scrolls, filtered and sorted in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor

from neurotimer.gui.review.query_worker import PageRequest, QueryThread
from neurotimer.gui.shell.theme import ALARM_COLOURS
from neurotimer.storage.review_queries import ReviewFilter, ReviewRow

PAGE = 200
FIRST_PAGE = 60  # a screenful and a half: the first rows come back sooner than a full page would
LIVE_ROWS = 400  # a live refresh reads at most the rows this far down (further down is older history)
DAMAGED = "record altered or damaged"
STATE_WORDS = {
    "completed": "completed", "ended_early": "ended early", "interrupted": "interrupted",
    "running": "running", "paused": "paused",
}
COLUMNS: tuple[tuple[str, str], ...] = (
    ("date", "Date"),
    ("patient", "Patient"),
    ("session", "Course · session"),
    ("minutes", "Minutes"),
    ("state", "State"),
    ("where", "Where"),
    ("points", "Points"),
    ("channels", "Channels"),
    ("peak", "Peak mA"),
    ("adverse", "Adverse"),
    ("amendments", "Amended"),
)
HEADER_TIPS = {
    "minutes": "Minutes treated / planned",
    "where": "The workstation and chair the session was recorded at",
    "peak": "Highest current commanded on any channel",
    "adverse": "Adverse events recorded",
    "amendments": "Corrections made after the session",
}
Index = QModelIndex | QPersistentModelIndex


def when(started_at: str) -> str:
    """A logged UTC time in local time, to the minute (formatted by hand: strftime is slow in bulk)."""
    try:
        m = dt.datetime.fromisoformat(started_at.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return started_at
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d} {m.hour:02d}:{m.minute:02d}"


def cell_text(row: ReviewRow, column: str) -> str:
    if column == "date":
        return when(row.started_at)
    if column == "patient":
        if row.patient_code is None:
            return "unassigned"
        return row.patient_code + (f"  {row.patient_name}" if row.patient_name else "")
    if column == "session":
        if row.course_id is None:
            return "no course"
        of = f" of {row.planned_sessions}" if row.planned_sessions else ""
        return f"course {row.course_id} · {row.number}{of}"
    if column == "minutes":
        return f"{row.treatment_seconds / 60:.0f} / {row.planned_minutes}"
    if column == "state":
        words = STATE_WORDS.get(row.state, row.state)
        return f"{words}  ⚠ {DAMAGED}" if row.chain_ok is False else words
    if column == "where":
        return " · ".join(part for part in (row.workstation, row.chair) if part)
    if column == "points":
        return row.points
    if column == "channels":
        return str(row.channels) if row.channels else ""
    if column == "peak":
        return "" if row.peak_ma is None else f"{row.peak_ma:.1f}"
    if column == "adverse":
        return str(row.adverse_events) if row.adverse_events else ""
    if column == "amendments":
        return str(row.amendments) if row.amendments else ""
    raise KeyError(column)


class SessionTableModel(QAbstractTableModel):
    """Rows arrive from the query thread a page at a time; the GUI thread never waits for SQL."""

    loaded = Signal(int)  # the number of sessions the filter finds, once counted
    pageArrived = Signal()
    failed = Signal(str)
    recovered = Signal()  # the log answers again after a failed read
    changedLive = Signal(object)  # ids of the shown sessions another workstation changed (a live refresh)

    def __init__(self, path, parent: QObject | None = None, page: int = PAGE) -> None:
        super().__init__(parent)
        self._rows: list[ReviewRow] = []
        self._total = 0
        self._page = page
        self._first_page = min(page, FIRST_PAGE)
        self._limits: dict[int, int] = {}  # offset → rows asked for
        self._generation = 0
        self._pending = False
        self._counting = False
        self._checking = 0  # pages whose chains are being checked
        self.unread = False  # the last read failed (a server that does not answer): the next refresh retries
        self.filter = ReviewFilter()
        self.sort_key, self.descending = "date", True
        self._queries = QueryThread(path, self)
        self._queries.worker.pageReady.connect(self._on_page)
        self._queries.worker.failed.connect(self._on_failed)
        self._queries.worker.chainsChecked.connect(self._on_chains)
        self._queries.worker.counted.connect(self._on_counted)
        self._queries.worker.refreshed.connect(self._on_refreshed)

    # -- what the window asks ----------------------------------------------------------------------
    def set_filter(self, f: ReviewFilter) -> None:
        self.filter = f
        self.reload()

    def reload(self) -> None:
        """Starts over (a new filter or sort, or the log changed): the first page, with the count."""
        self._generation += 1
        self._queries.worker.latest = self._generation
        self.beginResetModel()
        self._rows = []
        self._total = 0
        self._checking = 0
        self._counting = True
        self.endResetModel()
        self._request(0, count=True)

    def refresh_quietly(self) -> None:
        """Reads the rows shown again and changes only what changed: the selection and scroll stay, a new
        session slips in at its place (a server log, written by other workstations meanwhile)."""
        if self._pending or self._counting:
            return  # a page is on its way: the next refresh will see it
        if self.unread and not self._rows:
            self.reload()  # nothing was shown: read from the start, with the count
            return
        limit = min(max(len(self._rows), self._first_page), LIVE_ROWS)
        self._queries.submit.emit(
            PageRequest(self._generation, self.filter, self.sort_key, self.descending, 0, limit, False, quiet=True)
        )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_key = COLUMNS[column][0]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def row_at(self, row: int) -> ReviewRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @property
    def total(self) -> int:
        return self._total

    @property
    def busy(self) -> bool:
        """A page or its chain check is still being read."""
        return self._pending or self._counting or self._checking > 0

    def close(self) -> None:
        self._queries.stop()

    # -- Qt model ----------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(COLUMNS[section][0])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        row = self.row_at(index.row())
        if row is None:
            return None
        column = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(row, column)
        if role == Qt.ItemDataRole.ForegroundRole and row.chain_ok is False:
            return QBrush(QColor(ALARM_COLOURS["high"]))
        if role == Qt.ItemDataRole.ToolTipRole and row.chain_ok is False:
            return "This session's log does not verify: it was altered or damaged after it was written."
        if role == Qt.ItemDataRole.UserRole:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ("minutes", "channels", "peak", "adverse",
                                                                      "amendments"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._pending and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._request(len(self._rows), count=False)

    # -- the query thread --------------------------------------------------------------------------
    def _request(self, offset: int, count: bool) -> None:
        limit = self._first_page if offset == 0 else self._page
        self._limits[offset] = limit
        self._pending = True
        self._queries.submit.emit(
            PageRequest(self._generation, self.filter, self.sort_key, self.descending, offset, limit, count)
        )

    @Slot(int, int, object, int)
    def _on_page(self, generation: int, offset: int, rows: list[ReviewRow], total: int) -> None:
        if generation != self._generation or offset != len(self._rows):
            return
        self._answered()
        self._pending = False
        self._checking += 1
        if total >= 0:
            self._counting = False
            self._total = total
            self.loaded.emit(total)
        elif self._counting:
            self._total = len(rows) + 1  # more to come; the count follows
        if rows:
            self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        if len(rows) < self._limits.get(offset, self._page):
            self._total = len(self._rows)  # the log may have shrunk under a filter: never ask again
        self.pageArrived.emit()

    @Slot(int, object)
    def _on_refreshed(self, generation: int, rows: list[ReviewRow]) -> None:
        if generation != self._generation or self._pending:
            return
        self._answered()
        old = self._rows
        # A chain already checked keeps its verdict (a damaged one stays red); new rows are checked on reload.
        by_id = {r.id: r for r in old}
        rows = [replace(r, chain_ok=by_id[r.id].chain_ok) if r.id in by_id else r for r in rows]
        if [r.id for r in rows] == [r.id for r in old[: len(rows)]]:
            changed = [i for i, (new, was) in enumerate(zip(rows, old, strict=False)) if new != was]
            for i in changed:
                self._rows[i] = rows[i]
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
            if changed:
                self.changedLive.emit({rows[i].id for i in changed})
            return
        shown = {r.id for r in rows}
        added = len(shown - set(by_id))
        self.layoutAboutToBeChanged.emit()
        self._rows = rows + [r for r in old[len(rows):] if r.id not in shown]
        place = {r.id: i for i, r in enumerate(self._rows)}
        for index in self.persistentIndexList():  # the selection follows its session to its new row
            was = old[index.row()].id if index.row() < len(old) else None
            now = place.get(was)
            self.changePersistentIndex(index, QModelIndex() if now is None else self.index(now, index.column()))
        self.layoutChanged.emit()
        if added:
            self._total += added
            if not self._counting:
                self.loaded.emit(self._total)
        self.changedLive.emit({r.id for r in rows if r != by_id.get(r.id)})

    @Slot(int, int)
    def _on_counted(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        self._counting = False
        self._total = max(total, len(self._rows))
        self.loaded.emit(total)

    @Slot(int, int, object)
    def _on_chains(self, generation: int, offset: int, results: dict[int, bool]) -> None:
        if generation != self._generation:
            return
        self._checking = max(0, self._checking - 1)
        changed = [i for i in range(offset, min(len(self._rows), offset + self._limits.get(offset, self._page)))
                   if self._rows[i].id in results]
        for i in changed:
            self._rows[i] = replace(self._rows[i], chain_ok=results[self._rows[i].id])
        if changed:
            self.dataChanged.emit(self.index(changed[0], 0), self.index(changed[-1], len(COLUMNS) - 1))

    @Slot(int, str)
    def _on_failed(self, generation: int, text: str) -> None:
        if generation == self._generation:
            self._pending = self._counting = False
            self.unread = True
            self.failed.emit(text)

    def _answered(self) -> None:
        if self.unread:
            self.unread = False
            self.recovered.emit()
