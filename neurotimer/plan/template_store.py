"""Where templates are kept: the built-in file shipped in resources/ and the practitioner's own JSON files."""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

from neurotimer.plan.templates import (
    FORMAT,
    USER_FORMAT,
    VERSION,
    Template,
    TemplateError,
    check_name,
    template_from_dict,
)
from neurotimer.resources import resource

log = logging.getLogger(__name__)


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
