"""Who is working: the practitioner chosen (or created) at the start, under whom the record is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.shell.log_reach import LOG_ERRORS, plain, unreachable
from neurotimer.gui.shell.theme import ERROR

if TYPE_CHECKING:
    # The storage layer loads after the first paint; by the time a chooser opens, the log is open.
    from neurotimer.storage.practitioners import Practitioner

DEMO_PRACTITIONER = "Demo practitioner"
RETRY_MS = 3000  # while the log server does not answer, the profiles are read again this often


class PractitionerStore(Protocol):
    def list_practitioners(self, include_retired: bool = False) -> list[Practitioner]: ...
    def get_practitioner(self, practitioner_id: int) -> Practitioner: ...
    def create_practitioner(self, name: str, background: str = "", *, profession: str = "",
                            registration: str = "") -> int: ...
    def retire_practitioner(self, practitioner_id: int, retired: bool = True) -> None: ...


# (store, the id chosen last time or None) -> the practitioner chosen, or None to quit.
ChoosePractitioner = Callable[[PractitionerStore, "int | None"], "Practitioner | None"]


def describe(p: Practitioner) -> str:
    """The header's and the list's text: name, profession, registration and the code exports show."""
    return f"{p.label} · {p.code}"


class PractitionerChooser(QDialog):
    """The profiles still in use, the last one chosen preselected: Enter (or Continue) goes on. A new profile
    is added below the list (on a first run the form is all there is); a profile can be retired."""

    def __init__(self, store: PractitionerStore, last_id: int | None = None,
                 confirm: Callable[[str, str], bool] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._confirm = confirm or (lambda _title, _text: True)
        self.chosen: Practitioner | None = None
        self.setWindowTitle("Who is working? — neurotimer")
        self.setModal(True)
        self.resize(560, 420)

        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.list = QListWidget()
        self.list.itemActivated.connect(lambda _item: self.accept_choice())
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.list, 1)

        self.list_buttons = QWidget()
        row = QHBoxLayout(self.list_buttons)
        row.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton("New profile…")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.show_form)
        row.addWidget(self.add_button)
        self.retire_button = QPushButton("Retire…")
        self.retire_button.setAutoDefault(False)
        self.retire_button.setToolTip("No longer offered here; every record that names the profile keeps it")
        self.retire_button.clicked.connect(self.retire_selected)
        row.addWidget(self.retire_button)
        row.addStretch(1)
        layout.addWidget(self.list_buttons)

        self.form = QGroupBox("New practitioner profile")
        form = QFormLayout(self.form)
        self.name = QLineEdit()
        self.name.setPlaceholderText("as it should appear on reports")
        self.profession = QLineEdit()
        self.profession.setPlaceholderText("for example physician, acupuncturist, physiotherapist")
        self.registration = QLineEdit()
        self.registration.setPlaceholderText("professional registration number")
        form.addRow("Name", self.name)
        form.addRow("Profession", self.profession)
        form.addRow("Registration no.", self.registration)
        self.create_button = QPushButton("Add profile")
        self.create_button.setAutoDefault(False)
        self.create_button.clicked.connect(self.create_profile)
        form.addRow("", self.create_button)
        for field in (self.name, self.profession, self.registration):
            field.returnPressed.connect(self.create_profile)
        layout.addWidget(self.form)

        self.error = QLabel()
        self.error.setStyleSheet(f"color: {ERROR};")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.quit_button = QPushButton("Quit")
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self.reject)
        buttons.addWidget(self.quit_button)
        self.continue_button = QPushButton("Continue")
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self.accept_choice)
        buttons.addWidget(self.continue_button)
        layout.addLayout(buttons)

        self._retry = QTimer(self)  # runs only while the profiles could not be read (the server did not answer)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(lambda: self._first_fill(last_id))
        self._first_fill(last_id)

    def _first_fill(self, last_id: int | None) -> None:
        if not self._fill(select=last_id):
            self.form.hide()  # not a first run: a profile made now could be one that exists already
            return
        self._retry.stop()
        if self.list.count():
            self.form.hide()
            self.list.setFocus()
        else:
            self.show_form()

    # -- the list --------------------------------------------------------------------------------
    def _fill(self, select: int | None = None) -> bool:
        """The profiles in use; False (said in the error line) when the log cannot be read."""
        try:
            people = self._store.list_practitioners()
        except LOG_ERRORS as exc:
            self._show_error(plain(exc, "The profiles could not be read",
                                   "They are read again by itself." if unreachable(exc) else ""))
            self.list.clear()
            self.intro.setText("Who is working? The list of profiles comes once the session log answers.")
            self._update_buttons()
            if unreachable(exc):
                self._retry.start()
            return False
        self._show_error("")
        self.list.clear()
        for p in people:
            item = QListWidgetItem(describe(p))
            item.setData(Qt.ItemDataRole.UserRole, p)
            self.list.addItem(item)
            if p.id == select:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self.intro.setText(
            "Choose your profile. Every acknowledgement, override, score, amendment and report you make is "
            "recorded under it." if people else
            "No practitioner profile yet. Create yours: every acknowledgement, override, score, amendment and "
            "report is recorded under it.")
        # A first run shows the form alone: there is nothing to choose from yet.
        self.list.setVisible(bool(people))
        self.list_buttons.setVisible(bool(people))
        self._update_buttons()
        return True

    def _update_buttons(self) -> None:
        has = self.list.currentItem() is not None
        self.continue_button.setEnabled(has)
        self.retire_button.setEnabled(has)

    def selected(self) -> Practitioner | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def accept_choice(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        self.chosen = chosen
        self.accept()

    # -- a new profile ---------------------------------------------------------------------------
    def show_form(self) -> None:
        self.form.show()
        self.name.setFocus()

    def create_profile(self) -> None:
        try:
            new_id = self._store.create_practitioner(self.name.text(), profession=self.profession.text(),
                                                     registration=self.registration.text())
        except LOG_ERRORS as exc:
            self._show_error(self._why(exc, "The profile was not added", "What you typed is kept: add it again "
                                       "once the server answers."))
            return
        for field in (self.name, self.profession, self.registration):
            field.clear()
        self._show_error("")
        self.form.hide()
        self._fill(select=new_id)
        self.list.setFocus()  # Enter now goes on with the profile just made

    def retire_selected(self) -> None:
        p = self.selected()
        if p is None:
            return
        question = (f"Retire {p.label} ({p.code})? The profile is no longer offered here; every record that "
                    "names it keeps it.")
        if not self._confirm("Retire this profile?", question):
            return
        try:
            self._store.retire_practitioner(p.id)
        except LOG_ERRORS as exc:
            self._show_error(self._why(exc, "The profile was not retired", "Retire it again once the server "
                                       "answers."))
            return
        self._fill()
        if not self.list.count():
            self.show_form()

    @staticmethod
    def _why(exc: BaseException, what: str, after: str) -> str:
        from neurotimer.storage.db import StoreError

        # The log's own refusals (a name missing, a duplicate) read as they are; a silent server plainly.
        return plain(exc, what, after) if unreachable(exc) or not isinstance(exc, StoreError) else str(exc)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))


def ask_practitioner_with(parent: Callable[[], QWidget | None]) -> ChoosePractitioner:
    """The real chooser, modal over the window, for `App`; tests pass a plain function instead."""
    from neurotimer.gui.shell.dialogs import confirm_with

    def ask(store: PractitionerStore, last_id: int | None) -> Practitioner | None:
        window = parent()
        dialog = PractitionerChooser(store, last_id, confirm=confirm_with(window), parent=window)
        return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None

    return ask


def demo_practitioner(store: PractitionerStore, last_id: int | None) -> Practitioner:
    """`--demo` never waits on a dialog: the last profile used, else the first, else a new demo profile."""
    people = store.list_practitioners()
    for p in people:
        if p.id == last_id:
            return p
    if people:
        return people[0]
    return store.get_practitioner(store.create_practitioner(DEMO_PRACTITIONER, profession="demonstration"))
