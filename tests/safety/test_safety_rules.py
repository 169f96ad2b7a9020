"""Each pair rule on its own: what fires, how serious it is, and the reason given in words."""

from __future__ import annotations

import pytest

from neurotimer.plan.body_parts import BodyPart, body_part
from neurotimer.plan.plan import Lead, NeedlePair, Plan
from neurotimer.points.catalogue import Flag
from neurotimer.safety.findings import Rule, Severity
from neurotimer.safety.rules import (
    high_output_findings,
    pair_findings,
    rule_crosses_midline,
    rule_heart_path,
    rule_incomplete_pair,
    rule_lead_not_in_plan,
    rule_lead_on_chest,
    rule_lead_on_head_neck,
    rule_no_electro,
    rule_no_pairs,
    rule_same_needle,
)
from neurotimer.session.clock import ManualClock


def plan_of(pts, *codes: str) -> Plan:
    plan = Plan()
    for code in codes:
        plan = plan.add(pts[code], "both")
    return plan


def pair(a: str, b: str, channel: int = 1) -> NeedlePair:
    code_a, side_a = a.split()
    code_b, side_b = b.split()
    return NeedlePair(channel, Lead(code_a, side_a), Lead(code_b, side_b))


def test_same_needle_is_an_error_naming_the_needle():
    [finding] = rule_same_needle(pair("ST36 L", "ST36 L", channel=3))
    assert finding.rule is Rule.SAME_NEEDLE and finding.severity is Severity.ERROR
    assert finding.channel == 3
    assert "both leads on the same needle (ST36 L)" in finding.message
    assert "different needle" in finding.message


def test_two_needles_of_one_point_are_not_the_same_needle():
    assert rule_same_needle(pair("ST36 L", "ST36 R")) == []
    assert rule_same_needle(pair("EX-LE10-1 L", "EX-LE10-2 L")) == []


def test_lead_not_in_plan_is_an_error_saying_what_to_add(pts):
    plan = plan_of(pts, "ST36")
    [finding] = rule_lead_not_in_plan(pair("ST36 L", "SP6 L", channel=2), plan)
    assert finding.severity is Severity.ERROR and finding.rule is Rule.LEAD_NOT_IN_PLAN
    assert "lead B is on SP6 L, which is not in today's needles" in finding.message
    assert "Add SP6 on the left" in finding.message


def test_lead_on_the_wrong_side_of_a_planned_point_is_not_in_the_plan(pts):
    plan = Plan().add(pts["ST36"], "left").add(pts["GB39"], "left")
    [finding] = rule_lead_not_in_plan(pair("ST36 L", "GB39 R"), plan)
    assert "GB39 R" in finding.message


def test_no_electro_point_is_an_error(pts):
    plan = plan_of(pts, "ST9", "PC6")
    [finding] = rule_no_electro(pair("PC6 R", "ST9 R"), plan)
    assert finding.severity is Severity.ERROR and finding.rule is Rule.NO_ELECTRO
    assert "not for electrical stimulation" in finding.message
    assert "ST9 R" in finding.message


def test_half_paired_channel_is_an_error():
    [finding] = rule_incomplete_pair(NeedlePair(4, Lead("ST36", "L"), None))
    assert finding.severity is Severity.ERROR and finding.channel == 4
    assert "only one needle chosen (ST36 L)" in finding.message


def test_no_pairs_at_all_blocks_with_a_reason(pts):
    [finding] = rule_no_pairs(plan_of(pts, "ST36"))
    assert finding.severity is Severity.ERROR and "nothing to stimulate" in finding.message


def test_same_side_pair_on_one_leg_does_not_cross(pts):
    plan = plan_of(pts, "ST36", "GB39")
    assert rule_crosses_midline(pair("ST36 L", "GB39 L"), plan) == []


