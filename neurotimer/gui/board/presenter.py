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
        board.set_chairs([chair.name for chair in self.chairs])
        board.chairChosen.connect(window.show_chair)
        window.chairShown.connect(board.set_current)
        board.set_current(window.current_chair)
        for chair in self.chairs:
            chair.changed.connect(lambda c=chair: self._mark(c.index))
            self._dirty.add(chair.index)
        self._redraw()

    def refresh_all(self) -> None:
        """Every card again (after the chairs were renamed)."""
        self._dirty.update(chair.index for chair in self.chairs)
        self._redraw()

    def _mark(self, index: int) -> None:
        self._dirty.add(index)
        if not self._timer.isActive():
            self._timer.start(REDRAW_MS)

    def _redraw(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for index in sorted(dirty):
            self.board.update_chair(index, self.chairs[index].status())
