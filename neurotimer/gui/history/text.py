"""Words for the History tab: local dates, session states, and one session's record as compact rich text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from typing import Any

from neurotimer.gui.shell.theme import MUTED
from neurotimer.storage.models import SessionRecord

STATE_WORDS = {
    "planned": "Planned",
    "running": "Running",
    "paused": "Paused",
    "completed": "Completed",
    "ended_early": "Ended early",
    "interrupted": "Interrupted",
}
# Sessions that fell short of their plan: marked in the table so they stand out on a scan.
SHORT_STATES = ("ended_early", "interrupted")
FIELD_WORDS = {
    "planned_minutes": "planned minutes",
    "number": "session number",
    "patient_id": "patient",
    "needle_type": "needle type",
    "depth": "depth",
    "response_sought": "response sought",
    "setting": "setting",
    "notes": "notes",
    "points": "points",
    "channels": "channels",
}


def local_time(text: str, tz: dt.tzinfo | None = None) -> dt.datetime:
    """A stored RFC 3339 UTC time in the practitioner's local zone (the system's unless `tz` is given)."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(tz)


def date_text(moment: dt.datetime, today: dt.date | None = None) -> str:
    """'Tue 3 Mar'; another year's date is '11 Nov 2025' (the weekday gives way to the year)."""
    if today is not None and moment.year != today.year:
        return f"{moment.day} {moment:%b} {moment.year}"
    return f"{moment:%a} {moment.day} {moment:%b}"


def when_text(text: str, tz: dt.tzinfo | None = None, today: dt.date | None = None) -> str:
    moment = local_time(text, tz)
    return f"{date_text(moment, today)} {moment:%H:%M}"


def state_word(state: str) -> str:
    return STATE_WORDS.get(state, state.replace("_", " ").capitalize())


def points_text(points: Sequence[Sequence[str]]) -> str:
    """'ST36 L+R, LR4 L': a point needled on both sides is named once."""
    sides: dict[str, list[str]] = {}
    for code, side in points:
        sides.setdefault(str(code), []).append(str(side))
    return ", ".join(f"{code} {'+'.join(s)}" for code, s in sides.items()) or "none recorded"


def _side(end: Sequence[str]) -> str:
    return f"{end[0]} {end[1]}"


def channel_text(channel: dict[str, Any]) -> str:
    """'Ch 1: ST36 L – GB39 L, 2/120 Hz dense-disperse, 400 µs'."""
    parts = []
    if channel.get("freq_hz") not in (None, ""):
        parts.append(f"{channel['freq_hz']} Hz")
    if channel.get("mode"):
        parts.append(str(channel["mode"]))
    if channel.get("pulse_us") not in (None, ""):
        parts.append(f"{channel['pulse_us']} µs")
    setting = f", {' '.join(parts[:2])}" if parts[:2] else ""
    if len(parts) > 2:
        setting += f", {parts[2]}"
    return f"Ch {channel.get('channel', '?')}: {_side(channel['a'])} – {_side(channel['b'])}{setting}"


def value_text(field: str, value: Any) -> str:
    if field == "points" and isinstance(value, list):
        return points_text(value)
    if field == "channels" and isinstance(value, list):
        return "; ".join(channel_text(c) for c in value) or "none"
    if value in (None, ""):
        return "(blank)"
    return str(value)


def _row(label: str, body: str) -> str:
    return f"<tr><td style='color:{MUTED}; padding-right:8px'>{label}</td><td>{body}</td></tr>"


def session_html(record: SessionRecord, tz: dt.tzinfo | None = None, today: dt.date | None = None) -> str:
    """One session's record, read-only: points, channels, scores, adverse events, amendments (old → new)."""
    summary = record.summary
    number = record.effective("number")
    head = f"Session {number}" if number is not None else "Session (no course)"
    head += f" · {when_text(summary.started_at, tz, today)} · {state_word(summary.state)}"
    before = {s.symptom: s.value for s in record.scores if s.timing == "before"}
    after = {s.symptom: s.value for s in record.scores if s.timing == "after"}
    scores = [
        f"{escape(symptom)} {before.get(symptom, '–')} → {after.get(symptom, '–')}"
        for symptom in dict.fromkeys([*before, *after])
    ]
    # Scores, harms and corrections first: the points list is long and would push them out of sight.
    rows = [
        _row(
            "Scores",
            ", ".join(scores) + f" <span style='color:{MUTED}'>(before → after)</span>" if scores else "none recorded",
        )
    ]
    events = [escape(f"{e.kind} ({e.severity})" + (f": {e.notes}" if e.notes else "")) for e in record.adverse_events]
    rows.append(_row("Adverse", "<br>".join(events) if events else "none"))
    if record.practitioner:
        rows.append(_row("By", escape(record.practitioner)))
    for amendment in record.amendments:
        word = FIELD_WORDS.get(amendment.field, amendment.field)
        change = (
            f"{escape(word)}: {escape(value_text(amendment.field, amendment.old_value))} → "
            f"{escape(value_text(amendment.field, amendment.new_value))}<br>"
            f"<span style='color:{MUTED}'>by {escape(amendment.who)}, {when_text(amendment.at, tz, today)}: "
            f"{escape(amendment.why)}</span>"
        )
        rows.append(_row("Amended", change))
    rows.append(_row("Points", escape(points_text(record.effective("points")))))
    channels = record.effective("channels")
    rows.append(_row("Channels", "<br>".join(escape(channel_text(c)) for c in channels) or "none recorded"))
    return f"<b>{escape(head)}</b><table cellspacing='0' cellpadding='1'>{''.join(rows)}</table>"
