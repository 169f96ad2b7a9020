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
