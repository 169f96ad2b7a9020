"""The channel pairing table: choosing leads, findings shown live, acknowledgements and overrides."""

from __future__ import annotations

import pytest

from neurotimer.gui.plan.needle_pairs import NeedlePairsWidget
from neurotimer.gui.plan.pairs_presenter import PairingPresenter
from neurotimer.gui.plan.point_picker import PointPicker
from neurotimer.plan.plan import Lead, NeedlePair, Plan
from neurotimer.plan.template_store import TemplateLibrary
from neurotimer.plan.templates import Template
from neurotimer.safety.verdict import Acknowledgements, Rule, Screening


@pytest.fixture
def leg_plan(pts) -> Plan:
    return Plan().add(pts["ST36"], "both").add(pts["GB39"], "both").add(pts["EX-LE10"], "left")


@pytest.fixture
def acks(clock) -> Acknowledgements:
    return Acknowledgements(clock, practitioner="Dr Lee")


@pytest.fixture
def pairing(qtbot, plans, acks, leg_plan) -> NeedlePairsWidget:
    widget = NeedlePairsWidget(plans, acks, channel_count=4)
    qtbot.addWidget(widget)
    widget.resize(800, 380)
    plans.set_points(leg_plan)
    return widget


def choose(widget: NeedlePairsWidget, channel: int, which: str, label: str) -> None:
    combo = widget.combo(channel, which)
    index = combo.findText(label)
    assert index >= 0, f"{label} not offered: {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_combos_offer_every_needle_of_the_plan(pairing):
    combo = pairing.combo(1, "a")
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert offered == ["—", "ST36 L", "ST36 R", "GB39 L", "GB39 R"] + [f"EX-LE10-{i} L" for i in range(1, 5)]


def test_same_needle_pair_shows_the_error(qtbot, pairing, plans):
    choose(pairing, 1, "a", "ST36 L")
    with qtbot.waitSignal(plans.changed) as changed:
        choose(pairing, 1, "b", "ST36 L")
    assert changed.args[0].pair(1) == NeedlePair(1, Lead("ST36", "L"), Lead("ST36", "L"))
    assert pairing.table.item(0, 3).text() == "✖ same needle"
    titles = [row.title.text() for row in pairing.finding_rows()]
    assert "Ch 1 · Both leads on one needle" in titles
    assert pairing.summary.text().startswith("Output blocked: 1 problem to fix (both leads on one needle)")
    assert not pairing.can_start_output()[0]


def test_same_side_pair_allows_output(qtbot, pairing):
    with qtbot.waitSignal(pairing.outputAllowedChanged) as allowed:
        choose(pairing, 1, "a", "ST36 L")
        choose(pairing, 1, "b", "GB39 L")
    assert allowed.args == [True]
    assert pairing.summary.text().startswith("Output allowed")
    assert pairing.table.item(0, 3).text() == "✓ OK"
    assert pairing.table.item(1, 3).text() == "not used"


def test_acknowledging_a_warning_records_it_and_unblocks(qtbot, pairing, acks, clock):
    choose(pairing, 2, "a", "ST36 L")
    choose(pairing, 2, "b", "ST36 R")
    assert pairing.table.item(1, 3).text() == "⚠ crosses midline"
    [row] = [r for r in pairing.finding_rows() if r.finding.rule is Rule.CROSSES_MIDLINE]
    assert row.button.text() == "Acknowledge"
    clock.advance(60)
    with qtbot.waitSignal(pairing.acknowledged) as signal:
        row.button.click()
    payload = signal.args[0]
    assert payload["kind"] == "safety.acknowledged" and payload["rule"] == "crosses_midline"
    assert payload["channel"] == 2 and payload["by"] == "Dr Lee"
    assert payload["at"] == "2026-01-05T09:01:00.000Z"
    assert acks.events() == [payload]
    assert pairing.can_start_output()[0]
    assert pairing.table.item(1, 3).text() == "✓ acknowledged"
    [row] = [r for r in pairing.finding_rows() if r.finding.rule is Rule.CROSSES_MIDLINE]
    assert row.button is None and row.done.text().startswith("✓ Acknowledged by Dr Lee at ")


def test_implanted_device_override_needs_a_reason(qtbot, plans, acks, leg_plan):
    answers = iter(["", "Cardiologist approved, letter on file"])
    widget = NeedlePairsWidget(plans, acks, Screening(implanted_device=True), ask_reason=lambda f: next(answers))
    qtbot.addWidget(widget)
    plans.set_points(leg_plan)
    plans.set_pairs((NeedlePair(1, Lead("ST36", "L"), Lead("GB39", "L")),))
    [row] = widget.finding_rows()
    assert row.button.text() == "Override…"
    assert "implanted electronic device (needs an override with a reason)" in widget.summary.text()
    with qtbot.assertNotEmitted(widget.overrideGiven):
        row.button.click()
    assert "needs a reason" in widget.summary.text()
    with qtbot.waitSignal(widget.overrideGiven) as signal:
        widget.finding_rows()[0].button.click()
    assert signal.args[0]["reason"] == "Cardiologist approved, letter on file"
    assert signal.args[0]["kind"] == "safety.override"
    assert widget.can_start_output()[0]
    assert widget.finding_rows()[0].done.text() == "✓ Overridden: Cardiologist approved, letter on file"


