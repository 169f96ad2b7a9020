"""Safety rules for channel pairs, one function each: errors stop output, warnings need an acknowledgement."""

from __future__ import annotations

from collections.abc import Mapping

from neurotimer.plan.body_parts import body_part, crossing_path, has_flag, heart_path
from neurotimer.plan.plan import Lead, NeedlePair, Plan, Side, side_word
from neurotimer.safety.findings import HIGH_OUTPUT_MA, Finding, Rule, Severity


def _lead_name(pair: NeedlePair, lead: Lead) -> str:
    return "lead A" if lead is pair.a else "lead B"


# -- rules about the pairs as a whole --------------------------------------------------------------
def rule_no_pairs(plan: Plan) -> list[Finding]:
    if plan.active_pairs:
        return []
    return [
        Finding(
            Rule.NO_PAIRS,
            Severity.ERROR,
            None,
            "No channel has its two needles chosen yet, so there is nothing to stimulate.",
        )
    ]


def rule_incomplete_pair(pair: NeedlePair) -> list[Finding]:
    if pair.empty or (pair.a is not None and pair.b is not None):
        return []
    lead = pair.a or pair.b
    return [
        Finding(
            Rule.INCOMPLETE_PAIR,
            Severity.ERROR,
            pair.channel,
            f"Channel {pair.channel} has only one needle chosen ({lead.label}). A channel needs two "
            "needles for current to flow: choose the other needle or clear the channel.",
            subject=lead.label,
        )
    ]


def rule_same_needle(pair: NeedlePair) -> list[Finding]:
    if pair.a is None or pair.a != pair.b:
        return []
    return [
        Finding(
            Rule.SAME_NEEDLE,
            Severity.ERROR,
            pair.channel,
            f"Channel {pair.channel} has both leads on the same needle ({pair.a.label}). The current "
            "would not pass through the patient: clip lead B to a different needle.",
            subject=pair.a.label,
        )
    ]


def rule_lead_not_in_plan(pair: NeedlePair, plan: Plan) -> list[Finding]:
    found = []
    for lead in dict.fromkeys(pair.leads):
        if plan.planned(lead) is None:
            side = "" if lead.side is Side.MIDLINE else f" on the {side_word(lead.side)}"
            found.append(
                Finding(
                    Rule.LEAD_NOT_IN_PLAN,
                    Severity.ERROR,
                    pair.channel,
                    f"Channel {pair.channel} {_lead_name(pair, lead)} is on {lead.label}, which is not in "
                    f"today's needles. Add {lead.code}{side} to the plan or move the lead.",
                    subject=lead.label,
                )
            )
    return found


def rule_no_electro(pair: NeedlePair, plan: Plan) -> list[Finding]:
    found = []
    for lead in dict.fromkeys(pair.leads):
        planned = plan.planned(lead)
        if planned is not None and has_flag(planned.point, "NO_ELECTRO"):
            found.append(
                Finding(
                    Rule.NO_ELECTRO,
                    Severity.ERROR,
                    pair.channel,
                    f"Channel {pair.channel} {_lead_name(pair, lead)} is on {lead.label}, a point the catalogue "
                    "marks as not for electrical stimulation. Needle it by hand only and clip the lead elsewhere.",
                    subject=lead.label,
                )
            )
    return found


def rule_crosses_midline(pair: NeedlePair, plan: Plan) -> list[Finding]:
    """A left needle paired with a right one: the current path has to cross the body's midline.

    Every such pair crosses the trunk, neck or head, whatever the limbs: arm to arm goes across the
    chest and heart, leg to leg across the pelvis and lower spine, arm to opposite leg through the trunk,
    paraspinal points across the spine. A midline point paired with a one-sided point does not cross;
    the chest and head rules still see it.
    """
    if pair.a is None or pair.b is None or {pair.a.side, pair.b.side} != {Side.LEFT, Side.RIGHT}:
        return []
    planned_a, planned_b = plan.planned(pair.a), plan.planned(pair.b)
    if planned_a is None or planned_b is None:
        path = "across the middle of the body"
    else:
        path = crossing_path(body_part(planned_a.point), body_part(planned_b.point))
    return [
        Finding(
            Rule.CROSSES_MIDLINE,
            Severity.WARNING,
            pair.channel,
            f"Channel {pair.channel} joins the left and right side ({pair.a.label} – {pair.b.label}): the current "
            f"would run {path}. Usual practice keeps both needles of a channel on the same side.",
            subject=f"{pair.a.label}~{pair.b.label}",
        )
    ]


