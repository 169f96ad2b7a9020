"""The CSV export in readable columns: one row per session (points as "ST36 L+R; SP6 L+R", peak mA per
channel, a column per symptom score), and beside it a second file with one row per event."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from neurotimer.storage.location import LogLocation
from neurotimer.storage.outfile import check_output, write_private
from neurotimer.storage.review_queries import points_text

SESSION_FIELDS = (
    "id", "patient_code", "patient_name", "patient_birth_year", "practitioner_code", "practitioner_name",
    "course_id", "number", "state", "planned_minutes",
    "started_at", "ended_at", "treatment_seconds", "needle_type", "depth", "response_sought", "setting", "notes",
    "points", "channels",
)
TAIL_FIELDS = ("adverse_events", "amendments", "event_count", "last_hash")
EVENT_FIELDS = ("session_id", "seq", "at", "offset", "kind", "data")
MAX_CHANNELS = 8


def events_path(out: Path) -> Path:
    """Where the events go: beside the sessions file, `name-events.csv`."""
    return out.with_name(f"{out.stem}-events{out.suffix or '.csv'}")


def _peak(doc: dict[str, Any]) -> dict[int, float]:
    peaks: dict[int, float] = {}
    for e in doc["events"]:
        data = e["data"]
        if e["kind"] == "stim.command" and data.get("command") == "set_current" and len(data.get("args", [])) >= 2:
            channel, milliamps = data["args"][:2]
        elif e["kind"] == "stim.intensity" and "channel" in data and "mA" in data:
            channel, milliamps = data["channel"], data["mA"]
        else:
            continue
        try:
            peaks[int(channel)] = max(peaks.get(int(channel), 0.0), float(milliamps))
        except (TypeError, ValueError):
            continue
    return peaks


def _symptom_columns(docs: list[dict[str, Any]]) -> list[str]:
    symptoms = dict.fromkeys(s["symptom"] for doc in docs for s in doc["scores"])
    return [f"{symptom} {timing}" for symptom in symptoms for timing in ("before", "after")]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def session_row(doc: dict[str, Any], score_columns: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {k: doc.get(k) for k in SESSION_FIELDS}
    row["patient_code"] = doc["patient"]["code"]
    row["patient_name"] = doc["patient"].get("name")
    row["patient_birth_year"] = doc["patient"].get("birth_year")
    practitioner = doc.get("practitioner") or {}
    row["practitioner_code"] = practitioner.get("code")
    row["practitioner_name"] = practitioner.get("name")
    row["course_id"] = doc["course"]["id"] if doc["course"] else None
    row["points"] = points_text(",".join(f"{p['code']} {p['side']}" for p in doc["points"]))
    row["channels"] = "; ".join(
        f"CH{c['channel']} {c['a']['code']} {c['a']['side']}–{c['b']['code']} {c['b']['side']}"
        + "".join(f" {c[k]}{unit}" for k, unit in (("mode", ""), ("freq_hz", " Hz"), ("pulse_us", " µs")) if c.get(k))
        for c in doc["channels"]
    )
    peaks = _peak(doc)
    for channel in range(1, MAX_CHANNELS + 1):
        row[f"peak_mA_ch{channel}"] = f"{peaks[channel]:.1f}" if channel in peaks else None
    for score in doc["scores"]:  # a score entered twice counts by its last value, as on screen
        row[f"{score['symptom']} {score['timing']}"] = score["value"]
    row["adverse_events"] = "; ".join(f"{a['kind']} ({a['severity']})" for a in doc["adverse_events"])
    row["amendments"] = "; ".join(
        f"{a['field']}: {_text(a.get('old'))} → {_text(a.get('new'))}"
        + (f" ({a['who']}: {a['why']})" if a.get("who") else "") for a in doc["amendments"]
    )
    row["event_count"] = doc["event_count"]
    row["last_hash"] = doc["last_hash"]
    return {k: "" if v is None else v for k, v in row.items()}


def fieldnames(docs: list[dict[str, Any]]) -> list[str]:
    peaks = [f"peak_mA_ch{c}" for c in range(1, MAX_CHANNELS + 1)]
    return [*SESSION_FIELDS, *peaks, *_symptom_columns(docs), *TAIL_FIELDS]


def _rows(handle: BinaryIO, names: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    writer = csv.DictWriter(text, fieldnames=names)
    writer.writeheader()
    writer.writerows(rows)
    text.flush()
    text.detach()  # the caller syncs and closes the file


def _event_rows(docs: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for doc in docs:
        for e in doc["events"]:
            yield {
                "session_id": doc["id"], "seq": e["seq"], "at": e["at"], "offset": e.get("offset", e["at"]),
                "kind": e["kind"], "data": json.dumps(e["data"], ensure_ascii=False, sort_keys=True),
            }


def write_csv_pair(data: dict[str, Any], out: Path, protect: LogLocation | None = None) -> Path:
    """Both files written through exclusive temporary files, then renamed: a failure leaves neither
    half-written. The events file, like `out`, is never the log or a file beside it."""
    docs = data["sessions"]
    names = fieldnames(docs)
    score_columns = _symptom_columns(docs)
    events = events_path(out)
    check_output(events, protect)
    write_private([
        (out, lambda handle: _rows(handle, names, (session_row(doc, score_columns) for doc in docs))),
        (events, lambda handle: _rows(handle, EVENT_FIELDS, _event_rows(docs))),
    ])
    return events
