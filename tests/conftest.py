"""Shared fixtures: offscreen Qt for every test, and a manual clock."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from neurotimer.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(autouse=True)
def private_app_folders(tmp_path_factory, monkeypatch):
    """Each test gets its own app data and config folders: nothing leaks between tests or into $HOME."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))


@pytest.fixture(scope="session")
def xvfb_display():
    """A real X server at the size of a common clinic laptop (1366×768); fails loudly if Xvfb is missing."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    from xvfb import start_xvfb

    proc, display = start_xvfb()
    yield display
    proc.terminate()
    proc.wait(10)


def image_colour_count(path) -> int:
    """How many distinct colours a sample grid of the picture holds (a blank screen has one)."""
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    assert not image.isNull(), f"{path} is not a picture"
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    return len(colours)


@pytest.fixture
def colour_count():
    return image_colour_count
