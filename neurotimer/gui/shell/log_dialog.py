"""Settings → Session log…: a file on this computer or the clinic's PostgreSQL server; never a password."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from neurotimer.gui.shell import theme
from neurotimer.storage.location import LogLocation, is_server_url

# sslmode as offered: "" leaves it to the app (require for another computer, as it is for this one).
SSL_MODES = ("", "require", "verify-ca", "verify-full")
SSL_WORDS = {
    "": "encrypted when the server is another computer (require)",
    "require": "require: always encrypted",
    "verify-ca": "verify-ca: encrypted, the server's certificate checked",
    "verify-full": "verify-full: encrypted, certificate and name checked (best)",
}
PASSWORD_NOTE = (
    "No password is kept here. Put it in this computer's PostgreSQL password file "
    "(~/.pgpass, mode 0600: host:port:database:user:password) or in the OS keyring "
    "(service neurotimer, entry user@host/database)."
)


def server_url(host: str, port: int, dbname: str, user: str, sslmode: str) -> str:
    """postgresql://user@host:port/dbname[?sslmode=…], each part quoted; never a password."""
    host = host.strip()
    shown_host = f"[{host}]" if ":" in host else host
    who = f"{quote(user.strip(), safe='')}@" if user.strip() else ""
    query = f"?sslmode={sslmode}" if sslmode else ""
    return f"postgresql://{who}{shown_host}:{port}/{quote(dbname.strip(), safe='')}{query}"


def problem_with(location: LogLocation) -> str:
    """Why this log cannot be chosen, in one line ('' when it can), found without connecting."""
    from neurotimer.storage.db import StoreError

    if is_server_url(location):
        from neurotimer.storage.pg.open import check_url

        try:
            check_url(str(location))
        except StoreError as exc:
            return str(exc)
        return ""
    path = Path(location)
    if not str(location).strip():
        return "Choose the log file (or a new file's name)."
    if path.is_dir():
        return f"{path} is a folder: choose a file in it, or a new file's name."
    return ""


class LogDialog(QDialog):
    """Chooses the log the app opens from its next start; `location` is the choice once accepted."""

    def __init__(self, current: LogLocation | None, parent: QWidget | None = None,
                 pick_file: Callable[[], Path | None] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Session log")
        self.setMinimumWidth(540)
        self.location: LogLocation | None = None
        self._pick_file = pick_file or self._browse
        layout = QVBoxLayout(self)
        self.file_choice = QRadioButton("A file on this computer (one workstation)")
        self.server_choice = QRadioButton("The clinic's PostgreSQL server (several workstations share one log)")
        layout.addWidget(self.file_choice)
        file_row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setPlaceholderText("sessions.sqlite3")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse)
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        layout.addLayout(file_row)
        layout.addWidget(self.server_choice)
        self.server_box = QWidget()
        form = QFormLayout(self.server_box)
        self.host = QLineEdit()
        self.host.setPlaceholderText("server name or address")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.dbname = QLineEdit("neurotimer")
        self.user = QLineEdit()
        self.user.setPlaceholderText("this workstation's login, e.g. room1")
        self.sslmode = QComboBox()
        for mode in SSL_MODES:
            self.sslmode.addItem(SSL_WORDS[mode], mode)
        form.addRow("Server", self.host)
        form.addRow("Port", self.port)
        form.addRow("Database", self.dbname)
        form.addRow("User", self.user)
        form.addRow("Encryption", self.sslmode)
        layout.addWidget(self.server_box)
        # Under the fields, not in the form: a wrapped label in a form row is cut to one line's height.
        self.password_note = QLabel(PASSWORD_NOTE)
        self.password_note.setWordWrap(True)
        self.password_note.setObjectName("muted")
        layout.addWidget(self.password_note)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.ERROR}; font-weight: bold;")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.file_choice.toggled.connect(self._follow_choice)
        self._show(current)

    def _show(self, current: LogLocation | None) -> None:
        if is_server_url(current):
            from psycopg.conninfo import conninfo_to_dict

            try:
                params = {k: str(v) for k, v in conninfo_to_dict(str(current)).items()}
            except Exception:  # a setting edited into junk: the fields start empty, nothing is lost until OK
                params = {}
            self.host.setText(params.get("host", ""))
            port = params.get("port", "5432")
            self.port.setValue(int(port) if port.isdigit() and 0 < int(port) < 65536 else 5432)
            self.dbname.setText(params.get("dbname", ""))
            self.user.setText(params.get("user", ""))
            mode = params.get("sslmode", "")
            self.sslmode.setCurrentIndex(SSL_MODES.index(mode) if mode in SSL_MODES else 0)
            self.server_choice.setChecked(True)
        else:
            self.path.setText("" if current is None else str(current))
            self.file_choice.setChecked(True)
        self._follow_choice()

    def _follow_choice(self) -> None:
        on_file = self.file_choice.isChecked()
        self.path.setEnabled(on_file)
        self.server_box.setEnabled(not on_file)

    def _browse(self) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self, "Session log file", str(Path.home()),
                                              "Session logs (*.sqlite3 *.db)",
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        return Path(name) if name else None

    def _on_browse(self) -> None:
        picked = self._pick_file()
        if picked is not None:
            self.path.setText(str(picked))
            self.file_choice.setChecked(True)

    def chosen(self) -> LogLocation:
        """What the fields say now (not yet checked)."""
        if self.file_choice.isChecked():
            return Path(self.path.text().strip()).expanduser() if self.path.text().strip() else Path("")
        if not self.host.text().strip():
            return ""
        return server_url(self.host.text(), self.port.value(), self.dbname.text(), self.user.text(),
                          self.sslmode.currentData())

    def accept(self) -> None:
        chosen = self.chosen()
        if self.server_choice.isChecked() and not self.host.text().strip():
            problem = "Name the server (its name or address on the clinic's network)."
        elif self.server_choice.isChecked() and not self.dbname.text().strip():
            problem = "Name the database (neurotimer, unless the clinic chose another)."
        elif self.file_choice.isChecked() and not self.path.text().strip():
            problem = "Choose the log file (or a new file's name)."
        else:
            problem = problem_with(chosen)
        if problem:
            self.error.setText(problem)
            self.error.show()
            self.adjustSize()  # room for the message: nothing else moves out of sight
            return  # nothing is lost: the fields stay as typed
        self.location = chosen
        super().accept()
