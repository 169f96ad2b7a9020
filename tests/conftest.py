"""Shared fixtures: offscreen Qt for every test, a manual clock, and small hand-made points."""

from __future__ import annotations

import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

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


@dataclass
class PgServer:
    """The PostgreSQL server the tests use: `NEUROTIMER_TEST_PG`, else a throwaway cluster (`cluster`)."""

    admin_url: str
    cluster: Any = None

    def url(self, dbname: str, user: str | None = None) -> str:
        parts = urlsplit(self.admin_url)
        netloc = parts.netloc if user is None else f"{user}@{parts.netloc.rpartition('@')[2]}"
        return urlunsplit((parts.scheme, netloc, "/" + dbname, parts.query, ""))

    def admin(self):
        import psycopg

        return psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10)


@pytest.fixture(scope="session")
def pg_server():
    """Started once, on first use, and stopped (its folder removed) when the run ends."""
    external = os.environ.get("NEUROTIMER_TEST_PG")
    if external:
        yield PgServer(external)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    from pg_cluster import start_cluster

    cluster = start_cluster()
    try:
        yield PgServer(cluster.url(), cluster)
    finally:
        cluster.remove()


@pytest.fixture
def pg_url(pg_server):
    """A fresh empty database on the test server for one test, dropped afterwards."""
    name = f"nt_test_{uuid.uuid4().hex[:12]}"
    with pg_server.admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.url(name)
    if pg_server.cluster is not None and not pg_server.cluster.running():
        pg_server.cluster.start()
    with pg_server.admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
