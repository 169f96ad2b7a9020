"""The body chart: markers on the body, clicking, nerve highlighting, zoom, and a saved screenshot."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QWheelEvent
from PySide6.QtSvg import QSvgRenderer

from neurotimer.gui.plan.body_chart import BodyChart, chart_dir
from neurotimer.gui.plan.body_chart_panel import BodyChartPanel
from neurotimer.points import VIEW_SIZES, VIEWS, load_bundled

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def data():
    return load_bundled()


@pytest.fixture
def panel(qtbot, data):
    widget = BodyChartPanel(data.catalogue, data.nerves)
    qtbot.addWidget(widget)
    widget.resize(640, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def click_marker(qtbot, chart: BodyChart, code: str, side: str) -> None:
    marker = chart.marker(code, side)
    assert marker is not None, f"no {side} marker for {code} on {chart.view_name}"
    chart.centerOn(marker)
    pos = chart.mapFromScene(marker.scenePos())
    qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=pos)


@pytest.mark.parametrize(
    ("view", "code", "side"),
    [
        ("front", "ST36", "R"),
        ("front", "ST36", "L"),
        ("front", "GV20", "M"),
        ("back", "BL40", "L"),
        ("hand", "EX-UE9-2", "R"),
        ("foot", "KI1", "L"),
    ],
)
def test_clicking_a_marker_emits_its_code_and_side(qtbot, panel, view, code, side):
    panel.set_view(view)
    with qtbot.waitSignal(panel.pointClicked, timeout=1000) as signal:
        click_marker(qtbot, panel.chart, code, side)
    assert signal.args == [code, side]


def test_left_and_right_markers_sit_on_opposite_sides(panel):
    chart = panel.chart
    right, left = chart.marker("ST36", "R"), chart.marker("ST36", "L")
    # front view: the patient's right is on the viewer's left
    assert right.scenePos().x() < VIEW_SIZES["front"][0] / 2 < left.scenePos().x()
    panel.set_view("back")
    assert panel.chart.marker("BL40", "R").scenePos().x() > VIEW_SIZES["back"][0] / 2


def test_clicking_the_drawing_away_from_markers_emits_nothing(qtbot, panel):
    chart = panel.chart
    with qtbot.assertNotEmitted(panel.pointClicked):
        qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=chart.mapFromScene(QPointF(20, 700)))


def test_choosing_a_nerve_highlights_exactly_its_points(qtbot, panel, data):
    panel.choose_nerve("deep_peroneal")
    chart = panel.chart
    assert chart.highlighted_nerve == "deep_peroneal"
    lit = {m.code for m in chart.highlighted_markers()}
    assert {"ST36", "ST37", "ST41", "LR3", "EX-LE10"} <= lit
    expected = {p.code for p in data.catalogue.by_nerve("deep_peroneal") if "front" in p.chart}
    assert lit == expected
    assert all(line.pen().widthF() > 4 for line in chart.nerve_lines("deep_peroneal"))
    assert all(line.pen().color().alphaF() < 0.5 for line in chart.nerve_lines("femoral"))
    panel.choose_nerve(None)
    assert chart.highlighted_markers() == []


def test_choosing_a_nerve_not_drawn_here_moves_to_a_view_that_shows_it(qtbot, panel):
    panel.choose_nerve("sciatic")
    assert panel.chart.view_name == "back"
    assert panel.view_box.currentData() == "back"
    assert {m.code for m in panel.chart.highlighted_markers()} == {"GB30", "BL36", "BL37"}


def test_tooltip_names_code_name_nerves_location_and_flags(panel):
    tip = panel.chart.marker("SP6", "L").toolTip()
    assert "SP6 Sanyinjiao" in tip and "left" in tip
    assert "tibial n." in tip and "saphenous" in tip and "medial malleolus" in tip
    assert "caution in pregnancy" in tip.lower()
    assert "not for electrical stimulation" in panel.chart.marker("ST9", "R").toolTip().lower()


def test_selected_needles_are_marked(panel):
    panel.set_selected({("st36", "R"), ("GV20", "M"), ("XX99", "L")})
    chart = panel.chart
    assert chart.marker("ST36", "R").selected and not chart.marker("ST36", "L").selected
    assert chart.marker("GV20", "M").selected
    panel.set_selected(set())
    assert not any(m.selected for m in chart.markers())


def test_zoom_with_buttons_and_wheel_then_fit(qtbot, panel):
    chart = panel.chart
    start = chart.transform().m11()
    chart.zoom_in()
    chart.zoom_in()
    assert chart.zoom == pytest.approx(1.25**2)
    assert chart.transform().m11() == pytest.approx(start * 1.25**2)
    centre = QPointF(chart.viewport().rect().center())
    wheel = QWheelEvent(
        centre,
        chart.mapToGlobal(centre),
        QPoint(),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    chart.wheelEvent(wheel)
    assert chart.zoom == pytest.approx(1.25**4)
    for _ in range(40):
        chart.zoom_out()
    assert chart.zoom == pytest.approx(1.0)  # never smaller than the whole drawing
    chart.zoom_in()
    chart.fit()
    assert chart.transform().m11() == pytest.approx(start)


def test_every_view_has_its_drawing_and_an_unknown_view_is_refused(panel):
    for view in VIEWS:
        panel.set_view(view)
        assert panel.chart.markers(), view
    with pytest.raises(ValueError, match="Unknown chart view"):
        panel.set_view("side")


def skin_mask(view: str) -> QImage:
    renderer = QSvgRenderer(str(chart_dir() / f"{view}.svg"))
    width, height = (int(v) for v in VIEW_SIZES[view])
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#f7f9fb"))
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


@pytest.mark.parametrize("view", VIEWS)
def test_every_marker_lies_on_the_body(data, view):
    image = skin_mask(view)
    off_body = []
    for point in data.catalogue.all_points():
        for side, (x, y) in point.positions(view):
            near = [QColor(image.pixel(int(x) + dx, int(y) + dy)) for dx in (-2, 0, 2) for dy in (-2, 0, 2)]
            if not any(c.red() > c.blue() + 12 for c in near):  # skin is warm, the background cool
                off_body.append(f"{point.code} {side.value} at ({x:g}, {y:g})")
    assert off_body == []


def test_screenshot_of_the_chart_is_saved_and_not_blank(qtbot, panel, tmp_path):
    panel.choose_nerve("deep_peroneal")
    panel.set_view("front")
    panel.set_selected({("ST36", "R"), ("ST36", "L")})
    image = panel.grab().toImage()
    saved = tmp_path / "chart.png"
    assert image.save(str(saved))
    artifacts = REPO / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shutil.copyfile(saved, artifacts / "chart.png")
    colours = {image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    assert len(colours) > 300
    assert image.width() >= 600 and image.height() >= 850


def test_focus_point_switches_to_a_view_that_shows_it(panel):
    chart = panel.chart
    assert chart.focus_point("KI1")
    assert chart.view_name == "foot" and panel.view_box.currentData() == "foot"
    assert chart.focus_point("ST41")  # on the foot view as well: stay here
    assert chart.view_name == "foot"
    assert not chart.focus_point("XX99")


def test_keyboard_zoom(qtbot, panel):
    chart = panel.chart
    chart.setFocus()
    qtbot.keyClick(chart, Qt.Key.Key_Plus)
    assert chart.zoom == pytest.approx(1.25)
    qtbot.keyClick(chart, Qt.Key.Key_0)
    assert chart.zoom == pytest.approx(1.0)


def test_pathways_can_be_hidden_but_the_chosen_nerve_stays(panel):
    chart = panel.chart
    panel.lines_box.setChecked(False)
    assert not any(line.isVisible() for line in chart.nerve_lines())
    panel.choose_nerve("saphenous")
    assert all(line.isVisible() for line in chart.nerve_lines("saphenous"))
    assert not any(line.isVisible() for line in chart.nerve_lines("femoral"))
    panel.lines_box.setChecked(True)
    assert all(line.isVisible() for line in chart.nerve_lines())