@pytest.mark.parametrize(
    ("codes", "a", "b", "path"),
    [
        (("ST36",), "ST36 L", "ST36 R", "across the pelvis and lower spine"),
        (("LI4", "ST36"), "LI4 L", "ST36 R", "through the trunk, past the heart"),
        (("BL23",), "BL23 L", "BL23 R", "across the spine"),
        (("GB20",), "GB20 L", "GB20 R", "across the head or neck"),
    ],
)
def test_left_to_right_pair_warns_and_says_where_the_current_goes(pts, codes, a, b, path):
    plan = plan_of(pts, *codes)
    [finding] = rule_crosses_midline(pair(a, b), plan)
    assert finding.rule is Rule.CROSSES_MIDLINE and finding.severity is Severity.WARNING
    assert path in finding.message
    assert "same side" in finding.message


def test_midline_point_paired_with_one_side_does_not_cross(pts):
    plan = plan_of(pts, "CV12", "ST36")
    assert rule_crosses_midline(NeedlePair(1, Lead("CV12", "M"), Lead("ST36", "L")), plan) == []


def test_lead_on_chest_warns_about_the_heart(pts):
    plan = plan_of(pts, "KI27", "PC6")
    [finding] = rule_lead_on_chest(pair("KI27 L", "PC6 L"), plan)
    assert finding.severity is Severity.WARNING and finding.rule is Rule.LEAD_ON_CHEST
    assert "lead A is on KI27 L, over the thorax" in finding.message
    assert "never join chest and back" in finding.message
    assert "heart" in finding.message


def test_lead_on_head_or_neck_warns(pts):
    plan = plan_of(pts, "GB20", "GV20", "ST36")
    [finding] = rule_lead_on_head_neck(NeedlePair(1, Lead("GV20", "M"), Lead("ST36", "L")), plan)
    assert finding.severity is Severity.WARNING
    assert "head, face or neck" in finding.message and "carotid" in finding.message
    assert len(rule_lead_on_head_neck(pair("GB20 L", "GB20 R"), plan)) == 2


def test_limb_pairs_raise_no_chest_or_head_warning(pts):
    plan = plan_of(pts, "ST36", "GB39")
    assert pair_findings(plan.with_pairs([pair("ST36 L", "GB39 L")])) == []


def test_same_needle_pair_on_a_flagged_point_reports_each_problem_once(pts):
    plan = plan_of(pts, "KI27").with_pairs([pair("KI27 L", "KI27 L")])
    rules = [f.rule for f in pair_findings(plan)]
    assert rules == [Rule.SAME_NEEDLE, Rule.LEAD_ON_CHEST]


@pytest.mark.parametrize(
    ("code", "part"),
    [
        ("ST36", BodyPart.LEG),
        ("LI4", BodyPart.ARM),
        ("PC6", BodyPart.ARM),
        ("KI27", BodyPart.CHEST),
        ("GB20", BodyPart.HEAD_NECK),
        ("BL23", BodyPart.BACK),
        ("CV12", BodyPart.TRUNK),
        ("EX-LE10", BodyPart.LEG),
    ],
)
def test_body_part_from_region_and_flags(pts, code, part):
    assert body_part(pts[code]) is part


def test_high_output_indicator_above_ten_milliamps_only():
    found = high_output_findings({1: 10.0, 2: 10.1, 3: 4.0, 4: 25.0})
    assert [f.channel for f in found] == [2, 4]
    assert all(f.severity is Severity.INFO and f.rule is Rule.HIGH_OUTPUT for f in found)
    assert found[0].message == "Channel 2 is at 10.1 mA, above 10 mA: high output."


def test_body_part_reads_whole_words_and_trusts_the_region(point_factory):
    near = point_factory("CV4", "lower abdomen", bilateral=False)
    assert body_part(near) is BodyPart.TRUNK
    gb34 = point_factory("GB34", "lateral leg")
    assert body_part(gb34) is BodyPart.LEG


