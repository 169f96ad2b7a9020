"""The review window's session list: combined filters and sorting as SQL, fetched a page at a time."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from neurotimer.storage.chain import check_session

STATES = ("completed", "ended_early", "interrupted", "running", "paused")
ANY = "any"


@dataclass(frozen=True)
class ReviewFilter:
    """What the practitioner asked for; every field narrows the list, empty fields do not.

    Text is matched as typed (quotes, %, _ are plain characters), ignoring case of ASCII letters.
    `points` are catalogue codes (a point name or a nerve is turned into codes by the window).
    `adverse` is None (no filter), "any", or a kind such as "bruising".
    """

    patient: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    state: str = ""
    points: tuple[str, ...] = ()
    adverse: str | None = None
    practitioner: str = ""
    notes: str = ""
    session_ids: tuple[int, ...] | None = None  # used by exports of a known selection

    def is_empty(self) -> bool:
        return self == ReviewFilter()


@dataclass(frozen=True)
class ReviewRow:
    id: int
    started_at: str
    patient_code: str | None
    patient_name: str | None
    course_id: int | None
    number: int | None
    planned_sessions: int | None
    planned_minutes: int
    treatment_seconds: float
    state: str
    points: str
    channels: int
    peak_ma: float | None
    adverse_events: int
    amendments: int
    practitioner: str
    workstation: str = ""  # where it was recorded: on a server log, from its lease row; "" in a file log
    chair: str = ""  # the chair it ran at, as its workstation named it (a server log); "" when not named
    chain_ok: bool | None = field(default=None, compare=False)


# Column id → the SQL it sorts by. The review table shows them in this order.
SORT_KEYS: dict[str, str] = {
    "date": "s.started_at",
    "patient": "p.code",
    "session": "s.course_id, s.number",
    "minutes": "s.treatment_seconds",
    "state": "s.state",
    "where": "recorded_ws, recorded_chair",
    "points": "points",
    "channels": "channels",
    "peak": "peak_ma",
    "adverse": "adverse_events",
    "amendments": "amendments",
}

# A session's patient as amended (an unassigned session assigned later), else as written.
PATIENT_OF = (
    "coalesce((SELECT CAST(a.new_value AS INTEGER) FROM amendments a WHERE a.session_id = s.id"
    " AND a.field = 'patient_id' ORDER BY a.id DESC LIMIT 1), s.patient_id)"
)

# An open session's row says 0 until it ends: its treatment so far is in its progress row (committed about
# once a second by the workstation that runs it), which another workstation's review list reads live.
TREATED = (
    "coalesce(CASE WHEN s.state IN ('running', 'paused') THEN"
    " (SELECT g.treatment_seconds FROM session_progress g WHERE g.session_id = s.id) END, s.treatment_seconds)"
)

_SELECT = (
    "SELECT s.id, s.started_at, p.code, p.name, s.course_id, s.number, c.planned_sessions, s.planned_minutes,"
    f" {TREATED} AS treated, s.state,"
    " (SELECT group_concat(code || ' ' || side, ',') FROM"
    "   (SELECT code, side FROM session_points WHERE session_id = s.id ORDER BY position) AS plan) AS points,"
    " (SELECT count(*) FROM session_channels WHERE session_id = s.id) AS channels,"
    " (SELECT max(peak_ma) FROM session_peaks WHERE session_id = s.id) AS peak_ma,"
    " (SELECT count(*) FROM adverse_events WHERE session_id = s.id) AS adverse_events,"
    " (SELECT count(*) FROM amendments WHERE session_id = s.id) AS amendments,"
    " coalesce(pr.name, '')"
)
_FROM = (
    f" FROM sessions s LEFT JOIN patients p ON p.id = {PATIENT_OF} LEFT JOIN courses c ON c.id = s.course_id"
    " LEFT JOIN practitioners pr ON pr.id = s.practitioner_id"
)
# Where each session was recorded: a server log keeps it in the session's lease row (one per session, found by
# its primary key: a page costs a look-up a row); a file log is one workstation's and keeps no chair names.
_RECORDED_AT_SERVER = (", coalesce(l.workstation, '') AS recorded_ws, coalesce(l.chair, '') AS recorded_chair",
                       " LEFT JOIN session_leases l ON l.session_id = s.id")
_RECORDED_AT_FILE = (", '' AS recorded_ws, '' AS recorded_chair", "")


def contains(column: str) -> str:
    """A case-insensitive substring test that treats every character literally (no LIKE wildcards)."""
    return f"instr(lower(coalesce({column}, '')), lower(?)) > 0"


def where_clause(f: ReviewFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if f.patient.strip():
        clauses.append(f"({contains('p.code')} OR {contains('p.name')})")
        params += [f.patient.strip()] * 2
    if f.since is not None:
        clauses.append("s.started_at >= ?")
        params.append(f.since.isoformat())
    if f.until is not None:
        clauses.append("s.started_at < ?")
        params.append((f.until + dt.timedelta(days=1)).isoformat())
    if f.state:
        clauses.append("s.state = ?")
        params.append(f.state)
    if f.points:
        marks = ",".join("?" * len(f.points))
        # EXISTS lets the newest-first index lead: the first page of a common point needs few look-ups.
        clauses.append(f"EXISTS (SELECT 1 FROM session_points sp WHERE sp.session_id = s.id AND sp.code IN ({marks}))")
        params += list(f.points)
    if f.adverse == ANY:
        clauses.append("EXISTS (SELECT 1 FROM adverse_events a WHERE a.session_id = s.id)")
    elif f.adverse:
        clauses.append("EXISTS (SELECT 1 FROM adverse_events a WHERE a.session_id = s.id AND lower(a.kind) = lower(?))")
        params.append(f.adverse)
    if f.practitioner.strip():
        clauses.append(contains("pr.name"))
        params.append(f.practitioner.strip())
    if f.notes.strip():
        clauses.append(
            f"({contains('s.notes')} OR EXISTS (SELECT 1 FROM session_notes n WHERE n.session_id = s.id"
            f" AND {contains('n.text')}))"
        )
        params += [f.notes.strip()] * 2
    if f.session_ids is not None:
        clauses.append(f"s.id IN ({','.join('?' * len(f.session_ids))})")
        params += list(f.session_ids)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def order_clause(sort: str = "date", descending: bool = True) -> str:
    key = SORT_KEYS.get(sort, SORT_KEYS["date"])
    way = "DESC" if descending else "ASC"
    return " ORDER BY " + ", ".join(f"{part.strip()} {way}" for part in key.split(",")) + f", s.id {way}"


def count_sessions(conn: sqlite3.Connection, f: ReviewFilter) -> int:
    where, params = where_clause(f)
    sql = "SELECT count(*) FROM sessions s"
    if "p." in where:
        sql += f" LEFT JOIN patients p ON p.id = {PATIENT_OF}"
    if "pr." in where:
        sql += " LEFT JOIN practitioners pr ON pr.id = s.practitioner_id"
    return int(conn.execute(sql + where, params).fetchone()[0])


def fetch_rows(
    conn: sqlite3.Connection,
    f: ReviewFilter,
    sort: str = "date",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
    check_chains: bool = True,
) -> list[ReviewRow]:
    """One page of the filtered, sorted list; each row's hash chain checked when asked."""
    where, params = where_clause(f)
    columns, joins = _RECORDED_AT_FILE if on_file(conn) else _RECORDED_AT_SERVER
    sql = _SELECT + columns + _FROM + joins + where + order_clause(sort, descending) + " LIMIT ? OFFSET ?"
    out = [ReviewRow(*r[:10], points_text(r[10]), *r[11:]) for r in conn.execute(sql, [*params, limit, offset])]
    if check_chains and out:
        out = [_with_chain(conn, row) for row in out]
    return out


