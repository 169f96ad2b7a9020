"""Reading points.json: every field checked, every fault named by file, entry and field."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from neurotimer.points.catalogue import (
    VIEW_SIZES,
    Catalogue,
    CatalogueError,
    Depth,
    Flag,
    NerveRef,
    Point,
)

POINTS_FORMAT = "neurotimer-points"
POINTS_VERSION = 1
CODE_PATTERN = re.compile(r"^(EX-[A-Z]{1,2}|[A-Z]{2})\d{1,2}$")
MEMBER_PATTERN = re.compile(r"^(EX-[A-Z]{1,2}|[A-Z]{2})\d{1,2}-\d{1,2}$")
TEXT_FIELDS = ("pinyin", "meridian", "region", "location", "source")
REQUIRED = ("code", *TEXT_FIELDS, "nerves", "bilateral", "flags", "chart")
KNOWN_FIELDS = frozenset((*REQUIRED, "members"))
MAX_TEXT = 300
MIDLINE_TOLERANCE = 2.0


class EntryError(Exception):
    """A fault inside one field of one entry; turned into a CatalogueError with the entry named."""

    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(f"field '{field_name}': {problem}")


def read_json(path: Path, expected_format: str, version: int) -> tuple[dict[str, Any], str]:
    """The parsed top-level object of a neurotimer resource file, or a CatalogueError saying why not."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError(f"{name}: the file does not exist", name) from None
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"{name}: not UTF-8 text (byte {exc.start})", name) from None
    except OSError as exc:
        raise CatalogueError(f"{name}: cannot read the file ({exc.strerror})", name) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogueError(
            f"{name}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}", name
        ) from None
    except RecursionError:
        raise CatalogueError(f"{name}: not a catalogue: lists or objects nested too deeply", name) from None
    except ValueError:  # a number of thousands of digits (past Python's integer string limit)
        raise CatalogueError(f"{name}: not a catalogue: a number in it is thousands of digits long", name) from None
    if not isinstance(data, dict):
        raise CatalogueError(f"{name}: expected an object with 'format', 'version' and a list", name)
    if data.get("format") != expected_format:
        raise CatalogueError(f"{name}: field 'format': expected '{expected_format}'", name)
    found = data.get("version")
    if not isinstance(found, int) or isinstance(found, bool) or found < 1:
        raise CatalogueError(f"{name}: field 'version': expected a whole number", name)
    if found > version:
        raise CatalogueError(
            f"{name}: field 'version': version {found} was written by a newer neurotimer "
            f"(this one reads up to {version})",
            name,
        )
    return data, name


def load_catalogue(path: str | Path, nerve_ids: Collection[str] | None = None) -> Catalogue:
    """Load and validate points.json; `nerve_ids` (from nerves.json) makes unknown nerves an error."""
    path = Path(path)
    data, name = read_json(path, POINTS_FORMAT, POINTS_VERSION)
    return parse_catalogue(data, name, nerve_ids)


def parse_catalogue(data: dict[str, Any], name: str, nerve_ids: Collection[str] | None) -> Catalogue:
    entries = data.get("points")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{name}: field 'points': expected a non-empty list of points", name)
    points: list[Point] = []
    seen: dict[str, str] = {}
    for index, entry in enumerate(entries, start=1):
        where = _entry_label(index, entry)
        try:
            point = _parse_point(entry, nerve_ids, member_of=None)
            for code in (point.code, *(m.code for m in point.members)):
                if code in seen:
                    raise EntryError("code", f"'{code}' is already used by {seen[code]}")
                seen[code] = where
        except EntryError as exc:
            raise CatalogueError(f"{name}: {where}: {exc}", name) from None
        points.append(point)
    return Catalogue(points, name)


def _entry_label(index: int, entry: Any) -> str:
    code = entry.get("code") if isinstance(entry, dict) else None
    return f"entry {index} ({code})" if isinstance(code, str) and code else f"entry {index}"


def _parse_point(entry: Any, nerve_ids: Collection[str] | None, member_of: str | None) -> Point:
    if not isinstance(entry, dict):
        raise EntryError("entry", "expected an object with code, pinyin, nerves and so on")
    unknown = sorted(set(entry) - KNOWN_FIELDS)
    if unknown:
        raise EntryError(unknown[0], "unknown field (check the spelling)")
    for key in REQUIRED:
        if key not in entry:
            raise EntryError(key, "missing")
    code = _code(entry["code"], member_of)
    texts = {key: _text(entry[key], key) for key in TEXT_FIELDS}
    bilateral = entry["bilateral"]
    if not isinstance(bilateral, bool):
        raise EntryError("bilateral", "expected true or false")
    chart = _chart(entry["chart"], bilateral)
    members: tuple[Point, ...] = ()
    if "members" in entry:
        if member_of is not None:
            raise EntryError("members", "a group member cannot have members of its own")
        members = _members(entry["members"], nerve_ids, code)
    return Point(
        code=code,
        nerves=_nerves(entry["nerves"], nerve_ids),
        bilateral=bilateral,
        flags=_flags(entry["flags"]),
        chart=chart,
        members=members,
        **texts,
    )


