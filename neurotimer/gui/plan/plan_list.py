"""Today's needles: the chosen points with their sides, the needle count, and remove / clear."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from neurotimer.plan.plan import Plan


def point_line(point: Any) -> str:
    """Two lines for the result list: code, name and region; then the nerves."""
    nerves = point.nerve_text() if hasattr(point, "nerve_text") else ""
    first = f"{point.code}   {point.pinyin} — {point.region}"
    return f"{first}\n      {nerves}" if nerves else first


def point_tooltip(point: Any) -> str:
    """Code and name, location, nerves, and how many needles it takes."""
    parts = [f"{point.code} {point.pinyin}", point.location, point.nerve_text()]
    if not point.bilateral:
        parts.append("Midline point: one needle.")
    if point.members:
        parts.append(f"{len(point.members)} needles a side.")
    return "\n".join(p for p in parts if p)


def plan_rows(plan: Plan) -> list[tuple[str, str, Any]]:
    """One (code, text, point) row per point, its sides merged: 'ST36  Zusanli   L + R   (2)'."""
    grouped: dict[str, list] = {}
    for planned in plan.points:
        grouped.setdefault(planned.code, []).append(planned)
    rows = []
    for code, planned_list in grouped.items():
        point = planned_list[0].point
        sides = " + ".join(p.side.value for p in planned_list) if point.bilateral else "midline"
        count = sum(len(p.needles) for p in planned_list)
        rows.append((code, f"{code}  {point.pinyin}   {sides}   ({count})", point))
    return rows


class PlanList(QWidget):
    """Shows the plan; the picker owns it and reacts to the Remove and Clear buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        title = QLabel("TODAY'S NEEDLES")
        title.setObjectName("cardTitle")
        head.addWidget(title)
        head.addStretch(1)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("font-size: 20px; font-weight: bold;")
        head.addWidget(self.count_label)
        layout.addLayout(head)
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        self.remove_button = QPushButton("Remove")
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.clear_button = QPushButton("Clear all")
        buttons.addWidget(self.clear_button)
        layout.addLayout(buttons)

    def show_plan(self, plan: Plan) -> None:
        self.list.clear()
        for code, text, point in plan_rows(plan):
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setToolTip(point_tooltip(point))
            self.list.addItem(item)
        count = plan.needle_count
        self.count_label.setText(f"{count} needle{'' if count == 1 else 's'}")
        self.remove_button.setEnabled(bool(plan.points))
        self.clear_button.setEnabled(bool(plan.points))

    def selected_codes(self) -> list[str]:
        return [item.data(Qt.ItemDataRole.UserRole) for item in self.list.selectedItems()]
