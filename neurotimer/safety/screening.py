"""Patient screening before electro-acupuncture: the flags kept with the patient and the rules they trigger."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from neurotimer.plan.body_parts import has_flag
from neurotimer.plan.plan import Plan
from neurotimer.safety.findings import Finding, Rule, Severity

# The patient store (neurotimer.storage.people.SCREENING_FLAGS) names one answer differently.
_ALIASES = {"bleeding_risk": "bleeding_or_anticoagulants"}


@dataclass(frozen=True)
class Screening:
    """Answers recorded with the patient; device_override_reason is a specialist's go-ahead, if any."""

    implanted_device: bool = False
    pregnancy: bool = False
    epilepsy: bool = False
    heart_disease: bool = False
    bleeding_or_anticoagulants: bool = False
    dvt: bool = False
    metal_implant: bool = False
    reduced_sensation: bool = False
    device_override_reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Screening:
        """Reads a stored screening (the patient store's keys too); unknown keys are refused so a typo
        cannot hide a flag."""
        data = {_ALIASES.get(key, key): value for key, value in data.items()}
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"Unknown screening question(s): {', '.join(unknown)}.")
        for name in names - {"device_override_reason"}:
            if name in data and not isinstance(data[name], bool):
                raise ValueError(f"Screening answer '{name}' must be yes or no (true/false).")
        reason = data.get("device_override_reason", "")
        if not isinstance(reason, str):
            raise ValueError("The override reason must be text.")
        return cls(**data)


# (flag, rule, why it matters, what to do) for the conditions that each give one warning.
_CAUTIONS = (
    (
        "epilepsy",
        Rule.EPILEPSY,
        "The patient has epilepsy: electrical stimulation, above all at low frequency, may lower the seizure "
        "threshold.",
        "Keep the intensity low, watch the patient and do not leave them alone.",
    ),
    (
        "heart_disease",
        Rule.HEART_DISEASE,
        "The patient has heart disease: current near the chest or across the trunk is a particular risk.",
        "Keep every pair on one side, away from the chest.",
    ),
    (
        "bleeding_or_anticoagulants",
        Rule.BLEEDING,
        "The patient has a bleeding disorder or takes anticoagulants: needle sites may bruise or bleed.",
        "Use fewer, finer needles and press each site after removal.",
    ),
    (
        "dvt",
        Rule.DVT,
        "The patient has or had a deep-vein thrombosis: muscle twitching near the clot could dislodge it.",
        "Do not stimulate the affected limb.",
    ),
    (
        "metal_implant",
        Rule.METAL_IMPLANT,
        "The patient has a metal implant: current concentrates in metal and can heat the tissue around it.",
        "Check that no channel's two needles lie either side of the implant.",
    ),
    (
        "reduced_sensation",
        Rule.REDUCED_SENSATION,
        "The patient has reduced sensation (for example numb diabetic feet): 'strong but comfortable' cannot "
        "be judged by the patient.",
        "Raise the current slowly, keep it low and look at the skin and muscle.",
    ),
)


def rule_implanted_device(screening: Screening) -> list[Finding]:
    """Blocks stimulation; only an override with a written reason lifts it (IEC 60601-2-10)."""
    if not screening.implanted_device:
        return []
    return [
        Finding(
            Rule.IMPLANTED_DEVICE,
            Severity.ERROR,
            None,
            "The patient has an implanted electronic device (pacemaker, defibrillator or neurostimulator). "
            "Stimulation is blocked unless a specialist has approved it: record an override with the reason.",
            overridable=True,
        )
    ]


def rule_pregnancy(screening: Screening, plan: Plan) -> list[Finding]:
    """One warning per point in the plan that is a caution in pregnancy, stimulated or not."""
    if not screening.pregnancy:
        return []
    found = []
    seen: set[str] = set()
    for planned in plan.points:
        if planned.code in seen or not has_flag(planned.point, "PREGNANCY"):
            continue
        seen.add(planned.code)
        channels = sorted(
            {
                pair.channel
                for pair in plan.active_pairs
                for lead in pair.leads
                if (p := plan.planned(lead)) is not None and p.code == planned.code
            }
        )
        stimulated = f" and channel {', '.join(map(str, channels))} would stimulate it" if channels else ""
        found.append(
            Finding(
                Rule.PREGNANCY,
                Severity.WARNING,
                channels[0] if len(channels) == 1 else None,
                f"The patient is pregnant and {planned.code} is a point to avoid or use with great care in "
                f"pregnancy{stimulated}. Consider leaving it out.",
                subject=planned.code,
            )
        )
    return found


def rule_caution(screening: Screening, flag: str) -> list[Finding]:
    """The warning one screening condition gives (epilepsy, heart disease, bleeding, DVT, metal, sensation)."""
    for name, rule, why, advice in _CAUTIONS:
        if name == flag:
            if not getattr(screening, name):
                return []
            return [Finding(rule, Severity.WARNING, None, f"{why} {advice}")]
    raise ValueError(f"No screening caution is called '{flag}'.")


def screening_findings(screening: Screening, plan: Plan) -> list[Finding]:
    found = rule_implanted_device(screening) + rule_pregnancy(screening, plan)
    for name, *_ in _CAUTIONS:
        found += rule_caution(screening, name)
    return found
