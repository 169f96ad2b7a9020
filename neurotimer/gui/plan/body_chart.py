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
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from neurotimer.gui.plan.body_chart_items import NerveLine, PointMarker
from neurotimer.gui.shell.theme import CHART_BACKGROUND
from neurotimer.points import VIEW_SIZES, VIEWS, Catalogue, Nerve, resource_dir

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
        self._nerves_visible = True
        self.view_name = ""
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setBackgroundBrush(QColor(CHART_BACKGROUND))
        self.setMinimumSize(200, 160)
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
                    item.setVisible(self._nerves_visible)
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

    def set_nerves_visible(self, visible: bool) -> None:
        """Show or hide the pathways (a chosen nerve stays drawn so its course is never lost)."""
        self._nerves_visible = visible
        self._restyle()

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
            line.setVisible(self._nerves_visible or (nerve is not None and line.nerve_id == nerve.id))

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
