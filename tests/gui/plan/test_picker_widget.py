"""The point picker: search as you type, sides and needle count, templates, last session's points."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from neurotimer.gui.plan.point_picker import PointPicker
from neurotimer.plan.plan import Lead, NeedlePair, SideChoice
from neurotimer.plan.template_store import TemplateLibrary
from neurotimer.plan.templates import Template
from neurotimer.points import load_bundled


@pytest.fixture(scope="module")
def bundled():
    return load_bundled().catalogue


@pytest.fixture
def library(tmp_path):
    protocol = Template(
        "Legs protocol",
        (("ST36", "both"), ("GB39", "both"), ("XX99", "left")),
        pairs=(NeedlePair(1, Lead("ST36", "L"), Lead("GB39", "L")),),
        stimulation="2/100 Hz",
    )
    return TemplateLibrary(tmp_path / "templates", builtin=[protocol])


@pytest.fixture
def picker(qtbot, plans, small_catalogue, library):
    widget = PointPicker(plans, small_catalogue, library, ask_name=lambda _s: "My set")
    qtbot.addWidget(widget)
    widget.resize(800, 380)
    return widget


def codes_listed(picker: PointPicker) -> list[str]:
    return [picker.results.item(i).data(Qt.ItemDataRole.UserRole).code for i in range(picker.results.count())]


@pytest.mark.parametrize(("typed", "first"), [("ST 36", "ST36"), ("st36", "ST36"), ("zusanli", "ST36")])
def test_typing_finds_the_point(qtbot, plans, bundled, library, typed, first):
    picker = PointPicker(plans, bundled, library)
    qtbot.addWidget(picker)
    qtbot.keyClicks(picker.search, typed)
    assert codes_listed(picker)[0] == first


def test_typing_a_nerve_finds_points_on_it(qtbot, plans, bundled, library):
    picker = PointPicker(plans, bundled, library)
    qtbot.addWidget(picker)
    qtbot.keyClicks(picker.search, "peroneal")
    assert "ST36" in codes_listed(picker)
    assert "PC6" not in codes_listed(picker)


def test_choosing_both_sides_gives_two_needles(qtbot, picker, plans):
    qtbot.keyClicks(picker.search, "ST 36")
    picker.side_buttons[SideChoice.BOTH].click()
    with qtbot.waitSignal(plans.pointsChanged) as signal:
        qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert signal.args[0].needle_count == 2
    assert picker.count_label.text() == "2 needles"
    assert "L + R" in picker.plan_list.item(0).text()


def test_one_side_then_the_other(qtbot, picker, plans):
    picker.search.setText("ST36")
    picker.side_buttons[SideChoice.LEFT].click()
    picker.add_button.click()
    assert plans.plan().needle_count == 1 and picker.count_label.text() == "1 needle"
    picker.side_buttons[SideChoice.RIGHT].click()
    picker.add_button.click()
    assert plans.plan().point_sides() == [("ST36", "L"), ("ST36", "R")]


def test_bafeng_on_one_side_counts_four(qtbot, picker):
    picker.search.setText("EX-LE10")
    picker.side_buttons[SideChoice.LEFT].click()
    picker.add_button.click()
    assert picker.count_label.text() == "4 needles"


def test_midline_point_offers_no_left_or_right(qtbot, picker, plans):
    picker.search.setText("GV20")
    assert not picker.side_buttons[SideChoice.LEFT].isEnabled()
    assert "midline" in picker.add_button.text()
    picker.add_button.click()
    assert plans.plan().point_sides() == [("GV20", "M")]


def test_body_chart_click_selects_the_point(qtbot, picker, plans):
    with qtbot.waitSignal(plans.pointsChanged):
        assert picker.select_point("ST36", "R")
    assert plans.plan().point_sides() == [("ST36", "R")]
    assert not picker.select_point("XX1", "L")
    assert "XX1 is not in the point catalogue" in picker.status.text()


def test_remove_and_clear(qtbot, picker, plans):
    picker.select_point("ST36", "both")
    picker.select_point("SP6", "both")
    picker.plan_list.item(0).setSelected(True)
    picker.remove_button.click()
    assert plans.plan().point_sides() == [("SP6", "L"), ("SP6", "R")]
    picker.clear_button.click()
    assert plans.plan().needle_count == 0 and picker.count_label.text() == "0 needles"


def test_template_loads_its_points_and_pairs_and_lists_unknown_codes(qtbot, picker, plans):
    assert picker.template_combo.currentText() == "Legs protocol"
    with qtbot.waitSignal(plans.changed):
        picker.load_button.click()
    assert plans.plan().needle_count == 4
    assert plans.plan().pairs == (NeedlePair(1, Lead("ST36", "L"), Lead("GB39", "L")),)
    assert "XX99" in picker.status.text() and "left out" in picker.status.text()


def test_save_current_as_template_and_load_it_back(qtbot, picker, plans, library):
    picker.select_point("ST36", "L")
    picker.select_point("GV20", "M")
    pair = NeedlePair(1, Lead("ST36", "L"), Lead("GV20", "M"))
    plans.set_pairs((pair,))
    picker.save_button.click()
    assert "Saved template 'My set'" in picker.status.text()
    assert picker.template_combo.currentText() == "My set"
    picker.clear()
    plans.set_pairs(())
    with qtbot.waitSignal(plans.changed):
        picker.load_button.click()
    assert plans.plan().point_sides() == [("ST36", "L"), ("GV20", "M")]
    assert plans.plan().pairs == (pair,)
    assert [t.name for t in library.user()] == ["My set"]


def test_same_as_last_session_needs_a_patient_and_lists_unknown(qtbot, plans, small_catalogue, library):
    asked = []

    def last_points(patient_id):
        asked.append(patient_id)
        return [("ST36", "L"), ("SP6", "R"), ("OLD1", "L")]

    picker = PointPicker(plans, small_catalogue, library, last_points=last_points)
    qtbot.addWidget(picker)
    assert not picker.last_button.isEnabled()
    picker.set_patient(7)
    picker.last_button.click()
    assert asked == [7]
    assert plans.plan().point_sides() == [("ST36", "L"), ("SP6", "R")]
    assert "OLD1" in picker.status.text()


@pytest.mark.parametrize(("answer", "codes"), [
    ("add", ["SP6", "ST36", "GB39"]),
    ("replace", ["ST36", "GB39"]),
    (None, ["SP6"]),
])
def test_loading_a_template_over_hand_picked_points_asks_replace_or_add(qtbot, plans, small_catalogue, library,
                                                                      answer, codes):
    asked: list[str] = []
    picker = PointPicker(plans, small_catalogue, library,
                         replace_or_add=lambda question: asked.append(question) or answer)
    qtbot.addWidget(picker)
    picker.select_point("SP6", "left")
    picker.load_selected_template()
    assert len(asked) == 1 and "Replace them with 'Legs protocol'" in asked[0]
    assert list(dict.fromkeys(p.code for p in plans.plan().points)) == codes


def test_loading_a_template_on_an_empty_plan_does_not_ask(qtbot, plans, small_catalogue, library):
    asked: list[str] = []
    picker = PointPicker(plans, small_catalogue, library, replace_or_add=lambda q: asked.append(q) or "add")
    qtbot.addWidget(picker)
    picker.load_selected_template()
    assert asked == [] and plans.plan().needle_count == 4
