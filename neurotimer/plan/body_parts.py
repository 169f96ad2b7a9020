"""Where on the body a point lies, and where current between a left and a right needle has to go."""

from __future__ import annotations

import re
from enum import Enum
from typing import Any


class BodyPart(Enum):
    HEAD_NECK = "head or neck"
    CHEST = "chest"
    TRUNK = "trunk"
    BACK = "back"
    ARM = "arm"
    LEG = "leg"


_LEG_WORDS = (
    "leg",
    "foot",
    "feet",
    "ankle",
    "toe",
    "knee",
    "thigh",
    "calf",
    "sole",
    "popliteal",
    "malleol",
    "shin",
    "heel",
    "lower limb",
    "dorsum of foot",
    "achilles",
    "fibula",
    "tibia",
)
_ARM_WORDS = (
    "arm",
    "forearm",
    "hand",
    "wrist",
    "finger",
    "palm",
    "elbow",
    "cubital",
    "thumb",
    "metacarp",
    "snuffbox",
    "upper limb",
    "styloid",
)
_BACK_WORDS = ("back", "paraspinal", "lumbar", "sacr", "spine", "vertebra", "scapula", "buttock")
_HEAD_WORDS = ("head", "face", "neck", "scalp", "ear", "eye", "nose", "mouth", "temple", "jaw")
_CHEST_WORDS = ("chest", "thorax", "clavic", "rib", "intercostal", "sternum", "breast")


def _flag_names(point: Any) -> set[str]:
    return {getattr(flag, "name", str(flag)).upper() for flag in (getattr(point, "flags", ()) or ())}


def has_flag(point: Any, name: str) -> bool:
    return name.upper() in _flag_names(point)


def _mentions(text: str, words: tuple[str, ...]) -> bool:
    """Whole words or word beginnings only: 'ear' must not match 'near', nor 'arm' 'harm'."""
    return any(re.search(rf"\b{re.escape(word)}", text) for word in words)


def body_part(point: Any) -> BodyPart:
    """Where a point lies: its flags first, then the words of its region, then of its location.

    The region decides before the location because a location often names a neighbour
    ('below the fibular head' is on the leg).
    """
    flags = _flag_names(point)
    if "HEAD_NECK_FACE" in flags:
        return BodyPart.HEAD_NECK
    order = (
        (_LEG_WORDS, BodyPart.LEG),
        (_ARM_WORDS, BodyPart.ARM),
        (_CHEST_WORDS, BodyPart.CHEST),
        (_HEAD_WORDS, BodyPart.HEAD_NECK),
        (_BACK_WORDS, BodyPart.BACK),
    )
    for field in ("region", "location"):
        text = str(getattr(point, field, "") or "").lower()
        for words, part in order:
            if _mentions(text, words):
                return part
    return BodyPart.CHEST if "THORAX" in flags else BodyPart.TRUNK


_CROSSING_PATHS = {
    frozenset({BodyPart.ARM}): "from one arm to the other, across the chest and heart",
    frozenset({BodyPart.LEG}): "from one leg to the other, across the pelvis and lower spine",
    frozenset({BodyPart.ARM, BodyPart.LEG}): "diagonally through the trunk, past the heart",
    frozenset({BodyPart.BACK}): "horizontally across the spine (and through the chest, high on the back)",
}


def crossing_path(part_a: BodyPart, part_b: BodyPart) -> str:
    """In words, where current between a left and a right needle has to go."""
    parts = frozenset({part_a, part_b})
    if BodyPart.HEAD_NECK in parts:
        return "across the head or neck"
    if BodyPart.CHEST in parts:
        return "across the chest and heart"
    return _CROSSING_PATHS.get(parts, "across the middle of the trunk")


_UPPER_BODY = frozenset({BodyPart.ARM, BodyPart.CHEST, BodyPart.TRUNK})


def _upper_back(point: Any) -> bool:
    return body_part(point) is BodyPart.BACK and has_flag(point, "THORAX")


def heart_path(point_a: Any, point_b: Any, opposite_sides: bool) -> str | None:
    """Where current between these two needles crosses the chest, in words; None if it does not.

    Upper limbs or trunk of opposite sides (arm to arm, arm to the other side of the chest, across the
    chest), an arm to the opposite leg (diagonally through the trunk), any chest point across the midline,
    and the chest joined to the upper back all send current through the thorax, across the heart.
    """
    part_a, part_b = body_part(point_a), body_part(point_b)
    upper_a = part_a in _UPPER_BODY or _upper_back(point_a)
    upper_b = part_b in _UPPER_BODY or _upper_back(point_b)
    if opposite_sides and upper_a and upper_b:
        if part_a is part_b is BodyPart.ARM:
            return "from one arm to the other, across the chest and heart"
        return "from one side of the upper body to the other, across the chest and heart"
    if opposite_sides and {part_a, part_b} == {BodyPart.ARM, BodyPart.LEG}:
        return "diagonally through the trunk from an arm to the opposite leg, past the heart"
    if opposite_sides and BodyPart.CHEST in (part_a, part_b):
        return "from the chest across the middle of the body, past the heart"
    if (part_a is BodyPart.CHEST and _upper_back(point_b)) or (part_b is BodyPart.CHEST and _upper_back(point_a)):
        return "from the chest to the upper back, through the heart"
    return None
