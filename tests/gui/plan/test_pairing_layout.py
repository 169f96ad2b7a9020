"""The pairing tab stays legible at its real size (about 800 x 380): nothing clipped, labels in full."""

from __future__ import annotations

from neurotimer.gui.plan.needle_pairs import NeedlePairsWidget
from neurotimer.gui.plan.plan_model import PlanModel
from neurotimer.plan.plan import Lead, NeedlePair, Plan
from neurotimer.safety.verdict import Acknowledgements, Screening


def test_findings_and_lead_names_fit_at_800_by_380(qtbot, clock, pts, tmp_path):
    plan = Plan().add(pts["ST36"], "both").add(pts["EX-LE10"], "both").add(pts["LI4"], "both")
    plans = PlanModel()
    widget = NeedlePairsWidget(plans, Acknowledgements(clock), Screening(implanted_device=True, epilepsy=True))
    qtbot.addWidget(widget)
    plans.set_points(plan)
    plans.set_pairs(
        [
            NeedlePair(1, Lead("EX-LE10-2", "L"), Lead("EX-LE10-2", "L")),
            NeedlePair(2, Lead("LI4", "L"), Lead("LI4", "R")),
        ]
    )
    widget.resize(800, 380)
    widget.show()
    qtbot.waitExposed(widget)
    widget.grab().save(str(tmp_path / "pairing.png"))

    viewport = widget.scroll.viewport().width()
    for row in widget.finding_rows():
        assert row.geometry().right() <= viewport, row.title.text()
        if row.button is not None:
            right = row.button.mapTo(widget.findings_host, row.button.rect().topRight()).x()
            assert right <= viewport, f"{row.button.text()} clipped"
        assert row.text.height() >= row.text.heightForWidth(row.text.width()) - 1, "reason text cut off"
    combo = widget.combo(1, "a")
    needed = combo.fontMetrics().horizontalAdvance("EX-LE10-2 L")
    assert combo.width() - 30 >= needed, "lead name elided in its combo box"
