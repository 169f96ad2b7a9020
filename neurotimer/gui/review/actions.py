"""The review window's menus: notes and amendments, courses and patients, reports, and exports of the list."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog

from neurotimer.gui.review.course_dialogs import CloseCourseDialog, NewCourseDialog, PatientEditDialog
from neurotimer.gui.review.session_dialogs import AmendDialog, NoteDialog
from neurotimer.gui.shell.log_reach import LOG_ERRORS, plain
from neurotimer.gui.shell.settings import keep_id_for_log, last_id_for_log

log = logging.getLogger(__name__)
REVIEW_PRACTITIONER = "review/practitioner_by_log"  # {log key: id}, as the chair window keeps its own

AskSave = Callable[[str, str, str], "Path | None"]


def ask_save_with(parent) -> AskSave:
    def ask(title: str, suggested: str, pattern: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, title, str(Path.home() / suggested), pattern)
        return Path(name) if name else None

    return ask


class ReviewActions(QObject):
    """Owns the menu entries; each one asks what it needs, writes through the store, then refreshes the window."""

    exported = Signal(str, bool)  # from the export thread: what to say, and whether it went well

    def __init__(self, window, ask_save: AskSave | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.ask_save = ask_save or ask_save_with(window)
        self.dialog: QDialog | None = None  # the form open now (tests fill it in)
        # On its own (`neurotimer --review`) the window asks who is writing before the first entry or report;
        # opened from the chair window, the practitioner chosen there is the store's already.
        self.choose_practitioner = None
        self.deidentify = QAction("De-identify reports and exports", window)
        self.deidentify.setCheckable(True)
        self.exported.connect(self._on_exported)
        self._threads: list[threading.Thread] = []
        w = window
        self._add(w.session_menu, "Add a &note…", self.add_note, "Ctrl+N")
        self._add(w.session_menu, "&Amend this session…", self.amend)
        w.session_menu.addSeparator()
        self._add(w.session_menu, "Session report as &PDF…", self.session_pdf)
        self._add(w.session_menu, "P&rint session report…", self.print_session)
        self._add(w.course_menu, "&New course for this patient…", self.new_course)
        self._add(w.course_menu, "&Close this course…", self.close_course)
        self._add(w.course_menu, "&Edit patient details and screening…", self.edit_patient)
        w.course_menu.addSeparator()
        self._add(w.course_menu, "Course report as P&DF…", self.course_pdf)
        self._add(w.course_menu, "Print course &report…", self.print_course)
        self._add(w.report_menu, "Export the list as &JSON…", lambda: self.export("json"))
        self._add(w.report_menu, "Export the list as &CSV…", lambda: self.export("csv"))
        w.report_menu.addSeparator()
        w.report_menu.addAction(self.deidentify)

    def _add(self, menu, text: str, slot, key: str | None = None) -> QAction:
        action = QAction(text, self.window)
        if key:
            action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda: self._guarded(slot, text))
        menu.addAction(action)
        return action

    def _guarded(self, slot, text: str) -> None:
        """Entries read the log first: one that does not answer is a line in the window, never a traceback."""
        try:
            slot()
        except LOG_ERRORS as exc:
            what = f"“{text.replace('&', '').rstrip('…').strip()}” could not open"
            self.window.log_unreachable(exc, what, "Nothing was written: try again once the server answers.")

    # -- who is writing ------------------------------------------------------------------------------
    def practitioner(self) -> str:
        store = self.window.store
        if store is not None and store.current_practitioner_id is not None:
            return store.get_practitioner(store.current_practitioner_id).name  # the one chosen at the start
        remembered = QSettings().value("review/practitioner", "")
        if remembered:
            return str(remembered)
        names = store.list_practitioners() if store is not None else []
        return names[0].name if names else ""

    def _remember(self, dialog) -> None:
        QSettings().setValue("review/practitioner", dialog.practitioner.text().strip())

    def _writable(self) -> bool:
        store = self.window.store
        if store is None or store.read_only:
            self.window.show_message("This log is open read-only: notes, amendments and courses cannot be added.")
            return False
        return self._who_is_writing()

    def _who_is_writing(self) -> bool:
        """Asks once who writes (the chooser of the chair window's start); False when they cancel."""
        store = self.window.store
        if store.current_practitioner_id is not None or self.choose_practitioner is None:
            return True
        # Each log numbers its own profiles: the one chosen last is kept for each log.
        chosen = self.choose_practitioner(store, last_id_for_log(QSettings(), REVIEW_PRACTITIONER, store.path))
        if chosen is None:
            return False
        store.current_practitioner_id = chosen.id
        keep_id_for_log(QSettings(), REVIEW_PRACTITIONER, store.path, chosen.id)
        return True

    def _chosen(self):
        row = self.window.current_row()
        if row is None:
            self.window.show_message("Choose a session in the list first.")
        return row

    def _open(self, dialog) -> None:
        self.dialog = dialog
        dialog.saved.connect(lambda: self._remember(dialog))
        dialog.saved.connect(self.window.after_change)
        dialog.open()  # modal to the review window only: the chair window stays usable

    # -- sessions --------------------------------------------------------------------------------------
    def add_note(self) -> None:
        row = self._chosen()
        if row is not None and self._writable():
            self._open(NoteDialog(self.window.store, row.id, self.practitioner(), self.window))

    def amend(self) -> None:
        row = self._chosen()
        if row is None or not self._writable():
            return
        if row.state in ("running", "paused"):
            self.window.show_message("This session is still open: change it at the chair; "
                                     "amendments are for closed sessions.")
            return
        self._open(AmendDialog(self.window.store, row.id, self.practitioner(), self.window))

    # -- courses and patients --------------------------------------------------------------------------
    def _patient_id(self) -> int | None:
        row = self._chosen()
        if row is None:
            return None
        record = self.window.store.get_session(row.id)
        patient_id = record.effective("patient_id")
        if patient_id is None:
            self.window.show_message("This session has no patient yet: assign one with Amend first.")
        return patient_id

    def new_course(self) -> None:
        patient_id = self._patient_id()
        if patient_id is not None and self._writable():
            self._open(NewCourseDialog(self.window.store, patient_id, self.practitioner(), self.window))

    def close_course(self) -> None:
        row = self._chosen()
        if row is None or not self._writable():
            return
        if row.course_id is None:
            self.window.show_message("This session belongs to no course.")
            return
        self._open(CloseCourseDialog(self.window.store, row.course_id, self.practitioner(), self.window))

    def edit_patient(self) -> None:
        patient_id = self._patient_id()
        if patient_id is not None and self._writable():
            self._open(PatientEditDialog(self.window.store, patient_id, self.practitioner(), self.window))

    # -- reports ---------------------------------------------------------------------------------------
    def _report(self, course: bool):
        from neurotimer.gui.review.reports import course_report, session_report

        row = self._chosen()
        if row is None:
            return None
        store = self.window.store
        if store is not None and not store.read_only and not self._who_is_writing():
            return None
        deidentify = self.deidentify.isChecked()
        if course:
            if row.course_id is None:
                self.window.show_message("This session belongs to no course.")
                return None
            return course_report(self.window.store, row.course_id, deidentify)
        return session_report(self.window.store, row.id, deidentify)

    def _pdf(self, course: bool) -> None:
        report = self._report(course)
        if report is None:
            return
        out = self.ask_save("Save the report as PDF", f"{report.title.lower().replace(' ', '-')}.pdf", "PDF (*.pdf)")
        if out is None:
            return
        from neurotimer.storage.outfile import OutputRefused, check_output

        try:
            check_output(out, self.window.store.path, "a report")  # never over the log or a file beside it
            report.write_pdf(out)
        except OutputRefused as exc:
            self.window.show_message(str(exc))
            return
        except OSError as exc:
            self.window.show_message(f"The report could not be written to {out}: {exc.strerror}.")
            return
        self.window.show_message("")
        self.window.statusBar().showMessage(f"{report.title} saved to {out}", 8000)
        self._record(report, "pdf")

    def _record(self, report, made_as: str) -> None:
        """The log keeps each report made, and who made it (a read-only log cannot: the window says so)."""
        from neurotimer.storage.db import StoreError

        store = self.window.store
        if store is None or store.read_only:
            self.window.show_message("The report was made, but this log is open read-only: it is not recorded.")
            return
        try:
            report.record_in(store, made_as)
        except (StoreError, *LOG_ERRORS) as exc:
            self.window.show_message(plain(exc, "The report was made, but it could not be recorded in the log"))

    def session_pdf(self) -> None:
        self._pdf(course=False)

    def course_pdf(self) -> None:
        self._pdf(course=True)

    def _print(self, course: bool) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        report = self._report(course)
        if report is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self.window)
        self.dialog = dialog
        dialog.accepted.connect(lambda: (report.print_to(printer), self._record(report, "print")))
        dialog.open()

    def print_session(self) -> None:
        self._print(course=False)

    def print_course(self) -> None:
        self._print(course=True)

    # -- exports ---------------------------------------------------------------------------------------
    def export(self, fmt: str) -> None:
        model = self.window.model
        store = self.window.store
        if model is None or store is None:
            return
        out = self.ask_save(f"Export the listed sessions as {fmt.upper()}", f"sessions.{fmt}",
                            "JSON (*.json)" if fmt == "json" else "CSV (*.csv)")
        if out is None:
            return
        path, flt, sort, desc = store.path, model.filter, model.sort_key, model.descending
        deidentify = self.deidentify.isChecked()
        self.window.show_message("")
        self.window.statusBar().showMessage(f"Exporting {model.total:,} sessions to {out}…")
        # A large export reads for a while: its own connection, off the GUI thread.
        thread = threading.Thread(target=self._export, args=(path, flt, sort, desc, deidentify, out, fmt),
                                  name="review-export", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _export(self, path, flt, sort, desc, deidentify, out: Path, fmt: str) -> None:
        from neurotimer.storage.bounded import open_worker_store
        from neurotimer.storage.export import build_export, write_export
        from neurotimer.storage.review_queries import session_ids

        try:
            store = open_worker_store(path)  # a silent server fails the export instead of holding it for ever
            try:
                ids = session_ids(store.conn, flt, sort, desc)
                data = build_export(store, deidentify=deidentify, session_ids=ids)
            finally:
                store.close()
            write_export(data, out, fmt, protect=path)  # never over the log or beside it
        except Exception as exc:  # the window must hear of any failure; nothing half-written stays
            log.warning("export failed: %s", type(exc).__name__)
            self.exported.emit(plain(exc, "The export was not written", "Nothing was lost: export again."), False)
            return
        self.exported.emit(f"{len(ids):,} sessions exported to {out}", True)

    def _on_exported(self, text: str, ok: bool) -> None:
        self.window.show_message("" if ok else text)
        self.window.statusBar().showMessage(text if ok else "", 8000)

    def wait(self) -> None:
        """For tests and closing: until every export has finished."""
        for thread in self._threads:
            thread.join()
        self._threads.clear()
