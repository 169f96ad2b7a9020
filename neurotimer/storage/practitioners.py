"""Practitioner profiles (STRICTA item 5): who treats, under a code that events and de-identified exports
carry instead of the name; a profile is retired, never deleted."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from neurotimer.storage.chain import append_event
from neurotimer.storage.db import StoreError

if TYPE_CHECKING:
    from contextlib import AbstractContextManager


def practitioner_code(practitioner_id: int) -> str:
    """What events and de-identified exports carry instead of the practitioner's name."""
    return f"PR-{practitioner_id:03d}"


def parse_practitioner_code(text: str) -> int:
    """The practitioner number in "PR-001" (or "pr-1", or "1"); StoreError for anything else."""
    match = re.fullmatch(r"(?:PR-?)?0*(\d{1,9})", text.strip(), flags=re.IGNORECASE)
    if match is None or int(match.group(1)) == 0:
        raise StoreError(f"{text!r} is not a practitioner code such as PR-001.")
    return int(match.group(1))


@dataclass(frozen=True)
class Practitioner:
    id: int
    name: str
    background: str
    profession: str = ""
    registration: str = ""
    retired: bool = False

    @property
    def code(self) -> str:
        """What a de-identified export shows instead of the name."""
        return practitioner_code(self.id)

    @property
    def label(self) -> str:
        """Name, profession and registration number, as the header and reports show them."""
        extra = ", ".join(x for x in (self.profession, self.registration and f"reg. {self.registration}") if x)
        return f"{self.name} ({extra})" if extra else self.name


class PractitionersMixin:
    """Store methods for practitioner profiles and the practitioner at work (mixed into Store via PeopleMixin)."""

    conn: sqlite3.Connection

    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def now_text(self) -> str: ...

    # The practitioner chosen at the app's start: every acknowledgement, override, amendment and score
    # entry carries them.
    current_practitioner_id: int | None = None

    def practitioner_stamp(self) -> dict[str, Any]:
        """{"practitioner_code": "PR-001"} for an event payload, empty when nobody is chosen (tests, commands)."""
        pid = self.current_practitioner_id
        return {} if pid is None else {"practitioner_code": practitioner_code(pid)}

    def practitioner_stamp_as(self, key: str) -> dict[str, Any]:
        return {} if self.current_practitioner_id is None else {key: self.current_practitioner_id}

    def _record(self, conn: sqlite3.Connection, kind: str, payload: dict[str, Any], at: str) -> None:
        # A patient, course or practitioner record joins the whole log's chain in its own transaction.
        append_event(conn, None, at, 0.0, kind, payload)

    # -- practitioners ---------------------------------------------------------------------------
    def create_practitioner(
        self, name: str, background: str = "", *, profession: str = "", registration: str = ""
    ) -> int:
        """STRICTA item 5: who treats, their profession, registration number and training."""
        if not name.strip():
            raise StoreError("A practitioner needs a name.")
        at = self.now_text()
        fields = {
            "name": name.strip(),
            "background": background,
            "profession": profession.strip(),
            "registration": registration.strip(),
        }
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO practitioners (name, background, profession, registration, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (*fields.values(), at),
            )
            self._record(conn, "practitioner.created", {"id": cur.lastrowid, **fields}, at)
        return int(cur.lastrowid)

    def retire_practitioner(self, practitioner_id: int, retired: bool = True) -> None:
        """Takes a profile off the start-up list; it stays, with every record that names it."""
        self.get_practitioner(practitioner_id)
        at = self.now_text()
        with self.transaction() as conn:
            conn.execute("UPDATE practitioners SET retired = ? WHERE id = ?", (int(retired), practitioner_id))
            self._record(conn, "practitioner.retired", {"id": practitioner_id, "retired": retired}, at)

    def _practitioner_columns(self) -> str:
        has_profile = any(r[1] == "profession" for r in self.conn.execute("PRAGMA table_info(practitioners)"))
        return "id, name, background, " + ("profession, registration, retired" if has_profile else "'', '', 0")

    def list_practitioners(self, include_retired: bool = False) -> list[Practitioner]:
        rows = self.conn.execute(f"SELECT {self._practitioner_columns()} FROM practitioners ORDER BY name, id")
        found = [Practitioner(*row[:5], bool(row[5])) for row in rows]
        return [p for p in found if include_retired or not p.retired]

    def get_practitioner(self, practitioner_id: int) -> Practitioner:
        row = self.conn.execute(
            f"SELECT {self._practitioner_columns()} FROM practitioners WHERE id = ?", (practitioner_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"There is no practitioner number {practitioner_id}.")
        return Practitioner(*row[:5], bool(row[5]))

    def practitioner_text(self, practitioner_id: int | None) -> str:
        """"Dr Ana Lee (physician, reg. GMC 7654321) · PR-001" for a record's reader; "" for nobody."""
        if practitioner_id is None:
            return ""
        try:
            p = self.get_practitioner(practitioner_id)
        except StoreError:
            return practitioner_code(practitioner_id)
        return f"{p.label} · {p.code}"

    def record_report(self, subject: str, subject_id: int, *, practitioner_id: int | None, deidentified: bool,
                      made_as: str = "pdf") -> None:
        """A report was made (a PDF or a print) of a session or a course, and by whom: an event on the whole
        log's chain, outside the session so that the last hash the report prints stays the session's last."""
        if practitioner_id is not None:
            self.get_practitioner(practitioner_id)
        payload = {"subject": subject, "id": subject_id, "deidentified": deidentified, "made_as": made_as}
        if practitioner_id is not None:
            payload["practitioner_code"] = practitioner_code(practitioner_id)
        at = self.now_text()
        with self.transaction() as conn:
            self._record(conn, "report.made", payload, at)