def _code(value: Any, member_of: str | None) -> str:
    if not isinstance(value, str):
        raise EntryError("code", "expected text such as 'ST36'")
    if member_of is None:
        if not CODE_PATTERN.match(value):
            raise EntryError("code", f"'{value}' is not a WHO code such as 'ST36' or 'EX-LE10'")
    elif not (MEMBER_PATTERN.match(value) and value.startswith(member_of + "-")):
        raise EntryError("code", f"'{value}' must be the group's code and a number, e.g. '{member_of}-1'")
    return value


def _text(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise EntryError(key, "expected non-empty text")
    if len(value) > MAX_TEXT:
        raise EntryError(key, f"longer than {MAX_TEXT} characters")
    return value.strip()


def _nerves(value: Any, nerve_ids: Collection[str] | None) -> tuple[NerveRef, ...]:
    if not isinstance(value, list) or not value:
        raise EntryError("nerves", "expected a list of at least one nerve")
    refs = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"nerve", "name", "depth"}:
            raise EntryError("nerves", "each nerve needs exactly 'nerve', 'name' and 'depth'")
        nerve, label, depth = item["nerve"], item["name"], item["depth"]
        if not isinstance(nerve, str) or not nerve:
            raise EntryError("nerves", "'nerve' must be a nerve id from nerves.json")
        if nerve_ids is not None and nerve not in nerve_ids:
            raise EntryError("nerves", f"unknown nerve '{nerve}'")
        if not isinstance(label, str) or not label.strip():
            raise EntryError("nerves", f"nerve '{nerve}' has no name")
        if not isinstance(depth, str) or depth not in {d.value for d in Depth}:
            raise EntryError("nerves", f"depth of '{nerve}' must be 'deep' or 'superficial', not {depth!r}")
        refs.append(NerveRef(nerve, label.strip(), Depth(depth)))
    return tuple(refs)


def _flags(value: Any) -> frozenset[Flag]:
    if not isinstance(value, list):
        raise EntryError("flags", "expected a list (it may be empty)")
    allowed = {f.value for f in Flag}
    flags = set()
    for item in value:
        if not isinstance(item, str) or item not in allowed:
            raise EntryError("flags", f"unknown flag {item!r} (known: {', '.join(sorted(allowed))})")
        if item in flags:
            raise EntryError("flags", f"flag '{item}' is given twice")
        flags.add(item)
    return frozenset(Flag(f) for f in flags)


def _chart(value: Any, bilateral: bool) -> dict[str, tuple[float, float]]:
    if not isinstance(value, dict) or not value:
        raise EntryError("chart", "expected at least one view with an [x, y] position")
    chart = {}
    for view, pos in value.items():
        if view not in VIEW_SIZES:
            raise EntryError("chart", f"unknown view '{view}' (known: {', '.join(VIEW_SIZES)})")
        width, height = VIEW_SIZES[view]
        if (
            not isinstance(pos, list)
            or len(pos) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos)
        ):
            raise EntryError("chart", f"position on '{view}' must be [x, y] numbers")
        x, y = float(pos[0]), float(pos[1])
        if not (0 <= x <= width and 0 <= y <= height):
            raise EntryError("chart", f"position on '{view}' lies outside the {width:g}×{height:g} drawing")
        if not bilateral and abs(x - width / 2) > MIDLINE_TOLERANCE:
            raise EntryError("chart", f"a midline point must sit on the centre line x={width / 2:g} of '{view}'")
        chart[view] = (x, y)
    return chart


def _members(value: Any, nerve_ids: Collection[str] | None, parent: str) -> tuple[Point, ...]:
    if not isinstance(value, list) or not value:
        raise EntryError("members", "expected a list of the group's points")
    members = []
    for number, item in enumerate(value, start=1):
        try:
            members.append(_parse_point(item, nerve_ids, member_of=parent))
        except EntryError as exc:
            raise EntryError("members", f"member {number}: {exc}") from None
    return tuple(members)
