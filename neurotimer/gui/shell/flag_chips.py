"""The patient's screening flags as chips in the header: each chip is as wide as its words, never cut;
those that do not fit beside the alarm strip are counted in a last chip ("+3 more") that names them."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
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
    """One chip per flag, side by side, in the order given (the most serious first). A chip never shrinks below
    its text (Fixed policy): when the row is too narrow for all of them, the last ones give way to a "+N more"
    chip whose tool tip names them, so that the alarm strip beside the name keeps its room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(CHIP_STYLE)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(3)
        self._layout.addStretch(1)
        self.chips: list[QLabel] = []
        self.more = QLabel()
        self.more.setObjectName("flagChip")
        self.more.setTextFormat(Qt.TextFormat.PlainText)
        self.more.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._layout.insertWidget(0, self.more)
        self.more.hide()
        self.hidden: list[QLabel] = []  # the chips counted in "+N more" now

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
        self.updateGeometry()
        self._fit(self.width())

    def sizeHint(self) -> QSize:
        # As wide as every chip: the header gives it that when it can.
        spacing = self._layout.spacing()
        width = sum(chip.sizeHint().width() + spacing for chip in self.chips)
        height = max((chip.sizeHint().height() for chip in self.chips), default=0)
        return QSize(width, height)

    def minimumSizeHint(self) -> QSize:
        if not self.chips:
            return QSize(0, 0)
        width = self.chips[0].sizeHint().width() + self._layout.spacing() + self._more_width(len(self.chips) - 1)
        return QSize(width, self.sizeHint().height())

    def _more_width(self, count: int) -> int:
        """The "+N more" chip's width for `count`, the chip itself left as it is."""
        shown = self.more.text()
        self.more.setText(f"+{count} more")
        width = self.more.sizeHint().width()
        self.more.setText(shown)
        return width

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit(event.size().width())

    def _fit(self, width: int) -> None:
        """Shows the first chips that fit with, when some do not, a "+N more" chip naming the rest."""
        spacing = self._layout.spacing()
        widths = [chip.sizeHint().width() + spacing for chip in self.chips]
        shown = len(self.chips)
        if sum(widths) > width:
            shown = 0
            while shown < len(self.chips) - 1:
                if sum(widths[:shown + 1]) + self._more_width(len(self.chips) - shown - 1) > width:
                    break
                shown += 1
            shown = max(shown, 1)
        self.hidden = self.chips[shown:]
        for index, chip in enumerate(self.chips):
            chip.setVisible(index < shown)
        self.more.setVisible(bool(self.hidden))
        if self.hidden:
            self.more.setText(f"+{len(self.hidden)} more")
            self.more.setToolTip("\n".join(chip.toolTip() or chip.text() for chip in self.hidden))
