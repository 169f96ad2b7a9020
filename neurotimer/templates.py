"""Saved point sets: the published protocols built in, and the practitioner's own, kept as JSON files."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neurotimer.plan import ChannelPair, Lead, Plan, SideChoice, parse_side
from neurotimer.resources import resource
from neurotimer.waveform import Waveform, parse_waveform

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
    pairs: tuple[ChannelPair, ...] = ()
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
        pairs.append(ChannelPair(channel, _parse_lead(entry.get("a"), spot), _parse_lead(entry.get("b"), spot)))
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


def load_builtin(path: Path | None = None) -> list[Template]:
    path = path or resource("templates.json")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TemplateError(f"{path.name}: cannot be read ({exc}).") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise TemplateError(f"{path.name}: not a neurotimer templates file (field 'format').")
    entries = doc.get("templates")
    if not isinstance(entries, list):
        raise TemplateError(f"{path.name}: field 'templates' must be a list.")
    return [
        template_from_dict(entry, f"{path.name}, template {i}", builtin=True)
        for i, entry in enumerate(entries, start=1)
    ]


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:50] or "template"


class TemplateLibrary:
    """Built-in templates plus the user's, one JSON file each in `folder` (the app data folder)."""

    def __init__(self, folder: Path, builtin: list[Template] | None = None) -> None:
        self.folder = Path(folder)
        self._builtin = load_builtin() if builtin is None else builtin
        self.problems: list[str] = []

    def builtin(self) -> list[Template]:
        return list(self._builtin)

    def user(self) -> list[Template]:
        """The user's templates, sorted by name; files that cannot be used are listed in `problems`."""
        self.problems = []
        found = []
        if not self.folder.is_dir():
            return []
        for path in sorted(self.folder.glob("*.json")):
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                self.problems.append(f"Template file {path.name} cannot be read: {exc}.")
                continue
            try:
                if not isinstance(doc, dict) or doc.get("format") != USER_FORMAT:
                    raise TemplateError(f"{path.name}: not a neurotimer template (field 'format').")
                found.append(template_from_dict(doc.get("template"), path.name))
            except TemplateError as exc:
                self.problems.append(f"Template file skipped: {exc}")
        for problem in self.problems:
            log.warning("%s", problem)
        return sorted(found, key=lambda t: t.name.lower())

    def all(self) -> list[Template]:
        return self.builtin() + self.user()

    def find(self, name: str) -> Template | None:
        return next((t for t in self.all() if t.name == name), None)

    def path_for(self, name: str) -> Path:
        return self.folder / f"{_slug(name)}.json"

    def save(self, template: Template, overwrite: bool = False) -> Path:
        """Writes the template atomically; refuses a built-in's name, and an existing one unless asked."""
        name = check_name(template.name)
        if any(t.name.lower() == name.lower() for t in self._builtin):
            raise TemplateError(f"'{name}' is the name of a built-in template: choose another name.")
        path = self.path_for(name)
        if path.exists() and not overwrite:
            raise TemplateError(f"A template called '{name}' already exists.")
        self.folder.mkdir(parents=True, exist_ok=True)
        doc = {"format": USER_FORMAT, "version": VERSION, "template": template.to_dict()}
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
        return path

    def delete(self, name: str) -> None:
        if any(t.name == name for t in self._builtin):
            raise TemplateError("Built-in templates cannot be deleted.")
        self.path_for(name).unlink(missing_ok=True)
