"""Shared fixtures: offscreen Qt for every test, a manual clock, and small hand-made points."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from neurotimer.points.catalogue import Catalogue, Flag, Point
from neurotimer.session.clock import ManualClock


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


# Small hand-made points for the plan and safety tests, so they do not depend on the bundled catalogue.


def make_point(
    code: str,
    region: str = "anterolateral leg",
    bilateral: bool = True,
    flags: tuple[Flag, ...] = (),
    members: tuple[Point, ...] = (),
    pinyin: str = "",
) -> Point:
    return Point(
        code=code,
        pinyin=pinyin or code.title(),
        meridian=code.rstrip("0123456789-"),
        region=region,
        location="",
        nerves=(),
        bilateral=bilateral,
        flags=frozenset(flags),
        chart={},
        source="test",
        members=members,
    )


BAFENG = make_point(
    "EX-LE10",
    "toe webs",
    members=tuple(make_point(f"EX-LE10-{i}", "toe webs") for i in range(1, 5)),
    pinyin="Bafeng",
)

POINTS = {
    "ST36": make_point("ST36", "anterolateral leg", pinyin="Zusanli"),
    "GB39": make_point("GB39", "lateral leg"),
    "SP6": make_point("SP6", "medial leg", flags=(Flag.PREGNANCY,)),
    "LI4": make_point("LI4", "dorsum of hand", flags=(Flag.PREGNANCY,)),
    "PC6": make_point("PC6", "volar forearm"),
    "KI27": make_point("KI27", "below the clavicle", flags=(Flag.THORAX,)),
    "ST9": make_point("ST9", "front of the neck", flags=(Flag.HEAD_NECK_FACE, Flag.NO_ELECTRO)),
    "GB20": make_point("GB20", "back of the neck", flags=(Flag.HEAD_NECK_FACE,)),
    "GV20": make_point("GV20", "vertex", bilateral=False, flags=(Flag.HEAD_NECK_FACE,)),
    "BL23": make_point("BL23", "lower back, paraspinal at L2"),
    "CV12": make_point("CV12", "upper abdomen", bilateral=False),
    "EX-LE10": BAFENG,
}


@pytest.fixture
def pts() -> dict[str, Point]:
    return POINTS


@pytest.fixture
def small_catalogue() -> Catalogue:
    return Catalogue(POINTS.values())


@pytest.fixture
def point_factory():
    return make_point
