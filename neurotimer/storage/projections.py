"""What each chained event says about the tables History, export and reports read (for the replay).

The write path (records.py, people.py) writes the same rows in the event's own transaction; this module
says what they must be, so that `verify` can tell any row that differs.
"""

from __future__ import annotations

import json

from neurotimer.storage.derived import Event, Replay, on, register_table
from neurotimer.storage.models import DETAIL_FIELDS
from neurotimer.storage.records import commanded_current

SESSION_COLUMNS = (
    "patient_id",
    "course_id",
    "practitioner_id",
    "number",
    "planned_minutes",
    "state",
    *DETAIL_FIELDS,
    "started_at",
    "ended_at",
    "treatment_seconds",
)

register_table(
    "practitioners",
    ("id",),
    ("id", "name", "background", "profession", "registration", "retired", "created_at"),
)
register_table(
    "patients",
    ("id",),
    ("id", "code", "name", "birth_year", "screening", "notes", "archived", "created_at"),
    json_columns=("screening",),
)
register_table(
    "courses",
    ("id",),
    (
        "id",
        "patient_id",
        "practitioner_id",
        "condition",
        "planned_sessions",
        "sessions_per_week",
        "style",
        "reasoning",
        "started_on",
        "created_at",
        "symptoms",
        "closed_on",
        "outcome",
    ),
    json_columns=("symptoms",),
)
register_table("sessions", ("id",), ("id", *SESSION_COLUMNS, "event_count", "last_hash"), session_column="id")
register_table(
    "session_points",
    ("session_id", "position"),
    ("session_id", "position", "code", "side"),
    session_column="session_id",
)
register_table(
    "session_channels",
    ("session_id", "channel"),
    ("session_id", "channel", "a_code", "a_side", "b_code", "b_side", "settings"),
    json_columns=("settings",),
    session_column="session_id",
)
register_table(
    "scores",
    ("id",),
    ("id", "session_id", "symptom", "timing", "value", "recorded_at"),
    session_column="session_id",
)
register_table(
    "adverse_events",
    ("id",),
    ("id", "session_id", "kind", "severity", "notes", "recorded_at"),
    session_column="session_id",
)
register_table(
    "amendments",
    ("id",),
    (
        "id", "session_id", "patient_id", "table_name", "row_key", "field", "old_value", "new_value",
        "who", "at", "why", "seq",
    ),
    json_columns=("row_key", "old_value", "new_value"),
    session_column="session_id",
)
register_table(
    "session_notes",
    ("session_id", "seq"),
    ("session_id", "seq", "at", "text", "practitioner"),
    session_column="session_id",
)
register_table(
    "session_peaks", ("session_id", "channel"), ("session_id", "channel", "peak_ma"), session_column="session_id"
)


# -- people -------------------------------------------------------------------------------------
@on("practitioner.created")
def _practitioner(replay: Replay, e: Event) -> None:
    d = e.data
    replay.put(
        "practitioners",
        {
            "id": d["id"],
            "name": d["name"],
            "background": d.get("background", ""),
            "profession": d.get("profession", ""),
            "registration": d.get("registration", ""),
            "retired": 0,
            "created_at": e.at,
        },
    )


@on("practitioner.retired")
def _retired(replay: Replay, e: Event) -> None:
    row = replay.get("practitioners", e.data["id"])
    if row is not None:
        row["retired"] = int(bool(e.data.get("retired", True)))


@on("patient.created")
def _patient(replay: Replay, e: Event) -> None:
    d = e.data
    replay.put(
        "patients",
        {
            "id": d["id"],
            "code": d["code"],
            "name": d.get("name"),
            "birth_year": d.get("birth_year"),
            "screening": d.get("screening", {}),
            "notes": d.get("notes", ""),
            "archived": 0,
            "created_at": e.at,
        },
    )


@on("patient.screening", "patient.archived")
def _patient_change(replay: Replay, e: Event) -> None:
    row = replay.get("patients", e.data["id"])
    if row is None:
        return
    if e.kind == "patient.screening":
        row["screening"] = e.data["screening"]
    else:
        row["archived"] = int(bool(e.data["archived"]))


@on("course.created")
def _course(replay: Replay, e: Event) -> None:
    replay.put(
        "courses",
        {"symptoms": [], "closed_on": None, "outcome": "", **e.data, "created_at": e.at},
    )


@on("course.changed")
def _course_changed(replay: Replay, e: Event) -> None:
    """A course's symptoms, closing date or outcome note: {"id", and any of those three}."""
    row = replay.get("courses", e.data["id"])
    if row is not None:
        row.update({k: e.data[k] for k in ("symptoms", "closed_on", "outcome") if k in e.data})


# -- sessions -----------------------------------------------------------------------------------
@on("session.opened")
def _opened(replay: Replay, e: Event) -> None:
    d = e.data
    row = {c: d.get(c) for c in SESSION_COLUMNS}
    row.update({"id": e.session_id, "state": "running", "ended_at": None, "treatment_seconds": 0.0})
    for name in DETAIL_FIELDS:
        row[name] = str(d.get(name, ""))
    replay.put("sessions", row)


