"""The treatment plan: which points are needled on which side, and which needles each channel joins."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol

from neurotimer.points.catalogue import Side, normalise_code

SIDE_WORDS = {Side.LEFT: "left", Side.RIGHT: "right", Side.MIDLINE: "midline"}


def parse_side(text: str | Side) -> Side:
    """Accepts 'L', 'left', 'R', 'right', 'M', 'midline' (any case)."""
    if isinstance(text, Side):
        return text
    key = str(text).strip().lower()
    for side, word in SIDE_WORDS.items():
        if key in (side.value.lower(), word) or (side is Side.MIDLINE and key == "mid"):
            return side
    raise ValueError(f"'{text}' is not a side: use left, right or midline.")


def side_word(side: Side) -> str:
    return SIDE_WORDS[side]


class SideChoice(StrEnum):
    """What the practitioner picks; BOTH becomes a left and a right needle."""

    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"

    @classmethod
    def parse(cls, text: str | SideChoice | Side) -> SideChoice:
        key = str(text.value if isinstance(text, StrEnum) else text).strip().lower()
        aliases = {"l": "left", "r": "right", "b": "both", "bilateral": "both", "lr": "both"}
        key = aliases.get(key, key)
        if key == "midline" or key == "m":
            return cls.BOTH  # a midline point has one needle whatever is chosen
        try:
            return cls(key)
        except ValueError:
            raise ValueError(f"'{text}' is not a side: use left, right or both.") from None


class PointLike(Protocol):
    """What the plan needs from a catalogue point (neurotimer.points.catalogue.Point fits)."""

    code: str
    pinyin: str
    bilateral: bool


def members_of(point: Any) -> tuple[Any, ...]:
    """The member points of a group (Bafeng, Baxie: four webs a side); empty for a single point."""
    return tuple(getattr(point, "members", ()) or ())


def sides_for(point: PointLike, choice: SideChoice | str) -> tuple[Side, ...]:
    """The sides a choice gives for this point: a midline point always gets one midline needle."""
    if not point.bilateral:
        return (Side.MIDLINE,)
    choice = SideChoice.parse(choice)
    if choice is SideChoice.BOTH:
        return (Side.LEFT, Side.RIGHT)
    return (Side.LEFT,) if choice is SideChoice.LEFT else (Side.RIGHT,)


@dataclass(frozen=True)
class Lead:
    """One clip of a channel: on a needle named by point code (or grouped-point member code) and side."""

    code: str
    side: Side

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", str(self.code).strip().upper())
        object.__setattr__(self, "side", parse_side(self.side))

    def same_needle(self, other: Lead | None) -> bool:
        """'st 36' L and 'ST36' L are the same needle."""
        return other is not None and self.side is other.side and normalise_code(self.code) == normalise_code(other.code)

    @property
    def label(self) -> str:
        return self.code if self.side is Side.MIDLINE else f"{self.code} {self.side.value}"

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "side": self.side.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lead:
        return cls(str(data["code"]), parse_side(data["side"]))


Needle = Lead  # a needle and a lead on it are named the same way


@dataclass(frozen=True)
class NeedlePair:
    """A stimulator channel (1..N) and the two needles its leads are clipped to (None = not chosen)."""

    channel: int
    a: Lead | None = None
    b: Lead | None = None

    def __post_init__(self) -> None:
        if isinstance(self.channel, bool) or not isinstance(self.channel, int) or self.channel < 1:
            raise ValueError(f"Channel numbers start at 1, not {self.channel!r}.")

    @property
    def empty(self) -> bool:
        return self.a is None and self.b is None

    @property
    def leads(self) -> tuple[Lead, ...]:
        return tuple(lead for lead in (self.a, self.b) if lead is not None)

    @property
    def label(self) -> str:
        def name(lead: Lead | None) -> str:
            return lead.label if lead else "—"

        return f"channel {self.channel}: {name(self.a)} – {name(self.b)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "a": self.a.to_dict() if self.a else None,
            "b": self.b.to_dict() if self.b else None,
        }


@dataclass(frozen=True)
class PlannedPoint:
    point: Any
    side: Side

    @property
    def code(self) -> str:
        return self.point.code

    @property
    def needles(self) -> tuple[Lead, ...]:
        members = members_of(self.point)
        if not members:
            return (Lead(self.point.code, self.side),)
        return tuple(Lead(member.code, self.side) for member in members)

    @property
    def label(self) -> str:
        return self.code if self.side is Side.MIDLINE else f"{self.code} {self.side.value}"


def _matches(planned: PlannedPoint, code: str, side: Side | str | None) -> bool:
    if normalise_code(planned.code) != normalise_code(code):
        return False
    return side is None or planned.side is parse_side(side)


@dataclass(frozen=True)
class Plan:
    """Chosen points in the order chosen, and channel pairs; immutable, every change gives a new plan."""

    points: tuple[PlannedPoint, ...] = ()
    pairs: tuple[NeedlePair, ...] = field(default=())

    # -- points ----------------------------------------------------------------------------------
    def add(self, point: PointLike, choice: SideChoice | str = SideChoice.BOTH) -> Plan:
        """Adds the point on the chosen side(s); a side already in the plan is left as it is."""
        new = [PlannedPoint(point, side) for side in sides_for(point, choice)]
        added = tuple(p for p in new if not self.has_point(p.code, p.side))
        return replace(self, points=self.points + added) if added else self

    def remove(self, code: str, side: Side | str | None = None) -> Plan:
        """Removes the point (one side, or every side when side is None); pairs are kept as they are."""
        kept = tuple(p for p in self.points if not _matches(p, code, side))
        return replace(self, points=kept)

    def clear(self) -> Plan:
        return Plan()

    def has_point(self, code: str, side: Side | str | None = None) -> bool:
        return any(_matches(p, code, side) for p in self.points)

    def planned(self, lead: Lead) -> PlannedPoint | None:
        """The planned point a needle belongs to (a Bafeng member's needle belongs to Bafeng)."""
        for planned in self.points:
            if any(lead.same_needle(needle) for needle in planned.needles):
                return planned
        return None

    @property
    def needles(self) -> tuple[Lead, ...]:
        return tuple(n for p in self.points for n in p.needles)

    @property
    def needle_count(self) -> int:
        return sum(len(p.needles) for p in self.points)

    def point_sides(self) -> list[tuple[str, str]]:
        """(code, side) pairs, as the store keeps them for 'same as last session'."""
        return [(p.code, p.side.value) for p in self.points]

    # -- pairs -----------------------------------------------------------------------------------
    def with_pairs(self, pairs: Iterable[NeedlePair]) -> Plan:
        ordered = sorted(pairs, key=lambda pair: pair.channel)
        channels = [pair.channel for pair in ordered]
        if len(set(channels)) != len(channels):
            raise ValueError("Each channel can have only one pair of leads.")
        return replace(self, pairs=tuple(ordered))

    def pair(self, channel: int) -> NeedlePair:
        for pair in self.pairs:
            if pair.channel == channel:
                return pair
        return NeedlePair(channel)

    @property
    def active_pairs(self) -> tuple[NeedlePair, ...]:
        return tuple(pair for pair in self.pairs if not pair.empty)

    def store_channels(self) -> list[dict[str, Any]]:
        """Pairs in the shape the session store's save_plan takes: {"channel", "a": (code, side), "b": ...}."""
        return [
            {"channel": p.channel, "a": (p.a.code, p.a.side.value), "b": (p.b.code, p.b.side.value)}
            for p in self.active_pairs
            if p.a is not None and p.b is not None
        ]

    def to_dict(self) -> dict[str, Any]:
        """For the session record (STRICTA 2a, 2b, 2e): points, sides, needle count and pairs."""
        return {
            "points": [{"code": p.code, "side": p.side.value, "needles": len(p.needles)} for p in self.points],
            "needle_count": self.needle_count,
            "pairs": [pair.to_dict() for pair in self.active_pairs],
        }


def plan_from_sides(lookup: Any, entries: Sequence[tuple[str, str]]) -> tuple[Plan, list[str]]:
    """Builds a plan from (code, side) entries; returns the codes the catalogue does not know."""
    plan = Plan()
    unknown: list[str] = []
    for code, side in entries:
        point = lookup(code)
        if point is None:
            if code not in unknown:
                unknown.append(code)
            continue
        choice = SideChoice.BOTH if not point.bilateral else SideChoice.parse(side)
        plan = plan.add(point, choice)
    return plan, unknown
