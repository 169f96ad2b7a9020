"""The one place that builds and wires everything: clock, chairs, devices, store and windows."""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QLoggingCategory, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from neurotimer import __version__, logsetup, paths
from neurotimer.chairs.roster import ChairRoster, roster_to_open
from neurotimer.gui.board.chair import Chair
from neurotimer.gui.board.chair_factory import ChairFactory, Shared
from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.shell.alarm_banner import Priority
from neurotimer.gui.shell.chime import Chime
from neurotimer.gui.shell.dialogs import AfterFirstPaint, ask_with, confirm_with, pick_log_with
from neurotimer.gui.shell.main_window import MainWindow
from neurotimer.gui.shell.settings import Settings, log_to_open
from neurotimer.gui.shell.shortcuts import key_for
from neurotimer.gui.shell.startup import Step, build_in_order
from neurotimer.resources import resource
from neurotimer.session.clock import Clock, SystemClock
from neurotimer.session.session import SessionState, worth_remembering

if TYPE_CHECKING:
    from neurotimer.gui.board.board import ChairBoard
    from neurotimer.gui.board.clinic_board import ClinicBoard
    from neurotimer.gui.board.presenter import BoardPresenter
    from neurotimer.gui.board.stop_all import StopAll
    from neurotimer.gui.plan.body_chart_panel import BodyChartPanel
    from neurotimer.gui.review.window import ReviewWindow
    from neurotimer.gui.shell.alarm_sound import AlarmSound
    from neurotimer.gui.shell.alarm_tray import AlarmTray
    from neurotimer.gui.shell.practitioner_chooser import ChoosePractitioner
    from neurotimer.points import CatalogueSource
    from neurotimer.stimulator.driver import DeviceInfo
    from neurotimer.storage.practitioners import Practitioner
    from neurotimer.storage.store import Store

log = logging.getLogger(__name__)
# Start's answer in the moment between the first paint and the log being open.
LOG_STILL_OPENING = "The log is still opening: press Start again in a moment."


def _first_chairs(part: str) -> property:
    return property(lambda self: getattr(self.chairs[0], part), doc=f"The first chair's {part}.")


