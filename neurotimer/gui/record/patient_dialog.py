"""Choose a patient for the session, or add one with the screening questions asked before stimulation."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.shell.log_reach import LOG_ERRORS, plain, unreachable
from neurotimer.gui.shell.theme import ERROR
from neurotimer.storage.db import StoreError
from neurotimer.storage.people import SCREENING_FLAGS, Patient

RETRY_MS = 3000  # while the log server does not answer, the list is read again this often


class PatientStore(Protocol):
    def list_patients(self, search: str = "", include_archived: bool = False) -> list[Patient]: ...
    def next_patient_code(self) -> str: ...
    def create_patient(self, code: str, name: str | None = None, birth_year: int | None = None,
                       screening: dict | None = None, notes: str = "") -> int: ...
    def get_patient(self, patient_id: int) -> Patient: ...


def describe(patient: Patient, cautions: bool = True) -> str:
    """Code, name and birth year; with cautions, the screening flags in words after them."""
    parts = [patient.code]
    if patient.name:
        parts.append(patient.name)
    if patient.birth_year:
        parts.append(f"born {patient.birth_year}")
    text = " · ".join(parts)
    if cautions and patient.cautions:
        text += "   ⚠ " + ", ".join(SCREENING_FLAGS[c].split(" (")[0].lower() for c in patient.cautions)
    return text


class PatientDialog(QDialog):
    """Lists patients (search as you type) and adds new ones; emits the one chosen."""

    patientChosen = Signal(object)  # Patient

    def __init__(self, store: PatientStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._created: int | None = None  # a patient written whose row could not be read back yet
        self._unread = ""  # what the message line says about a log that does not answer
        self._add_waits = False  # a new patient not added because the server did not answer
        self._retry = QTimer(self)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self.refresh)
        self.setWindowTitle("Choose patient")
        self.resize(1040, 600)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(16)
        left_title = QLabel("Patients")
        left_title.setObjectName("cardTitle")

        left = QVBoxLayout()
        left.addWidget(left_title)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by code or name")
        self.search.textChanged.connect(self.refresh)
        left.addWidget(self.search)
        self.list = QListWidget()
        self.list.setStyleSheet("QListWidget { font-size: 16px; } QListWidget::item { padding: 6px 4px; }")
        self.list.setWordWrap(True)
        self.list.itemDoubleClicked.connect(lambda _item: self._choose_selected())
        left.addWidget(self.list, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.choose_button = QPushButton("Choose")
        self.choose_button.setDefault(True)
        self.buttons.addButton(self.choose_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.choose_button.clicked.connect(self._choose_selected)
        self.buttons.rejected.connect(self.reject)
        left.addWidget(self.buttons)
        layout.addLayout(left, 5)

        box = QGroupBox("New patient")
        form = QFormLayout(box)
        self.code = QLineEdit()
        form.addRow("Code", self.code)
        self.name = QLineEdit()
        self.name.setPlaceholderText("optional")
        form.addRow("Name", self.name)
        self.birth_year = QSpinBox()
        self.birth_year.setRange(1899, 2100)
        self.birth_year.setSpecialValueText("not given")
        self.birth_year.setValue(1899)
        form.addRow("Birth year", self.birth_year)
        form.addRow(QLabel("<b>Screening before electro-acupuncture</b>"))
        self.flags: dict[str, QCheckBox] = {}
        for key, text in SCREENING_FLAGS.items():
            check = QCheckBox(text)
            self.flags[key] = check
            form.addRow(check)
        self.add_button = QPushButton("Add and choose")
        self.add_button.clicked.connect(self._add)
        form.addRow(self.add_button)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR};")
        form.addRow(self.message)
        layout.addWidget(box, 4)
        self.refresh()

    def refresh(self) -> None:
        """The patients found by the search (and the next free code); while the log does not answer, the
        dialog says so and reads again by itself: nothing typed in it is lost."""
        try:
            patients = self._store.list_patients(self.search.text().strip())
            if not self.code.text():
                self.code.setText(self._store.next_patient_code())
        except LOG_ERRORS as exc:
            self._unread = plain(exc, "The patient list could not be read",
                                 "It is read again by itself." if unreachable(exc) else "")
            if not self._add_waits:  # "Not added…" stays until the patient is added
                self.message.setText(self._unread)
            if unreachable(exc):
                self._retry.start()
            return
        self._retry.stop()
        if self._add_waits:
            self.message.setText("The log answers again: press Add and choose to add the new patient.")
        elif self._unread and self.message.text() == self._unread:
            self.message.setText("")
        self._unread = ""
        self.list.clear()
        for patient in patients:
            item = QListWidgetItem(describe(patient))
            item.setData(Qt.ItemDataRole.UserRole, patient)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _choose_selected(self) -> None:
        item = self.list.currentItem()
        if item is None:
            self.message.setText("Choose a patient from the list, or add a new one.")
            return
        self.patientChosen.emit(item.data(Qt.ItemDataRole.UserRole))
        self.accept()

    def _add(self) -> None:
        year = self.birth_year.value()
        try:
            if self._created is None:
                self._created = self._store.create_patient(
                    self.code.text(),
                    name=self.name.text() or None,
                    birth_year=None if year == self.birth_year.minimum() else year,
                    screening={key: check.isChecked() for key, check in self.flags.items()},
                )
            patient = self._store.get_patient(self._created)  # written, then read back: never written twice
        except LOG_ERRORS as exc:
            self._add_waits = unreachable(exc)
            if self._add_waits:
                self._retry.start()  # the list (and this line) follow the server
            kept = "What you entered is kept: press Add and choose again once the server answers."
            self.message.setText(plain(exc, "Not added" if self._created is None else "Added, but not read back",
                                       kept) if unreachable(exc) or not isinstance(exc, StoreError) else str(exc))
            return
        self.patientChosen.emit(patient)
        self.accept()
