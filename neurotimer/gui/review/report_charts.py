"""The timeline and course charts drawn with QPainter into images for paper, from the same data as on screen."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from neurotimer.gui.shell import theme
from neurotimer.gui.stimulator.intensity_plot import CHANNEL_COLOURS, HIGH_OUTPUT_MA, Y_FLOOR_MA
from neurotimer.session.course import MODERATE_PERCENT, SUBSTANTIAL_PERCENT
from neurotimer.session.course_glance import baseline_and_latest, series
from neurotimer.storage.replay import Replay

INK, MUTED, GRID = QColor(theme.INK), QColor(theme.MUTED), QColor(theme.BORDER)


def _canvas(width: int, height: int) -> tuple[QImage, QPainter]:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPixelSize(13)
    painter.setFont(font)
    return image, painter


def _axes(painter: QPainter, area: QRectF, x_max: float, y_max: float, x_label: str, y_label: str,
          x_step: float, y_step: float) -> None:
    painter.setPen(QPen(GRID, 1))
    y = 0.0
    while y <= y_max + 1e-9:
        py = area.bottom() - y / y_max * area.height()
        painter.drawLine(QPointF(area.left(), py), QPointF(area.right(), py))
        painter.setPen(MUTED)
        painter.drawText(QRectF(area.left() - 40, py - 8, 34, 16), Qt.AlignmentFlag.AlignRight, f"{y:g}")
        painter.setPen(QPen(GRID, 1))
        y += y_step
    x = 0.0
    while x <= x_max + 1e-9:
        px = area.left() + x / x_max * area.width()
        painter.setPen(MUTED)
        painter.drawText(QRectF(px - 20, area.bottom() + 3, 40, 16), Qt.AlignmentFlag.AlignHCenter, f"{x:g}")
        x += x_step
    painter.setPen(QPen(INK, 1))
    painter.drawRect(area)
    painter.drawText(QRectF(area.left(), area.bottom() + 18, area.width(), 16), Qt.AlignmentFlag.AlignHCenter,
                     x_label)
    painter.drawText(QRectF(area.left() - 44, area.top() - 18, 120, 16), Qt.AlignmentFlag.AlignLeft, y_label)


def timeline_image(replay: Replay, width: int = 1400, height: int = 420) -> QImage:
    """Every channel's target (dashed) and measured (solid) current in minutes since the start, with the marks."""
    image, painter = _canvas(width, height)
    area = QRectF(50, 24, width - 70, height - 64)
    minutes = max(replay.duration / 60.0, 1.0)
    x_max = 5.0 * max(1, -(-minutes // 5))
    peak = max([max(s.measured, s.target) for s in replay.samples] or [0.0])
    y_max = max(Y_FLOOR_MA, peak * 1.1)
    _axes(painter, area, x_max, y_max, "minutes since session start", "mA", 5.0, 2.0)

    def at(offset: float, ma: float) -> QPointF:
        return QPointF(area.left() + offset / 60.0 / x_max * area.width(), area.bottom() - ma / y_max * area.height())

    painter.setPen(QPen(QColor(theme.ERROR), 1, Qt.PenStyle.DashLine))
    high = at(0, HIGH_OUTPUT_MA).y()
    painter.drawLine(QPointF(area.left(), high), QPointF(area.right(), high))
    for channel in range(1, replay.channels + 1):
        colour = QColor(CHANNEL_COLOURS[(channel - 1) % len(CHANNEL_COLOURS)])
        own = [s for s in replay.samples if s.channel == channel]
        for attribute, style, width_px in (("target", Qt.PenStyle.DashLine, 1), ("measured", Qt.PenStyle.SolidLine, 2)):
            painter.setPen(QPen(colour, width_px, style))
            previous = None
            for sample in own:
                point = at(sample.offset, getattr(sample, attribute))
                if previous is not None:
                    if attribute == "target":  # the target holds until the next command: a step
                        corner = QPointF(point.x(), previous.y())
                        painter.drawLine(previous, corner)
                        painter.drawLine(corner, point)
                    else:
                        painter.drawLine(previous, point)
                previous = point
        painter.setPen(colour)
        painter.drawText(QRectF(area.left() + 8 + (channel - 1) * 60, area.top() + 4, 58, 16),
                         Qt.AlignmentFlag.AlignLeft, f"━ CH {channel}")
    for index, mark in enumerate(replay.marks[:40]):
        x = at(mark.offset, 0).x()
        painter.setPen(QPen(MUTED, 1, Qt.PenStyle.DashDotLine))
        painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
        painter.setPen(INK)
        painter.drawText(QRectF(x + 3, area.top() + 22 + (index % 3) * 15, 220, 15), Qt.AlignmentFlag.AlignLeft,
                         mark.label)
    painter.end()
    return image


def course_image(data, symptom: str, width: int = 1400, height: int = 440) -> QImage:
    """One symptom's before (solid) and after (dashed) score per session, with baseline, −30 % and −50 % lines."""
    image, painter = _canvas(width, height)
    area = QRectF(50, 24, width - 70, height - 64)
    x_max = float(max(len(data.sessions), data.course.planned_sessions, 1))
    _axes(painter, area, x_max, 10.0, "session", f"{symptom} (0–10)", 1.0, 2.0)
    points = series(data.sessions, data.scores, symptom)

    def at(number: float, value: float) -> QPointF:
        return QPointF(area.left() + number / x_max * area.width(), area.bottom() - value / 10.0 * area.height())

    found = baseline_and_latest(points)
    if found is not None:
        baseline = found[0]
        for fraction, words in ((1.0, "baseline"), (1 - MODERATE_PERCENT / 100, "−30 % moderate"),
                                (1 - SUBSTANTIAL_PERCENT / 100, "−50 % substantial")):
            y = at(0, baseline * fraction).y()
            painter.setPen(QPen(MUTED, 1, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(INK)
            painter.drawText(QRectF(area.right() - 170, y - 16, 166, 15), Qt.AlignmentFlag.AlignRight, words)
    colour = QColor(CHANNEL_COLOURS[0])
    for attribute, style in (("before", Qt.PenStyle.SolidLine), ("after", Qt.PenStyle.DashLine)):
        painter.setPen(QPen(colour if attribute == "before" else QColor(CHANNEL_COLOURS[1]), 2, style))
        previous = None
        for p in points:
            value = getattr(p, attribute)
            if value is None:
                continue
            point = at(p.number, value)
            if previous is not None:
                painter.drawLine(previous, point)
            painter.drawEllipse(point, 4, 4)
            previous = point
    painter.setPen(colour)
    painter.drawText(QRectF(area.left() + 8, area.top() + 4, 200, 16), Qt.AlignmentFlag.AlignLeft, "━ before session")
    painter.setPen(QColor(CHANNEL_COLOURS[1]))
    painter.drawText(QRectF(area.left() + 160, area.top() + 4, 200, 16), Qt.AlignmentFlag.AlignLeft, "╌ after session")
    painter.end()
    return image