class App:
    """Owns every long-lived object so nothing is collected while the window is open.

    The chairs come from the settings (Settings → Chairs), else from `--chairs N`, else there is one; each is
    built by the one ChairFactory. `sessions`, `stim`, `records` and the other chair parts named here are the
    first chair's, as they were when there was only ever one.
    """

    sessions = _first_chairs("sessions")
    plans = _first_chairs("plans")
    interlock = _first_chairs("interlock")
    records = _first_chairs("records")
    plot = _first_chairs("plot")
    picker = _first_chairs("picker")
    pairing = _first_chairs("pairing")
    chart = _first_chairs("chart")
    stim = _first_chairs("stim")
    guard = _first_chairs("guard")
    stim_record = _first_chairs("stim_record")
    status_record = _first_chairs("status_record")
    record_panel = _first_chairs("record_panel")
    history = _first_chairs("history")

    def __init__(
        self,
        args: argparse.Namespace,
        clock: Clock,
        chime: Callable[[], None] | None = None,
        confirm: Callable[[str, str], bool] | None = None,
        choose_practitioner: ChoosePractitioner | None = None,
    ) -> None:
        self.args = args
        self.clock = clock
        self._chime = chime
        # The demo's log, settings and templates live in a folder of their own, gone at quit.
        self._tmp = (tempfile.TemporaryDirectory(prefix="neurotimer-demo-")
                     if args.demo and args.db is None else None)
        self.settings = Settings(self._data_dir() / "settings.ini")
        saved = self.settings.chairs
        self._chairs_from_settings = bool(saved)
        self.roster, self._roster_problems = roster_to_open(getattr(args, "chairs", None), saved)
        self.roster.is_busy = self._chair_busy
        self._confirm = confirm or confirm_with_window(self)
        # Who works here, asked once the log is open (None: nobody is asked; --demo chooses by itself).
        self._choose_practitioner = choose_practitioner
        self.practitioner: Practitioner | None = None
        self.window = MainWindow(SessionPresenter(clock), confirm=self._confirm)
        self.factory = ChairFactory(clock, self.window, lambda title, text: self._confirm(title, text),
                                    several=len(self.roster) > 1)
        # Every chair's clock, plan and view exist from the first paint; the rest is built after it.
        self.chairs: list[Chair] = [self.factory.frame(i, spec.name, spec.device)
                                    for i, spec in enumerate(self.roster)]
        # The window paints before the log opens: a Start pressed in that moment would time a session that
        # nothing records, so Start waits until finish_start has every chair's record lane in place.
        for chair in self.chairs:
            chair.sessions.block_start(LOG_STILL_OPENING)
        self.board: ChairBoard | None = None
        self.board_presenter: BoardPresenter | None = None
        if self.several:
            self._build_board()
        self.window.refresh_header()  # the first chair's name, once it has one
        self.mark: Callable[[str], None] = lambda _name: None  # start-up benchmark marks
        # Built after the first paint (finish_start); None until then, or when that part could not be built.
        self.alarm_sound: AlarmSound | None = None
        self.alarm_tray: AlarmTray | None = None
        self.store: Store | None = None
        self._log_lock: QLockFile | None = None  # held while this window records into the log
        self.shared = Shared()
        self.catalogue_source: CatalogueSource | None = None
        self.large_chart: BodyChartPanel | None = None
        self._large_charts: dict[Chair, BodyChartPanel] = {}  # each chair's own, opened on demand
        self.review: ReviewWindow | None = None
        self.stop_all: StopAll | None = None
        self.clinic: ClinicBoard | None = None
        self._requested_device: str | None = None  # the stimulator last asked for, remembered once it answers

    @property
    def several(self) -> bool:
        return len(self.chairs) > 1

    def current_chair(self) -> Chair:
        return self.chairs[max(0, self.window.current_chair)]

    def _chair_busy(self, name: str) -> bool:
        return any(c.name == name and c.busy for c in self.chairs)

    def _build_board(self) -> None:
        from neurotimer.gui.board.board import ChairBoard
        from neurotimer.gui.board.presenter import BoardPresenter

        self.board = ChairBoard(Qt.Orientation.Vertical)
        self.board.setFixedWidth(BOARD_WIDTH)
        self.window.set_board(self.board)
        self.board_presenter = BoardPresenter(self.board, self.window, self.chairs, parent=self.board)

    # -- after the first paint -------------------------------------------------------------------
    def finish_start(self) -> None:
        if self._chime is None:
            self._chime = Chime(resource("sounds", "chime.wav"), self.window).play
        self._build_alarm_outputs()
        for problem in self._roster_problems:
            self.window.alarms.notify("settings-chairs", problem, Priority.MEDIUM)
        for chair in self.chairs:
            self._wire_session(chair)
        for chair in self.chairs:
            # First, while the helper thread's pyqtgraph import is fresh; device signals join it later.
            if not self._build_plot(chair):
                break
        self.mark("plots-ready")
        if not self._open_log():
            QApplication.quit()
            return
        self._build_shared()
        for chair in self.chairs:
            self._build_chair(chair)
        self._build_stop_all()
        self._build_chairs_menu()
        self.window.quitWithNeedlesIn.connect(self._on_quit_with_needles_in)
        self._remind_forgotten_needles()
        for chair in self.chairs:
            chair.sessions.unblock_start(LOG_STILL_OPENING)
        self.mark("ready")

    def _wire_session(self, chair: Chair) -> None:
        # Every chair's milestones chime, on screen or not; the strip names the chair ("Room 2: Halfway").
        chair.sessions.milestone.connect(lambda _name, _remaining: self._chime())
        # The planned time last used is the next session's default: most clinics keep one length.
        minutes = self.settings.planned_minutes
        if minutes is not None and not chair.sessions.session.started:
            chair.sessions.set_planned_minutes(minutes)
        chair.sessions.stateChanged.connect(lambda state: self._on_session_state(chair, state))

    def _build_plot(self, chair: Chair) -> bool:
        try:
            self.factory.build_plot(chair)
        except Exception as exc:  # the plot is a view only: everything else must still come up
            log.exception("could not set up the intensity plot")
            self.window.alarms.notify("setup-plot", f"The intensity plot is not available ({exc}); "
                                      "everything else works.", Priority.LOW)
            return False
        return True

    def _build_chair(self, chair: Chair) -> None:
        """Everything of one chair after the first paint, in order; a part that fails is said and keeps the
        chair's outputs off (its interlock is built first)."""

        def report(step: Step, exc: Exception) -> None:
            chair.alarms.raise_alarm(
                step.key,
                f"neurotimer could not set up {step.what} ({type(exc).__name__}: {exc}). The timer works; "
                "stimulation stays off. Reinstall neurotimer or report this.", Priority.HIGH)
            chair.interlock.fail(step.key, f"neurotimer could not set up {step.what}.")

        self.factory.build_record(chair, self.shared)

        # Named as the steps always were: a step's name is the key of the alarm that says it failed.
        def build_points() -> None:
            self._build_points(chair)

        def build_stimulator() -> None:
            self._build_stimulator(chair)

        def build_record_panel() -> None:
            self._build_record_panel(chair)

        def build_history() -> None:
            self._build_history(chair)

        built = build_in_order(
            (
                # Without the safety checks the stimulator must not be offered at all.
                Step(build_points, "the point catalogue and charts", needed_by_the_rest=True),
                Step(build_stimulator, "the stimulator"),
                Step(build_record_panel, "the session record panel"),
                Step(build_history, "the course history"),
            ),
            report,
        )
        log.info("chair %d built%s", chair.index + 1, "" if built else " in part")

    def _build_points(self, chair: Chair) -> None:
        self.factory.build_points(chair, self.shared)

    def _build_stimulator(self, chair: Chair) -> None:
        self.factory.build_stimulator(chair, self.shared)
        stim = chair.stim
        if chair.stop_button is not None:
            self._wire_chair_stop(chair)
        if self.several or (self._chairs_from_settings and not self.args.device):
            # Each chair's stimulator is the one Settings → Chairs names (--chairs N: its own simulator).
            stim.connect_device(chair.device_url)
            return
        # One chair: the last stimulator that connected is the next start's default; --device and --demo win.
        stim.commanded.connect(self._on_stimulator_commanded)
        stim.deviceConnected.connect(self._on_stimulator_connected)
        remembered = None if self.args.demo else self.settings.device_url
        stim.connect_device(self.args.device or remembered or "sim:")

    def _build_record_panel(self, chair: Chair) -> None:
        self.factory.build_record_panel(chair, self.shared)

    def _build_history(self, chair: Chair) -> None:
        self.factory.build_history(chair, self.shared)

    def _build_shared(self) -> None:
        """What every chair is built with: the catalogue (a practitioner's own edited copy wins while valid)."""
        from neurotimer.points import CatalogueSource
        from neurotimer.stimulator.transport import list_serial_ports

        data = self._data_dir()
        user_points, user_nerves = data / "points.json", data / "nerves.json"
        shared = self.shared
        shared.templates_dir = data / "templates"
        shared.list_ports = list_serial_ports
        shared.practitioner = self._practitioner_name
        shared.open_large_chart = self.open_large_chart
        try:
            source = CatalogueSource(user_points=user_points if user_points.exists() else None,
                                     user_nerves=user_nerves if user_nerves.exists() else None)
            problem = source.load()
        except Exception:  # each chair then says it could not set up its points, and keeps its outputs off
            log.exception("could not load the point catalogue")
            return
        if problem:
            self.window.alarms.notify("catalogue", problem, Priority.MEDIUM)
        self.catalogue_source = shared.catalogue = source
        large_chart = QAction("Large &body chart", self.window)
        large_chart.triggered.connect(self.open_large_chart)
        self.window.view_menu.addAction(large_chart)

    def _build_alarm_outputs(self) -> None:
        """The alarms' sounds and, when the window is not in front, a tray notification naming the alarm."""
        from neurotimer.gui.shell.alarm_sound import AlarmSound
        from neurotimer.gui.shell.alarm_tray import AlarmTray

        w = self.window
        self.alarm_sound = AlarmSound(w.alarms.model, self.clock, resource("sounds"), parent=w)
        self.alarm_sound.fallbackUsed.connect(w.show_sound_note)
        self.alarm_tray = AlarmTray(w.alarms.model, w)

    def _build_stop_all(self) -> None:
        """Escape (or the red button): every output of every chair off at once, then what was stopped."""
        from neurotimer.gui.board.stop_all import StopAll

        self.stop_all = StopAll(lambda: [c for c in self.chairs if c.stim is not None], self.clock,
                                hold_records=self._hold_records, parent=self.window)
        self.window.emergencyStopRequested.connect(self.stop_all.stop)
        self.stop_all.finished.connect(
            lambda text: self.window.alarms.notify("emergency-stop", text, Priority.LOW))

    def _wire_chair_stop(self, chair: Chair) -> None:
        """A chair's own stop button: its outputs only, confirmed in the strip under its name."""
        from neurotimer.gui.board.stop_all import StopAll

        stop = StopAll(lambda: [chair] if chair.stim is not None else [], self.clock,
                       hold_records=self._hold_records, parent=chair.stop_button)
        chair.stop_button.clicked.connect(stop.stop)
        stop.finished.connect(lambda text: chair.alarms.notify("emergency-stop", text, Priority.LOW))

    def _hold_records(self):
        recorder = self.shared.recorder
        return recorder.batch() if recorder is not None else nullcontext()

    def _build_chairs_menu(self) -> None:
        chairs = QAction("&Chairs…", self.window)
        chairs.triggered.connect(self.open_chairs_dialog)
        self.window.add_settings_action(chairs)

    def open_chairs_dialog(self) -> None:
        from neurotimer.gui.board.chairs_dialog import open_chairs_dialog
        from neurotimer.stimulator.transport import list_serial_ports

        open_chairs_dialog(self.roster, self._chairs_saved, self.window, list_ports=list_serial_ports)

    def _chairs_saved(self, roster: ChairRoster, origins: list[str | None] | None = None) -> None:
        """Settings → Chairs saved: kept in the settings and, with several chairs, put to use at once (renames,
        chairs added and removed, another stimulator for a chair with no session running). Going from one
        chair to several, or back, changes the window: that comes at the next start."""
        self.settings.chairs = roster.to_records()
        self._chairs_from_settings = True
        if origins is None:  # the same chairs in the same order, perhaps renamed
            origins = [c.name for c in self.chairs] if len(roster) == len(self.chairs) else roster.names()
        by_name = {chair.name: chair for chair in self.chairs}
        kept = [by_name.get(origin) if origin is not None else None for origin in origins]
        live = self.several and len(roster) > 1
        if not live and (len(roster) != len(self.chairs) or None in kept):
            self.window.alarms.notify(
                "settings-chairs", "The chairs are saved. Going from one chair to several, or back, comes into "
                "use at the next start of neurotimer.", Priority.LOW)
            kept = [chair for chair in kept if chair is not None][:len(roster)]
        for chair in self.chairs:
            if live and chair not in kept:
                self._remove_chair(chair)
        chairs: list[Chair] = []
        for spec, chair in zip(roster, kept, strict=False):
            if chair is None:
                chair = self._add_chair(spec.name, spec.device)
            if chair.name != spec.name:
                chair.rename(spec.name)
            if chair.device_url != spec.device and chair.stim is not None and not chair.busy:
                chair.device_url = spec.device
                chair.stim.connect_device(spec.device)
            chairs.append(chair)
        if live:
            self.chairs = chairs
            for index, chair in enumerate(chairs):
                chair.index = index
        if self.board_presenter is not None:
            self.board_presenter.set_chairs(self.chairs)
        self.window.refresh_header()
        self.roster = ChairRoster(roster.chairs, is_busy=self._chair_busy)

    def _add_chair(self, name: str, device: str) -> Chair:
        """A chair added in Settings → Chairs, built as the ones of the start were, on its own stimulator."""
        chair = self.factory.frame(len(self.chairs), name, device)
        self._wire_session(chair)
        self._build_plot(chair)
        self._build_chair(chair)
        return chair

    def _remove_chair(self, chair: Chair) -> None:
        """A chair removed in Settings → Chairs (never one with a session running): its stimulator off and
        let go, its record closed, its alarms and its view gone."""
        chair.shutdown()
        for alarm in chair.alarms.active():
            self.window.alarms.clear(alarm.key)
        chart = self._large_charts.pop(chair, None)
        if chart is not None:
            chart.close()
        self.window.remove_chair_view(chair.view)

    def _remind_forgotten_needles(self) -> None:
        """neurotimer was last quit with needles not counted out: say so at once, loudly, once."""
        note = self.settings.needles_not_counted
        if not note:
            return
        when, _sep, why = note.partition("|")
        self.window.alarms.notify(
            "forgotten-needles", f"Needles may have been left in: neurotimer was quit on {when} with needles not "
            f"counted out ({why.rstrip('.')}). Check that patient for needles.", Priority.HIGH)
        self.settings.needles_not_counted = None

    def _on_session_state(self, chair: Chair, state: SessionState) -> None:
        minutes = round(chair.sessions.session.planned_seconds / 60)
        if state is SessionState.RUNNING and worth_remembering(minutes):  # a 1-minute trial is not
            self.settings.planned_minutes = minutes
        if state.is_closed and self.review is not None and self.shared.recorder is not None:
            self.review.refresh()

    def _data_dir(self) -> Path:
        """The app data folder, or the demo's temporary folder so a demo never touches real settings."""
        if self._tmp is not None:
            return Path(self._tmp.name)
        return paths.app_data_dir()

    def _db_path(self) -> Path | str:
        if self._tmp is not None:
            from neurotimer.storage.demo import make_demo_database

            path = Path(self._tmp.name) / "demo.sqlite3"
            if not path.exists():
                make_demo_database(path)
            return path
        if self.args.db is not None:
            return self.args.db
        return self.settings.log_location or paths.default_db_path()

    def _open_log(self) -> bool:
        """Opens the session log (read-only when it must be); False when the practitioner chose to quit."""
        # The storage layer loads after the first paint: the clock must show first.
        from neurotimer.gui.shell.open_log import open_session_log
        from neurotimer.storage.recorder import Recorder
        from neurotimer.storage.spool import Spool

        w = self.window
        opened = open_session_log(self._db_path(), self.clock, ask_with(w), pick_log_with(w, self._db_path()))
        if opened is None:
            return False
        self.store, self._log_lock = opened.store, opened.lock
        self.shared.store = store = opened.store  # on a server, every call it makes here is bounded (open_log)
        review = QAction("&Review sessions…", w)
        review.setShortcut(QKeySequence(key_for("review")))
        review.triggered.connect(self.open_review)
        w.view_menu.addAction(review)
        log_setting = QAction("Session &log…", w)  # a file or the clinic's server, from the next start
        log_setting.triggered.connect(self.choose_log)
        w.add_settings_action(log_setting)
        clinic = QAction("&Clinic board…", w)  # every chair on every workstation sharing this log
        clinic.triggered.connect(self.open_clinic)
        w.view_menu.addAction(clinic)
        if not opened.writable:
            # A log this window cannot write: nothing may start that could not be recorded (in any chair).
            w.alarms.raise_alarm("log-readonly", opened.read_only_note, Priority.MEDIUM)
            w.patient_button.setEnabled(False)
            for chair in self.chairs:
                chair.sessions.block_start(f"No session starts in this window: {opened.read_only_note}")
            return True
        if not self._choose_who(store):
            return False
        for recovered in opened.recovered:
            w.alarms.notify(f"recovered-{recovered.session_id}", recovered.message(), Priority.MEDIUM)
        if opened.replayed is not None:
            w.alarms.notify("spool-replayed", opened.replayed, Priority.MEDIUM)
        # The log's one writer: every chair writes its own session through its own lane.
        self.shared.recorder = recorder = Recorder(
            store, self.clock,
            # Log not writable is a high alarm that lasts until a write succeeds again; its count follows.
            on_alarm=lambda text: w.alarms.raise_alarm("log-write", text, Priority.HIGH),
            on_count=lambda text: w.alarms.restate("log-write", text),
            on_notice=lambda text: w.alarms.notify("log-moved", text, Priority.HIGH),
            on_recovered=lambda: w.alarms.clear("log-write"),
            spool=Spool.beside(store),
        )
        # Quit never leaves events unwritten without asking (wait and retry, or quit keeping them in the spool).
        w.may_quit = lambda: (question := recorder.quit_question()) is None or self._confirm(*question)
        self.shared.practitioner_id = self.practitioner.id if self.practitioner else None
        w.choosePatientRequested.connect(self.choose_patient)
        return True

    def _choose_who(self, store: Store) -> bool:
        """The practitioner at work, the last one preselected; False when they chose to quit instead."""
        from neurotimer.gui.shell.practitioner_chooser import demo_practitioner, describe

        choose = self._choose_practitioner or (demo_practitioner if self.args.demo else None)
        if choose is None:
            return True
        chosen = choose(store, self.settings.last_practitioner(store.path))
        if chosen is None:
            return False
        self.practitioner = chosen
        store.current_practitioner_id = chosen.id  # amendments, courses and screening changes name them too
        self.settings.remember_practitioner(store.path, chosen.id)
        self.window.set_practitioner_text(f"{chosen.name} · {chosen.code}", describe(chosen))
        return True

    def open_review(self) -> None:
        """The review window beside the chair window (never modal), on the same log."""
        from neurotimer.gui.review.launch import build_review_window

        if self.review is None:
            self.review = build_review_window(self.store, self.catalogue_source, clock=self.clock)
        elif self.review.model is None and self.review.store is None:
            self.review.set_store(self.store)
        self.review.show()
        self.review.raise_()
        self.review.activateWindow()

    def choose_log(self) -> None:
        """Settings → Session log…: remembered for the next start (a log never changes under running chairs)."""
        from neurotimer.gui.shell.log_dialog import LogDialog
        from neurotimer.storage.location import describe

        dialog = LogDialog(self._db_path(), self.window)
        if dialog.exec() != LogDialog.DialogCode.Accepted or dialog.location is None:
            return
        self.settings.log_location = dialog.location
        self.window.alarms.notify("log-setting", f"From the next start neurotimer records into "
                                  f"{describe(dialog.location)}.", Priority.LOW, audible=False)

    def open_clinic(self) -> None:
        """The clinic board beside the chair window, reading the same log on a connection of its own."""
        from neurotimer.gui.board.clinic_board import ClinicBoard
        from neurotimer.gui.board.clinic_poller import ClinicPoller

        if self.clinic is None and self.store is not None and self.store.path is not None:
            self.clinic = ClinicBoard(ClinicPoller(self.store.path, self.clock), self.clock)
        if self.clinic is not None:
            self.clinic.show()
            self.clinic.raise_()

    def open_large_chart(self) -> None:
        """The body chart of the chair on screen in a window of its own, as tall as the screen."""
        from neurotimer.gui.plan.body_chart_panel import BodyChartPanel

        chair = self.current_chair()
        if chair.picker is None or self.catalogue_source is None:
            return
        panel = self._large_charts.get(chair)
        if panel is None:
            source = self.catalogue_source
            panel = BodyChartPanel(source.catalogue, source.nerves)
            panel.setWindowFlag(Qt.WindowType.Window)
            panel.pointClicked.connect(chair.picker.select_point)
            chair.plans.pointsChanged.connect(lambda plan: panel.set_selected(plan.point_sides()))
            self._large_charts[chair] = panel
        self.large_chart = panel
        where = f" — {chair.name}" if self.several else ""
        self.large_chart.setWindowTitle(f"neurotimer: body chart{where}")
        self.large_chart.set_selected(chair.plans.plan().point_sides())
        screen = self.window.screen().availableGeometry()
        self.large_chart.resize(min(760, screen.width()), screen.height() - 40)
        self.large_chart.show()
        self.large_chart.raise_()

    def _on_stimulator_commanded(self, name: str, args: tuple) -> None:
        if name == "connect":
            self._requested_device = args[0]

    def _on_stimulator_connected(self, _info: DeviceInfo) -> None:
        if self._requested_device:
            self.settings.device_url = self._requested_device

    def _on_quit_with_needles_in(self, why: str) -> None:
        # Recorded in that chair's session before Quit ends it, and kept for the next start's reminder.
        chair = next((c for c in self.chairs if self.several and why.startswith(f"{c.name}: ")), self.chairs[0])
        if chair.records is not None:
            chair.records.record("session.quit_with_needles_in", {"why": why})
        self.settings.needles_not_counted = f"{self.clock.wall().astimezone():%d %b %Y %H:%M}|{why}"

    def _practitioner_name(self) -> str:
        return self.practitioner.name if self.practitioner is not None else ""

    def on_patient_chosen(self, patient, chair: Chair | None = None) -> None:
        """A patient chosen in the dialog for a chair (the one on screen); moving a running session to another
        person is asked first."""
        self.factory.choose_patient(chair or self.current_chair(), patient)

    def choose_patient(self) -> None:
        """The patient of the chair on screen."""
        from neurotimer.gui.record.patient_dialog import PatientDialog

        chair = self.current_chair()
        if self.store is None or chair.records is None:
            return
        dialog = PatientDialog(self.store, self.window)
        if self.several:
            dialog.setWindowTitle(f"{dialog.windowTitle()} — {chair.name}")
        dialog.patientChosen.connect(lambda patient: self.on_patient_chosen(patient, chair))
        # Not modal: the timer, the channels and the STOP button stay usable while it is open.
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def shutdown(self) -> None:
        # Every chair's outputs off, its link closed and its device thread stopped before anything else.
        for chair in self.chairs:
            chair.shutdown()
        if self.shared.recorder is not None:
            self.shared.recorder.flush()
            self.shared.recorder.close()  # an empty spool goes; one with events waits for the next start
        if self.review is not None:
            self.review.close()
            self.review = None
        if self.clinic is not None:
            self.clinic.close()  # its thread closes its connection
            self.clinic = None
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._log_lock is not None:
            self._log_lock.unlock()  # the next start in this process (or another) may write the log
            self._log_lock = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


