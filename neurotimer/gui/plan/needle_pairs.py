"""Channel pairing: which two needles each stimulator channel joins, with the safety findings live."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.plan.finding_row import COLOURS, FindingRow
from neurotimer.gui.plan.pairs_presenter import PairingPresenter
from neurotimer.gui.plan.plan_model import PlanModel
from neurotimer.plan.plan import Lead, NeedlePair, Plan
from neurotimer.safety.findings import HIGH_OUTPUT_MA
from neurotimer.safety.verdict import Acknowledgements, Finding, Screening, Severity

AskReason = Callable[[Finding], str | None]

NO_LEAD = "—"


def _default_ask_reason(parent: QWidget) -> AskReason:
    def ask(finding: Finding) -> str | None:
        dialog = QInputDialog(parent)
        dialog.setWindowTitle("Override: " + finding.rule.title)
        dialog.setLabelText(f"{finding.message}\n\nReason for going ahead (who approved it, when):")
        dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
        for label in dialog.findChildren(QLabel):
            label.setWordWrap(True)  # a long finding wraps instead of widening the dialog past the screen
            label.setTextFormat(Qt.TextFormat.PlainText)
        dialog.setMaximumWidth(640)
        ok = dialog.exec() == QInputDialog.DialogCode.Accepted
        return dialog.textValue() if ok else None

    return ask


class NeedlePairsWidget(QWidget):
    """A row per stimulator channel with lead A and lead B chosen from the plan's needles, the
    findings beside it and a one-line verdict below. Decisions are the presenter's, the plan is the plan
    model's; this only lays out."""

    acknowledged = Signal(dict)  # event payload for the session record
    overrideGiven = Signal(dict)  # event payload for the session record
    outputAllowedChanged = Signal(bool)
    verdictChanged = Signal(bool, str)  # allowed, the summary line: whenever either changes (an acknowledgement too)

    def __init__(
        self,
        plans: PlanModel,
        acks: Acknowledgements,
        screening: Screening | None = None,
        channel_count: int = 4,
        ask_reason: AskReason | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.presenter = PairingPresenter(plans, acks, screening or Screening(), channel_count)
        self._ask_reason = ask_reason or _default_ask_reason(self)
        self._allowed: bool | None = None
        self._verdict: tuple[bool, str] | None = None
        self._combos: dict[tuple[int, str], QComboBox] = {}
        self._build()
        self._rebuild_rows()
        self._refresh()
        plans.changed.connect(self.on_plan_changed)

    # -- layout ----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setStyleSheet("QPushButton { padding: 5px 12px; font-size: 15px; }")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 6)
        outer.setSpacing(6)
        columns = QHBoxLayout()
        columns.setSpacing(10)

        left = QVBoxLayout()
        head = QHBoxLayout()
        title = QLabel("CHANNELS")
        title.setObjectName("cardTitle")
        head.addWidget(title)
        head.addStretch(1)
        self.clear_button = QPushButton("Clear pairs")
        self.clear_button.clicked.connect(self.clear_pairs)
        head.addWidget(self.clear_button)
        left.addLayout(head)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Ch", "Lead A", "Lead B", "Check"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 34)
        self.table.setColumnWidth(1, 112)
        self.table.setColumnWidth(2, 112)
        self.table.verticalHeader().setDefaultSectionSize(38)
        left.addWidget(self.table, 1)
        columns.addLayout(left, 10)

        right = QVBoxLayout()
        checks = QLabel("CHECKS")
        checks.setObjectName("cardTitle")
        right.addWidget(checks)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.findings_host = QWidget()
        self.findings_layout = QVBoxLayout(self.findings_host)
        self.findings_layout.setContentsMargins(2, 2, 2, 2)
        self.findings_layout.setSpacing(4)
        self.scroll.setWidget(self.findings_host)
        right.addWidget(self.scroll, 1)
        columns.addLayout(right, 10)
        outer.addLayout(columns, 1)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        outer.addWidget(self.summary)
        self.rows: list[FindingRow] = []

    # -- public API ------------------------------------------------------------------------------
    def plan(self) -> Plan:
        return self.presenter.plan()

    def on_plan_changed(self, _plan: Plan) -> None:
        """Points or pairs changed: pairs are kept when a needle goes, and flagged."""
        if self.presenter.fit_pairs():
            self._rebuild_rows()
        else:
            self._fill_combos()
        self._refresh()

    def set_lead(self, channel: int, which: str, lead: Lead | None) -> None:
        self.presenter.set_lead(channel, which, lead)

    def clear_pairs(self) -> None:
        self.presenter.set_pairs(())

    def set_channel_count(self, count: int) -> None:
        self.presenter.set_channel_count(count)
        self._rebuild_rows()
        self._refresh()

    def set_screening(self, screening: Screening) -> None:
        self.presenter.screening = screening
        self._refresh()

    def set_acknowledgements(self, acks: Acknowledgements) -> None:
        """A new session starts with no acknowledgements."""
        self.presenter.acks = acks
        self._refresh()

    def set_intensities(self, intensities: Mapping[int, float]) -> None:
        """Present channel currents in mA, for the high-output indicator."""
        self.presenter.intensities = dict(intensities)
        self._refresh()

    def set_intensity(self, channel: int, milliamps: float) -> None:
        """One channel's target current as the device confirmed it, for the high-output indicator."""
        # The table rebuilds on every change; polls at 7 Hz must not rebuild it when nothing moved.
        before = self.presenter.intensities.get(channel)
        if before == milliamps:
            return
        self.presenter.intensities[channel] = milliamps
        if before is not None and before <= HIGH_OUTPUT_MA and milliamps <= HIGH_OUTPUT_MA:
            return  # no high-output finding before or after: the checks say exactly what they said
        self._refresh()

    def can_start_output(self) -> tuple[bool, list[Finding]]:
        return self.presenter.verdict()

    def finding_rows(self) -> list[FindingRow]:
        return list(self.rows)

    # -- rows ------------------------------------------------------------------------------------
    def _rebuild_rows(self) -> None:
        count = self.presenter.channel_count
        self.table.setRowCount(count)
        self._combos.clear()
        for row in range(count):
            channel = row + 1
            item = QTableWidgetItem(str(channel))
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setFont(_bold(item))
            self.table.setItem(row, 0, item)
            for column, which in ((1, "a"), (2, "b")):
                combo = QComboBox()
                combo.setObjectName(f"lead_{which}_{channel}")
                combo.activated.connect(lambda _i, c=channel, w=which: self._on_combo(c, w))
                self.table.setCellWidget(row, column, combo)
                self._combos[(channel, which)] = combo
            self.table.setItem(row, 3, QTableWidgetItem(""))
        self._fill_combos()

    def combo(self, channel: int, which: str) -> QComboBox:
        return self._combos[(channel, which)]

    def _fill_combos(self) -> None:
        options = self.presenter.lead_options()
        for (channel, which), combo in self._combos.items():
            current = self.presenter.lead(channel, which)
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NO_LEAD, None)
            for label, lead in options:
                combo.addItem(label, lead)
            if current is not None and not any(current.same_needle(lead) for _l, lead in options):
                combo.addItem(f"{current.label} (not in plan)", current)
            index = 0
            if current is not None:
                index = next((i for i in range(1, combo.count()) if current.same_needle(combo.itemData(i))), 0)
            combo.setCurrentIndex(index)
            combo.setToolTip(combo.currentText())
            combo.blockSignals(False)

    def _on_combo(self, channel: int, which: str) -> None:
        self.presenter.set_lead(channel, which, self.combo(channel, which).currentData())

    # -- findings --------------------------------------------------------------------------------
    def _refresh(self) -> None:
        allowed, findings = self.presenter.verdict()
        for row in range(self.table.rowCount()):
            key, text = self.presenter.channel_check(row + 1, findings)
            strong, tint = COLOURS[key]
            item = self.table.item(row, 3)
            item.setText(text)
            item.setForeground(_colour(strong))
            item.setBackground(_colour(tint))
            item.setToolTip("\n".join(f.message for f in findings if f.channel == row + 1))
        self._show_findings(findings)
        good = "ok" if allowed else "error"
        strong, tint = COLOURS[good]
        self.summary.setText(self.presenter.summary_text(findings))
        self.summary.setStyleSheet(
            f"background: {tint}; color: {strong}; border: 1px solid {strong}; border-radius: 6px;"
            "padding: 4px 10px; font-size: 16px; font-weight: bold;"
        )
        if allowed != self._allowed:
            self._allowed = allowed
            self.outputAllowedChanged.emit(allowed)
        # The interlock quotes this line when it refuses an output: it must say what the tab says, so it is told
        # of every change, an acknowledgement that leaves the output blocked ("2 warnings" → "1 warning") too.
        verdict = (allowed, self.summary.text())
        if verdict != self._verdict:
            self._verdict = verdict
            self.verdictChanged.emit(*verdict)

    def _show_findings(self, findings: list[Finding]) -> None:
        while self.findings_layout.count():
            item = self.findings_layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                # Hidden and unparented at once, so a stale row is never painted before deletion.
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        self.rows = []
        for finding in self.presenter.display_order(findings):
            status = self.presenter.status(finding)
            row = FindingRow(finding, status, self.presenter.done_text(finding, status))
            if row.button is not None:
                row.button.clicked.connect(lambda _c=False, f=finding: self._act(f))
            self.findings_layout.addWidget(row)
            self.rows.append(row)
        if not findings:
            empty = QLabel("No safety findings.")
            empty.setObjectName("muted")
            self.findings_layout.addWidget(empty)
        self.findings_layout.addStretch(1)

    def _act(self, finding: Finding) -> None:
        if finding.severity is Severity.WARNING:
            self.acknowledged.emit(self.presenter.acks.acknowledge(finding))
        elif finding.overridable:
            reason = self._ask_reason(finding)
            if reason is None:
                return
            try:
                payload = self.presenter.acks.override(finding, reason)
            except ValueError as exc:
                self._refresh()
                self.summary.setText(str(exc))
                return
            self.overrideGiven.emit(payload)
        self._refresh()


def _bold(item: QTableWidgetItem) -> QFont:
    font = item.font()
    font.setBold(True)
    return font


def _colour(name: str) -> QColor:
    return QColor(name)


__all__ = ["FindingRow", "NeedlePair", "NeedlePairsWidget"]
