"""The board: every chair's card in a column (or a strip), the one on screen marked; a click switches chairs."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QWidget

from neurotimer.chairs.status import ChairStatus
from neurotimer.gui.board.chair_card import ChairCard


class ChairBoard(QWidget):
    """Layout only: shows the statuses it is given and asks for a chair when its card is clicked."""

    chairChosen = Signal(int)  # index of the chair the practitioner wants on screen

    def __init__(self, orientation: Qt.Orientation = Qt.Orientation.Vertical, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("board")
        direction = (QBoxLayout.Direction.TopToBottom if orientation is Qt.Orientation.Vertical
                     else QBoxLayout.Direction.LeftToRight)
        self._layout = QBoxLayout(direction, self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)  # eight cards and the chair fit a 768-px screen
        self.cards: list[ChairCard] = []
        self.current = -1

    def set_chairs(self, names: list[str]) -> None:
        """One card per chair, in board order (Ctrl+1 is the first)."""
        for card in self.cards:
            self._layout.removeWidget(card)
            card.deleteLater()
        self.cards = []
        for number, name in enumerate(names, start=1):
            card = ChairCard(number)
            card.render(ChairStatus(name=name))
            card.clicked.connect(lambda i=number - 1: self.chairChosen.emit(i))
            self._layout.addWidget(card, 1)
            self.cards.append(card)
        self.set_current(min(max(self.current, 0), len(names) - 1) if names else -1)

    def update_chair(self, index: int, status: ChairStatus) -> None:
        if 0 <= index < len(self.cards):
            self.cards[index].render(status)

    def set_current(self, index: int) -> None:
        """Marks the card of the chair on screen (and stops its flashing: its own banner speaks now)."""
        self.current = index
        for i, card in enumerate(self.cards):
            card.set_on_screen(i == index)