EXPECTED_PARTS = {
    BodyPart.LEG: "ST36 ST37 ST38 ST39 ST40 ST41 ST42 ST43 ST44 SP3 SP4 SP6 SP9 SP10 KI1 KI3 KI6 LR2 LR3 LR4 "
    "GB34 GB39 GB40 GB41 EX-LE10 EX-LE6 BL40 BL57 BL60 BL62",
    BodyPart.ARM: "LI4 LI5 LI10 LI11 TE5 PC6 PC7 PC8 HT7 LU5 LU7 LU9 SI3 EX-UE9",
    BodyPart.CHEST: "KI27",
    BodyPart.BACK: "BL13 BL20 BL23",
}


def test_body_part_of_the_reference_points_in_the_bundled_catalogue():
    from neurotimer.points import load_bundled

    catalogue = load_bundled().catalogue
    checked = 0
    for part, codes in EXPECTED_PARTS.items():
        for code in codes.split():
            point = catalogue.get(code)
            if point is not None:
                checked += 1
                assert body_part(point) is part, f"{code} ({point.region}) read as {body_part(point)}"
    assert checked >= 4


@pytest.fixture
def upper_body(pts, point_factory):
    return pts | {
        "LI11": point_factory("LI11", "lateral elbow"),
        "LU1": point_factory("LU1", "upper lateral chest", flags=(Flag.THORAX,)),
        "BL13": point_factory("BL13", "upper back, paraspinal at T3", flags=(Flag.THORAX,)),
    }


@pytest.mark.parametrize(
    ("codes", "a", "b", "path"),
    [
        (("LI11",), "LI11 R", "LI11 L", "from one arm to the other, across the chest and heart"),
        (("LI4", "PC6"), "LI4 L", "PC6 R", "from one arm to the other"),
        (("KI27", "LI4"), "KI27 L", "LI4 R", "from one side of the upper body to the other"),
        (("LU1",), "LU1 L", "LU1 R", "across the chest and heart"),
        (("KI27", "ST36"), "KI27 L", "ST36 R", "from the chest across the middle of the body"),
        (("KI27", "BL13"), "KI27 L", "BL13 L", "from the chest to the upper back"),
        (("BL13", "PC6"), "BL13 L", "PC6 R", "from one side of the upper body to the other"),
        (("LI11", "ST36"), "LI11 R", "ST36 L", "diagonally through the trunk from an arm to the opposite leg"),
        (("LI4", "ST36"), "LI4 L", "ST36 R", "diagonally through the trunk"),
    ],
)
def test_a_current_path_across_the_heart_is_an_error_no_acknowledgement_lifts(upper_body, codes, a, b, path):
    from neurotimer.safety.verdict import Acknowledgements, Screening, can_start_output

    pts = upper_body
    plan = plan_of(pts, *codes).with_pairs([pair(a, b)])
    [finding] = rule_heart_path(pair(a, b), plan)
    assert finding.rule is Rule.HEART_PATH and finding.severity is Severity.ERROR and not finding.overridable
    assert path in finding.message and "never allowed" in finding.message
    assert not any(f.rule is Rule.CROSSES_MIDLINE for f in pair_findings(plan))
    acks = Acknowledgements(ManualClock())
    with pytest.raises(ValueError):
        acks.acknowledge(finding)
    for other in pair_findings(plan):
        if other.severity is Severity.WARNING:
            acks.acknowledge(other)
    assert can_start_output(plan, Screening(heart_disease=True), acks)[0] is False
    assert can_start_output(plan, Screening(), acks)[0] is False


@pytest.mark.parametrize(("codes", "a", "b"), [
    (("ST36",), "ST36 L", "ST36 R"), (("LI4", "ST36"), "LI4 L", "ST36 L"), (("BL23",), "BL23 L", "BL23 R"),
    (("LI4", "PC6"), "LI4 L", "PC6 L"), (("GB20",), "GB20 L", "GB20 R"),
])
def test_other_pairs_are_not_blocked_as_crossing_the_heart(upper_body, codes, a, b):
    assert rule_heart_path(pair(a, b), plan_of(upper_body, *codes)) == []
