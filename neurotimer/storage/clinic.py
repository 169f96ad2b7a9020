"""Every chair's state on one log, for the clinic board: the open sessions and those that closed lately."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from neurotimer.session.clock import rfc3339

RECENT_S = 30 * 60  # a session that closed shows as ended or interrupted this long (or until its chair's next)
LONGEST_S = 120 * 60  # the longest session that can be planned: how far back a recently closed one started
OPEN_STATES = ("running", "paused")

_COLUMNS = (
    "s.id, p.code, s.state, s.planned_minutes, s.started_at, s.ended_at, s.treatment_seconds,"
    " g.treatment_seconds, g.at"
)
_FROM = (
    " FROM sessions s LEFT JOIN patients p ON p.id = s.patient_id"
    " LEFT JOIN session_progress g ON g.session_id = s.id"
)
# On a server each session's lease says where it runs, which chair, and how long since its workstation spoke.
_LEASE_COLUMNS = (
    ", l.workstation, l.chair, l.open, CAST(extract(epoch FROM now() - l.renewed_at) AS double precision),"
    " l.expires_at < now()"
)
_LEASE_FROM = " LEFT JOIN session_leases l ON l.session_id = s.id"


@dataclass(frozen=True)
class ChairState:
    """One chair's session as the board shows it."""

    session_id: int
    workstation: str  # "" when the log does not say (a file log: this computer)
    chair: str  # "" when the workstation did not name it
    patient_code: str | None
    state: str  # running, paused, overdue, ended, interrupted
    remaining_s: float | None  # when read (when last heard from, its lease expired); < 0 overdue; None closed
    lease_age_s: float | None  # since the workstation last renewed its hold; None without a held lease
    lease_expired: bool  # open, but its workstation has not been heard from for a whole lease
    started_at: str

    @property
    def counting(self) -> bool:
        """Whether the remaining time runs down between two reads."""
        return self.state in ("running", "overdue") and not self.lease_expired


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _planned_seconds(conn, open_ids: list[int]) -> dict[int, float]:
    """Each open session's planned time after any extension (the last `session.extended` says it)."""
    if not open_ids:
        return {}
    marks = ", ".join("?" for _ in open_ids)
    rows = conn.execute(
        f"SELECT session_id, payload FROM events WHERE session_id IN ({marks}) AND kind = 'session.extended'"
        " ORDER BY session_id, seq",
        open_ids,
    ).fetchall()
    planned: dict[int, float] = {}
    for session_id, payload in rows:
        seconds = json.loads(payload).get("planned_seconds")
        if isinstance(seconds, int | float):
            planned[int(session_id)] = float(seconds)
    return planned


def clinic_states(conn, now: datetime, *, server: bool, recent_s: float = RECENT_S) -> list[ChairState]:
    """The board's rows at `now` (wall time), by workstation, chair and start. `server`: the log keeps
    session leases (PostgreSQL), so rows say where each session runs."""
    columns = _COLUMNS + (_LEASE_COLUMNS if server else "")
    source = _FROM + (_LEASE_FROM if server else "")
    # Two reads, each led by an index: the open sessions, and those started recently enough to have just closed.
    rows = conn.execute(f"SELECT {columns}{source} WHERE s.state IN ('running', 'paused') ORDER BY s.id").fetchall()
    since = rfc3339(now - timedelta(seconds=recent_s + LONGEST_S))
    rows += conn.execute(
        f"SELECT {columns}{source} WHERE s.started_at >= ? AND s.state NOT IN ('running', 'paused') ORDER BY s.id",
        (since,),
    ).fetchall()
    planned = _planned_seconds(conn, [int(r[0]) for r in rows if r[2] in OPEN_STATES])
    states = [_state(row, now, planned, server, recent_s) for row in rows]
    return _newest_per_chair([s for s in states if s is not None])


def _state(row, now: datetime, planned: dict[int, float], server: bool, recent_s: float) -> ChairState | None:
    session_id, code, state, minutes, started_at, ended_at, _treatment, progress_s, progress_at = row[:9]
    workstation, chair, held, age, expired = row[9:] if server else ("", "", None, None, False)
    session_id = int(session_id)
    if state in OPEN_STATES:
        total = planned.get(session_id, float(minutes) * 60.0)
        since = _parse(progress_at) or _parse(started_at)
        done = float(progress_s or 0.0)
        # A workstation not heard from for a whole lease may be dead: its time is what it last wrote, not a guess.
        if state == "running" and since is not None and not (expired and held):
            done += max(0.0, (now - since).total_seconds())
        remaining: float | None = total - done
        shown = "overdue" if remaining < 0 else state
    else:
        closed_at = _parse(ended_at) or _parse(progress_at) or _parse(started_at)
        if closed_at is not None and (now - closed_at).total_seconds() > recent_s:
            return None
        remaining = None
        shown = "interrupted" if state == "interrupted" else "ended"
    open_lease = bool(held) and state in OPEN_STATES
    return ChairState(
        session_id=session_id,
        workstation=str(workstation or ""),
        chair=str(chair or ""),
        patient_code=code,
        state=shown,
        remaining_s=remaining,
        lease_age_s=float(age) if open_lease and age is not None else None,
        lease_expired=bool(expired) and open_lease,
        started_at=str(started_at),
    )


def _newest_per_chair(states: list[ChairState]) -> list[ChairState]:
    """A named chair shows its newest session; a closed one gives way to whatever started there after it.
    Open sessions always show (two on one chair means one was left open by a crash: the board says so)."""
    newest: dict[tuple[str, str], str] = {}
    for s in states:
        if s.chair:
            key = (s.workstation, s.chair)
            newest[key] = max(newest.get(key, ""), s.started_at)
    kept = [
        s for s in states
        if s.remaining_s is not None or not s.chair or s.started_at >= newest[(s.workstation, s.chair)]
    ]
    return sorted(kept, key=lambda s: (s.workstation, s.chair, s.started_at, s.session_id))


def read_board(store, now: datetime, recent_s: float = RECENT_S) -> list[ChairState]:
    """The board's rows from an open store of either engine."""
    return clinic_states(store.conn, now, server=getattr(store, "server_log", False), recent_s=recent_s)
