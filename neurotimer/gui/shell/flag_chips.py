"""The patient's screening flags as chips in the header: each chip is as wide as its words, never cut."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QWidget

from neurotimer.gui.shell.theme import CAUTION_CHIP

_BACKGROUND, _INK, _EDGE = CAUTION_CHIP
CHIP_STYLE = (f"QLabel#flagChip {{ background: {_BACKGROUND}; color: {_INK}; border: 1px solid {_EDGE};"
              " border-radius: 8px; padding: 0px 5px; font-size: 12px; font-weight: bold; }")


# Short words for the chips; the full wording is the chip's tool tip.
CHIP_WORDS = {
    "implanted_device": "Implanted device",
    "pregnancy": "Pregnancy",
    "epilepsy": "Epilepsy",
    "heart_disease": "Heart disease",
    "bleeding_risk": "Bleeding risk",
    "dvt": "DVT",
    "metal_implant": "Metal implant",
    "reduced_sensation": "Low sensation",
}


class FlagChips(QWidget):
    """One chip per flag, side by side. A chip never shrinks below its text (Fixed policy): the row is what
    gives way, and the header leaves it room for all eight flags at 1366 px."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(CHIP_STYLE)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(3)
        self._layout.addStretch(1)
        self.chips: list[QLabel] = []

    def set_flags(self, flags: Sequence[str], tooltips: Sequence[str] = ()) -> None:
        """flags: screening keys ("pregnancy") or words; tooltips: their full wording, in the same order."""
        for chip in self.chips:
            self._layout.removeWidget(chip)
            chip.deleteLater()
        self.chips = []
        for index, flag in enumerate(flags):
            chip = QLabel(CHIP_WORDS.get(flag, flag))
            chip.setObjectName("flagChip")
            chip.setTextFormat(Qt.TextFormat.PlainText)
            chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            if index < len(tooltips):
                chip.setToolTip(tooltips[index])
            self._layout.insertWidget(len(self.chips), chip)
            self.chips.append(chip)
        self.setVisible(bool(self.chips))