def rule_heart_path(pair: NeedlePair, plan: Plan) -> list[Finding]:
    """A pair whose current would cross the chest is blocked outright: no acknowledgement lifts it."""
    if pair.a is None or pair.b is None or pair.a == pair.b:
        return []
    planned_a, planned_b = plan.planned(pair.a), plan.planned(pair.b)
    if planned_a is None or planned_b is None:
        return []
    opposite = {pair.a.side, pair.b.side} == {Side.LEFT, Side.RIGHT}
    path = heart_path(planned_a.point, planned_b.point, opposite)
    if path is None:
        return []
    return [
        Finding(
            Rule.HEART_PATH,
            Severity.ERROR,
            pair.channel,
            f"Channel {pair.channel} ({pair.a.label} – {pair.b.label}) would send the current {path}. "
            "This is never allowed: clip both needles of a channel on the same limb or side, away from the chest.",
            subject=f"{pair.a.label}~{pair.b.label}",
        )
    ]


def rule_lead_on_chest(pair: NeedlePair, plan: Plan) -> list[Finding]:
    found = []
    for lead in dict.fromkeys(pair.leads):
        planned = plan.planned(lead)
        if planned is not None and has_flag(planned.point, "THORAX"):
            found.append(
                Finding(
                    Rule.LEAD_ON_CHEST,
                    Severity.WARNING,
                    pair.channel,
                    f"Channel {pair.channel} {_lead_name(pair, lead)} is on {lead.label}, over the thorax (chest "
                    "wall, lung or upper back). Current near the thorax can upset the heart's rhythm: keep the "
                    "intensity low, the pair short, and never join chest and back.",
                    subject=lead.label,
                )
            )
    return found


def rule_lead_on_head_neck(pair: NeedlePair, plan: Plan) -> list[Finding]:
    found = []
    for lead in dict.fromkeys(pair.leads):
        planned = plan.planned(lead)
        if planned is not None and has_flag(planned.point, "HEAD_NECK_FACE"):
            found.append(
                Finding(
                    Rule.LEAD_ON_HEAD_NECK,
                    Severity.WARNING,
                    pair.channel,
                    f"Channel {pair.channel} {_lead_name(pair, lead)} is on {lead.label}, on the head, face or "
                    "neck. Never pass current through the head, near the eyes or mouth, or over the front of "
                    "the neck (carotid sinus).",
                    subject=lead.label,
                )
            )
    return found


def pair_findings(plan: Plan) -> list[Finding]:
    """Every pair rule over every channel, errors first within each channel."""
    found = rule_no_pairs(plan)
    for pair in plan.active_pairs:
        found += rule_incomplete_pair(pair)
        found += rule_same_needle(pair)
        found += rule_lead_not_in_plan(pair, plan)
        found += rule_no_electro(pair, plan)
        heart = rule_heart_path(pair, plan)
        found += heart
        if pair.a != pair.b and not heart:
            found += rule_crosses_midline(pair, plan)
        found += rule_lead_on_chest(pair, plan)
        found += rule_lead_on_head_neck(pair, plan)
    return found


def high_output_findings(intensities: Mapping[int, float], limit_ma: float = HIGH_OUTPUT_MA) -> list[Finding]:
    """An indicator for every channel set above 10 mA (IEC 60601-2-10 asks that such output be shown)."""
    return [
        Finding(
            Rule.HIGH_OUTPUT,
            Severity.INFO,
            channel,
            f"Channel {channel} is at {ma:.1f} mA, above {limit_ma:g} mA: high output.",
            subject=f"{channel}",
        )
        for channel, ma in sorted(intensities.items())
        if ma > limit_ma
    ]