def test_cancelled_override_changes_nothing(qtbot, plans, acks, leg_plan):
    widget = NeedlePairsWidget(plans, acks, Screening(implanted_device=True), ask_reason=lambda f: None)
    qtbot.addWidget(widget)
    with qtbot.assertNotEmitted(widget.overrideGiven):
        widget.finding_rows()[0].button.click()
    assert acks.events() == []


def test_removing_a_point_from_the_plan_flags_the_lead_left_on_it(qtbot, pairing, plans, leg_plan):
    choose(pairing, 1, "a", "ST36 L")
    choose(pairing, 1, "b", "GB39 L")
    plans.set_points(leg_plan.remove("GB39"))
    assert pairing.combo(1, "b").currentText() == "GB39 L (not in plan)"
    assert pairing.table.item(0, 3).text() == "✖ not in plan"


def test_high_output_indicator_is_shown_without_blocking(qtbot, pairing):
    choose(pairing, 1, "a", "ST36 L")
    choose(pairing, 1, "b", "GB39 L")
    pairing.set_intensities({1: 11.0})
    assert pairing.table.item(0, 3).text() == "ℹ high output"
    assert pairing.can_start_output()[0]


def test_template_pairs_reach_the_table_through_the_picker(qtbot, plans, small_catalogue, tmp_path, acks):
    template = Template(
        "Legs",
        (("ST36", "both"), ("GB39", "both")),
        pairs=(
            NeedlePair(1, Lead("ST36", "L"), Lead("GB39", "L")),
            NeedlePair(2, Lead("ST36", "R"), Lead("GB39", "R")),
        ),
    )
    picker = PointPicker(plans, small_catalogue, TemplateLibrary(tmp_path, builtin=[template]))
    pairing = NeedlePairsWidget(plans, acks)
    qtbot.addWidget(picker)
    qtbot.addWidget(pairing)
    picker.load_button.click()
    assert pairing.combo(2, "b").currentText() == "GB39 R"
    assert pairing.plan().needle_count == 4 and len(pairing.plan().active_pairs) == 2
    assert pairing.can_start_output()[0]
    picker.select_point("SP6", "L")
    assert len(pairing.plan().active_pairs) == 2 and pairing.plan().needle_count == 5


def test_presenter_channel_count_and_pairs(plans, acks, leg_plan):
    presenter = PairingPresenter(plans, acks, Screening(), channel_count=4)
    with pytest.raises(ValueError, match="1 to 16 channels"):
        presenter.set_channel_count(0)
    plans.set_points(leg_plan)
    presenter.set_pairs([NeedlePair(6, Lead("ST36", "L"), Lead("GB39", "L"))])
    assert presenter.channel_count == 6
    presenter.set_lead(6, "b", None)
    presenter.set_lead(6, "a", None)
    assert presenter.plan().pairs == ()
    with pytest.raises(ValueError, match="no channel 7"):
        presenter.set_lead(7, "a", Lead("ST36", "L"))
    presenter.set_pairs([NeedlePair(4, Lead("ST36", "L"), Lead("GB39", "L"))])
    presenter.set_channel_count(2)
    assert presenter.plan().pairs == ()


def test_a_template_for_more_channels_widens_the_table(qtbot, pairing, plans, leg_plan):
    plans.load(leg_plan.with_pairs([NeedlePair(6, Lead("ST36", "L"), Lead("GB39", "L"))]))
    assert pairing.table.rowCount() == 6
    assert pairing.combo(6, "a").currentText() == "ST36 L"


def test_fewer_channels_on_the_device_drop_the_pairs_it_cannot_drive(qtbot, pairing, plans):
    choose(pairing, 1, "a", "ST36 L")
    choose(pairing, 1, "b", "GB39 L")
    choose(pairing, 3, "a", "ST36 R")
    choose(pairing, 3, "b", "GB39 R")
    pairing.set_channel_count(2)
    assert pairing.table.rowCount() == 2
    assert [pair.channel for pair in plans.plan().pairs] == [1]


def test_the_override_dialog_wraps_a_long_finding_and_fits_a_laptop_screen(qtbot) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from neurotimer.gui.plan.needle_pairs import _default_ask_reason
    from neurotimer.safety.findings import Finding, Severity

    parent = QWidget()
    qtbot.addWidget(parent)
    finding = Finding(Rule.IMPLANTED_DEVICE, Severity.ERROR, None, "The patient has an implanted electronic device. "
                      * 6, overridable=True)
    seen: dict[str, int] = {}

    def look_and_cancel() -> None:
        dialog = QApplication.activeModalWidget()
        seen["width"] = dialog.width()
        dialog.reject()

    QTimer.singleShot(0, look_and_cancel)
    assert _default_ask_reason(parent)(finding) is None  # cancelled: no override
    assert 0 < seen["width"] <= 640
