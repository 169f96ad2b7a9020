"""Patient screening: the implanted-device block and its override, and each condition's warning."""

from __future__ import annotations

import pytest

from neurotimer.plan.plan import Lead, NeedlePair, Plan
from neurotimer.safety.findings import Rule, Severity
from neurotimer.safety.screening import (
    Screening,
    rule_caution,
    rule_implanted_device,
    rule_pregnancy,
    screening_findings,
)


def test_no_flags_no_findings(pts):
    assert screening_findings(Screening(), Plan().add(pts["SP6"], "both")) == []


def test_implanted_device_blocks_and_can_be_overridden():
    [finding] = rule_implanted_device(Screening(implanted_device=True))
    assert finding.rule is Rule.IMPLANTED_DEVICE and finding.severity is Severity.ERROR
    assert finding.overridable
    assert "pacemaker" in finding.message and "override with the reason" in finding.message


def test_pregnancy_warns_once_per_flagged_point_and_names_the_channel(pts):
    plan = Plan().add(pts["SP6"], "both").add(pts["ST36"], "both").add(pts["LI4"], "left")
    plan = plan.with_pairs([NeedlePair(2, Lead("SP6", "L"), Lead("ST36", "L"))])
    found = rule_pregnancy(Screening(pregnancy=True), plan)
    assert [f.subject for f in found] == ["SP6", "LI4"]
    assert all(f.severity is Severity.WARNING for f in found)
    assert "SP6 is a point to avoid or use with great care in pregnancy and channel 2 would stimulate it" in (
        found[0].message
    )
    assert found[0].channel == 2
    assert found[1].channel is None and "stimulate" not in found[1].message


def test_pregnancy_without_flagged_points_gives_nothing(pts):
    assert rule_pregnancy(Screening(pregnancy=True), Plan().add(pts["ST36"], "both")) == []


@pytest.mark.parametrize(
    ("flag", "rule", "reason"),
    [
        ("epilepsy", Rule.EPILEPSY, "seizure"),
        ("heart_disease", Rule.HEART_DISEASE, "one side, away from the chest"),
        ("bleeding_or_anticoagulants", Rule.BLEEDING, "bruise or bleed"),
        ("dvt", Rule.DVT, "dislodge"),
        ("metal_implant", Rule.METAL_IMPLANT, "either side of the implant"),
        ("reduced_sensation", Rule.REDUCED_SENSATION, "cannot be judged by the patient"),
    ],
)
def test_each_condition_gives_one_warning_with_its_reason(flag, rule, reason):
    assert rule_caution(Screening(), flag) == []
    [finding] = rule_caution(Screening(**{flag: True}), flag)
    assert finding.rule is rule and finding.severity is Severity.WARNING
    assert finding.channel is None
    assert reason in finding.message


def test_unknown_condition_is_refused():
    with pytest.raises(ValueError, match="No screening caution"):
        rule_caution(Screening(), "gout")


def test_screening_round_trips_and_refuses_typos():
    screening = Screening(epilepsy=True, implanted_device=True, device_override_reason="Cardiologist OK")
    assert Screening.from_dict(screening.to_dict()) == screening
    with pytest.raises(ValueError, match="Unknown screening question"):
        Screening.from_dict({"epilepsi": True})
    with pytest.raises(ValueError, match="yes or no"):
        Screening.from_dict({"epilepsy": "no"})


def test_the_patient_stores_answers_are_read():
    stored = {
        "implanted_device": False,
        "pregnancy": False,
        "epilepsy": True,
        "heart_disease": False,
        "bleeding_risk": True,
        "dvt": False,
        "metal_implant": False,
        "reduced_sensation": True,
    }
    screening = Screening.from_dict(stored)
    assert screening.bleeding_or_anticoagulants and screening.epilepsy and screening.reduced_sensation
    assert not screening.implanted_device
