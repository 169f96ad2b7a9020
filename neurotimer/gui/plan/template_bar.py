"""The row above the point search: template chooser, Load, Save as…, and Same as last session."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from neurotimer.plan.template_store import TemplateLibrary
from neurotimer.plan.templates import Template


class TemplateBar(QWidget):
    """Lays out the template controls; the picker connects the buttons to its actions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Template"))
        self.combo = QComboBox()
        self.combo.setMinimumWidth(260)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        row.addWidget(self.combo, 1)
        self.load_button = QPushButton("Load")
        row.addWidget(self.load_button)
        self.save_button = QPushButton("Save as…")
        row.addWidget(self.save_button)
        self.last_button = QPushButton("Same as last session")
        row.addWidget(self.last_button)

    def fill(self, library: TemplateLibrary) -> list[str]:
        """Built-ins, a separator, then the user's; keeps the choice; returns the files' problems."""
        current = self.combo.currentText()
        self.combo.clear()
        for template in library.builtin():
            self.combo.addItem(template.name, template)
        user = library.user()
        if user:
            self.combo.insertSeparator(self.combo.count())
        for template in user:
            self.combo.addItem(template.name, template)
        self.choose(current)
        self.load_button.setEnabled(self.combo.count() > 0)
        return list(library.problems)

    def choose(self, name: str) -> None:
        index = self.combo.findText(name)
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def current(self) -> Template | None:
        return self.combo.currentData()
