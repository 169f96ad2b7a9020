"""Notes and corrections of a past session: each asks who and why; the original stays in the record."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.shell.log_reach import LOG_ERRORS, plain, unreachable
from neurotimer.gui.shell.theme import ALARM_COLOURS
from neurotimer.storage.db import StoreError
from neurotimer.storage.models import DETAIL_FIELDS, SEVERITIES

DETAIL_WORDS = {
    "needle_type": "Needle type", "depth": "Depth", "response_sought": "Response sought", "setting": "Setting",
    "notes": "Notes at the chair", "planned_minutes": "Planned minutes",
}


class _Form(QDialog):
    """A small form with a practitioner field, an error line and OK/Cancel; `done_ok` after a save."""

    saved = Signal()

    def __init__(self, title: str, practitioner: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.practitioner = QLineEdit(practitioner)
        self.practitioner.setPlaceholderText("who makes this entry")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ALARM_COLOURS['high']};")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def save(self) -> None:  # overridden
        raise NotImplementedError

    def submit(self) -> bool:
        """Saves, or shows why not (the form keeps what was typed)."""
        try:
            self.save()
        except LOG_ERRORS as exc:
            # The form stays open with what was typed: OK again writes it once the log answers.
            kept = "What you typed is kept: press OK again once the server answers."
            self.error.setText(plain(exc, "Not saved", kept)
                               if unreachable(exc) or not isinstance(exc, StoreError) else str(exc))
            return False
        except ValueError as exc:
            self.error.setText(str(exc))
            return False
        self.saved.emit()
        self.accept()
        return True


class NoteDialog(_Form):
    """A free-text note on a session, at the chair or later."""

    def __init__(self, store, session_id: int, practitioner: str = "", parent: QWidget | None = None) -> None:
        super().__init__(f"Note on session {session_id}", practitioner, parent)
        self.store, self.session_id = store, session_id
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("What happened, what the patient said, what to do next time")
        self.form.addRow("Note", self.text)
        self.form.addRow("Practitioner", self.practitioner)

    def save(self) -> None:
        self.store.add_note(self.session_id, self.text.toPlainText(), self.practitioner.text())


class AmendDialog(_Form):
    """Corrects a closed session: a needling detail, a score, the patient, or an adverse event seen later."""

    KINDS = ("detail", "score", "patient", "adverse")

    def __init__(self, store, session_id: int, practitioner: str = "", parent: QWidget | None = None) -> None:
        super().__init__(f"Amend session {session_id}", practitioner, parent)
        self.store, self.session_id = store, session_id
        self.record = store.get_session(session_id)
        self.kind = QComboBox()
        for key, words in zip(self.KINDS, ("a needling detail", "a symptom score", "the patient",
                                           "an adverse event seen later"), strict=True):
            self.kind.addItem(words, key)
        self.pages = QStackedWidget()
        self.kind.currentIndexChanged.connect(self.pages.setCurrentIndex)
        # A needling detail
        detail = QWidget()
        detail_form = QFormLayout(detail)
        self.detail_field = QComboBox()
        for name in (*DETAIL_FIELDS, "planned_minutes"):
            self.detail_field.addItem(DETAIL_WORDS[name], name)
        self.detail_value = QLineEdit()
        self.detail_field.currentIndexChanged.connect(self._show_current)
        detail_form.addRow("Field", self.detail_field)
        detail_form.addRow("New value", self.detail_value)
        self.pages.addWidget(detail)
        # A score
        score = QWidget()
        score_form = QFormLayout(score)
        self.score_which = QComboBox()
        for s in self.record.scores:
            self.score_which.addItem(f"{s.symptom} {s.timing}", (s.symptom, s.timing))
        self.score_value = QSpinBox()
        self.score_value.setRange(0, 10)
        score_form.addRow("Score", self.score_which)
        score_form.addRow("Correct value", self.score_value)
        self.pages.addWidget(score)
        # The patient
        patient = QWidget()
        patient_form = QFormLayout(patient)
        self.patient_code = QLineEdit()
        self.patient_code.setPlaceholderText("patient code, e.g. P-0003")
        patient_form.addRow("Patient", self.patient_code)
        self.pages.addWidget(patient)
        # An adverse event
        adverse = QWidget()
        adverse_form = QFormLayout(adverse)
        self.adverse_kind = QLineEdit()
        self.adverse_kind.setPlaceholderText("bruising, soreness, fainting…")
        self.adverse_severity = QComboBox()
        self.adverse_severity.addItems(SEVERITIES)
        self.adverse_notes = QLineEdit()
        adverse_form.addRow("What happened", self.adverse_kind)
        adverse_form.addRow("Severity", self.adverse_severity)
        adverse_form.addRow("Details", self.adverse_notes)
        self.pages.addWidget(adverse)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("why the record is corrected")
        self.form.addRow("Correct", self.kind)
        self.form.addRow(self.pages)
        self.form.addRow("Reason", self.reason)
        self.form.addRow("Practitioner", self.practitioner)
        if self.record.summary.patient_id is None:
            self.kind.setCurrentIndex(self.KINDS.index("patient"))
        self._show_current()

    def _show_current(self) -> None:
        name = self.detail_field.currentData()
        self.detail_value.setText(str(self.record.effective(name) or ""))

    def save(self) -> None:
        who, why, kind = self.practitioner.text(), self.reason.text(), self.kind.currentData()
        if not who.strip():
            raise ValueError("Say who makes the correction (the practitioner's name).")
        if not why.strip():
            raise ValueError("Say why the record is corrected.")
        if kind == "detail":
            name = self.detail_field.currentData()
            value: object = self.detail_value.text().strip()
            if name == "planned_minutes":
                if not str(value).isdigit():
                    raise ValueError("Planned minutes are a whole number from 1 to 120.")
                value = int(str(value))
            self.store.amend_session(self.session_id, name, value, who, why)
        elif kind == "score":
            which = self.score_which.currentData()
            if which is None:
                raise ValueError("This session has no scores to correct.")
            self.store.amend_score(self.session_id, which[0], which[1], self.score_value.value(), who, why)
        elif kind == "patient":
            patient = self.store.find_patient(self.patient_code.text())
            if patient is None:
                raise ValueError(f"There is no patient with the code {self.patient_code.text().strip()!r}.")
            self.store.amend_session(self.session_id, "patient_id", patient.id, who, why)
        else:
            self.store.add_adverse_event_later(
                self.session_id, self.adverse_kind.text(), self.adverse_severity.currentText(),
                self.adverse_notes.text(), who, why,
            )
