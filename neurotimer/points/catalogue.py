"""The acupuncture point catalogue: points, the nerves beneath them, lookup and search."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

# Each chart view has its own coordinate system (the SVG viewBox units): width, height.
# A bilateral point stores the position of the patient's RIGHT side; the left side is its mirror image
# about the vertical centre line of the view (x -> width - x). Every view is drawn so that this holds.
VIEW_SIZES: dict[str, tuple[float, float]] = {
    "front": (600.0, 1400.0),
    "back": (600.0, 1400.0),
    "hand": (800.0, 1000.0),
    "foot": (800.0, 1200.0),
}
VIEWS = tuple(VIEW_SIZES)
VIEW_TITLES = {"front": "Front", "back": "Back", "hand": "Hands", "foot": "Feet"}


class Depth(StrEnum):
    DEEP = "deep"
    SUPERFICIAL = "superficial"


class Flag(StrEnum):
    PREGNANCY = "pregnancy"  # caution in pregnancy
    THORAX = "thorax"  # over the thorax or lung
    HEAD_NECK_FACE = "head_neck_face"  # on the head, neck or face
    NO_ELECTRO = "no_electro"  # never connect a stimulator lead here


FLAG_TEXT = {
    Flag.PREGNANCY: "caution in pregnancy",
    Flag.THORAX: "over the chest or lung",
    Flag.HEAD_NECK_FACE: "on the head, neck or face",
    Flag.NO_ELECTRO: "not for electrical stimulation",
}


class Side(StrEnum):
    """Which needle of a point: the patient's left or right, or the single needle of a midline point."""

    LEFT = "L"
    RIGHT = "R"
    MIDLINE = "M"


