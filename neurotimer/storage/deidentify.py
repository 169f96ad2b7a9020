"""De-identification for exports: codes, numbers and values from the app's own lists stay; free text goes.

Free text can name people (a needle type of "as Dr Meyer likes", an adverse kind of "fainted, her husband
drove her home"), so a de-identified export keeps a typed value only when it is one of the values the app
offers; anything else becomes "other" (or goes, where there is no list). Patient codes are replaced by
pseudonyms drawn afresh for each export, so two exports cannot be joined by them; the practitioner keeps
a code (PR-001), never the name.
"""

from __future__ import annotations

import dataclasses
import random
import re
import secrets
from typing import Any

from neurotimer.storage.people import FOLLOWED_SYMPTOMS

# What the chair offers (gui/record/record_panel.py and widgets.py; a test keeps them the same).
NEEDLE_TYPES = (
    "0.25 × 40 mm, stainless steel, single use",
    "0.25 × 25 mm, stainless steel, single use",
    "0.30 × 40 mm, stainless steel, single use",
    "0.30 × 50 mm, stainless steel, single use",
    "0.20 × 15 mm, stainless steel, single use",
)
RESPONSES = ("de qi", "muscle twitch", "paraesthesia in the nerve's territory", "none")
SETTINGS = ("clinic, patient seated", "clinic, patient lying supine", "clinic, patient lying prone", "home visit")
ADVERSE_KINDS = ("bruising", "soreness", "bleeding", "fainting")
OTHER = "other"

LISTS: dict[str, tuple[str, ...]] = {
    "needle_type": NEEDLE_TYPES,
    "response_sought": RESPONSES,
    "setting": SETTINGS,
    "symptom": FOLLOWED_SYMPTOMS,
    "symptoms": FOLLOWED_SYMPTOMS,
}
# Keys whose text the app itself writes (commands, rule and alarm keys, states): kept when they look like one.
CODE_KEYS = frozenset({
    "command", "mode", "freq_hz", "milestone", "key", "rule", "priority", "subject", "severity", "timing",
    "outcome", "field", "table", "side", "state", "kind", "practitioner_code",
})
# Point codes and sides of the plan (lists, or a pair's {"code", "side"}), and command arguments.
CODE_LISTS = frozenset({"points", "a", "b", "args", "code"})
PATIENT_KEYS = frozenset({"patient_id"})
PRACTITIONER_KEYS = frozenset({"practitioner", "practitioner_id"})
DROPPED_KEYS = frozenset({"birth_year", "name"})
_CODE = re.compile(r"^[A-Za-z0-9_.:/+-]{1,48}$")
_POINT = re.compile(r"^[A-Za-z]{1,4}-?[A-Za-z]*\d{0,3}$")
_TIMESTAMP = re.compile(r"^(\d{4})-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$")

def practitioner_code(practitioner_id: int) -> str:
    return f"PR-{practitioner_id:03d}"


def listed(key: str, value: Any) -> str | None:
    """A typed value kept when it is one the app offers, 'other' when it is not; empty stays empty."""
    if not isinstance(value, str) or not value.strip():
        return None if value is None else ""
    if key == "kind":
        return value if value in ADVERSE_KINDS else OTHER
    return value if value in LISTS.get(key, ()) else OTHER


class Pseudonyms:
    """Patient pseudonyms for one export: the same patient gets the same one throughout, a new one next time."""

    def __init__(self, rng: random.Random | None = None) -> None:
        # A seeded `rng` (tests comparing two exports) draws the same pseudonyms; by default they are secret.
        self._draw = (lambda: f"{rng.getrandbits(32):08x}") if rng is not None else (lambda: secrets.token_hex(4))
        self._given: dict[int, str] = {}

    def __call__(self, patient: int | None) -> str | None:
        """The pseudonym of the patient with this id (None for an unassigned session)."""
        if patient is None:
            return None
        if patient not in self._given:
            taken = set(self._given.values())
            while (name := f"X-{self._draw()}") in taken:
                pass
            self._given[patient] = name
        return self._given[patient]


def scrub(value: Any, pseudonyms: Pseudonyms, key: str = "") -> Any:
    """An event payload (or part of one) with only what de-identification keeps; None means 'leave out'."""
    if isinstance(value, dict):
        return _scrub_dict(value, pseudonyms)
    if isinstance(value, list):
        kept = [scrub(v, pseudonyms, key) for v in value]
        return [v for v in kept if v is not None]
    if key in PATIENT_KEYS:
        return pseudonyms(value) if isinstance(value, int) else None
    if key in PRACTITIONER_KEYS:
        return practitioner_code(value) if isinstance(value, int) and not isinstance(value, bool) else None
    if value is None or isinstance(value, bool | int | float):
        return value
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.match(value)
    if match:
        return match.group(1)
    if key in LISTS:
        return listed(key, value)
    if key == "kind":
        return value if "." in value and _CODE.match(value) else listed(key, value)
    if key in CODE_KEYS and _CODE.match(value):
        return value
    if key in CODE_LISTS and _POINT.match(value):
        return value
    return None


def _scrub_dict(value: dict[str, Any], pseudonyms: Pseudonyms) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # An amendment carries the field it corrects; its old and new values follow that field's rule.
    amended = value.get("field") if isinstance(value.get("field"), str) else None
    for k, v in value.items():
        if k in DROPPED_KEYS:
            continue
        rule = amended if amended is not None and k in ("old", "new") else k
        if rule in DROPPED_KEYS:
            continue
        kept = scrub(v, pseudonyms, rule)
        if kept is not None or v is None:
            out[k] = kept
    return out


# -- reports (the same rules on a page) ----------------------------------------------------------------
WITHHELD = "(withheld)"


class SymptomNames:
    """A symptom as a de-identified report shows it: the app's own name, else 'other 1', 'other 2', …
    (numbered so that two different symptoms typed by hand are never merged into one row)."""

    def __init__(self) -> None:
        self._others: dict[str, str] = {}

    def __call__(self, symptom: str) -> str:
        if symptom in FOLLOWED_SYMPTOMS:
            return symptom
        return self._others.setdefault(symptom, f"{OTHER} {len(self._others) + 1}")


def withheld_patient(patient: Any, pseudonyms: Pseudonyms) -> Any:
    """The patient with a pseudonym for the code and no name, birth year or notes."""
    if patient is None:
        return None
    return dataclasses.replace(patient, code=pseudonyms(patient.id), name=None, birth_year=None, notes="")


def withheld_course(course: Any, symptoms: SymptomNames) -> Any:
    """The course without its free text (condition, style, reasoning, outcome); symptoms by their listed names."""
    if course is None:
        return None
    return dataclasses.replace(
        course, condition=WITHHELD, style=WITHHELD, reasoning=WITHHELD, outcome=WITHHELD if course.outcome else "",
        symptoms=tuple(symptoms(s) for s in course.symptoms),
    )


def withheld_details(details: dict[str, Any]) -> dict[str, Any]:
    """Needling details: the app's own choices stay, anything typed reads 'other'; depth is withheld."""
    return {k: (listed(k, v) if k in LISTS else (WITHHELD if v else "")) for k, v in details.items()}


def withheld_course_data(data: Any, symptoms: SymptomNames) -> Any:
    """A course report's data (storage.report_data.CourseData) with the same rules applied."""
    scores = {sid: {(symptoms(sym), timing): v for (sym, timing), v in m.items()} for sid, m in data.scores.items()}
    return dataclasses.replace(data, course=withheld_course(data.course, symptoms),
                               patient=withheld_patient(data.patient, Pseudonyms()), scores=scores,
                               practitioner=WITHHELD)
