"""Builds the review window for the chair app (Ctrl+R) or on its own (`neurotimer --review`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from neurotimer.gui.review.window import ReviewWindow
from neurotimer.storage.review_open import open_for_review


def _pick_log(parent: QWidget):
    def pick() -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, "Open a session log for review", str(Path.home()),
                                              "Session logs (*.sqlite3 *.db);;All files (*)")
        return Path(name) if name else None

    return pick


def build_review_window(store, catalogue_source=None, message: str = "", clock=None,
                        choose_practitioner=None) -> ReviewWindow:
    """`store` is the chair's open log, or one opened for review (None when refused, with `message`);
    `choose_practitioner` asks who writes, on its own, before the first entry or report."""
    catalogue = catalogue_source.catalogue if catalogue_source is not None else None
    nerves = catalogue_source.nerves if catalogue_source is not None else ()
    window = ReviewWindow(
        store,
        catalogue=catalogue,
        nerves=nerves,
        message=message,
        open_path=lambda path: open_for_review(path, clock),
    )
    window._pick_file = _pick_log(window)
    window.actions.choose_practitioner = choose_practitioner
    return window


def load_catalogue():
    """The bundled point catalogue and nerves, for a review window started on its own."""
    from neurotimer.points import CatalogueSource

    source = CatalogueSource()
    source.load()
    return source
