"""Items drawn over the body chart: point markers (one per needle side) and nerve pathways."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from neurotimer.gui.shell.theme import CHART_CAUTION, CHART_HOVER, CHART_INK, CHART_NO_ELECTRO, CHART_PLAIN_FILL
from neurotimer.points import FLAG_TEXT, Flag, Point, Side

SIDE_WORDS = {Side.LEFT: "left", Side.RIGHT: "right", Side.MIDLINE: "midline"}
MARKER_PX = 13.0
INK = QColor(CHART_INK)
WARN = QColor(CHART_NO_ELECTRO)
SELECTED = QColor(CHART_INK)
PLAIN_FILL = QColor(*CHART_PLAIN_FILL)


def smooth_path(points: Sequence[tuple[float, float]]) -> QPainterPath:
    """A Catmull-Rom curve through the points, so pathways bend like nerves rather than zig-zag."""
    path = QPainterPath(QPointF(*points[0]))
    n = len(points)
    for i in range(n - 1):
        p0 = points[max(i - 1, 0)]
        p1, p2 = points[i], points[i + 1]
        p3 = points[min(i + 2, n - 1)]
        c1 = QPointF(p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = QPointF(p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        path.cubicTo(c1, c2, QPointF(*p2))
    return path


def tooltip_html(point: Point, side: Side) -> str:
    esc = html.escape
    rows = [
        f"<b>{esc(point.code)} {esc(point.pinyin)}</b> — {SIDE_WORDS[side]}",
        f"{esc(point.meridian)} · {esc(point.region)}",
        f"<i>Nerves</i>: {esc(point.nerve_text())}",
        esc(point.location),
    ]
    flags = [FLAG_TEXT[f] for f in Flag if f in point.flags]
    if flags:
        colour = WARN.name() if Flag.NO_ELECTRO in point.flags else CHART_CAUTION
        rows.append(f"<span style='color:{colour}'><b>{esc('; '.join(flags)).capitalize()}</b></span>")
    return "<p style='white-space:pre-wrap; max-width:340px'>" + "<br>".join(rows) + "</p>"


class PointMarker(QGraphicsItem):
    """One needle site: a circle for the patient's right, a square for the left, a ringed circle on the
    midline; the side letter is inside. Constant size on screen whatever the zoom."""

    def __init__(self, point: Point, side: Side, pos: tuple[float, float]) -> None:
        super().__init__()
        self.point = point
        self.side = side
        self.highlight: QColor | None = None
        self.selected = False
        self.hovered = False
        self.setPos(QPointF(*pos))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(tooltip_html(point, side))
        self.setZValue(10)

    @property
    def code(self) -> str:
        return self.point.code

    def _half(self) -> float:
        return MARKER_PX / 2 + (2.0 if self.hovered or self.selected else 0.0)

    def boundingRect(self) -> QRectF:
        h = MARKER_PX / 2 + 4
        return QRectF(-h, -h, 2 * h, 2 * h)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        h = MARKER_PX / 2 + 2
        path.addEllipse(QPointF(0, 0), h, h)
        return path

    def set_state(self, *, highlight: QColor | None = None, selected: bool | None = None) -> None:
        self.highlight = highlight
        if selected is not None:
            self.selected = selected
        self.setZValue(12 if self.selected else 11 if highlight else 10)
        self.update()

    def hoverEnterEvent(self, event) -> None:
        self.hovered = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self.hovered = False
        self.update()
        super().hoverLeaveEvent(event)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = self._half()
        no_electro = Flag.NO_ELECTRO in self.point.flags
        edge = WARN if no_electro else INK
        if self.selected:
            fill, text = SELECTED, QColor("white")
        elif self.highlight is not None:
            fill, text = self.highlight, QColor("white")
        else:
            fill, text = PLAIN_FILL, edge
        painter.setPen(QPen(edge, 2.2 if self.selected else 1.4))
        painter.setBrush(QBrush(fill))
        rect = QRectF(-h, -h, 2 * h, 2 * h)
        if self.side is Side.LEFT:
            painter.drawRoundedRect(rect.adjusted(0.6, 0.6, -0.6, -0.6), 2.5, 2.5)
        else:
            painter.drawEllipse(rect)
        if self.side is Side.MIDLINE:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(rect.adjusted(-3, -3, 3, 3))
        if self.selected:
            painter.setPen(QPen(QColor(CHART_HOVER), 2.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(rect.adjusted(-3.5, -3.5, 3.5, 3.5))
        font = QFont(painter.font())
        font.setPixelSize(8)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(text)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.side.value)


class NerveLine(QGraphicsPathItem):
    """One stretch of a nerve's course; drawn thin and translucent, thick when its nerve is chosen."""

    def __init__(self, nerve_id: str, name: str, colour: str, points: Sequence[tuple[float, float]]) -> None:
        super().__init__(smooth_path(points))
        self.nerve_id = nerve_id
        self.colour = QColor(colour)
        self.setToolTip(name)
        self.setZValue(5)
        self.set_emphasis(None)

    def set_emphasis(self, emphasised: bool | None) -> None:
        """None: normal; True: the chosen nerve; False: another nerve is chosen, so fade this one."""
        colour = QColor(self.colour)
        width = {None: 1.9, True: 4.5, False: 1.4}[emphasised]
        colour.setAlphaF({None: 0.62, True: 1.0, False: 0.2}[emphasised])
        pen = QPen(colour, width)
        pen.setCosmetic(True)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.setPen(pen)
        self.setZValue(6 if emphasised else 5)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(4)
        return stroker.createStroke(self.path())
