"""A template: a named point set with its needle pairs and waveform, read from and written to plain data."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from neurotimer.plan.plan import Lead, NeedlePair, Plan, SideChoice, parse_side
from neurotimer.plan.waveform import Waveform, parse_waveform

log = logging.getLogger(__name__)

FORMAT = "neurotimer-templates"
USER_FORMAT = "neurotimer-template"
VERSION = 1
MAX_NAME = 60
CHOICES = ("left", "right", "both")


class TemplateError(ValueError):
    """A template file or entry that cannot be used; the message names the file, template and field."""


@dataclass(frozen=True)
class Template:
    """A named point set: (code, left/right/both) entries, optional channel pairs and where it comes from."""

    name: str
    points: tuple[tuple[str, str], ...]
    pairs: tuple[NeedlePair, ...] = ()
    stimulation: str = ""
    waveform: Waveform | None = None  # applied to the paired channels when the template loads
    reference: str = ""
    notes: str = ""
    builtin: bool = field(default=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "points": [{"code": code, "sides": sides} for code, sides in self.points],
        }
        if self.pairs:
            data["pairs"] = [{"channel": p.channel, "a": _lead_text(p.a), "b": _lead_text(p.b)} for p in self.pairs]
        for key in ("stimulation", "reference", "notes"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        if self.waveform is not None:
            data["waveform"] = self.waveform.to_dict()
        return data


@dataclass(frozen=True)
class Applied:
    """A template turned into a plan, with every code the catalogue did not know listed (never dropped)."""

    plan: Plan
    unknown: tuple[str, ...]

    @property
    def message(self) -> str:
        if not self.unknown:
            return ""
        codes = ", ".join(self.unknown)
        return f"Not in the point catalogue, so left out: {codes}. Check the template or add the points."


def _lead_text(lead: Lead | None) -> str:
    return "" if lead is None else f"{lead.code} {lead.side.value}"


def _parse_lead(text: Any, where: str) -> Lead:
    parts = str(text).split()
    if not isinstance(text, str) or len(parts) != 2:
        raise TemplateError(f"{where}: a lead is written as code and side, like 'KI3 L', not {text!r}.")
    try:
        return Lead(parts[0], parse_side(parts[1]))
    except ValueError as exc:
        raise TemplateError(f"{where}: {exc}") from None


def _text(data: dict[str, Any], key: str, where: str, required: bool = False) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise TemplateError(f"{where}: field '{key}' must be text.")
    if required and not value.strip():
        raise TemplateError(f"{where}: field '{key}' is missing or empty.")
    return value.strip()


def _waveform(data: dict[str, Any], where: str) -> Waveform | None:
    if "waveform" not in data:
        return None
    try:
        return parse_waveform(data["waveform"], where)
    except ValueError as exc:
        raise TemplateError(str(exc)) from None


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise TemplateError("A template needs a name.")
    if len(name) > MAX_NAME:
        raise TemplateError(f"A template name can be at most {MAX_NAME} characters.")
    return name


def template_from_dict(data: Any, where: str, builtin: bool = False) -> Template:
    """Validates one template entry; `where` names the file (and entry) in any message."""
    if not isinstance(data, dict):
        raise TemplateError(f"{where}: a template must be a JSON object.")
    name = _text(data, "name", where, required=True)
    where = f"{where} ('{name}')"
    try:
        check_name(name)
    except TemplateError as exc:
        raise TemplateError(f"{where}: {exc}") from None
    raw_points = data.get("points")
    if not isinstance(raw_points, list) or not raw_points:
        raise TemplateError(f"{where}: field 'points' must be a non-empty list.")
    points = []
    for number, entry in enumerate(raw_points, start=1):
        spot = f"{where}, point {number}"
        if not isinstance(entry, dict):
            raise TemplateError(f"{spot}: must be an object with 'code' and 'sides'.")
        code = _text(entry, "code", spot, required=True).upper()
        sides = _text(entry, "sides", spot) or "both"
        if sides.lower() not in CHOICES:
            raise TemplateError(f"{spot} ({code}): field 'sides' must be left, right or both, not '{sides}'.")
        points.append((code, sides.lower()))
    pairs = []
    raw_pairs = data.get("pairs", [])
    if not isinstance(raw_pairs, list):
        raise TemplateError(f"{where}: field 'pairs' must be a list.")
    for number, entry in enumerate(raw_pairs, start=1):
        spot = f"{where}, pair {number}"
        if not isinstance(entry, dict):
            raise TemplateError(f"{spot}: must be an object with 'channel', 'a' and 'b'.")
        channel = entry.get("channel")
        if isinstance(channel, bool) or not isinstance(channel, int) or channel < 1:
            raise TemplateError(f"{spot}: field 'channel' must be a whole number from 1.")
        pairs.append(NeedlePair(channel, _parse_lead(entry.get("a"), spot), _parse_lead(entry.get("b"), spot)))
    if len({p.channel for p in pairs}) != len(pairs):
        raise TemplateError(f"{where}: two pairs use the same channel.")
    return Template(
        name=name,
        points=tuple(points),
        pairs=tuple(sorted(pairs, key=lambda p: p.channel)),
        stimulation=_text(data, "stimulation", where),
        waveform=_waveform(data, where),
        reference=_text(data, "reference", where),
        notes=_text(data, "notes", where),
        builtin=builtin,
    )


def apply_template(template: Template, lookup: Callable[[str], Any]) -> Applied:
    """Builds the plan a template describes; `lookup` is Catalogue.get."""
    plan = Plan()
    unknown: list[str] = []
    for code, sides in template.points:
        point = lookup(code)
        if point is None:
            if code not in unknown:
                unknown.append(code)
            continue
        plan = plan.add(point, SideChoice.parse(sides))
    for pair in template.pairs:
        for lead in pair.leads:
            if lookup(lead.code) is None and lead.code not in unknown:
                unknown.append(lead.code)
    return Applied(plan.with_pairs(template.pairs), tuple(unknown))


def template_from_plan(name: str, plan: Plan, notes: str = "") -> Template:
    """The current plan as a template: points with their sides merged (left + right = both), and pairs."""
    order: list[str] = []
    sides: dict[str, set[str]] = {}
    for planned in plan.points:
        if planned.code not in sides:
            order.append(planned.code)
        sides.setdefault(planned.code, set()).add(planned.side.value)
    points = []
    for code in order:
        got = sides[code]
        choice = "left" if got == {"L"} else "right" if got == {"R"} else "both"
        points.append((code, choice))
    if not points:
        raise TemplateError("There are no points in the plan to save.")
    return Template(check_name(name), tuple(points), plan.active_pairs, notes=notes.strip())
