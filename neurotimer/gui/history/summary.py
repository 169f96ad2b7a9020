"""The History tab's left column: the course in a few lines and a sparkline of one symptom's before-scores."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from neurotimer.gui.shell.theme import GRID, MUTED, OK
from neurotimer.session.course import SymptomProgress, percent_text

IMPROVED = OK
NEUTRAL = MUTED


class Sparkline(QWidget):
    """Before-scores across a course on a fixed 0–10 scale, so a flat line means no change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: tuple[int, ...] = ()
        self.colour = QColor(NEUTRAL)
        self.setFixedHeight(44)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(160, 44)

    def set_values(self, values: Sequence[int], colour: str) -> None:
        self.values = tuple(values)
        self.colour = QColor(colour)
        self.setToolTip(" → ".join(str(v) for v in values))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.values:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        left, top = 4.0, 4.0
        width, height = self.width() - 8.0, self.height() - 8.0
        painter.setPen(QPen(QColor(GRID), 1))
        painter.drawLine(QPointF(left, top + height), QPointF(left + width, top + height))
        step = width / max(len(self.values) - 1, 1)
        points = [QPointF(left + i * step, top + height * (1 - v / 10)) for i, v in enumerate(self.values)]
        painter.setPen(QPen(self.colour, 2))
        if len(points) > 1:
            painter.drawPolyline(points)
        painter.setBrush(QBrush(self.colour))
        painter.setPen(Qt.PenStyle.NoPen)
        for point in (points[0], points[-1]):
            painter.drawEllipse(point, 3, 3)
        painter.end()


class CourseSummary(QWidget):
    """Left column: condition, sessions done of planned, pace, and each symptom against its baseline."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("cardTitle")
        self.condition = QLabel()
        self.condition.setWordWrap(True)
        self.progress = QLabel()
        self.pace = QLabel()
        self.pace.setObjectName("muted")
        self.pace.setWordWrap(True)  # "2.3 a week (plan 2) · since Mon 5 Jan" wraps in a summary narrowed by the board
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(0)
        self.spark_label = QLabel()
        self.spark_label.setObjectName("muted")
        self.sparkline = Sparkline()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(3)
        for widget in (self.title, self.condition, self.progress, self.pace):
            box.addWidget(widget)
        box.addSpacing(4)
        box.addLayout(self.grid)
        box.addSpacing(4)
        box.addWidget(self.spark_label)
        box.addWidget(self.sparkline)
        box.addStretch(1)
        self.verdicts: list[QLabel] = []

    def show_course(
        self, title: str, condition: str, progress: str, pace: str, symptoms: list[SymptomProgress]
    ) -> None:
        self.title.setText(title.upper())
        self.condition.setText(condition)
        self.progress.setText(progress)
        self.pace.setText(pace)
        self.pace.setVisible(bool(pace))
        self._clear_grid()
        for row, item in enumerate(symptoms):
            colour = IMPROVED if item.verdict.improved else NEUTRAL
            name = QLabel(item.symptom.capitalize())
            name.setObjectName("symptom")
            change = QLabel(f"{item.baseline} → {item.latest}")
            percent = QLabel(percent_text(item.percent))
            percent.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            verdict = QLabel(item.verdict.value)
            verdict.setObjectName("verdict")
            verdict.setStyleSheet(f"color: {colour};")
            self.verdicts.append(verdict)
            self.grid.addWidget(name, row * 2, 0)
            self.grid.addWidget(change, row * 2, 1)
            self.grid.addWidget(percent, row * 2, 2)
            self.grid.addWidget(verdict, row * 2 + 1, 0, 1, 3)
        self.grid.setColumnStretch(3, 1)
        # Pain is what most courses are judged by; another symptom stands in when pain was not scored.
        chosen = next((s for s in symptoms if s.symptom.lower() == "pain"), symptoms[0] if symptoms else None)
        if chosen is not None and len(chosen.values) > 1:
            self.spark_label.setText(f"{chosen.symptom.capitalize()} before each session (0–10)")
            self.sparkline.set_values(chosen.values, IMPROVED if chosen.verdict.improved else NEUTRAL)
            self.spark_label.show()
            self.sparkline.show()
        else:
            self.spark_label.hide()
            self.sparkline.hide()
        if not symptoms:
            note = QLabel("No symptom scores yet.")
            note.setObjectName("muted")
            self.grid.addWidget(note, 0, 0, 1, 3)

    def _clear_grid(self) -> None:
        self.verdicts = []
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
