"""A replayed session in words (HTML for the review window): plan, scores, decisions, amendments, notes."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from neurotimer.gui.review.session_table import DAMAGED, STATE_WORDS, when
from neurotimer.gui.shell.theme import ALARM_COLOURS, MUTED
from neurotimer.storage.replay import Replay

DETAIL_WORDS = {
    "needle_type": "Needle", "depth": "Depth", "response_sought": "Response sought", "setting": "Setting",
    "notes": "Notes at the chair",
}


def _value(value: Any) -> str:
    if isinstance(value, list | dict):
        return escape(json.dumps(value, ensure_ascii=False))
    return escape(str(value)) if value not in (None, "") else "<i>empty</i>"


def heading(replay: Replay, patient_name: str | None) -> str:
    s = replay.record.summary
    who = "unassigned" if s.patient_code is None else f"{s.patient_code} {patient_name or ''}".strip()
    course = f"course {s.course_id}, session {s.number}" if s.course_id is not None else "no course"
    text = (
        f"<b>Session {s.id}</b> · {escape(who)} · {course} · {when(s.started_at)} · "
        f"{STATE_WORDS.get(s.state, s.state)} · {replay.treated_s / 60:.0f} of {s.planned_minutes} min"
    )
    if replay.record.practitioner:
        text += f" · by {escape(replay.record.practitioner)}"
    if not replay.chain_ok:
        text += f' · <b style="color:{ALARM_COLOURS["high"]}">⚠ {DAMAGED}</b>'
    return text


def pairs_lines(channels: list[dict[str, Any]]) -> list[str]:
    out = []
    for c in channels:
        settings = ", ".join(
            f"{word} {c[key]}{unit}" for key, word, unit in
            (("mode", "", ""), ("freq_hz", "", " Hz"), ("pulse_us", "", " µs")) if c.get(key) not in (None, "")
        )
        out.append(f"CH {c['channel']}: {c['a'][0]} {c['a'][1]} – {c['b'][0]} {c['b'][1]}"
                   + (f" ({settings.strip()})" if settings else ""))
    return out


def _amended(replay: Replay, field: str) -> str:
    changes = [a for a in replay.record.amendments if a.table == "sessions" and a.field == field]
    return "".join(
        f'<br><span style="color:{ALARM_COLOURS["medium"]}">amended to {_value(a.new_value)} '
        f"by {escape(a.who)}, {when(a.at)}: “{escape(a.why)}”</span>" for a in changes
    )


def plan_html(replay: Replay) -> str:
    record = replay.record
    rows = []
    for key, word in DETAIL_WORDS.items():
        rows.append(f"<tr><td><b>{word}</b></td><td>{_value(record.details.get(key))}{_amended(replay, key)}</td></tr>")
    points = "; ".join(f"{code} {side}" for code, side in record.points) or "<i>none recorded</i>"
    rows.append(f"<tr><td><b>Points</b></td><td>{escape(points)}{_amended(replay, 'points')}</td></tr>")
    pairs = "<br>".join(escape(line) for line in pairs_lines(record.channels)) or "<i>no pairs</i>"
    rows.append(f"<tr><td><b>Pairs</b></td><td>{pairs}{_amended(replay, 'channels')}</td></tr>")
    return "<table cellspacing=4>" + "".join(rows) + "</table>"


def scores_html(replay: Replay) -> str:
    record = replay.record
    symptoms = list(dict.fromkeys(s.symptom for s in record.scores))
    if not symptoms:
        return "<p><i>No scores recorded.</i></p>"
    rows = ["<tr><th align=left>Symptom</th><th>Before</th><th>After</th></tr>"]
    for symptom in symptoms:
        cells = []
        for timing in ("before", "after"):
            first = [s.value for s in record.scores if s.symptom == symptom and s.timing == timing]
            now = record.effective_score(symptom, timing)
            text = "–" if not first else str(first[-1])
            if first and now != first[-1]:
                text = f'<s>{first[-1]}</s> <b style="color:{ALARM_COLOURS["medium"]}">{now}</b>'
            cells.append(f"<td align=center>{text}</td>")
        rows.append(f"<tr><td>{escape(symptom)}</td>{''.join(cells)}</tr>")
    return "<table cellspacing=6>" + "".join(rows) + "</table>"


def events_html(replay: Replay) -> str:
    record = replay.record
    parts = ["<h4>Adverse events</h4>"]
    if record.adverse_events:
        parts += [f"<p>{escape(a.kind)} ({a.severity}) {escape(a.notes)} <span style='color:{MUTED}'>"
                  f"{when(a.recorded_at)}</span></p>" for a in record.adverse_events]
    else:
        parts.append("<p><i>None recorded.</i></p>")
    parts.append("<h4>Acknowledgements and overrides</h4>")
    if replay.decisions:
        for d in replay.decisions:
            verb = "overrode" if d.get("kind") == "safety.override" else "acknowledged"
            reason = f" — reason: “{escape(str(d.get('reason')))}”" if d.get("reason") else ""
            who = str(d.get("by") or "someone") + (f" ({d['practitioner_code']})" if d.get("practitioner_code") else "")
            parts.append(f"<p>{escape(who)} {verb} <b>{escape(str(d.get('title', '')))}"
                         f"</b> at {when(str(d.get('at') or d.get('logged_at')))}{reason}</p>")
    else:
        parts.append("<p><i>None needed.</i></p>")
    parts.append("<h4>Amendments</h4>")
    if record.amendments:
        for a in record.amendments:
            parts.append(f"<p><b>{escape(a.label)}</b>: {_value(a.old_value)} → {_value(a.new_value)} "
                         f"by {escape(a.who)}, {when(a.at)}: “{escape(a.why)}”</p>")
    else:
        parts.append("<p><i>None: the record is as written at the chair.</i></p>")
    parts.append("<h4>Notes</h4>")
    if replay.notes:
        parts += [f"<p>{escape(text)} <span style='color:{MUTED}'>{escape(who)}, {when(at)}</span></p>"
                  for at, who, text in replay.notes]
    else:
        parts.append("<p><i>No notes.</i></p>")
    return "".join(parts)
