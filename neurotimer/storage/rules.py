"""The log's append-only rules, written once and rendered as triggers for SQLite and for PostgreSQL.

A rule refuses a change with a message the practitioner can read: a row changed, deleted, or (with a
condition on OLD and NEW) changed in a way the record does not allow. Only what both engines can say
alike lives here; a rule that needs a subquery (PostgreSQL's WHEN cannot hold one) stays with its engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CLOSED_STATES = "('completed', 'ended_early', 'interrupted')"
FACT_TABLES = ("scores", "adverse_events")  # facts of the record: added, never changed (log format 4)
# How each engine says "differs, NULL included" (SQLite's IS NOT; the standard's IS DISTINCT FROM).
SQLITE_DIFFERS = "IS NOT"
PG_DIFFERS = "IS DISTINCT FROM"


@dataclass(frozen=True)
class Refusal:
    """BEFORE `event` ON `table` [WHEN `when`]: refused with `message`. `when` may say {differs}."""

    name: str
    event: str  # "UPDATE", "DELETE" or "UPDATE OF column"
    table: str
    message: str
    when: str = ""

    def sqlite(self) -> str:
        when = f" WHEN {self.when.format(differs=SQLITE_DIFFERS)}" if self.when else ""
        return (f"CREATE TRIGGER {self.name} BEFORE {self.event} ON {self.table}{when}"
                f" BEGIN SELECT RAISE(ABORT, '{self.message}'); END")

    def pg(self) -> str:
        when = f" WHEN ({self.when.format(differs=PG_DIFFERS)})" if self.when else ""
        return (f"CREATE TRIGGER {self.name} BEFORE {self.event} ON {self.table} FOR EACH ROW{when}"
                f" EXECUTE FUNCTION neurotimer_refuse('{self.message}')")


def changed(columns: Iterable[str]) -> str:
    """A condition: any of these columns differs between OLD and NEW (NULL counts as a value)."""
    return " OR ".join(f"NEW.{c} {{differs}} OLD.{c}" for c in columns)


def append_only(table: str, what: str, changed_message: str | None = None) -> tuple[Refusal, Refusal]:
    """Rows of `table` are never changed nor deleted."""
    return (
        Refusal(f"{table}_append_only_update", "UPDATE", table, changed_message or f"{what} cannot be changed"),
        Refusal(f"{table}_append_only_delete", "DELETE", table, f"{what} cannot be deleted"),
    )


SESSION_COLUMNS = (
    "state", "patient_id", "course_id", "practitioner_id", "number", "planned_minutes", "needle_type", "depth",
    "response_sought", "setting", "notes", "started_at", "ended_at", "treatment_seconds",
)

EVENTS = append_only("events", "session log events")
AMENDMENTS = append_only("amendments", "amendments")
SESSIONS = (
    Refusal("sessions_no_delete", "DELETE", "sessions", "sessions cannot be deleted"),
    Refusal("sessions_chain_grows", "UPDATE OF event_count", "sessions", "a session log cannot lose events",
            "NEW.event_count < OLD.event_count"),
    # A closed session only grows its chain (amendments, later scores); every other column is frozen.
    Refusal("sessions_closed_frozen", "UPDATE", "sessions", "a closed session is changed only by an amendment",
            f"OLD.state IN {CLOSED_STATES} AND ({changed(SESSION_COLUMNS)})"),
)

# Log format 3: notes are added, never edited; a closed course is frozen.
NOTES = Refusal("session_notes_append_only", "UPDATE", "session_notes", "notes cannot be changed; add another note")
CLOSED_COURSE = Refusal("courses_closed_frozen", "UPDATE", "courses", "a closed course cannot be changed",
                        "OLD.closed_on IS NOT NULL")

# Log format 4: facts are append-only, corrections are amendments; records are retired or archived, never deleted.
V4_FACTS = (
    *(rule for table in FACT_TABLES
      for rule in append_only(table, table, f"{table} are changed only by an amendment")),
    Refusal("courses_no_delete", "DELETE", "courses", "courses cannot be deleted"),
    Refusal("patients_no_delete", "DELETE", "patients", "patients cannot be deleted; archive them"),
    Refusal("patients_identity_frozen", "UPDATE", "patients", "a patient record is changed only by an amendment",
            changed(("id", "code", "name", "birth_year", "notes", "created_at"))),
    Refusal("practitioners_no_delete", "DELETE", "practitioners", "a practitioner profile is retired, never deleted"),
    Refusal("practitioners_frozen", "UPDATE", "practitioners",
            "a practitioner profile is changed only by an amendment",
            changed(("id", "name", "profession", "registration", "created_at"))),
)