def on_file(conn) -> bool:
    """Whether `conn` reads a SQLite file (bare, or bounded as a worker's is) rather than a server."""
    return isinstance(conn, sqlite3.Connection) or isinstance(getattr(conn, "_inner", None), sqlite3.Connection)


def session_ids(conn: sqlite3.Connection, f: ReviewFilter, sort: str = "date", descending: bool = True) -> list[int]:
    where, params = where_clause(f)
    sql = (
        "SELECT s.id, (SELECT group_concat(code, ' ') FROM session_points WHERE session_id = s.id) AS points,"
        " (SELECT count(*) FROM session_channels WHERE session_id = s.id) AS channels,"
        " (SELECT max(peak_ma) FROM session_peaks WHERE session_id = s.id) AS peak_ma,"
        " (SELECT count(*) FROM adverse_events WHERE session_id = s.id) AS adverse_events,"
        " (SELECT count(*) FROM amendments WHERE session_id = s.id) AS amendments"
    )
    columns, joins = _RECORDED_AT_FILE if on_file(conn) else _RECORDED_AT_SERVER
    sql += (
        f"{columns} FROM sessions s LEFT JOIN patients p ON p.id = {PATIENT_OF}"
        f" LEFT JOIN practitioners pr ON pr.id = s.practitioner_id{joins}"
    )
    return [r[0] for r in conn.execute(sql + where + order_clause(sort, descending), params)]


def chain_intact(conn: sqlite3.Connection, session_id: int) -> bool:
    row = conn.execute("SELECT event_count, last_hash FROM sessions WHERE id = ?", (session_id,)).fetchone()
    return row is not None and not check_session(conn, session_id, row[0], row[1])


def _with_chain(conn: sqlite3.Connection, row: ReviewRow) -> ReviewRow:
    from dataclasses import replace

    return replace(row, chain_ok=chain_intact(conn, row.id))


def points_text(raw: str | None) -> str:
    """"ST36 L,ST36 R,SP6 L" → "ST36 L+R; SP6 L": each point once, its sides joined, in the plan's order."""
    if not raw:
        return ""
    sides: dict[str, list[str]] = {}
    for item in raw.split(","):
        code, _, side = item.rpartition(" ")
        sides.setdefault(code, [])
        if side not in sides[code]:
            sides[code].append(side)
    return "; ".join(f"{code} {'+'.join(s)}" for code, s in sides.items())


def adverse_kinds(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT kind FROM adverse_events ORDER BY kind")]


def practitioner_names(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM practitioners ORDER BY name")]
