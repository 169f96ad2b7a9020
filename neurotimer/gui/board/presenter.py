"""Keeps the board in step with the chairs: each card redrawn when its chair changes, the chair on screen marked."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QTimer

from neurotimer.gui.board.board import ChairBoard

REDRAW_MS = 100  # changes within this time are drawn together: a chair polled 7 times a second costs little


class BoardPresenter(QObject):
    """Chairs in, cards out; a click on a card (or Ctrl+N) brings that chair on screen through the window."""

    def __init__(self, board: ChairBoard, window, chairs: Sequence, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.board = board
        self.window = window
        self.chairs = list(chairs)
        self._dirty: set[int] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._redraw)
        board.chairChosen.connect(window.show_chair)
        window.chairShown.connect(board.set_current)
        self._followed: set[int] = set()
        self.set_chairs(self.chairs)

    def set_chairs(self, chairs: Sequence) -> None:
        """The chairs after Settings → Chairs (added, removed, renamed): a card each, in board order."""
        self.chairs = list(chairs)
        self.board.set_chairs([chair.name for chair in self.chairs])
        self.board.set_current(self.window.current_chair)
        for chair in self.chairs:
            if id(chair) not in self._followed:
                self._followed.add(id(chair))
                chair.changed.connect(lambda c=chair: self._mark(c))
        self.refresh_all()

    def refresh_all(self) -> None:
        """Every card again (after the chairs were renamed)."""
        self._dirty.update(range(len(self.chairs)))
        self._redraw()

    def _mark(self, chair) -> None:
        if chair in self.chairs:  # a chair removed may still say it changed as it goes
            self._mark_index(self.chairs.index(chair))

    def _mark_index(self, index: int) -> None:
        self._dirty.add(index)
        if not self._timer.isActive():
            self._timer.start(REDRAW_MS)

    def _redraw(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for index in sorted(dirty):
            if index < len(self.chairs):
                self.board.update_chair(index, self.chairs[index].status())
