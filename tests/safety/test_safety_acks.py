"""Acknowledgements, overrides and the start-output decision that uses them."""

from __future__ import annotations

import pytest

from neurotimer.plan.plan import Lead, NeedlePair, Plan
from neurotimer.safety.verdict import (
    Acknowledgements,
    Rule,
    Screening,
    Severity,
    Status,
    can_start_output,
    status_of,
    summary,
)


@pytest.fixture
def leg_plan(pts) -> Plan:
    plan = Plan().add(pts["ST36"], "both").add(pts["GB39"], "both")
    return plan.with_pairs(
        [
            NeedlePair(1, Lead("ST36", "L"), Lead("GB39", "L")),
            NeedlePair(2, Lead("ST36", "R"), Lead("GB39", "R")),
        ]
    )


def test_same_side_leg_pairs_allow_output(leg_plan, clock):
    allowed, findings = can_start_output(leg_plan, Screening(), Acknowledgements(clock))
    assert allowed and findings == []


def test_no_pairs_blocks(pts, clock):
    allowed, findings = can_start_output(Plan().add(pts["ST36"], "both"), Screening(), Acknowledgements(clock))
    assert not allowed and findings[0].rule is Rule.NO_PAIRS


def test_error_blocks_and_cannot_be_acknowledged(leg_plan, clock):
    plan = leg_plan.with_pairs([NeedlePair(1, Lead("ST36", "L"), Lead("ST36", "L"))])
    acks = Acknowledgements(clock)
    allowed, findings = can_start_output(plan, Screening(), acks)
    assert not allowed
    with pytest.raises(ValueError, match="Only warnings are acknowledged"):
        acks.acknowledge(findings[0])
    assert "Output blocked: 1 problem to fix (both leads on one needle)" in summary(findings, acks)


def test_warning_blocks_until_acknowledged_and_the_record_says_who_and_when(leg_plan, clock):
    plan = leg_plan.with_pairs([NeedlePair(1, Lead("ST36", "L"), Lead("ST36", "R"))])
    acks = Acknowledgements(clock, practitioner="Dr Lee")
    allowed, [finding] = can_start_output(plan, Screening(), acks)
    assert not allowed and finding.rule is Rule.CROSSES_MIDLINE
    assert summary([finding], acks) == "Output blocked: 1 warning to acknowledge."
    clock.advance(90)
    payload = acks.acknowledge(finding)
    assert can_start_output(plan, Screening(), acks)[0]
    assert status_of(finding, acks) is Status.ACKNOWLEDGED
    assert payload["kind"] == "safety.acknowledged"
    assert payload["rule"] == "crosses_midline" and payload["channel"] == 1
    assert payload["by"] == "Dr Lee" and payload["at"] == "2026-01-05T09:01:30.000Z"
    assert "pelvis" in payload["message"]
    assert acks.events() == [payload]


def test_acknowledgement_does_not_carry_over_to_a_different_pair(leg_plan, clock, pts):
    plan = leg_plan.with_pairs([NeedlePair(1, Lead("ST36", "L"), Lead("ST36", "R"))])
    acks = Acknowledgements(clock)
    acks.acknowledge(can_start_output(plan, Screening(), acks)[1][0])
    changed = leg_plan.with_pairs([NeedlePair(1, Lead("ST36", "L"), Lead("GB39", "R"))])
    assert not can_start_output(changed, Screening(), acks)[0]


def test_implanted_device_blocks_until_override_with_a_reason(leg_plan, clock):
    screening = Screening(implanted_device=True)
    acks = Acknowledgements(clock, practitioner="Dr Lee")
    allowed, [block] = can_start_output(leg_plan, screening, acks)
    assert not allowed and block.severity is Severity.ERROR
    with pytest.raises(ValueError, match="needs a reason"):
        acks.override(block, "  ")
    payload = acks.override(block, "Cardiologist letter 3 Jan: pacemaker is shielded", by="Dr Kim")
    assert payload["kind"] == "safety.override" and payload["by"] == "Dr Kim"
    assert payload["reason"] == "Cardiologist letter 3 Jan: pacemaker is shielded"
    assert status_of(block, acks) is Status.OVERRIDDEN
    assert can_start_output(leg_plan, screening, acks)[0]


def test_override_recorded_with_the_patient_lifts_the_block(leg_plan, clock):
    screening = Screening(implanted_device=True, device_override_reason="Specialist approval on file")
    assert can_start_output(leg_plan, screening, Acknowledgements(clock))[0]


def test_only_the_device_block_can_be_overridden(leg_plan, clock):
    plan = leg_plan.with_pairs([NeedlePair(1, Lead("ST36", "L"), Lead("ST36", "L"))])
    acks = Acknowledgements(clock)
    [error] = can_start_output(plan, Screening(), acks)[1]
    with pytest.raises(ValueError, match="cannot be overridden"):
        acks.override(error, "I know what I am doing")


def test_screening_warnings_each_need_acknowledging(leg_plan, clock):
    screening = Screening(epilepsy=True, reduced_sensation=True)
    acks = Acknowledgements(clock)
    allowed, findings = can_start_output(leg_plan, screening, acks)
    assert not allowed and {f.rule for f in findings} == {Rule.EPILEPSY, Rule.REDUCED_SENSATION}
    acks.acknowledge(findings[0])
    assert not can_start_output(leg_plan, screening, acks)[0]
    acks.acknowledge(findings[1])
    assert can_start_output(leg_plan, screening, acks)[0]
    assert [e["rule"] for e in acks.events()] == ["screening.epilepsy", "screening.reduced_sensation"]


def test_high_output_is_shown_but_never_blocks(leg_plan, clock):
    acks = Acknowledgements(clock)
    allowed, [finding] = can_start_output(leg_plan, Screening(), acks, intensities={1: 12.5, 2: 3.0})
    assert allowed and finding.rule is Rule.HIGH_OUTPUT
    assert status_of(finding, acks) is Status.NOTED
