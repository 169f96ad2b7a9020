"""The body chart with its controls: view and nerve selectors, pathway toggle, zoom buttons, legend."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.plan.body_chart import BodyChart
from neurotimer.gui.shell.theme import CHART_NO_ELECTRO
from neurotimer.points import VIEW_TITLES, VIEWS, Catalogue, Nerve, Point


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
        self.lines_box = QCheckBox("Pathways")
        self.lines_box.setToolTip("Draw the nerve pathways")
        self.lines_box.setChecked(True)
        self.lines_box.toggled.connect(self.chart.set_nerves_visible)
        bar.addWidget(self.lines_box)
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
        self.bar = bar  # the app adds its own actions (e.g. a larger window) at the end
        legend = QLabel(
            "● R = patient's right   ■ L = patient's left   ◎ M = midline   "
            f"<span style='color:{CHART_NO_ELECTRO}'>red edge</span> = not for electrical stimulation"
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
