"""The body chart: front, back, hand and foot drawings with clickable points and nerve pathways."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QResizeEvent, QWheelEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtSvgWidgets import QGraphicsSvgItem
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.body_chart_items import NerveLine, PointMarker
from neurotimer.points import VIEW_SIZES, VIEW_TITLES, VIEWS, Catalogue, Nerve, Point, Side, resource_dir

log = logging.getLogger(__name__)

ZOOM_STEP = 1.25
MAX_ZOOM = 10.0  # relative to the whole drawing fitted in the window


def chart_dir() -> Path:
    return resource_dir() / "chart"


class BodyChart(QGraphicsView):
    """One chart view at a time; `pointClicked(code, side)` with side 'L', 'R' or 'M'."""

    pointClicked = Signal(str, str)
    viewChanged = Signal(str)

    def __init__(
        self,
        catalogue: Catalogue,
        nerves: Iterable[Nerve],
        svg_dir: Path | None = None,
        view: str = "front",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._catalogue = catalogue
        self._nerves = {n.id: n for n in nerves}
        self._svg_dir = svg_dir or chart_dir()
        self._renderers: dict[str, QSvgRenderer] = {}
        self._markers: list[PointMarker] = []
        self._lines: list[NerveLine] = []
        self._selected: set[tuple[str, str]] = set()
        self._highlight: str | None = None
        self._fitted = True
        self._zoom = 1.0
        self.view_name = ""
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(QColor("#f7f9fb"))
        self.setMinimumSize(240, 320)
        self.set_view(view)

    # -- what is shown ---------------------------------------------------------------------------
    def set_view(self, view: str) -> None:
        if view not in VIEW_SIZES:
            raise ValueError(f"Unknown chart view {view!r}; choose one of {', '.join(VIEWS)}.")
        if view == self.view_name:
            return
        self.view_name = view
        scene = self.scene()
        scene.clear()
        self._markers, self._lines = [], []
        width, height = VIEW_SIZES[view]
        scene.setSceneRect(QRectF(0, 0, width, height))
        svg = QGraphicsSvgItem()
        svg.setSharedRenderer(self._renderer(view))
        svg.setZValue(0)
        scene.addItem(svg)
        for nerve in self._nerves.values():
            for line in nerve.course.get(view, ()):
                for coords in (line, [(width - x, y) for x, y in line]):
                    item = NerveLine(nerve.id, nerve.name, nerve.colour, coords)
                    scene.addItem(item)
                    self._lines.append(item)
        for point in self._catalogue.all_points():
            for side, pos in point.positions(view):
                marker = PointMarker(point, side, pos)
                scene.addItem(marker)
                self._markers.append(marker)
        self._restyle()
        self.fit()
        self.viewChanged.emit(view)

    def _renderer(self, view: str) -> QSvgRenderer:
        if view not in self._renderers:
            path = self._svg_dir / f"{view}.svg"
            renderer = QSvgRenderer(str(path), self)
            if not renderer.isValid():
                log.error("body chart drawing %s could not be read", path)
            self._renderers[view] = renderer
        return self._renderers[view]

    @property
    def catalogue(self) -> Catalogue:
        return self._catalogue

    def markers(self) -> list[PointMarker]:
        return list(self._markers)

    def marker(self, code: str, side: str) -> PointMarker | None:
        point = self._catalogue.get(code)
        if point is None:
            return None
        return next((m for m in self._markers if m.point is point and m.side == side), None)

    def nerve_lines(self, nerve_id: str | None = None) -> list[NerveLine]:
        return [line for line in self._lines if nerve_id is None or line.nerve_id == nerve_id]

    def views_showing(self, code: str) -> list[str]:
        point = self._catalogue.get(code)
        return [] if point is None else [v for v in VIEWS if v in point.chart]

    # -- highlighting and selection --------------------------------------------------------------
    def highlight_nerve(self, nerve_id: str | None) -> None:
        """Emphasise a nerve's pathway and colour the markers of its points; None clears it."""
        if nerve_id is not None and nerve_id not in self._nerves:
            raise ValueError(f"Unknown nerve {nerve_id!r}.")
        self._highlight = nerve_id
        self._restyle()

    @property
    def highlighted_nerve(self) -> str | None:
        return self._highlight

    def highlighted_markers(self) -> list[PointMarker]:
        return [m for m in self._markers if m.highlight is not None]

    def set_selected(self, selected: Iterable[tuple[str, str]]) -> None:
        """Show these (code, side) needles as chosen; codes are matched however they are written."""
        normalised = set()
        for code, side in selected:
            point = self._catalogue.get(code)
            if point is not None:
                normalised.add((point.code, str(side)))
        self._selected = normalised
        self._restyle()

    def _restyle(self) -> None:
        nerve = self._nerves.get(self._highlight) if self._highlight else None
        colour = QColor(nerve.colour) if nerve else None
        for marker in self._markers:
            on_nerve = nerve is not None and nerve.id in marker.point.nerve_ids
            marker.set_state(
                highlight=colour if on_nerve else None, selected=(marker.code, marker.side.value) in self._selected
            )
        for line in self._lines:
            line.set_emphasis(None if nerve is None else line.nerve_id == nerve.id)

    # -- zoom and pan ----------------------------------------------------------------------------
    def fit(self) -> None:
        self.resetTransform()
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self._zoom = 1.0
        self._fitted = True

    def zoom_by(self, factor: float) -> None:
        target = min(max(self._zoom * factor, 1.0), MAX_ZOOM)
        if abs(target - self._zoom) < 1e-9:
            return
        self.scale(target / self._zoom, target / self._zoom)
        self._zoom = target
        self._fitted = target == 1.0

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    @property
    def zoom(self) -> float:
        """Magnification relative to the whole drawing fitted in the window."""
        return self._zoom

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP**steps)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key == Qt.Key.Key_Minus:
            self.zoom_out()
        elif key == Qt.Key.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fitted:
            self.fit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        item = self.itemAt(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and isinstance(item, PointMarker):
            self.pointClicked.emit(item.code, item.side.value)
            event.accept()
            return
        super().mousePressEvent(event)

    def focus_point(self, code: str) -> bool:
        """Show a view with this point (the current one if it has it) and centre on it."""
        views = self.views_showing(code)
        if not views:
            return False
        if self.view_name not in views:
            self.set_view(views[0])
        marker = next((m for m in self._markers if m.code == self._catalogue.get(code).code), None)
        if marker is not None:
            self.centerOn(marker)
        return True


class BodyChartPanel(QWidget):
    """The chart with a view selector, a nerve selector, zoom buttons and a legend."""

    pointClicked = Signal(str, str)

    def __init__(
        self, catalogue: Catalogue, nerves: Iterable[Nerve], svg_dir: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._nerves = tuple(nerves)
        self.chart = BodyChart(catalogue, self._nerves, svg_dir)
        self.chart.pointClicked.connect(self.pointClicked)
        self.view_box = QComboBox()
        self.view_box.setAccessibleName("Chart view")
        for view in VIEWS:
            self.view_box.addItem(VIEW_TITLES[view], view)
        self.view_box.currentIndexChanged.connect(self._on_view_chosen)
        self.chart.viewChanged.connect(self._on_chart_view_changed)
        self.nerve_box = QComboBox()
        self.nerve_box.setAccessibleName("Highlight nerve")
        self.nerve_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.nerve_box.setMinimumContentsLength(14)
        self.nerve_box.addItem("All nerves", None)
        for nerve in sorted(self._nerves, key=lambda n: n.name.casefold()):
            self.nerve_box.addItem(nerve.name, nerve.id)
        self.nerve_box.currentIndexChanged.connect(self._on_nerve_chosen)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("View"))
        bar.addWidget(self.view_box)
        bar.addSpacing(8)
        bar.addWidget(QLabel("Nerve"))
        bar.addWidget(self.nerve_box, 1)
        for text, tip, slot in (
            ("−", "Zoom out", self.chart.zoom_out),
            ("+", "Zoom in", self.chart.zoom_in),
            ("Fit", "Show the whole drawing", self.chart.fit),
        ):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setAccessibleName(tip)
            button.clicked.connect(slot)
            bar.addWidget(button)
        legend = QLabel(
            "● R = patient's right   ■ L = patient's left   ◎ M = midline   "
            "<span style='color:#c1121f'>red edge</span> = not for electrical stimulation"
        )
        legend.setTextFormat(Qt.TextFormat.RichText)
        legend.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.chart, 1)
        layout.addWidget(legend)

    def set_selected(self, selected: Iterable[tuple[str, str]]) -> None:
        self.chart.set_selected(selected)

    def set_view(self, view: str) -> None:
        self.chart.set_view(view)

    def choose_nerve(self, nerve_id: str | None) -> None:
        index = self.nerve_box.findData(nerve_id)
        if index < 0:
            raise ValueError(f"Unknown nerve {nerve_id!r}.")
        self.nerve_box.setCurrentIndex(index)

    def _on_view_chosen(self, index: int) -> None:
        self.chart.set_view(self.view_box.itemData(index))

    def _on_chart_view_changed(self, view: str) -> None:
        index = self.view_box.findData(view)
        if index != self.view_box.currentIndex():
            self.view_box.setCurrentIndex(index)

    def _on_nerve_chosen(self, index: int) -> None:
        nerve_id = self.nerve_box.itemData(index)
        self.chart.highlight_nerve(nerve_id)
        if nerve_id is None:
            return
        nerve = next(n for n in self._nerves if n.id == nerve_id)
        if self.chart.view_name not in nerve.course and nerve.course:
            self.chart.set_view(self._best_view(nerve))

    def _best_view(self, nerve: Nerve) -> str:
        """The view showing most of the nerve's points (the course decides ties)."""
        counts = {view: 0 for view in nerve.course}
        for code in nerve.points:
            point: Point | None = self.chart.catalogue.get(code)
            for view in counts:
                if point is not None and view in point.chart:
                    counts[view] += 1
        return max(counts, key=lambda v: (counts[v], -VIEWS.index(v)))


__all__ = ["BodyChart", "BodyChartPanel", "Side"]