BOARD_WIDTH = 160  # a column of chair cards left of the chair on screen


def confirm_with_window(app: App):
    return lambda title, text: confirm_with(app.window)(title, text)


def run(args: argparse.Namespace) -> int:
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    qapp.setApplicationName(paths.APPLICATION)
    qapp.setOrganizationName(paths.ORGANIZATION)
    qapp.setApplicationVersion(__version__)
    logsetup.configure(None if args.startup_probe else paths.log_dir())
    # QtMultimedia reports every missing video-acceleration library; none matter for a chime.
    QLoggingCategory.setFilterRules("qt.multimedia.*=false")
    log.info("neurotimer %s starting", __version__)
    if getattr(args, "review", False):
        return run_review(qapp, args)

    # pyqtgraph costs about half a second to import: a helper thread loads it while the window paints and
    # the log opens; the plot's own import then finds it ready (Python's import lock makes that safe).
    threading.Thread(target=_prefetch_plotting, name="prefetch-pyqtgraph", daemon=True).start()
    from neurotimer.gui.shell.practitioner_chooser import ask_practitioner_with

    # --demo and the start-up benchmark never wait on a dialog (the demo chooses its own practitioner).
    asks = not (args.demo or args.startup_probe)
    app = App(args, SystemClock(), choose_practitioner=ask_practitioner_with(lambda: app.window) if asks else None)
    window = app.window
    screen = qapp.primaryScreen().availableGeometry()
    window.resize(min(screen.width(), 1366), min(screen.height(), 768))
    qapp.aboutToQuit.connect(app.shutdown)
    # Everything heavy (the log, demo data, the stimulator, the catalogue) comes after the first paint.
    if args.startup_probe:
        AfterFirstPaint(window, lambda: _probe(app))
    else:
        AfterFirstPaint(window, app.finish_start)
    window.show()
    return qapp.exec()


