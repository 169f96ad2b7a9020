"""Views of the session record panel: the symptom score grid and the adverse-event buttons (layout only)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from neurotimer.storage.people import FOLLOWED_SYMPTOMS

# The symptoms a neuropathy course follows, so the scores taken at the chair are the ones its course plots.
DEFAULT_SYMPTOMS = FOLLOWED_SYMPTOMS
TIMINGS = ("before", "after")
ADVERSE_KINDS = ("bruising", "soreness", "bleeding", "fainting")
SEVERITIES = ("mild", "moderate", "severe")
NOT_SET = -1  # a spin box at its minimum shows "–": nothing entered yet (0 is a real score)


def section_title(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setObjectName("cardTitle")
    return label


class CountSpin(QSpinBox):
    """A number the practitioner means: the wheel changes it only when it has focus (a scroll across the
    panel must not rewrite a pain score), and a digit typed over "–" replaces it."""

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.value() == self.minimum() and self.specialValueText() and event.text().isdigit():
            self.selectAll()
        super().keyPressEvent(event)


def blank_spin(maximum: int, width: int) -> QSpinBox:
    """A spin box that starts at "–" (not entered) rather than at a value nobody chose."""
    spin = CountSpin()
    spin.setRange(NOT_SET, maximum)
    spin.setSpecialValueText("–")
    spin.setValue(NOT_SET)
    spin.setAlignment(Qt.AlignmentFlag.AlignCenter)
    spin.setFixedWidth(width)
    return spin


class ScoreGrid(QWidget):
    """Symptoms down, before and after across; 0–10 each, blank until asked."""

    edited = Signal()  # a score field was left or Enter pressed
    changed = Signal()  # a value moved (the panel saves it after a pause)

    def __init__(self, symptoms: Sequence[str] = DEFAULT_SYMPTOMS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        box.addWidget(section_title("Symptoms 0–10"))
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(6)
        self._grid.setVerticalSpacing(4)
        for column, timing in enumerate(TIMINGS, start=1):
            head = QLabel(timing)
            head.setObjectName("muted")
            head.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._grid.addWidget(head, 0, column)
        self._grid.setColumnStretch(0, 1)
        box.addLayout(self._grid)
        self.spins: dict[tuple[str, str], QSpinBox] = {}
        self.symptoms: list[str] = []
        self._labels: dict[str, QLabel] = {}
        self._defaults = list(symptoms)
        for symptom in symptoms:
            self.add_symptom(symptom)
        self.new_symptom = QLineEdit()
        self.new_symptom.setPlaceholderText("another symptom…")
        self.new_symptom.returnPressed.connect(self._add_typed)
        box.addWidget(self.new_symptom)
        box.addStretch(1)

    def add_symptom(self, symptom: str) -> None:
        name = symptom.strip()
        if not name or name in self.symptoms:
            return
        row = len(self.symptoms) + 1
        self.symptoms.append(name)
        label = QLabel(name)
        label.setTextFormat(Qt.TextFormat.PlainText)  # typed by the practitioner
        self._labels[name] = label
        self._grid.addWidget(label, row, 0)
        for column, timing in enumerate(TIMINGS, start=1):
            spin = blank_spin(10, 58)
            spin.setToolTip(f"{name} {timing} the session, 0 (none) to 10 (worst imaginable)")
            spin.editingFinished.connect(self.edited)
            spin.valueChanged.connect(lambda _value: self.changed.emit())
            self._grid.addWidget(spin, row, column)
            self.spins[(name, timing)] = spin

    def entered(self) -> dict[tuple[str, str], int]:
        return {key: spin.value() for key, spin in self.spins.items() if spin.value() != NOT_SET}

    def reset(self) -> None:
        """Back to the default symptoms, every score blank: a symptom added for one patient is theirs."""
        for name in self.symptoms[len(self._defaults):]:
            label = self._labels.pop(name)
            self._grid.removeWidget(label)
            label.deleteLater()
            for timing in TIMINGS:
                spin = self.spins.pop((name, timing))
                self._grid.removeWidget(spin)
                spin.deleteLater()
        self.symptoms = self.symptoms[:len(self._defaults)]
        self.clear()

    def clear(self) -> None:
        for spin in self.spins.values():
            spin.blockSignals(True)
            spin.setValue(NOT_SET)
            spin.blockSignals(False)

    def _add_typed(self) -> None:
        self.add_symptom(self.new_symptom.text())
        self.new_symptom.clear()


class AdverseBox(QWidget):
    """Severity and a note, one button per common event, and the list of what was noted."""

    requested = Signal(str)  # the kind of event ("other": what happened is in the note)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        box.addWidget(section_title("Adverse events"))
        row = QHBoxLayout()
        row.setSpacing(6)
        self.severity = QComboBox()
        self.severity.addItems(SEVERITIES)
        self.notes = QLineEdit()
        self.notes.setPlaceholderText("where, what…")
        row.addWidget(self.severity)
        row.addWidget(self.notes, 1)
        box.addLayout(row)
        buttons = QGridLayout()
        buttons.setSpacing(4)
        self.buttons: dict[str, QPushButton] = {}
        for index, kind in enumerate((*ADVERSE_KINDS, "other")):
            button = QPushButton("Other…" if kind == "other" else kind.capitalize())
            button.clicked.connect(lambda _checked=False, k=kind: self.requested.emit(k))
            buttons.addWidget(button, index // 3, index % 3)
            self.buttons[kind] = button
        box.addLayout(buttons)
        self.list = QListWidget()
        self.list.setMinimumHeight(48)
        box.addWidget(self.list, 1)

    def show_entries(self, labels: Sequence[str]) -> None:
        self.list.clear()
        self.list.addItems(list(labels))
        if labels:
            self.list.scrollToBottom()

    def reset_inputs(self) -> None:
        self.notes.clear()
        self.severity.setCurrentIndex(0)