class CatalogueError(ValueError):
    """A catalogue or nerve file that cannot be used; the message names the file, entry and field."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class NerveRef:
    """A nerve at a point: `nerve` is its id in nerves.json, `name` the specific branch in words."""

    nerve: str
    name: str
    depth: Depth


@dataclass(frozen=True)
class Point:
    code: str
    pinyin: str
    meridian: str
    region: str
    location: str
    nerves: tuple[NerveRef, ...]
    bilateral: bool
    flags: frozenset[Flag]
    chart: dict[str, tuple[float, float]] = field(hash=False, compare=False)
    source: str
    members: tuple[Point, ...] = ()

    @property
    def label(self) -> str:
        """'ST36 Zusanli', the way a practitioner names a point."""
        return f"{self.code} {self.pinyin}"

    @property
    def sides(self) -> tuple[Side, ...]:
        return (Side.LEFT, Side.RIGHT) if self.bilateral else (Side.MIDLINE,)

    @property
    def nerve_ids(self) -> frozenset[str]:
        return frozenset(ref.nerve for ref in self.nerves)

    def has_flag(self, flag: Flag) -> bool:
        return flag in self.flags

    def positions(self, view: str) -> list[tuple[Side, tuple[float, float]]]:
        """Where each needle of this point is drawn on `view` (empty when the view does not show it)."""
        pos = self.chart.get(view)
        if pos is None:
            return []
        if not self.bilateral:
            return [(Side.MIDLINE, pos)]
        width = VIEW_SIZES[view][0]
        return [(Side.RIGHT, pos), (Side.LEFT, (width - pos[0], pos[1]))]

    def nerve_text(self) -> str:
        """'deep: deep peroneal n.; superficial: lateral sural cutaneous n.' for tooltips and lists."""
        parts = []
        for depth in (Depth.DEEP, Depth.SUPERFICIAL):
            names = [ref.name for ref in self.nerves if ref.depth is depth]
            if names:
                parts.append(f"{depth.value}: {', '.join(names)}")
        return "; ".join(parts)


@functools.lru_cache(maxsize=8192)
def normalise_code(text: str) -> str:
    """'ST 36', 'st-36', 'St36' -> 'ST36'; 'ex le 10 1' -> 'EXLE101' (compare codes this way).

    Cached: the safety rules compare every needle with every planned point on each check."""
    return re.sub(r"[^0-9A-Z]", "", _fold(text).upper())


def _code_order(code: str) -> tuple[str, int]:
    match = re.match(r"^(.*?)(\d+)$", code)
    return (match.group(1), int(match.group(2))) if match else (code, 0)


def _fold(text: str) -> str:
    """Lower-case text without accents, so 'Zúsānlǐ' matches 'zusanli'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class Catalogue:
    """An ordered, read-only set of points; members of grouped points (Bafeng, Baxie) are found too."""

    def __init__(self, points: Iterable[Point], path: str = "") -> None:
        self.points: tuple[Point, ...] = tuple(points)
        self.path = path
        self._by_code: dict[str, Point] = {}
        self._parent: dict[str, Point] = {}
        for point in self.points:
            self._by_code[normalise_code(point.code)] = point
            for member in point.members:
                self._by_code[normalise_code(member.code)] = member
                self._parent[member.code] = point

    def __len__(self) -> int:
        return len(self.points)

    def __iter__(self) -> Iterator[Point]:
        return iter(self.points)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def get(self, code: str) -> Point | None:
        """The point (or group member) with this code, however it is spaced or cased; None if unknown."""
        return self._by_code.get(normalise_code(code))

    def parent_of(self, code: str) -> Point | None:
        """The group (e.g. Bafeng) a member code belongs to, or None."""
        point = self.get(code)
        return None if point is None else self._parent.get(point.code)

    def all_points(self) -> Iterator[Point]:
        """Every point, each group followed by its members."""
        for point in self.points:
            yield point
            yield from point.members

    def by_nerve(self, nerve_id: str) -> list[Point]:
        """Points (and group members) that lie on or near the nerve, in catalogue order."""
        return [p for p in self.all_points() if nerve_id in p.nerve_ids]

    def search(self, query: str, limit: int | None = None) -> list[Point]:
        """Points matching a code ('st36', 'ST 36'), a name ('zusanli'), a nerve ('peroneal') or a region.

        Ranked: exact code, then code prefix, then name, then nerve, then region or location;
        catalogue order within a rank. Group members are found by their own code only.
        """
        words = _fold(query).split()
        code_query = normalise_code(query)
        if not words:
            return []
        ranked: list[tuple[int, tuple[str, int], int, Point]] = []
        for order, point in enumerate(self.all_points()):
            rank = self._rank(point, code_query, words)
            if rank is not None:
                # code matches read best in code order (ST32, ST35, ST36...), others in catalogue order
                key = _code_order(point.code) if rank <= 2 else ("", 0)
                ranked.append((rank, key, order, point))
        ranked.sort(key=lambda item: item[:3])
        found = [item[3] for item in ranked]
        return found if limit is None else found[:limit]

    def _rank(self, point: Point, code_query: str, words: list[str]) -> int | None:
        code = normalise_code(point.code)
        if code_query and code == code_query:
            return 0
        is_member = point.code in self._parent
        if is_member:
            return None
        if code_query and code.startswith(code_query) and any(c.isdigit() for c in code_query):
            return 1
        if code_query and code.startswith(code_query) and len(code_query) >= 2 and code_query.isalpha():
            return 2
        fields = (
            _fold(point.pinyin),
            " ".join(_fold(f"{ref.nerve.replace('_', ' ')} {ref.name}") for ref in point.nerves),
            _fold(f"{point.region} {point.meridian} {point.location}"),
        )
        for rank, text in enumerate(fields, start=3):
            if all(word in text for word in words):
                return rank
        return None


# The loader lives in its own module; re-exported here so `catalogue.load_catalogue` works as well.
from neurotimer.points.loader import load_catalogue  # noqa: E402

__all__ = [
    "VIEWS",
    "VIEW_SIZES",
    "Catalogue",
    "CatalogueError",
    "Depth",
    "Flag",
    "NerveRef",
    "Point",
    "Side",
    "load_catalogue",
    "normalise_code",
]
