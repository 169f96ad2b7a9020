"""Whether stimulation may start: every rule's findings, what was acknowledged or overridden, and by whom."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from neurotimer.plan.body_parts import BodyPart, body_part
from neurotimer.plan.plan import Plan
from neurotimer.safety.findings import HIGH_OUTPUT_MA, Finding, Rule, Severity
from neurotimer.safety.rules import high_output_findings, pair_findings
from neurotimer.safety.screening import Screening, screening_findings
from neurotimer.session.clock import Clock, rfc3339

__all__ = [
    "HIGH_OUTPUT_MA",
    "Acknowledgements",
    "BodyPart",
    "Finding",
    "Rule",
    "Screening",
    "Severity",
    "Status",
    "all_findings",
    "body_part",
    "can_start_output",
    "high_output_findings",
    "outstanding",
    "status_of",
    "summary",
]

ACK_EVENT = "safety.acknowledged"
OVERRIDE_EVENT = "safety.override"


class Status(StrEnum):
    OPEN = "open"  # still stops output (an error, or a warning not yet acknowledged)
    ACKNOWLEDGED = "acknowledged"
    OVERRIDDEN = "overridden"
    NOTED = "noted"  # an indicator: shown, never stops output


@dataclass(frozen=True)
class Override:
    reason: str
    by: str
    at: str


class Acknowledgements:
    """This session's acknowledgements and overrides; each one becomes an event for the session record."""

    def __init__(self, clock: Clock, practitioner: str = "") -> None:
        self._clock = clock
        self.practitioner = practitioner
        self._acked: dict[str, dict[str, Any]] = {}
        self._overrides: dict[str, Override] = {}
        self._events: list[dict[str, Any]] = []

    def _payload(self, kind: str, finding: Finding, by: str | None) -> dict[str, Any]:
        who = (by if by is not None else self.practitioner).strip()
        return {
            "kind": kind,
            **finding.to_dict(),
            "key": finding.key,
            "by": who,
            "at": rfc3339(self._clock.wall()),
            "clock": round(self._clock.now(), 3),
        }

    def acknowledge(self, finding: Finding, by: str | None = None) -> dict[str, Any]:
        """Records that the practitioner read a warning and goes ahead; returns the event payload."""
        if finding.severity is not Severity.WARNING:
            raise ValueError(f"Only warnings are acknowledged; '{finding.rule.title}' is a {finding.severity}.")
        payload = self._payload(ACK_EVENT, finding, by)
        self._acked[finding.key] = payload
        self._events.append(payload)
        return payload

    def override(self, finding: Finding, reason: str, by: str | None = None) -> dict[str, Any]:
        """Lifts a block that allows it (implanted device), only with a written reason."""
        if not finding.overridable:
            raise ValueError(f"'{finding.rule.title}' cannot be overridden: it has to be fixed.")
        reason = (reason or "").strip()
        if len(reason) < 5:
            raise ValueError("An override needs a reason in words (for example who approved it and when).")
        payload = {**self._payload(OVERRIDE_EVENT, finding, by), "reason": reason}
        self._overrides[finding.key] = Override(reason, payload["by"], payload["at"])
        self._events.append(payload)
        return payload

    def is_acknowledged(self, finding: Finding) -> bool:
        return finding.key in self._acked

    def acknowledgement(self, finding: Finding) -> dict[str, Any] | None:
        """The event payload of this warning's acknowledgement, if it was acknowledged."""
        payload = self._acked.get(finding.key)
        return None if payload is None else dict(payload)

    def override_for(self, finding: Finding) -> Override | None:
        return self._overrides.get(finding.key)

    def events(self) -> list[dict[str, Any]]:
        """Every acknowledgement and override in the order given, as payloads for the session record."""
        return [dict(event) for event in self._events]


def status_of(finding: Finding, acks: Acknowledgements, screening: Screening | None = None) -> Status:
    if finding.severity is Severity.INFO:
        return Status.NOTED
    if finding.overridable and (
        acks.override_for(finding) is not None or (screening and screening.device_override_reason.strip())
    ):
        return Status.OVERRIDDEN
    if finding.severity is Severity.WARNING and acks.is_acknowledged(finding):
        return Status.ACKNOWLEDGED
    return Status.OPEN


def all_findings(plan: Plan, screening: Screening, intensities: Mapping[int, float] | None = None) -> list[Finding]:
    """Screening first (it concerns the whole session), then each channel's pair rules, then indicators."""
    found = screening_findings(screening, plan) + pair_findings(plan)
    if intensities:
        found += high_output_findings(intensities)
    return found


def outstanding(findings: list[Finding], acks: Acknowledgements, screening: Screening | None = None) -> list[Finding]:
    """The findings that still stop output."""
    return [f for f in findings if status_of(f, acks, screening) is Status.OPEN]


def can_start_output(
    plan: Plan,
    screening: Screening,
    acks: Acknowledgements,
    intensities: Mapping[int, float] | None = None,
) -> tuple[bool, list[Finding]]:
    """True when no error is left and every warning is acknowledged; also returns every finding."""
    findings = all_findings(plan, screening, intensities)
    return not outstanding(findings, acks, screening), findings


def summary(findings: list[Finding], acks: Acknowledgements, screening: Screening | None = None) -> str:
    """One line for the practitioner: allowed, or blocked and why."""
    blocking = outstanding(findings, acks, screening)
    if not blocking:
        return "Output allowed: every check passed or was acknowledged."
    blocks = [f for f in blocking if f.overridable]
    errors = [f for f in blocking if f.severity is Severity.ERROR and not f.overridable]
    warnings = [f for f in blocking if f.severity is Severity.WARNING]
    parts = [f"{f.rule.title.lower()} (needs an override with a reason)" for f in blocks]
    if errors:
        plural = "s" if len(errors) > 1 else ""
        more = ", …" if len(errors) > 1 else ""
        parts.append(f"{len(errors)} problem{plural} to fix ({errors[0].rule.title.lower()}{more})")
    if warnings:
        parts.append(f"{len(warnings)} warning{'s' if len(warnings) > 1 else ''} to acknowledge")
    return "Output blocked: " + "; ".join(parts) + "."