@on("session.paused", "session.resumed", "session.ended", "session.interrupted", "session.assigned")
def _session_state(replay: Replay, e: Event) -> None:
    row = replay.get("sessions", e.session_id)
    if row is None:
        return
    d = e.data
    if e.kind == "session.paused":
        row["state"] = "paused"
    elif e.kind == "session.resumed":
        row["state"] = "running"
    elif e.kind == "session.assigned":
        row.update(patient_id=d["patient_id"], course_id=d.get("course_id"), number=d.get("number"))
    else:
        row["state"] = d.get("outcome", "interrupted")
        row["ended_at"] = e.at if e.kind == "session.ended" else None
        row["treatment_seconds"] = float(d.get("treatment_seconds") or 0.0)


@on("session.details")
def _details(replay: Replay, e: Event) -> None:
    row = replay.get("sessions", e.session_id)
    if row is not None and row["state"] in ("running", "paused"):
        for name in DETAIL_FIELDS:
            if name in e.data:
                row[name] = str(e.data[name])


@on("plan.saved")
def _plan(replay: Replay, e: Event) -> None:
    sid = e.session_id
    replay.drop_session("session_points", sid)
    replay.drop_session("session_channels", sid)
    for position, (code, side) in enumerate(e.data["points"]):
        replay.put("session_points", {"session_id": sid, "position": position, "code": code, "side": side})
    for c in e.data.get("channels", []):
        replay.put(
            "session_channels",
            {
                "session_id": sid,
                "channel": c["channel"],
                "a_code": c["a"][0],
                "a_side": c["a"][1],
                "b_code": c["b"][0],
                "b_side": c["b"][1],
                "settings": {k: v for k, v in c.items() if k not in ("channel", "a", "b")},
            },
        )


@on("score.recorded")
def _score(replay: Replay, e: Event) -> None:
    d = e.data
    if "id" in d:  # Scores of logs before the whole-log chain come from the migration's snapshot.
        replay.put(
            "scores",
            {
                "id": d["id"],
                "session_id": e.session_id,
                "symptom": d["symptom"],
                "timing": d["timing"],
                "value": d["value"],
                "recorded_at": e.at,
            },
        )


@on("adverse_event.recorded")
def _adverse(replay: Replay, e: Event) -> None:
    d = e.data
    if "id" in d:
        replay.put(
            "adverse_events",
            {
                "id": d["id"],
                "session_id": e.session_id,
                "kind": d["kind"],
                "severity": d["severity"],
                "notes": d.get("notes", ""),
                "recorded_at": e.at,
            },
        )


@on("record.amended")
def _amended(replay: Replay, e: Event) -> None:
    d = e.data
    if "amendment" in d and "table" in d:  # Older amendments come from the migration's snapshot.
        replay.put(
            "amendments",
            {
                "id": d["amendment"],
                "session_id": e.session_id,
                "patient_id": d.get("patient_id"),
                "table_name": d["table"],
                "row_key": d["row"],
                "field": d["field"],
                "old_value": d["old"],
                "new_value": d["new"],
                "who": d["practitioner"],
                "at": e.at,
                "why": d["reason"],
                "seq": e.seq,
            },
        )


@on("session.note")
def _note(replay: Replay, e: Event) -> None:
    d = e.data
    row = {"session_id": e.session_id, "seq": e.seq, "at": e.at}
    replay.put("session_notes", {**row, "text": str(d.get("text", "")), "practitioner": str(d.get("practitioner", ""))})


_UNREAD = object()
MEMO_LIMIT = 100_000


@on("stim.command", "stim.intensity")
def _peak(replay: Replay, e: Event) -> None:
    # A session sets the same current on the same channel many times: read each payload once per replay.
    key = (e.kind, e.payload)
    current = replay.memo.get(key, _UNREAD)
    if current is _UNREAD:
        current = commanded_current(e.kind, e.data)
        if len(replay.memo) < MEMO_LIMIT:
            replay.memo[key] = current
    if current is None or e.session_id is None:
        return
    channel, milliamps = current
    row = replay.get("session_peaks", e.session_id, channel)
    if row is None:
        replay.put("session_peaks", {"session_id": e.session_id, "channel": channel, "peak_ma": milliamps})
    elif milliamps > row["peak_ma"]:
        row["peak_ma"] = milliamps


# -- logs brought forward from an earlier format ----------------------------------------------------
@on("log.migrated")
def _log_migrated(replay: Replay, e: Event) -> None:
    for table, rows in e.data.get("tables", {}).items():
        for row in rows:
            replay.put(table, row)
    replay.notes.append(
        f"log brought forward from format {e.data.get('from_version')} on {e.at[:10]} (log event {e.n})"
    )
    for session_id, message in e.data.get("old_chain_problems", []):
        replay.notes.append(f"session {session_id} was already damaged before the migration: {message}")


@on("record.migrated")
def _session_migrated(replay: Replay, e: Event) -> None:
    """A session written before the whole-log chain: its rows as they stood, taken under the chain at migration."""
    tables = e.data.get("tables", {})
    for table in tables:
        replay.drop_session(table, e.session_id)
        for row in tables[table]:
            replay.put(table, row)
    replay.migrated_sessions.add(e.session_id)


def chain_heads(replay: Replay, counts: dict[int, int], last: dict[int, bytes]) -> None:
    """Each session row's event count and last hash are what the chain holds for it."""
    for (session_id,), row in replay.table("sessions").items():
        row["event_count"] = counts.get(session_id, 0)
        row["last_hash"] = last.get(session_id)


def snapshot_json(value: object) -> object:
    """A stored JSON text column as the value it holds (snapshots keep values, not texts)."""
    return json.loads(value) if isinstance(value, str) else value