def run_review(qapp: QApplication, args: argparse.Namespace) -> int:
    """`neurotimer --review [--db PATH]`: only the review window, on that log (a refused one: a message)."""
    from neurotimer.gui.review.launch import build_review_window, load_catalogue
    from neurotimer.storage.review_open import open_for_review

    threading.Thread(target=_prefetch_plotting, name="prefetch-pyqtgraph", daemon=True).start()
    store, message = open_for_review(log_to_open(args.db))
    from neurotimer.gui.shell.practitioner_chooser import ask_practitioner_with

    window = build_review_window(store, load_catalogue(), message,
                                 choose_practitioner=ask_practitioner_with(lambda: window))
    screen = qapp.primaryScreen().availableGeometry()
    window.resize(min(screen.width(), 1366), min(screen.height(), 768))
    window.show()
    return qapp.exec()


def _prefetch_plotting() -> None:
    # Only numpy, which touches no Qt: pyqtgraph itself imported here, while the window's thread builds
    # PySide6 types, crashed about one start in ten (Shiboken's type set-up is not thread-safe).
    try:
        import numpy  # noqa: F401
    except Exception:  # the plot reports its own failure when it is built; this thread only saves time
        log.warning("numpy could not be loaded in advance", exc_info=True)


def _probe(app: App) -> None:
    """For the start-up benchmark: wall times of the first paint, the plot and everything ready, then quit."""

    def mark(name: str) -> None:
        sys.stdout.write(f"{name} {time.time():.6f}\n")
        sys.stdout.flush()

    mark("first-paint")
    app.mark = mark
    app.finish_start()
    QTimer.singleShot(0, QApplication.quit)
