"""Courses and patients managed from the review window: a new course, closing one, a patient's details
and screening corrected (each change an amendment with its reason)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget

from neurotimer.gui.review.session_dialogs import _Form
from neurotimer.storage.people import FOLLOWED_SYMPTOMS, SCREENING_FLAGS


class NewCourseDialog(_Form):
    """Condition, planned sessions, sessions a week and the symptoms followed (a neuropathy course's by default)."""

    def __init__(self, store, patient_id: int, practitioner: str = "", parent: QWidget | None = None) -> None:
        patient = store.effective_patient(patient_id)
        super().__init__(f"New course for {patient.code}", practitioner, parent)
        self.store, self.patient_id = store, patient_id
        self.course_id: int | None = None
        self.condition = QLineEdit("Painful diabetic peripheral neuropathy")
        self.planned = QSpinBox()
        self.planned.setRange(1, 60)
        self.planned.setValue(10)
        self.per_week = QDoubleSpinBox()
        self.per_week.setRange(0.5, 7)
        self.per_week.setSingleStep(0.5)
        self.per_week.setValue(2)
        self.symptoms = QLineEdit(", ".join(FOLLOWED_SYMPTOMS))
        self.form.addRow("Condition", self.condition)
        self.form.addRow("Planned sessions", self.planned)
        self.form.addRow("Sessions a week", self.per_week)
        self.form.addRow("Symptoms followed", self.symptoms)
        open_course = store.current_course(patient_id)
        if open_course is not None:
            self.error.setText(f"Course {open_course.id} ({open_course.condition}) is still open: close it first, "
                               "or the new course takes the next sessions.")

    def save(self) -> None:
        symptoms = [s.strip() for s in self.symptoms.text().split(",") if s.strip()]
        self.course_id = self.store.create_course(
            self.patient_id, self.condition.text(), self.planned.value(), self.per_week.value(), symptoms=symptoms
        )


class CloseCourseDialog(_Form):
    def __init__(self, store, course_id: int, practitioner: str = "", parent: QWidget | None = None) -> None:
        super().__init__(f"Close course {course_id}", practitioner, parent)
        self.store, self.course_id = store, course_id
        self.outcome = QLineEdit()
        self.outcome.setPlaceholderText("outcome: e.g. burning halved; course completed")
        self.form.addRow("Outcome", self.outcome)

    def save(self) -> None:
        self.store.close_course(self.course_id, self.outcome.text())


class PatientEditDialog(_Form):
    """Each changed field becomes one amendment (who, when, why); the patient row stays as first written."""

    def __init__(self, store, patient_id: int, practitioner: str = "", parent: QWidget | None = None) -> None:
        self.patient = store.effective_patient(patient_id)
        super().__init__(f"Edit patient {self.patient.code}", practitioner, parent)
        self.store, self.patient_id = store, patient_id
        self.name = QLineEdit(self.patient.name or "")
        self.birth_year = QLineEdit("" if self.patient.birth_year is None else str(self.patient.birth_year))
        self.notes = QLineEdit(self.patient.notes)
        self.flags: dict[str, QCheckBox] = {}
        self.form.addRow("Name", self.name)
        self.form.addRow("Birth year", self.birth_year)
        self.form.addRow("Notes", self.notes)
        for key, words in SCREENING_FLAGS.items():
            box = QCheckBox(words)
            box.setChecked(bool(self.patient.screening.get(key)))
            self.flags[key] = box
            self.form.addRow("" if key != next(iter(SCREENING_FLAGS)) else "Screening", box)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("why the details change")
        self.form.addRow("Reason", self.reason)
        self.form.addRow("Practitioner", self.practitioner)

    def changes(self) -> dict[str, object]:
        year_text = self.birth_year.text().strip()
        if year_text and not year_text.isdigit():
            raise ValueError(f"The birth year is a year such as 1952, not {year_text!r}.")
        wanted = {
            "name": self.name.text().strip() or None,
            "birth_year": int(year_text) if year_text else None,
            "notes": self.notes.text().strip(),
            "screening": {key: box.isChecked() for key, box in self.flags.items()},
        }
        current = {"name": self.patient.name, "birth_year": self.patient.birth_year, "notes": self.patient.notes,
                   "screening": {key: bool(self.patient.screening.get(key)) for key in SCREENING_FLAGS}}
        return {key: value for key, value in wanted.items() if value != current[key]}

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            raise ValueError("Nothing was changed.")
        if not self.practitioner.text().strip() or not self.reason.text().strip():
            raise ValueError("Say who makes the change and why.")
        with self.store.transaction():
            for field, value in changes.items():
                self.store.amend_patient(self.patient_id, field, value, self.practitioner.text(), self.reason.text())
