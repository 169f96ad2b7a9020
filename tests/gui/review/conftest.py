"""A demo log of 8 patients and 80 sessions for the review window's tests, and a window over it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from review_helpers import wait_loaded

from neurotimer.storage.demo import make_demo_database
from neurotimer.storage.export import build_export
from neurotimer.storage.store import open_readonly

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="session")
def review_demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo_database(tmp_path_factory.mktemp("review") / "demo.sqlite3", patients=8, sessions=80,
                              today=TODAY)


@pytest.fixture(scope="session")
def review_docs(review_demo_master: Path) -> list[dict]:
    """Every session as `neurotimer export` writes it: the answers are counted from these by hand."""
    store = open_readonly(review_demo_master)
    try:
        return build_export(store)["sessions"]
    finally:
        store.close()


@pytest.fixture
def review_demo(review_demo_master: Path, tmp_path: Path) -> Path:
    """A private copy: tests that amend or add notes do not change the others' answers."""
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(review_demo_master, path)
    return path


@pytest.fixture
def catalogue_source():
    from neurotimer.points import CatalogueSource

    source = CatalogueSource()
    source.load()
    return source


@pytest.fixture
def review_window(qtbot, review_demo: Path, catalogue_source):
    from neurotimer.gui.review.launch import build_review_window
    from neurotimer.storage.review_open import open_for_review

    store, message = open_for_review(review_demo)
    assert store is not None, message
    window = build_review_window(store, catalogue_source)
    qtbot.addWidget(window)
    window.show()
    wait_loaded(qtbot, window)
    yield window
    window.close()
