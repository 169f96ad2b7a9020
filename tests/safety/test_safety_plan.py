"""The treatment plan: sides chosen, needle counts, and channel pairs."""

from __future__ import annotations

import pytest

from neurotimer.plan.plan import Lead, NeedlePair, Plan, SideChoice, parse_side, plan_from_sides
from neurotimer.points.catalogue import Side


def test_both_sides_gives_two_needles(pts):
    plan = Plan().add(pts["ST36"], SideChoice.BOTH)
    assert plan.needle_count == 2
    assert [n.label for n in plan.needles] == ["ST36 L", "ST36 R"]


def test_one_side_gives_one_needle_and_adding_the_other_side_later_makes_two(pts):
    plan = Plan().add(pts["ST36"], "left")
    assert plan.needle_count == 1
    plan = plan.add(pts["ST36"], "right")
    assert plan.needle_count == 2


def test_adding_the_same_side_twice_does_not_double_count(pts):
    plan = Plan().add(pts["ST36"], "both").add(pts["ST36"], "left")
    assert plan.needle_count == 2


def test_midline_point_is_one_needle_whatever_side_is_chosen(pts):
    plan = Plan().add(pts["GV20"], "both").add(pts["GV20"], "left")
    assert plan.needle_count == 1
    assert plan.needles[0] == Lead("GV20", Side.MIDLINE)
    assert plan.needles[0].label == "GV20"


def test_bafeng_counts_its_four_webs_per_side(pts):
    assert Plan().add(pts["EX-LE10"], "left").needle_count == 4
    plan = Plan().add(pts["EX-LE10"], "both")
    assert plan.needle_count == 8
    assert Lead("EX-LE10-3", Side.RIGHT) in plan.needles


def test_trial_protocol_is_twelve_needles(pts, small_catalogue):
    plan = Plan()
    for code in ("ST36", "GB39", "SP6", "LI4", "PC6", "BL23"):
        plan = plan.add(small_catalogue.get(code), "both")
    assert plan.needle_count == 12


def test_remove_one_side_or_both(pts):
    plan = Plan().add(pts["ST36"], "both").add(pts["SP6"], "both")
    assert plan.remove("st 36", "L").needle_count == 3
    assert plan.remove("ST36").needle_count == 2
    assert not plan.remove("ST36").has_point("ST36")


def test_a_needle_of_a_group_member_belongs_to_the_group(pts):
    plan = Plan().add(pts["EX-LE10"], "left")
    assert plan.planned(Lead("EX-LE10-2", "L")).code == "EX-LE10"
    assert plan.planned(Lead("EX-LE10-2", "R")) is None


def test_lead_codes_compare_however_typed():
    assert Lead("st 36", "left").same_needle(Lead("ST36", Side.LEFT))
    assert not Lead("ST36", "L").same_needle(Lead("ST36", "R"))


@pytest.mark.parametrize("text", ["sideways", "", "both"])
def test_a_lead_side_must_be_left_right_or_midline(text):
    with pytest.raises(ValueError, match="not a side"):
        parse_side(text)


def test_channel_numbers_start_at_one():
    with pytest.raises(ValueError, match="start at 1"):
        NeedlePair(0)


def test_one_pair_per_channel(pts):
    plan = Plan().add(pts["ST36"], "both")
    with pytest.raises(ValueError, match="only one pair"):
        plan.with_pairs([NeedlePair(1), NeedlePair(1)])


def test_record_lists_points_needles_and_pairs(pts):
    plan = Plan().add(pts["ST36"], "left").add(pts["GB39"], "left")
    plan = plan.with_pairs([NeedlePair(1, Lead("ST36", "L"), Lead("GB39", "L")), NeedlePair(2)])
    record = plan.to_dict()
    assert record["needle_count"] == 2
    assert record["points"][0] == {"code": "ST36", "side": "L", "needles": 1}
    assert record["pairs"] == [{"channel": 1, "a": {"code": "ST36", "side": "L"}, "b": {"code": "GB39", "side": "L"}}]


def test_plan_from_stored_sides_lists_unknown_codes(small_catalogue):
    plan, unknown = plan_from_sides(small_catalogue.get, [("ST36", "L"), ("XX99", "R"), ("st 36", "R"), ("GV20", "M")])
    assert plan.point_sides() == [("ST36", "L"), ("ST36", "R"), ("GV20", "M")]
    assert unknown == ["XX99"]


def test_channels_in_the_shape_the_store_saves(pts):
    plan = Plan().add(pts["ST36"], "left").add(pts["GB39"], "left")
    plan = plan.with_pairs([NeedlePair(1, Lead("ST36", "L"), Lead("GB39", "L")), NeedlePair(2, Lead("ST36", "L"))])
    assert plan.store_channels() == [{"channel": 1, "a": ("ST36", "L"), "b": ("GB39", "L")}]
