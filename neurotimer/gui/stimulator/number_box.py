"""A number box that never reinterprets what was typed: a comma or a value out of range is refused, not read."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

TYPED_MAX = 99999.0  # the box takes any number typed; the driver refuses one out of range with a message


class NumberBox(QDoubleSpinBox):
    """A spin box without arrows whose typed text is taken as written or refused with a message.

    A plain QDoubleSpinBox in the C locale drops a comma as a group separator, so "1,5" mA became 15 mA;
    and its range silently cut 9999 µs to 999 µs. Here the range is wide (the device's limits are the
    driver's to enforce, with a message), and a comma stays visible until Enter, when it is refused.
    """

    refused = Signal(str)

    def __init__(self, value: float, suffix: str, decimals: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(decimals)
        self.setRange(0.0, TYPED_MAX)
        self.setValue(value)
        self.setSuffix(f" {suffix}")
        self.setKeyboardTracking(False)  # send once the value is complete, not per keystroke
        self.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.NoButtons)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setCorrectionMode(QDoubleSpinBox.CorrectionMode.CorrectToPreviousValue)

    def minimumSizeHint(self) -> QSize:
        # Room for what a device takes (four digits and a decimal), not for the wide typed range, so that a
        # channel card fits a 1366-px screen's column beside the board.
        hint = super().minimumSizeHint()
        sample = "9999" + ("." + "9" * self.decimals() if self.decimals() else "") + self.suffix()
        return QSize(min(hint.width(), self.fontMetrics().horizontalAdvance(sample) + 14), hint.height())

    def sizeHint(self) -> QSize:
        return QSize(self.minimumSizeHint().width(), super().sizeHint().height())

    def _body(self, text: str) -> str:
        return text.removesuffix(self.suffix()).strip()

    def _has_comma(self) -> bool:
        return "," in self._body(self.lineEdit().text())

    def validate(self, text: str, pos: int) -> object:
        if "," in self._body(text):
            # Kept on screen so the practitioner sees what was typed; never Acceptable, so never sent.
            return QValidator.State.Intermediate, text, pos
        return super().validate(text, pos)

    def valueFromText(self, text: str) -> float:
        if "," in self._body(text):
            return self.value()  # Qt would read the comma as a thousands separator: 1,5 → 15
        return super().valueFromText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._has_comma():
            self._refuse_typed()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        if self._has_comma():
            self._refuse_typed()
        super().focusOutEvent(event)

    def _refuse_typed(self) -> None:
        body = self._body(self.lineEdit().text())
        self.lineEdit().setText(self.textFromValue(self.value()) + self.suffix())  # the value in force
        self.refused.emit(f"“{body}” was not used: type decimals with a point, e.g. 1.5.")
