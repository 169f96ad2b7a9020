"""A past session rebuilt from its log: the current on every channel over time, the marks, who decided what."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from neurotimer.storage.records import commanded_current
from neurotimer.storage.review_queries import chain_intact

# Event kinds drawn as a labelled line on the timeline (alarms add their own text).
MARKS = {
    "session.paused": "Paused",
    "session.resumed": "Resumed",
    "session.ended": "Session ended",
    "session.interrupted": "Interrupted",
    "stim.emergency_stop": "Emergency stop",
    "stim.lead_off": "Lead off",
    "stim.over_current": "Over current",
    "stim.watchdog_expired": "Watchdog stop",
    "stim.connection_lost": "Link lost",
}
DECISIONS = ("safety.acknowledged", "safety.override")


@dataclass(frozen=True)
class Sample:
    """One point of a channel's trace: `offset` seconds into the session, measured and target mA."""

    offset: float
    channel: int
    measured: float
    target: float
    source: str  # "command" (the target changed) or "reading" (the device reported)


@dataclass(frozen=True)
class Mark:
    offset: float
    label: str
    kind: str


@dataclass
class Replay:
    session_id: int
    record: Any  # SessionRecord
    events: list[dict[str, Any]]
    samples: list[Sample] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)  # acknowledgements and overrides
    notes: list[tuple[str, str, str]] = field(default_factory=list)
    chain_ok: bool = True
    channels: int = 0
    duration: float = 0.0
    treated_s: float = 0.0  # treatment so far: the record's once closed, the progress row's while it runs

    def commands(self, channel: int) -> list[tuple[float, float]]:
        """(offset, target mA) at every logged change of this channel's commanded current."""
        return [(s.offset, s.target) for s in self.samples if s.channel == channel and s.source == "command"]


def reading(kind: str, payload: dict[str, Any]) -> tuple[int, float, float | None] | None:
    """(channel, measured mA, target mA or None) from a logged device reading."""
    try:
        if kind == "stim.status":
            return int(payload["channel"]), float(payload["measured_mA"]), _maybe(payload.get("target_mA"))
        if kind == "device.report" and "measured_mA" in payload and "channel" in payload:
            return int(payload["channel"]), float(payload["measured_mA"]), _maybe(payload.get("commanded_mA"))
    except (KeyError, TypeError, ValueError):
        return None
    return None


def _maybe(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def build_timeline(events: list[dict[str, Any]]) -> tuple[list[Sample], list[Mark], int]:
    """Samples and marks in log order; the target holds between commands, the measured value between readings."""
    samples: list[Sample] = []
    marks: list[Mark] = []
    target: dict[int, float] = {}
    measured: dict[int, float] = {}
    for event in events:
        kind, data, at = event["kind"], event["data"], float(event["offset"])
        current = commanded_current(kind, data)
        if current is not None:
            channel, milliamps = current
            target[channel] = milliamps
            samples.append(Sample(at, channel, measured.get(channel, 0.0), milliamps, "command"))
            continue
        if kind == "stim.command" and data.get("command") in ("output_off", "emergency_stop"):
            args = data.get("args") or []
            channels = [int(args[0])] if data.get("command") == "output_off" and args else list(target)
            for channel in channels:
                target[channel] = 0.0
                samples.append(Sample(at, channel, measured.get(channel, 0.0), 0.0, "command"))
        found = reading(kind, data)
        if found is not None:
            channel, value, reported_target = found
            measured[channel] = value
            samples.append(Sample(at, channel, value, target.get(channel, reported_target or 0.0), "reading"))
            continue
        if kind in MARKS:
            label = MARKS[kind]
            channel = data.get("channel")
            marks.append(Mark(at, f"{label} ch {channel}" if isinstance(channel, int) else label, kind))
        elif kind == "alarm.raised" and data.get("priority") in ("high", "medium"):
            marks.append(Mark(at, f"Alarm: {str(data.get('text', ''))[:40]}", kind))
    channels = max((s.channel for s in samples), default=0)
    return samples, marks, channels


def session_replay(store, session_id: int) -> Replay:
    """Everything the replay shows, read in a few queries (a session holds hundreds of events)."""
    record = store.get_session(session_id)
    events = store.session_events(session_id)
    samples, marks, channels = build_timeline(events)
    treated = record.summary.treatment_seconds
    if record.summary.state in ("running", "paused"):  # 0 in the record until it ends
        row = store.conn.execute(
            "SELECT treatment_seconds FROM session_progress WHERE session_id = ?", (session_id,)
        ).fetchone()
        treated = float(row[0]) if row and row[0] is not None else treated
    return Replay(
        session_id=session_id,
        record=record,
        events=events,
        samples=samples,
        marks=marks,
        decisions=[{**e["data"], "logged_at": e["at"]} for e in events if e["kind"] in DECISIONS],
        notes=store.session_notes(session_id),
        chain_ok=chain_intact(store.conn, session_id),
        channels=max(channels, len(record.channels)),
        duration=timeline_span(events),
        treated_s=treated,
    )


def timeline_span(events: list[dict[str, Any]]) -> float:
    """Seconds from the start to the session's last event up to its end: a note, an amendment or an adverse event
    added days later is shown with the session, not stretched onto its timeline."""
    end = 0.0
    for event in events:
        end = max(end, float(event["offset"]))
        if event["kind"] in ("session.ended", "session.interrupted"):
            break
    return end
