"""Nerve pathways: each nerve's course on the body chart and its points from proximal to distal."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neurotimer.points.catalogue import VIEW_SIZES, Catalogue, CatalogueError

NERVES_FORMAT = "neurotimer-nerves"
NERVES_VERSION = 1
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
COLOUR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
KNOWN_FIELDS = frozenset(("id", "name", "course", "points", "colour"))


@dataclass(frozen=True)
class Nerve:
    """A nerve; `course` maps a chart view to polylines (right side; mirrored for the left)."""

    id: str
    name: str
    course: dict[str, tuple[tuple[tuple[float, float], ...], ...]] = field(hash=False, compare=False)
    points: tuple[str, ...]
    colour: str


def load_nerves(path: str | Path) -> tuple[Nerve, ...]:
    """Load and validate nerves.json (see `check_nerves` for the cross-check with the catalogue)."""
    from neurotimer.points.loader import read_json

    data, name = read_json(Path(path), NERVES_FORMAT, NERVES_VERSION)
    entries = data.get("nerves")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{name}: field 'nerves': expected a non-empty list of nerves", name)
    nerves: list[Nerve] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        nerve_id = entry.get("id") if isinstance(entry, dict) else None
        where = f"entry {index} ({nerve_id})" if isinstance(nerve_id, str) and nerve_id else f"entry {index}"
        try:
            nerve = _parse_nerve(entry)
        except ValueError as exc:
            raise CatalogueError(f"{name}: {where}: {exc}", name) from None
        if nerve.id in seen:
            raise CatalogueError(f"{name}: {where}: field 'id': '{nerve.id}' is used twice", name)
        seen.add(nerve.id)
        nerves.append(nerve)
    return tuple(nerves)


def _parse_nerve(entry: Any) -> Nerve:
    if not isinstance(entry, dict):
        raise ValueError("expected an object with id, name, course, points and colour")
    unknown = sorted(set(entry) - KNOWN_FIELDS)
    if unknown:
        raise ValueError(f"field '{unknown[0]}': unknown field (check the spelling)")
    for key in sorted(KNOWN_FIELDS):
        if key not in entry:
            raise ValueError(f"field '{key}': missing")
    nerve_id, label, colour = entry["id"], entry["name"], entry["colour"]
    if not isinstance(nerve_id, str) or not ID_PATTERN.match(nerve_id):
        raise ValueError("field 'id': expected lower-case letters, digits and '_' such as 'deep_peroneal'")
    if not isinstance(label, str) or not label.strip():
        raise ValueError("field 'name': expected non-empty text")
    if not isinstance(colour, str) or not COLOUR_PATTERN.match(colour):
        raise ValueError("field 'colour': expected a colour such as '#d0452f'")
    points = entry["points"]
    if not isinstance(points, list) or not all(isinstance(p, str) and p for p in points):
        raise ValueError("field 'points': expected a list of point codes")
    if len(set(points)) != len(points):
        raise ValueError("field 'points': a point is listed twice")
    return Nerve(nerve_id, label.strip(), _course(entry["course"]), tuple(points), colour)


def _course(value: Any) -> dict[str, tuple[tuple[tuple[float, float], ...], ...]]:
    if not isinstance(value, dict):
        raise ValueError("field 'course': expected views with lines of [x, y] points")
    course = {}
    for view, lines in value.items():
        if view not in VIEW_SIZES:
            raise ValueError(f"field 'course': unknown view '{view}' (known: {', '.join(VIEW_SIZES)})")
        if not isinstance(lines, list) or not lines:
            raise ValueError(f"field 'course': view '{view}' needs a list of lines")
        width, height = VIEW_SIZES[view]
        parsed = []
        for line in lines:
            if not isinstance(line, list) or len(line) < 2:
                raise ValueError(f"field 'course': each line on '{view}' needs at least two [x, y] points")
            coords = []
            for pos in line:
                ok = (
                    isinstance(pos, list)
                    and len(pos) == 2
                    and all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos)
                )
                if not ok or not (0 <= pos[0] <= width and 0 <= pos[1] <= height):
                    raise ValueError(f"field 'course': {pos!r} on '{view}' is not an [x, y] inside the drawing")
                coords.append((float(pos[0]), float(pos[1])))
            parsed.append(tuple(coords))
        course[view] = tuple(parsed)
    return course


def check_nerves(nerves: tuple[Nerve, ...], catalogue: Catalogue, name: str = "nerves.json") -> None:
    """Both files must agree: a nerve lists exactly the points whose entries name that nerve."""
    for index, nerve in enumerate(nerves, start=1):
        where = f"{name}: entry {index} ({nerve.id}): field 'points'"
        for code in nerve.points:
            point = catalogue.get(code)
            if point is None:
                raise CatalogueError(f"{where}: point '{code}' is not in the catalogue", name)
            if nerve.id not in point.nerve_ids:
                raise CatalogueError(f"{where}: {code} does not list this nerve in the catalogue", name)
        listed = {catalogue.get(code).code for code in nerve.points}  # type: ignore[union-attr]
        missing = [p.code for p in catalogue.by_nerve(nerve.id) if p.code not in listed]
        if missing:
            raise CatalogueError(f"{where}: missing {', '.join(missing)} (they name this nerve)", name)


def nerve_map(nerves: tuple[Nerve, ...]) -> dict[str, Nerve]:
    return {nerve.id: nerve for nerve in nerves}
