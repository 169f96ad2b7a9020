"""The review list's filters: patient, dates, state, point, nerve, adverse event, practitioner, notes."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QPushButton, QWidget

from neurotimer.gui.shell.theme import ALARM_COLOURS
from neurotimer.storage.review_queries import ANY, STATES, ReviewFilter

DEBOUNCE_MS = 250


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def resolve_points(catalogue, text: str) -> tuple[str, ...]:
    """A point typed as a code ("st 36") or a name ("zusanli") → catalogue codes; unknown text as typed."""
    text = text.strip()
    if not text:
        return ()
    if catalogue is not None and re.fullmatch(r"[\w .\-]+", text):  # "ST36%" is not a way of writing ST36
        point = catalogue.get(text)
        if point is not None:
            return (point.code,)
        wanted = _fold(text)
        named = tuple(p.code for p in catalogue.all_points() if wanted and wanted in _fold(p.pinyin))
        if named:
            return named
    return (text.upper(),)


def parse_day(text: str) -> dt.date | None:
    """'' → None; '2026-03-31' → that day; anything else raises ValueError with a message."""
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date like 2026-03-31") from None


class FilterBar(QWidget):
    """Emits `changed(ReviewFilter)` a moment after the practitioner stops typing (at once on Enter)."""

    changed = Signal(object)
    problem = Signal(str)  # a date that cannot be read ('' when all is well)

    def __init__(self, catalogue=None, nerves: Sequence = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalogue = catalogue
        self._nerves = {n.name: n for n in nerves}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        self.patient = self._line("code or name")
        self.since = self._line("from 2026-01-31")
        self.until = self._line("to 2026-12-31")
        self.point = self._line("code or name (ST36, zusanli)")
        self.practitioner = self._line("name")
        self.notes = self._line("text in notes")
        self.state = QComboBox()
        self.state.addItem("any state", "")
        for state in STATES:
            self.state.addItem(state.replace("_", " "), state)
        self.nerve = QComboBox()
        self.nerve.addItem("any nerve", "")
        for name in sorted(self._nerves):
            self.nerve.addItem(name, name)
        self.adverse = QComboBox()
        self.set_adverse_kinds([])
        for combo in (self.state, self.nerve, self.adverse):
            combo.currentIndexChanged.connect(self._soon)
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.clicked.connect(self.clear)
        for column, (label, widget) in enumerate((
            ("Patient", self.patient), ("From", self.since), ("To", self.until), ("State", self.state),
            ("Point", self.point),
        )):
            grid.addWidget(QLabel(label), 0, 2 * column)
            grid.addWidget(widget, 0, 2 * column + 1)
        for column, (label, widget) in enumerate((
            ("Nerve", self.nerve), ("Adverse", self.adverse), ("Practitioner", self.practitioner),
            ("Notes", self.notes),
        )):
            grid.addWidget(QLabel(label), 1, 2 * column)
            grid.addWidget(widget, 1, 2 * column + 1)
        grid.addWidget(self.clear_button, 1, 9)
        for column in range(1, 10, 2):
            grid.setColumnStretch(column, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.apply)

    def _line(self, placeholder: str) -> QLineEdit:
        line = QLineEdit()
        line.setPlaceholderText(placeholder)
        line.setClearButtonEnabled(True)
        line.textEdited.connect(self._soon)
        line.returnPressed.connect(self.apply)
        return line

    def set_adverse_kinds(self, kinds: Sequence[str]) -> None:
        current = self.adverse.currentData()
        self.adverse.blockSignals(True)
        self.adverse.clear()
        self.adverse.addItem("no filter", None)
        self.adverse.addItem("any adverse event", ANY)
        for kind in kinds:
            self.adverse.addItem(kind, kind)
        index = self.adverse.findData(current)
        self.adverse.setCurrentIndex(max(0, index))
        self.adverse.blockSignals(False)

    def _soon(self, *_args) -> None:
        self._timer.start()

    def clear(self) -> None:
        for line in (self.patient, self.since, self.until, self.point, self.practitioner, self.notes):
            line.clear()
        for combo in (self.state, self.nerve, self.adverse):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.apply()

    def current(self) -> ReviewFilter:
        """The filter as typed; raises ValueError for a date that cannot be read."""
        codes = list(resolve_points(self._catalogue, self.point.text()))
        nerve = self._nerves.get(self.nerve.currentData() or "")
        if nerve is not None:
            on_nerve = set(nerve.points)
            if self._catalogue is not None:
                on_nerve |= {p.code for p in self._catalogue.by_nerve(nerve.id)}
            # A point and a nerve together: sessions with a point that is both.
            codes = sorted(on_nerve & set(codes)) or ["\0none"] if codes else sorted(on_nerve)
        return ReviewFilter(
            patient=self.patient.text(),
            since=parse_day(self.since.text()),
            until=parse_day(self.until.text()),
            state=self.state.currentData() or "",
            points=tuple(codes),
            adverse=self.adverse.currentData(),
            practitioner=self.practitioner.text(),
            notes=self.notes.text(),
        )

    def apply(self) -> None:
        self._timer.stop()
        try:
            f = self.current()
        except ValueError as exc:
            for line in (self.since, self.until):
                bad = bool(line.text().strip()) and _bad_day(line.text())
                line.setStyleSheet(f"border: 2px solid {ALARM_COLOURS['high']};" if bad else "")
            self.problem.emit(str(exc))
            return
        for line in (self.since, self.until):
            line.setStyleSheet("")
        self.problem.emit("")
        self.changed.emit(f)


def _bad_day(text: str) -> bool:
    try:
        parse_day(text)
    except ValueError:
        return True
    return False
