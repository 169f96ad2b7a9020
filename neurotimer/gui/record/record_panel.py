"""The session record filled in at the chair: needling details, symptom scores, needle count, adverse events."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.record.needle_count import NeedleCountBox
from neurotimer.gui.record.widgets import DEFAULT_SYMPTOMS, NOT_SET, AdverseBox, ScoreGrid, section_title
from neurotimer.gui.shell.theme import BORDER, ERROR, OK, WARNING

log = logging.getLogger(__name__)

NEEDLE_TYPES = (
    "0.25 × 40 mm, stainless steel, single use",
    "0.25 × 25 mm, stainless steel, single use",
    "0.30 × 40 mm, stainless steel, single use",
    "0.30 × 50 mm, stainless steel, single use",
    "0.20 × 15 mm, stainless steel, single use",
)
RESPONSES = ("de qi", "muscle twitch", "paraesthesia in the nerve's territory", "none")
SETTINGS = (
    "clinic, patient seated",
    "clinic, patient lying supine",
    "clinic, patient lying prone",
    "home visit",
)
TRANSIENT = ("other", "notice")  # hints for the practitioner, not failed writes
# A value left in a field without leaving it is still saved after this pause (no write per keystroke).
IDLE_COMMIT_MS = 2500

RecordFn = Callable[[str, dict[str, Any]], object]
ScoreFn = Callable[[str, int, str], object]  # symptom, value, timing
AdverseFn = Callable[[str, str, str], object]  # kind, severity, notes

# Only the panel's own widgets: the app's buttons stay large, these must fit beside two other columns.
LOCAL_STYLE = f"""
QPushButton {{ padding: 3px 8px; font-size: 14px; }}
QComboBox, QLineEdit, QSpinBox {{ padding: 2px 4px; }}
QLabel#problem {{ color: {ERROR}; font-weight: bold; }}
QLabel#ok {{ color: {OK}; }}
QLabel#warn {{ color: {WARNING}; font-weight: bold; }}
QListWidget {{ font-size: 14px; }}
"""


@dataclass
class _Adverse:
    kind: str
    severity: str
    notes: str
    saved: bool = False

    @property
    def label(self) -> str:
        text = f"{self.kind} ({self.severity})"
        if self.notes:
            text += f": {self.notes}"
        return text if self.saved else text + "  (not saved yet)"


class SessionRecordPanel(QWidget):
    """What the timer cannot know. Every entry goes to the session recorder (`record`, `record_score`,
    `record_adverse_event`), whose queue holds it while the log cannot be written; what is entered before
    the session has its row stays here, marked, and goes when it does."""

    needlesChanged = Signal(bool, str)  # may the session close now, and if not why
    problem = Signal(str)  # a write failed (the message); "" once everything is saved again

    def __init__(
        self,
        record: RecordFn,
        record_score: ScoreFn,
        record_adverse_event: AdverseFn,
        *,
        symptoms: Sequence[str] = DEFAULT_SYMPTOMS,
        idle_ms: int = IDLE_COMMIT_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._record = record
        self._record_score = record_score
        self._record_adverse = record_adverse_event
        self._session_id: int | None = None
        self._details_recorded: dict[str, str] | None = None
        self._scores_saved: dict[tuple[str, str], int] = {}
        self._adverse: list[_Adverse] = []
        self._problems: dict[str, str] = {}
        self._shown_problem = ""
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(idle_ms)
        self._idle.timeout.connect(self.commit)

        self.setStyleSheet(LOCAL_STYLE)
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 8, 10, 6)
        root.setSpacing(4)
        columns = QHBoxLayout()
        columns.setSpacing(12)
        details = self._build_details()
        self.scores = ScoreGrid(symptoms)
        self.scores.edited.connect(self.commit)
        self.scores.changed.connect(self._restart_idle)
        self.score_spins = self.scores.spins
        self.adverse = AdverseBox()
        self.adverse.requested.connect(self.add_adverse)
        columns.addLayout(details, 6)
        columns.addWidget(self._separator())
        columns.addWidget(self.scores, 0)
        columns.addWidget(self._separator())
        columns.addWidget(self.adverse, 4)
        root.addLayout(columns, 1)
        status = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        status.addWidget(self.status, 1)
        root.addLayout(status)
        self._show_status()

    # -- layout ----------------------------------------------------------------------------------
    @staticmethod
    def _separator() -> QFrame:
        line = QFrame()
        line.setFrameShape(QFrame.Shape.VLine)
        line.setStyleSheet(f"color: {BORDER};")
        return line

    def _build_details(self) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(4)
        box.addWidget(section_title("Needling"))
        form = QGridLayout()
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(4)
        self.needle_type = self._editable_combo(NEEDLE_TYPES, "0.25 × 40 mm, steel…")
        self.depth = QLineEdit()
        self.depth.setPlaceholderText("e.g. 10–15 mm")
        self.depth.editingFinished.connect(self._commit_details)
        self.depth.textEdited.connect(self._restart_idle)
        self.response = QComboBox()
        self.response.addItems(RESPONSES)
        self.response.setPlaceholderText("choose…")
        self.response.setCurrentIndex(-1)
        self.response.setMinimumContentsLength(10)
        self.response.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.response.activated.connect(self._commit_details)
        self.setting = self._editable_combo(SETTINGS, "clinic, seated…")
        for row, (text, widget) in enumerate(
            (("Needle", self.needle_type), ("Depth", self.depth), ("Response", self.response),
             ("Setting", self.setting))
        ):
            form.addWidget(QLabel(text), row, 0)
            form.addWidget(widget, row, 1)
        form.setColumnStretch(1, 1)
        box.addLayout(form)

        box.addSpacing(4)
        self.needles = NeedleCountBox()
        self.needles.checkChanged.connect(self.needlesChanged)
        self.needles.edited.connect(self.commit)
        self.needles.changed.connect(self._restart_idle)
        self.needles_in = self.needles.needles_in
        self.needles_out = self.needles.needles_out
        self.needle_check = self.needles.check_label
        box.addWidget(self.needles)
        box.addStretch(1)
        return box

    def _editable_combo(self, items: Sequence[str], placeholder: str) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.addItems(items)
        combo.setCurrentIndex(-1)
        combo.lineEdit().setPlaceholderText(placeholder)
        combo.setMinimumContentsLength(10)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.lineEdit().editingFinished.connect(self._commit_details)
        combo.lineEdit().textEdited.connect(self._restart_idle)
        combo.activated.connect(self._commit_details)
        return combo

    # -- slots from the app ----------------------------------------------------------------------
    def set_session_id(self, session_id: int | None) -> None:
        """The current session's row id once the log has it (None: a new session without a row yet)."""
        if session_id == self._session_id:
            return
        if self._session_id is not None:
            self.new_session()
        self._session_id = session_id
        if session_id is not None:
            self.commit()
        self._show_status()

    def leave_session(self) -> None:
        """The session is about to be replaced (the recorder still follows it): what is entered goes now."""
        self.commit()

    def new_session(self) -> None:
        """A new session in the chair: scores, needle count and adverse events start empty; the needling
        details are kept (usually the same) and recorded again for the new session."""
        if self.needles.pending(session_has_row=self._session_id is not None):
            log.warning("a needle count of the previous session was not recorded")
        if self._session_id is None:
            lost = len(self._unsaved_scores()) + sum(1 for a in self._adverse if not a.saved)
            if lost:
                # No row was ever written for that session (it never started): nothing to attach them to.
                log.warning("%d record entries of a session that never started were dropped", lost)
        self._session_id = None
        self._details_recorded = None
        self._scores_saved = {}
        self._adverse = []
        self.scores.clear()
        self.needles.reset()
        self._idle.stop()
        self._show_adverse()
        self._show_status()

    def set_planned_needles(self, count: int) -> None:
        """The plan's needle count: the 'in' count follows it until the practitioner changes it."""
        self.needles.set_planned(count)
        if self._session_id is not None:
            self._commit_needles()

    def can_close(self) -> tuple[bool, str]:
        """For the app's End: False with the message to show while needles in and out differ."""
        self.commit()
        check = self.needles.check()
        return check.ok, check.message

    def new_patient(self) -> None:
        """The next patient starts clean: no needling details, symptoms or scores of the one before."""
        self.new_session()
        for combo in (self.needle_type, self.response, self.setting):
            combo.setCurrentIndex(-1)
            if combo.isEditable():
                combo.clearEditText()
        self.depth.clear()
        self.scores.reset()

    def details(self) -> dict[str, str]:
        """STRICTA 2c, 2d, 2g, 4b as entered (keys as the store's session details)."""
        return {
            "needle_type": self.needle_type.currentText().strip(),
            "depth": self.depth.text().strip(),
            "response_sought": self.response.currentText().strip(),
            "setting": self.setting.currentText().strip(),
        }

    def add_symptom(self, symptom: str) -> None:
        self.scores.add_symptom(symptom)

    def add_adverse(self, kind: str, severity: str | None = None, notes: str | None = None) -> None:
        """One adverse event; 'other' takes what happened from the notes box."""
        severity = severity or self.adverse.severity.currentText()
        notes = (self.adverse.notes.text() if notes is None else notes).strip()
        if kind == "other" and not notes:
            self._problems["other"] = "Type what happened in the box beside the severity, then press Other…"
            self.adverse.notes.setFocus()
            self._show_status()
            return
        self._problems.pop("other", None)
        self._adverse.append(_Adverse(kind, severity, notes))
        self.adverse.reset_inputs()
        self.commit()
        self._show_adverse()

    def on_state_changed(self, _state: object = None) -> None:
        """Pause, resume, end: a good moment to save what is entered."""
        self.commit()

    # -- writing ---------------------------------------------------------------------------------
    def commit(self) -> bool:
        """Writes whatever is entered and not yet saved; True when nothing waits."""
        self._idle.stop()
        self._problems.pop("notice", None)
        ok = self._commit_details()
        ok = self._commit_needles() and ok
        ok = self._commit_scores() and ok
        ok = self._commit_adverse() and ok
        self._show_status()
        return ok and not self._unsaved_scores()

    def _attempt(self, area: str, what: str, write: Callable[[], object]) -> bool:
        # The recorder queues what the disk refuses; what raises here is an entry the log cannot take.
        try:
            write()
        except Exception as exc:  # at the chair nothing may crash the window
            log.error("%s not saved: %s", area, type(exc).__name__)
            self._problems[area] = f"{what} could not be saved ({exc}). It is kept here."
            return False
        self._problems.pop(area, None)
        return True

    def _commit_details(self) -> bool:
        for combo in (self.needle_type, self.setting):
            if not combo.lineEdit().hasFocus():
                combo.lineEdit().setCursorPosition(0)  # the start says the most: diameter × length
        for combo in (self.needle_type, self.response, self.setting):
            combo.setToolTip(combo.currentText())  # the column is narrow: the whole text on hover
        details = self.details()
        if details == (self._details_recorded or {k: "" for k in details}):
            return True
        if self._attempt("details", "The needling details", lambda: self._record("session.details", details)):
            self._details_recorded = details
        self._show_status()
        return "details" not in self._problems

    def _commit_needles(self) -> bool:
        for kind, payload in self.needles.pending(session_has_row=self._session_id is not None):
            what = "The count of needles in" if kind == "needles.in" else "The count of needles out"
            if not self._attempt("needles", what, lambda k=kind, p=payload: self._record(k, p)):
                return False
            self.needles.mark_recorded(kind, payload["count"])
        return True

    def _unsaved_scores(self) -> list[tuple[str, str, int]]:
        return [
            (symptom, timing, value)
            for (symptom, timing), value in self.scores.entered().items()
            if self._scores_saved.get((symptom, timing)) != value
        ]

    def _commit_scores(self) -> bool:
        if self._session_id is None:
            return True  # kept in the fields; written when the session has its row
        for (symptom, timing), spin in self.score_spins.items():
            saved = self._scores_saved.get((symptom, timing))
            if spin.value() == NOT_SET and saved is not None:
                # The record keeps every score written; a wrong one is corrected by entering the right one.
                spin.setValue(saved)
                self._problems["notice"] = f"A saved score cannot be blanked: enter the right {symptom} score."
        for symptom, timing, value in self._unsaved_scores():
            write = lambda s=symptom, v=value, t=timing: self._record_score(s, v, t)  # noqa: E731
            if not self._attempt("scores", f"The {symptom} score ({timing})", write):
                return False
            self._scores_saved[(symptom, timing)] = value
        return True

    def _commit_adverse(self) -> bool:
        if self._session_id is None:
            return True  # listed as not saved yet; written when the session has its row
        ok = True
        for item in self._adverse:
            if item.saved:
                continue
            if not self._attempt(
                "adverse",
                f"The adverse event '{item.kind}'",
                lambda i=item: self._record_adverse(i.kind, i.severity, i.notes),
            ):
                ok = False
                break
            item.saved = True
        self._show_adverse()
        return ok

    def _restart_idle(self, *_changed: object) -> None:
        self._idle.start()

    # -- display ---------------------------------------------------------------------------------
    def _show_adverse(self) -> None:
        self.adverse.show_entries([item.label for item in self._adverse])

    def _show_status(self) -> None:
        problem = next(iter(self._problems.values()), "")
        if problem:
            self.status.setObjectName("problem")
            self.status.setText(problem)
        else:
            waiting = 0
            if self._session_id is None:
                waiting = len(self._unsaved_scores()) + sum(1 for a in self._adverse if not a.saved)
            self.status.setObjectName("muted")
            self.status.setText(f"{waiting} entr{'y' if waiting == 1 else 'ies'} will be saved when the session "
                                "starts." if waiting else "")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setVisible(bool(self.status.text()))
        failing = [text for key, text in self._problems.items() if key not in TRANSIENT]
        text = failing[0] if failing else ""
        if text != self._shown_problem:
            self._shown_problem = text
            self.problem.emit(text)


def follow_sessions(panel: SessionRecordPanel, sessions: Any, records: Any) -> None:
    """Wires the panel to the app's SessionPresenter and RecordPresenter (connect after RecordPresenter
    exists, so its recorder already follows a new session when the panel hears of it)."""

    def sync(*_args: object) -> None:
        panel.set_session_id(records.recorder.session_id)

    records.sessionLeaving.connect(panel.leave_session)
    sessions.sessionCreated.connect(lambda _session: panel.new_session())
    # The row exists once the start is written, which is after sessionEvent(started) and before stateChanged.
    sessions.stateChanged.connect(sync)
    sessions.stateChanged.connect(panel.on_state_changed)
    sessions.updated.connect(sync)  # a row written late (the disk was full at the start) still arrives
