"""What the store hands out about sessions (plain frozen dataclasses), and the checks on plan input."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from neurotimer.storage.db import StoreError

SIDES = ("L", "R", "M")
SYMPTOM_TIMING = ("before", "after")
SEVERITIES = ("mild", "moderate", "severe")
DETAIL_FIELDS = ("needle_type", "depth", "response_sought", "setting", "notes")
AMENDABLE = ("planned_minutes", "number", "patient_id", *DETAIL_FIELDS, "points", "channels")

Point = tuple[str, str]


@dataclass(frozen=True)
class SessionSummary:
    id: int
    patient_id: int | None
    patient_code: str | None
    course_id: int | None
    number: int | None
    state: str
    planned_minutes: int
    started_at: str
    ended_at: str | None
    treatment_seconds: float
    event_count: int


@dataclass(frozen=True)
class Score:
    id: int
    session_id: int
    symptom: str
    timing: str
    value: int
    recorded_at: str


@dataclass(frozen=True)
class AdverseEvent:
    id: int
    session_id: int
    kind: str
    severity: str
    notes: str
    recorded_at: str


@dataclass(frozen=True)
class Amendment:
    id: int
    session_id: int
    field: str
    old_value: Any
    new_value: Any
    who: str
    at: str
    why: str
    table: str = "sessions"
    row: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """What was corrected, in words: "depth", "pain before"."""
        if self.table == "scores":
            return f"{self.row.get('symptom', '')} {self.row.get('timing', '')} score"
        return self.field.replace("_", " ")


@dataclass(frozen=True)
class SessionRecord:
    """A session as written, with its amendments beside it (never folded into the original)."""

    summary: SessionSummary
    practitioner_id: int | None
    details: dict[str, str]
    points: list[Point]
    channels: list[dict[str, Any]]
    scores: list[Score]
    adverse_events: list[AdverseEvent]
    amendments: list[Amendment]
    last_hash: str
    practitioner: str = ""  # who treated: name, profession, registration and code ("" when nobody was chosen)

    @property
    def id(self) -> int:
        return self.summary.id

    def effective(self, name: str) -> Any:
        """The value after the latest amendment of `name`, or the original."""
        for amendment in reversed(self.amendments):
            if amendment.field == name:
                return amendment.new_value
        if name == "points":
            return [list(p) for p in self.points]
        if name == "channels":
            return self.channels
        if name in DETAIL_FIELDS:
            return self.details[name]
        return getattr(self.summary, name)

    def effective_score(self, symptom: str, timing: str) -> int | None:
        """A score as amended (the latest amendment wins), or as first written; None when never taken."""
        for amendment in reversed(self.amendments):
            if amendment.table == "scores" and amendment.row.get("symptom") == symptom and (
                amendment.row.get("timing") == timing
            ):
                return amendment.new_value
        values = [s.value for s in self.scores if s.symptom == symptom and s.timing == timing]
        return values[-1] if values else None


@dataclass(frozen=True)
class CourseView:
    course_id: int
    sessions: list[SessionSummary]
    scores: list[Score] = field(default_factory=list)


def check_points(points: list[Point] | list[list[str]]) -> list[Point]:
    clean = []
    for item in points:
        code, side = item
        if not str(code).strip():
            raise StoreError("A point needs its code (for example ST36).")
        if side not in SIDES:
            raise StoreError(f"A point's side is L, R or M (midline), not {side!r}.")
        clean.append((str(code).strip(), side))
    return clean


def check_channels(channels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen = set()
    clean = []
    for item in channels:
        number = item.get("channel")
        if not isinstance(number, int) or not 1 <= number <= 8 or number in seen:
            raise StoreError(f"Channels are numbered 1 to 8, each once; {number!r} is not valid.")
        seen.add(number)
        (a,) = check_points([item["a"]])
        (b,) = check_points([item["b"]])
        clean.append({**item, "a": list(a), "b": list(b)})
    return clean


def seconds_between(start: str, end: str) -> float:
    parse = dt.datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()
