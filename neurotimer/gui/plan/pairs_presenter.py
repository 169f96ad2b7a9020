"""What the channel pairing table shows and allows, decided without Qt so it is tested directly."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from neurotimer.plan.plan import Lead, NeedlePair, Plan
from neurotimer.safety.verdict import (
    Acknowledgements,
    Finding,
    Rule,
    Screening,
    Severity,
    Status,
    can_start_output,
    status_of,
)
from neurotimer.safety.verdict import summary as summary_line

MAX_CHANNELS = 16
_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
_SHORT = {Severity.ERROR: "✖", Severity.WARNING: "⚠", Severity.INFO: "ℹ"}
_CELL_WORDS = {  # a few words that fit the Check column; the full reason is in the panel beside it
    Rule.INCOMPLETE_PAIR: "half paired",
    Rule.SAME_NEEDLE: "same needle",
    Rule.LEAD_NOT_IN_PLAN: "not in plan",
    Rule.NO_ELECTRO: "no current here",
    Rule.CROSSES_MIDLINE: "crosses midline",
    Rule.HEART_PATH: "across the heart",
    Rule.LEAD_ON_CHEST: "over thorax",
    Rule.LEAD_ON_HEAD_NECK: "head or neck",
    Rule.PREGNANCY: "pregnancy",
}


def short_name(finding: Finding) -> str:
    return _CELL_WORDS.get(finding.rule, finding.rule.title.lower())


class PlanOwner(Protocol):
    """The one owner of the plan (gui.plan.plan_model.PlanModel): read it, replace its pairs."""

    def plan(self) -> Plan: ...

    def set_pairs(self, pairs: Iterable[NeedlePair]) -> None: ...

    def set_lead(self, channel: int, which: str, lead: Lead | None) -> None: ...


class PairingPresenter:
    """Shows the plan's pairs per channel against the screening and the acknowledgements; the plan itself
    is the plan model's, and every edit made here goes to it."""

    def __init__(self, plans: PlanOwner, acks: Acknowledgements, screening: Screening,
                 channel_count: int = 4) -> None:
        self.plans = plans
        self.acks = acks
        self.screening = screening
        self.intensities: dict[int, float] = {}
        self.channel_count = 4
        self.set_channel_count(channel_count)

    # -- state -----------------------------------------------------------------------------------
    def set_channel_count(self, count: int) -> None:
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_CHANNELS:
            raise ValueError(f"A stimulator has 1 to {MAX_CHANNELS} channels, not {count!r}.")
        self.channel_count = count
        # Pairs on channels the device does not have are dropped: they could never be output.
        pairs = self.plan().pairs
        kept = [p for p in pairs if p.channel <= count]
        if len(kept) != len(pairs):
            self.plans.set_pairs(kept)

    def fit_pairs(self, pairs: Iterable[NeedlePair] | None = None) -> bool:
        """Shows as many channels as the pairs (by default the plan's) need, as for a template made for a
        larger stimulator; True when the count grew."""
        needed = max((p.channel for p in (self.plan().pairs if pairs is None else pairs)), default=0)
        if needed <= self.channel_count:
            return False
        self.set_channel_count(min(needed, MAX_CHANNELS))
        return True

    def set_pairs(self, pairs: Iterable[NeedlePair]) -> None:
        pairs = list(pairs)
        self.fit_pairs(pairs)
        self.plans.set_pairs(pairs)

    def set_lead(self, channel: int, which: str, lead: Lead | None) -> None:
        if not 1 <= channel <= self.channel_count:
            raise ValueError(f"There is no channel {channel} on this stimulator.")
        self.plans.set_lead(channel, which, lead)

    def lead(self, channel: int, which: str) -> Lead | None:
        pair = self.plan().pair(channel)
        return pair.a if which == "a" else pair.b

    def plan(self) -> Plan:
        return self.plans.plan()

    def lead_options(self) -> list[tuple[str, Lead]]:
        """Every needle in the plan, labelled the way it is clipped: 'ST36 L', 'EX-LE10-2 R', 'GV20'."""
        return [(needle.label, needle) for needle in self.plan().needles]

    # -- verdicts --------------------------------------------------------------------------------
    def verdict(self) -> tuple[bool, list[Finding]]:
        return can_start_output(self.plan(), self.screening, self.acks, self.intensities)

    def status(self, finding: Finding) -> Status:
        return status_of(finding, self.acks, self.screening)

    def display_order(self, findings: list[Finding]) -> list[Finding]:
        """Open problems first (errors, then warnings), then what was dealt with, then indicators."""

        def key(finding: Finding) -> tuple[int, int, int]:
            done = self.status(finding) is not Status.OPEN
            return (int(done), _ORDER[finding.severity], finding.channel or 0)

        return sorted(findings, key=key)

    def done_text(self, finding: Finding, status: Status) -> str:
        if status is Status.ACKNOWLEDGED:
            return "✓ Acknowledged" + _by_at(self.acks.acknowledgement(finding) or {})
        if status is Status.OVERRIDDEN:
            override = self.acks.override_for(finding)
            reason = override.reason if override else self.screening.device_override_reason
            return f"✓ Overridden: {reason}"
        return ""

    def channel_check(self, channel: int, findings: list[Finding]) -> tuple[str, str]:
        """(colour key, short text) for a channel's Check cell."""
        if self.plan().pair(channel).empty:
            return "idle", "not used"
        mine = [f for f in findings if f.channel == channel]
        open_ = [f for f in mine if self.status(f) is Status.OPEN]
        for severity in (Severity.ERROR, Severity.WARNING):
            hits = [f for f in open_ if f.severity is severity]
            if hits:
                extra = f" (+{len(open_) - 1})" if len(open_) > 1 else ""
                return severity.value, f"{_SHORT[severity]} {short_name(hits[0])}{extra}"
        if any(f.severity is Severity.INFO for f in mine):
            return "info", "ℹ high output"
        if any(self.status(f) is not Status.OPEN for f in mine):
            return "ok", "✓ acknowledged"
        return "ok", "✓ OK"

    def summary_text(self, findings: list[Finding]) -> str:
        return summary_line(findings, self.acks, self.screening)


def _by_at(payload: dict) -> str:
    """' by Dr Lee at 09:01' in the computer's local time (the record keeps UTC)."""
    if not payload:
        return ""
    who = f" by {payload['by']}" if payload.get("by") else ""
    try:
        moment = datetime.fromisoformat(str(payload.get("at", "")).replace("Z", "+00:00"))
    except ValueError:
        return who
    return f"{who} at {moment.astimezone().strftime('%H:%M')}"
