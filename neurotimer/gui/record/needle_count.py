"""Needles in and out at the chair, and whether the session may close (the rule is neurotimer.session.needles)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from neurotimer.gui.record.widgets import NOT_SET, CountSpin, blank_spin, section_title
from neurotimer.session.needles import MAX_NEEDLES, CloseCheck, close_check


class NeedleCountBox(QWidget):
    """'In' follows the plan until the practitioner changes it; 'out' is blank until counted."""

    checkChanged = Signal(bool, str)  # may the session close, and if not why
    edited = Signal()  # a count was left or Enter pressed: time to record it
    changed = Signal()  # a count moved

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.planned = 0
        self.follows_plan = True
        self._recorded: dict[str, int | None] = {"needles.in": None, "needles.out": None}
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        box.addWidget(section_title("Needle count"))
        row = QHBoxLayout()
        row.setSpacing(6)
        self.needles_in = CountSpin()
        self.needles_in.setRange(0, MAX_NEEDLES)
        self.needles_in.setToolTip("Needles put in (from the plan until you change it)")
        self.needles_in.setFixedWidth(70)
        self.needles_in.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.needles_out = blank_spin(MAX_NEEDLES, 70)
        self.needles_out.setToolTip("Needles counted out at removal")
        self.needles_in.valueChanged.connect(self._in_changed)
        self.needles_out.valueChanged.connect(self._show)
        for spin in (self.needles_in, self.needles_out):
            spin.valueChanged.connect(lambda _value: self.changed.emit())
            spin.editingFinished.connect(self.edited)
        self.all_out_button = QPushButton("All out")
        self.all_out_button.setToolTip("Every needle put in has been counted out")
        self.all_out_button.clicked.connect(self._all_out)
        row.addWidget(QLabel("In"))
        row.addWidget(self.needles_in)
        row.addSpacing(6)
        row.addWidget(QLabel("Out"))
        row.addWidget(self.needles_out)
        row.addWidget(self.all_out_button)
        row.addStretch(1)
        box.addLayout(row)
        self.check_label = QLabel()
        self.check_label.setWordWrap(True)
        box.addWidget(self.check_label)
        self._show()

    # -- state -----------------------------------------------------------------------------------
    def out_value(self) -> int | None:
        value = self.needles_out.value()
        return None if value == NOT_SET else value

    def check(self) -> CloseCheck:
        return close_check(self.needles_in.value(), self.out_value())

    def set_planned(self, count: int) -> None:
        self.planned = max(0, min(MAX_NEEDLES, int(count)))
        if self.follows_plan:
            self.needles_in.blockSignals(True)
            self.needles_in.setValue(self.planned)
            self.needles_in.blockSignals(False)
            self._show()

    def reset(self) -> None:
        """A new session: 'in' follows the plan again, 'out' is blank, nothing recorded yet."""
        self.follows_plan = True
        self._recorded = {"needles.in": None, "needles.out": None}
        for spin, value in ((self.needles_in, self.planned), (self.needles_out, NOT_SET)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self._show()

    # -- recording -------------------------------------------------------------------------------
    def pending(self, session_has_row: bool) -> list[tuple[str, dict[str, Any]]]:
        """The count events not yet recorded. The plan's own count waits for the session's row, so
        choosing points before the start does not write an event per point."""
        events: list[tuple[str, dict[str, Any]]] = []
        count_in = self.needles_in.value()
        if count_in != self._recorded["needles.in"] and (session_has_row or not self.follows_plan):
            events.append(("needles.in", {"count": count_in, "planned": self.planned}))
        count_out = self.out_value()
        if count_out is not None and count_out != self._recorded["needles.out"]:
            events.append(("needles.out", {"count": count_out, "in": count_in}))
        return events

    def mark_recorded(self, kind: str, count: int) -> None:
        self._recorded[kind] = count

    # -- display ---------------------------------------------------------------------------------
    def _in_changed(self, value: int) -> None:
        if value != self.planned:
            self.follows_plan = False  # counted by hand (a point skipped or added at the chair)
        self._show()

    def _all_out(self) -> None:
        self.needles_out.setValue(self.needles_in.value())
        self.edited.emit()

    def _show(self, *_changed: object) -> None:
        check = self.check()
        count = self.needles_in.value()
        if not check.ok and self.out_value() is None:
            # Not counted out yet is the normal state during treatment: say it, without alarm.
            name, text = "muted", f"{count} in. Count them out at removal."
        elif not check.ok:
            name, text = "warn", check.message
        elif count:
            name, text = "ok", f"All {count} counted out."
        else:
            name, text = "muted", "No needles in."
        self.check_label.setObjectName(name)
        self.check_label.setText(text)
        self.check_label.style().unpolish(self.check_label)
        self.check_label.style().polish(self.check_label)
        self.checkChanged.emit(check.ok, check.message)
