"""A safety finding: which rule, how serious, which channel, and the reason in the practitioner's words."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

HIGH_OUTPUT_MA = 10.0


class Severity(StrEnum):
    ERROR = "error"  # output cannot start until it is fixed (or, if overridable, overridden with a reason)
    WARNING = "warning"  # output can start once the practitioner acknowledges it
    INFO = "info"  # an indicator only


class Rule(StrEnum):
    NO_PAIRS = "no_pairs"
    INCOMPLETE_PAIR = "incomplete_pair"
    SAME_NEEDLE = "same_needle"
    LEAD_NOT_IN_PLAN = "lead_not_in_plan"
    NO_ELECTRO = "no_electro"
    CROSSES_MIDLINE = "crosses_midline"
    HEART_PATH = "heart_path"
    LEAD_ON_CHEST = "lead_on_chest"
    LEAD_ON_HEAD_NECK = "lead_on_head_neck"
    IMPLANTED_DEVICE = "screening.implanted_device"
    PREGNANCY = "screening.pregnancy"
    EPILEPSY = "screening.epilepsy"
    HEART_DISEASE = "screening.heart_disease"
    BLEEDING = "screening.bleeding_or_anticoagulants"
    DVT = "screening.dvt"
    METAL_IMPLANT = "screening.metal_implant"
    REDUCED_SENSATION = "screening.reduced_sensation"
    HIGH_OUTPUT = "high_output"

    @property
    def title(self) -> str:
        return RULE_TITLES[self]


RULE_TITLES = {
    Rule.NO_PAIRS: "No channel paired",
    Rule.INCOMPLETE_PAIR: "Channel half paired",
    Rule.SAME_NEEDLE: "Both leads on one needle",
    Rule.LEAD_NOT_IN_PLAN: "Lead on a needle not in the plan",
    Rule.NO_ELECTRO: "Point not for electrical stimulation",
    Rule.CROSSES_MIDLINE: "Current crosses the midline",
    Rule.HEART_PATH: "Current path across the heart",
    Rule.LEAD_ON_CHEST: "Lead over the thorax",
    Rule.LEAD_ON_HEAD_NECK: "Lead on the head, face or neck",
    Rule.IMPLANTED_DEVICE: "Implanted electronic device",
    Rule.PREGNANCY: "Pregnancy",
    Rule.EPILEPSY: "Epilepsy",
    Rule.HEART_DISEASE: "Heart disease",
    Rule.BLEEDING: "Bleeding disorder or anticoagulants",
    Rule.DVT: "Deep-vein thrombosis",
    Rule.METAL_IMPLANT: "Metal implant",
    Rule.REDUCED_SENSATION: "Reduced sensation",
    Rule.HIGH_OUTPUT: "High output",
}


@dataclass(frozen=True)
class Finding:
    """One rule's verdict: what rule, how serious, which channel (None = the whole plan) and why."""

    rule: Rule
    severity: Severity
    channel: int | None
    message: str
    subject: str = ""  # the needles or points concerned; part of the key an acknowledgement is tied to
    overridable: bool = False

    @property
    def key(self) -> str:
        """An acknowledgement holds only while the same rule fires on the same channel and needles."""
        return f"{self.rule.value}|{self.channel or '-'}|{self.subject}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.value,
            "title": self.rule.title,
            "severity": self.severity.value,
            "channel": self.channel,
            "subject": self.subject,
            "message": self.message,
        }
