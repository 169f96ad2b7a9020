"""One safety finding as a row: a coloured bar, the rule and its reason, and what to do or what was done."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from neurotimer.gui.shell.theme import FINDING_COLOURS
from neurotimer.safety.verdict import Finding, Severity, Status

COLOURS = FINDING_COLOURS  # (strong, tint) by what the finding says


class FindingRow(QFrame):
    """One finding: a coloured bar, the rule and reason, and its action or what was done about it."""

    def __init__(self, finding: Finding, status: Status, done: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.finding = finding
        key = finding.severity.value if status is Status.OPEN or status is Status.NOTED else "ok"
        strong, tint = COLOURS[key]
        self.setObjectName("findingRow")
        self.setStyleSheet(
            f"QFrame#findingRow {{ background: {tint}; border-left: 5px solid {strong}; border-radius: 4px; }}"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 3, 6, 3)
        layout.setSpacing(1)
        head = QHBoxLayout()
        where = f"Ch {finding.channel} · " if finding.channel else ""
        self.title = QLabel(f"{where}{finding.rule.title}")
        self.title.setStyleSheet(f"color: {strong}; font-weight: bold; font-size: 14px;")
        self.title.setWordWrap(True)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        head.addWidget(self.title, 1)
        self.button: QPushButton | None = None
        if status is Status.OPEN and finding.severity is Severity.WARNING:
            self.button = QPushButton("Acknowledge")
        elif status is Status.OPEN and finding.overridable:
            self.button = QPushButton("Override…")
        if self.button is not None:
            self.button.setStyleSheet("padding: 2px 8px; font-size: 14px;")
            head.addWidget(self.button)
        layout.addLayout(head)
        self.text = QLabel(finding.message)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setStyleSheet("font-size: 13px;")
        # Let the panel's width decide the wrapping, not the longest sentence.
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.text.setMinimumWidth(40)
        layout.addWidget(self.text)
        self.done = QLabel(done)
        self.done.setWordWrap(True)
        self.done.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.done.setStyleSheet(f"color: {COLOURS['ok'][0]}; font-size: 13px; font-weight: bold;")
        self.done.setVisible(bool(done))
        layout.addWidget(self.done)
