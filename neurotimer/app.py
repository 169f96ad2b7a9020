"""The one place that builds and wires everything: clock, session, device, store and windows."""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QLoggingCategory, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFrame, QPushButton, QScrollArea

from neurotimer import __version__, logsetup, paths
from neurotimer.gui.plan.plan_model import PlanModel
from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.shell.alarm_banner import Priority
from neurotimer.gui.shell.chime import Chime
from neurotimer.gui.shell.dialogs import (
    AfterFirstPaint,
    ask_with,
    confirm_with,
    pick_file_with,
    replace_or_add_with,
)
from neurotimer.gui.shell.main_window import MainWindow
from neurotimer.gui.shell.settings import Settings
from neurotimer.gui.shell.shortcuts import key_for
from neurotimer.gui.shell.startup import Step, build_in_order
from neurotimer.resources import resource
from neurotimer.session.clock import Clock, SystemClock
from neurotimer.session.session import SessionState, worth_remembering

if TYPE_CHECKING:
    from neurotimer.gui.history.panel import HistoryPanel
    from neurotimer.gui.plan.body_chart_panel import BodyChartPanel
    from neurotimer.gui.plan.needle_pairs import NeedlePairsWidget
    from neurotimer.gui.plan.point_picker import PointPicker
    from neurotimer.gui.record.presenter import RecordPresenter
    from neurotimer.gui.record.record_panel import SessionRecordPanel
    from neurotimer.gui.review.window import ReviewWindow
    from neurotimer.gui.shell.alarm_sound import AlarmSound
    from neurotimer.gui.shell.alarm_tray import AlarmTray
    from neurotimer.gui.stimulator.controller import StimulatorController
    from neurotimer.gui.stimulator.guard import StimulationGuard
    from neurotimer.gui.stimulator.intensity_plot import IntensityPlot
    from neurotimer.gui.stimulator.stimulation_record import StimulationRecord
    from neurotimer.points import CatalogueSource
    from neurotimer.safety.interlock import Interlock
    from neurotimer.stimulator.driver import DeviceInfo
    from neurotimer.storage.store import Store

log = logging.getLogger(__name__)

# Stimulator alarms for an event that is over once reported: the device has already switched the output off.
ONE_OFF_STIMULATOR_ALARMS = ("stimulator.over_current", "stimulator.watchdog_expired", "stimulator.device_error",
                             "stimulator.stop-unreached", "interlock.")


class App:
    """Owns every long-lived object so nothing is collected while the window is open."""

    def __init__(
        self,
        args: argparse.Namespace,
        clock: Clock,
        chime: Callable[[], None] | None = None,
        confirm: Callable[[str, str], bool] | None = None,
    ) -> None:
        self.args = args
        self.clock = clock
        self._chime = chime
        # The demo's log, settings and templates live in a folder of their own, gone at quit.
        self._tmp = (tempfile.TemporaryDirectory(prefix="neurotimer-demo-")
                     if args.demo and args.db is None else None)
        self.settings = Settings(self._data_dir() / "settings.ini")
        self.sessions = SessionPresenter(clock)
        self.plans = PlanModel()  # today's points and needle pairs: the picker, pairs and record follow it
        self._plan_at_close = None  # the plan as the last session closed, to tell it from one picked since
        self._confirm = confirm or confirm_with_window(self)
        self.window = MainWindow(self.sessions, confirm=self._confirm)
        self.mark: Callable[[str], None] = lambda _name: None  # start-up benchmark marks
        # Built after the first paint (finish_start); None until then, or when that part could not be built.
        self.alarm_sound: AlarmSound | None = None
        self.alarm_tray: AlarmTray | None = None
        self.store: Store | None = None
        self._log_lock: QLockFile | None = None  # held while this window records into the log
        self.records: RecordPresenter | None = None  # once the log is open for writing
        self.interlock: Interlock | None = None  # built first thing after the log opens
        self.plot: IntensityPlot | None = None
        self.catalogue_source: CatalogueSource | None = None
        self.picker: PointPicker | None = None
        self.pairing: NeedlePairsWidget | None = None
        self.chart: BodyChartPanel | None = None
        self.large_chart: BodyChartPanel | None = None
        self.stim: StimulatorController | None = None
        self.guard: StimulationGuard | None = None
        self.stim_record: StimulationRecord | None = None
        self.record_panel: SessionRecordPanel | None = None
        self.history: HistoryPanel | None = None
        self.review: ReviewWindow | None = None
        self._requested_device: str | None = None  # the stimulator last asked for, remembered once it answers

    # -- after the first paint -------------------------------------------------------------------
    def finish_start(self) -> None:
        if self._chime is None:
            self._chime = Chime(resource("sounds", "chime.wav"), self.window).play
        self.sessions.milestone.connect(lambda _name, _remaining: self._chime())
        self._build_alarm_outputs()
        # The planned time last used is the next session's default: most clinics keep one length.
        minutes = self.settings.planned_minutes
        if minutes is not None and not self.sessions.session.started:
            self.sessions.set_planned_minutes(minutes)
        self.sessions.stateChanged.connect(self._on_session_state)
        try:
            # First, while the helper thread's pyqtgraph import is fresh; device signals join it later.
            self._build_plot()
        except Exception as exc:  # the plot is a view only: everything else must still come up
            log.exception("could not set up the intensity plot")
            self.window.alarms.notify("setup-plot", f"The intensity plot is not available ({exc}); "
                                      "everything else works.", Priority.LOW)
        self.mark("plots-ready")
        if not self._open_log():
            QApplication.quit()
            return
        from neurotimer.safety.interlock import Interlock

        # Built before anything it depends on, so it refuses every output until each part is up and answering.
        self.interlock = Interlock(self.clock)
        build_in_order(
            (
                # Without the safety checks the stimulator must not be offered at all.
                Step(self._build_points, "the point catalogue and charts", needed_by_the_rest=True),
                Step(self._build_stimulator, "the stimulator"),
                Step(self._build_record_panel, "the session record panel"),
                Step(self._build_history, "the course history"),
            ),
            self._report_setup_failure,
        )
        self._remind_forgotten_needles()
        self.mark("ready")

    def _build_alarm_outputs(self) -> None:
        """The alarms' sounds and, when the window is not in front, a tray notification naming the alarm."""
        from neurotimer.gui.shell.alarm_sound import AlarmSound
        from neurotimer.gui.shell.alarm_tray import AlarmTray

        w = self.window
        self.alarm_sound = AlarmSound(w.alarms.model, self.clock, resource("sounds"), parent=w)
        self.alarm_sound.fallbackUsed.connect(w.show_sound_note)
        self.alarm_tray = AlarmTray(w.alarms.model, w)

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

    def _report_setup_failure(self, step: Step, exc: Exception) -> None:
        self.window.alarms.raise_alarm(
            step.key,
            f"neurotimer could not set up {step.what} ({type(exc).__name__}: {exc}). The timer works; "
            "stimulation stays off. Reinstall neurotimer or report this.", Priority.HIGH)
        self.interlock.fail(step.key, f"neurotimer could not set up {step.what}.")

    def _on_session_state(self, state: SessionState) -> None:
        minutes = round(self.sessions.session.planned_seconds / 60)
        if state is SessionState.RUNNING and worth_remembering(minutes):  # a 1-minute trial is not
            self.settings.planned_minutes = minutes

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
        return self.args.db if self.args.db is not None else paths.default_db_path()

    def _read_only(self, note: str) -> None:
        """A log this window cannot write: nothing may start that could not be recorded."""
        self.window.alarms.raise_alarm("log-readonly", note, Priority.MEDIUM)
        self.window.patient_button.setEnabled(False)
        self.sessions.block_start(f"No session starts in this window: {note}")

    def _open_log(self) -> bool:
        """Opens the session log (read-only when it must be); False when the practitioner chose to quit."""
        # The storage layer loads after the first paint: the clock must show first.
        from neurotimer.gui.record.patient_dialog import describe
        from neurotimer.gui.record.presenter import RecordPresenter
        from neurotimer.gui.shell.open_log import open_session_log
        from neurotimer.storage.recorder import Recorder

        w = self.window
        opened = open_session_log(self._db_path(), self.clock, ask_with(w), pick_file_with(w))
        if opened is None:
            return False
        self.store, self._log_lock = opened.store, opened.lock
        store = opened.store
        review = QAction("&Review sessions…", w)
        review.setShortcut(QKeySequence(key_for("review")))
        review.triggered.connect(self.open_review)
        w.view_menu.addAction(review)
        if not opened.writable:
            self._read_only(opened.read_only_note)
            return True
        for recovered in opened.recovered:
            w.alarms.notify(f"recovered-{recovered.session_id}", recovered.message(), Priority.MEDIUM)
        recorder = Recorder(
            store, self.clock,
            # Log not writable is a high alarm that lasts until a write succeeds again.
            on_alarm=lambda text: w.alarms.raise_alarm("log-write", text, Priority.HIGH),
            on_recovered=lambda: w.alarms.clear("log-write"),
        )
        practitioners = store.list_practitioners()
        self.records = RecordPresenter(store, recorder, self.sessions, self.plans,
                                       practitioner_id=practitioners[0].id if practitioners else None)
        records = self.records
        w.alarms.raised.connect(
            lambda key, text, priority: records.record("alarm.raised", {"key": key, "text": text,
                                                                        "priority": priority}))
        w.alarms.acknowledged.connect(
            lambda key: records.record("alarm.acknowledged", {"key": key, "by": self._practitioner_name()}))
        w.alarms.cleared.connect(lambda key: records.record("alarm.cleared", {"key": key}))
        self.records.patientChanged.connect(
            lambda p: w.set_patient_text(describe(p, cautions=False), p.cautions) if p is not None
            else w.set_patient_text("unassigned"))
        self.records.refused.connect(lambda text: w.alarms.notify("record", text, Priority.MEDIUM))
        w.choosePatientRequested.connect(self.choose_patient)
        return True

    def open_review(self) -> None:
        """The review window beside the chair window (never modal), on the same log."""
        from neurotimer.gui.review.launch import build_review_window

        if self.review is None:
            self.review = build_review_window(self.store, self.catalogue_source, clock=self.clock)
            if self.records is not None:
                self.sessions.stateChanged.connect(lambda state: state.is_closed and self.review.refresh())
        elif self.review.model is None and self.review.store is None:
            self.review.set_store(self.store)
        self.review.show()
        self.review.raise_()
        self.review.activateWindow()

    def _build_points(self) -> None:
        """The point picker, body chart and channel pairing, tied to each other and to the record."""
        from neurotimer.gui.plan.body_chart_panel import BodyChartPanel
        from neurotimer.gui.plan.needle_pairs import NeedlePairsWidget
        from neurotimer.gui.plan.point_picker import PointPicker
        from neurotimer.plan.template_store import TemplateLibrary
        from neurotimer.points import CatalogueSource
        from neurotimer.safety.verdict import Acknowledgements

        w = self.window
        # A practitioner's own edited copy in the app data folder wins while it is valid.
        data = self._data_dir()
        user_points, user_nerves = data / "points.json", data / "nerves.json"
        source = CatalogueSource(user_points=user_points if user_points.exists() else None,
                                 user_nerves=user_nerves if user_nerves.exists() else None)
        problem = source.load()
        if problem:
            w.alarms.notify("catalogue", problem, Priority.MEDIUM)
        self.catalogue_source = source
        records = self.records
        templates = TemplateLibrary(self._data_dir() / "templates")
        self.picker = PointPicker(self.plans, source.catalogue, templates, confirm=confirm_with(w),
                                  replace_or_add=replace_or_add_with(w),
                                  last_points=records.last_points if records else None)
        self.pairing = NeedlePairsWidget(
            self.plans, Acknowledgements(self.clock, practitioner=self._practitioner_name()))
        self.chart = BodyChartPanel(source.catalogue, source.nerves)
        self.chart.pointClicked.connect(self.picker.select_point)
        self.plans.pointsChanged.connect(lambda plan: self.chart.set_selected(plan.point_sides()))
        large_chart = QAction("Large &body chart", w)
        large_chart.triggered.connect(self.open_large_chart)
        w.view_menu.addAction(large_chart)
        larger = QPushButton("Larger…")
        larger.setToolTip("Open the body chart in a window of its own, as tall as the screen")
        larger.clicked.connect(self.open_large_chart)
        self.chart.bar.addWidget(larger)
        w.add_tab("Points", self.picker)
        w.add_tab("Body chart", self.chart)
        w.add_tab("Channel pairs", self.pairing)
        if records is not None:
            self.pairing.acknowledged.connect(lambda p: records.record(p["kind"], p))
            self.pairing.overrideGiven.connect(lambda p: records.record(p["kind"], p))
            records.patientChanged.connect(self._on_patient_changed)
            self.sessions.stateChanged.connect(
                lambda state: state.is_closed and setattr(self, "_plan_at_close", self.plans.plan()))
        self.sessions.sessionCreated.connect(
            lambda _s: self.pairing.set_acknowledgements(
                Acknowledgements(self.clock, practitioner=self._practitioner_name())))

    def open_large_chart(self) -> None:
        """The body chart in a window of its own, as tall as the screen, tied to the same plan."""
        from neurotimer.gui.plan.body_chart_panel import BodyChartPanel

        if self.large_chart is None:
            source = self.catalogue_source
            panel = BodyChartPanel(source.catalogue, source.nerves)
            panel.setWindowFlag(Qt.WindowType.Window)
            panel.setWindowTitle("neurotimer: body chart")
            panel.pointClicked.connect(self.picker.select_point)
            self.plans.pointsChanged.connect(lambda plan: panel.set_selected(plan.point_sides()))
            self.large_chart = panel
        self.large_chart.set_selected(self.plans.plan().point_sides())
        screen = self.window.screen().availableGeometry()
        self.large_chart.resize(min(760, screen.width()), screen.height() - 40)
        self.large_chart.show()
        self.large_chart.raise_()

    def _build_stimulator(self) -> None:
        """The stimulator: its own thread, the connection and channel panels, alarms, record and safety gate."""
        from neurotimer.gui.stimulator.controller import StimulatorController
        from neurotimer.gui.stimulator.device_panel import StimulatorPanel
        from neurotimer.gui.stimulator.guard import StimulationGuard
        from neurotimer.gui.stimulator.output_panel import ChannelsPanel
        from neurotimer.gui.stimulator.status_record import StatusRecord
        from neurotimer.gui.stimulator.stimulation_record import StimulationRecord
        from neurotimer.stimulator.transport import list_serial_ports

        w = self.window
        stim = StimulatorController(self.clock, interlock=self.interlock, parent=None)
        self.stim = stim
        w.add_side_panel(StimulatorPanel(stim, list_ports=list_serial_ports))
        channels = ChannelsPanel(stim)
        w.add_side_panel(channels)
        w.emergencyStopRequested.connect(stim.emergency_stop)
        # Device events that are over once reported (the device has already switched off) go on acknowledge;
        # every other stimulator alarm lasts until the controller clears its key.
        stim.alarm.connect(lambda key, text: w.alarms.raise_alarm(
            key, text, Priority.HIGH, lasting=not key.startswith(ONE_OFF_STIMULATOR_ALARMS)))
        stim.alarmCleared.connect(w.alarms.clear)
        stim.refused.connect(lambda text: w.alarms.notify("stimulator.refused", text, Priority.MEDIUM))
        stim.emergencyStopConfirmed.connect(
            lambda: w.alarms.notify("emergency-stop", "All outputs stopped at "
                                    f"{self.clock.wall().astimezone():%H:%M:%S}", Priority.LOW))
        stim.deviceConnected.connect(lambda info: self.pairing.set_channel_count(info.channels))
        self._connect_plot(stim)
        self.guard = StimulationGuard(stim, self.pairing, self.sessions, self.plans)
        self.picker.waveformSuggested.connect(
            lambda waveform: w.alarms.notify("template-waveform", self.guard.apply_waveform(waveform),
                                             Priority.LOW))
        self._wire_keep_past_end(channels)
        if self.records is not None:
            self.stim_record = StimulationRecord(stim, self.records, self.sessions)
            # The device's readings, sparingly, so a past session's delivered current can be replayed.
            self.status_record = StatusRecord(stim.statusChanged, self.records.record, self.clock)
            w.emergencyStopRequested.connect(self.stim_record.on_emergency_stop)
        # The last stimulator that connected is the next start's default; --device and --demo override it.
        stim.commanded.connect(self._on_stimulator_commanded)
        stim.deviceConnected.connect(self._on_stimulator_connected)
        remembered = None if self.args.demo else self.settings.device_url
        stim.connect_device(self.args.device or remembered or "sim:")

    def _on_stimulator_commanded(self, name: str, args: tuple) -> None:
        if name == "connect":
            self._requested_device = args[0]

    def _on_stimulator_connected(self, _info: DeviceInfo) -> None:
        if self._requested_device:
            self.settings.device_url = self._requested_device

    def _wire_keep_past_end(self, channels) -> None:
        """"Keep stimulating past the end": chosen in the channels column, fed to the interlock, recorded."""
        guard, w = self.guard, self.window

        def requested(keep: bool) -> None:
            refusal = guard.choose_keep_past_end(keep)
            if refusal:
                w.alarms.notify("keep-past-end", refusal, Priority.MEDIUM)
                channels.show_keep_past_end(guard.keep_past_end)

        channels.keepPastEndRequested.connect(requested)
        guard.keepPastEndChanged.connect(lambda keep, _at: channels.show_keep_past_end(keep))
        guard.keepPastEndAvailable.connect(channels.allow_keep_past_end)
        if self.records is not None:
            records = self.records
            guard.keepPastEndChanged.connect(
                lambda keep, at: at and records.record("stimulation.keep_past_end", {"keep": keep, "at": at}))
        channels.allow_keep_past_end(False)

    def _build_plot(self) -> None:
        """The live intensity plot: measured and target current of every channel over the session."""
        from neurotimer.gui.stimulator.intensity_plot import IntensityPlot

        plot = IntensityPlot(self.clock)
        self.sessions.sessionEvent.connect(plot.on_session_event)
        self.sessions.sessionCreated.connect(plot.on_session_created)
        self.window.add_tab("Intensity", plot, keep_last=True)
        self.plot = plot

    def _connect_plot(self, stim) -> None:
        if self.plot is None:
            return
        stim.deviceConnected.connect(self.plot.on_device_connected)
        stim.statusChanged.connect(self.plot.on_status)
        stim.stimEvent.connect(self.plot.on_stim_event)

    def _build_record_panel(self) -> None:
        """What the practitioner notes at the chair: needling details, scores, needles in and out, side effects."""
        from neurotimer.gui.record.record_panel import SessionRecordPanel, follow_sessions

        records, w = self.records, self.window
        if records is None:
            return
        panel = SessionRecordPanel(records.record, records.record_score, records.record_adverse_event)
        follow_sessions(panel, self.sessions, records)
        self.plans.pointsChanged.connect(lambda plan: panel.set_planned_needles(plan.needle_count))
        panel.problem.connect(lambda text: w.alarms.raise_alarm("record-entry", text, Priority.MEDIUM)
                              if text else w.alarms.clear("record-entry"))
        panel.needlesChanged.connect(lambda ok, _text: ok and w.alarms.clear("end-blocked"))
        w.set_end_guard(panel.can_close)
        w.quitWithNeedlesIn.connect(self._on_quit_with_needles_in)
        # The record is long (six symptoms, details, needles, side effects): it scrolls in its tab rather than
        # making the window taller than a 1366×768 screen.
        page = QScrollArea()
        page.setWidget(panel)
        page.setWidgetResizable(True)
        page.setFrameShape(QFrame.Shape.NoFrame)
        page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        w.endBlocked.connect(lambda _why: w.tabs.setCurrentWidget(page))
        w.add_tab("Session record", page)
        self.record_panel = panel

    def _on_quit_with_needles_in(self, why: str) -> None:
        # Recorded in the session before Quit ends it, and kept for the next start's reminder.
        if self.records is not None:
            self.records.record("session.quit_with_needles_in", {"why": why})
        self.settings.needles_not_counted = f"{self.clock.wall().astimezone():%d %b %Y %H:%M}|{why}"

    def _build_history(self) -> None:
        """The chosen patient's course: scores against baseline, and every session with its record."""
        from neurotimer.gui.history.panel import HistoryPanel

        if self.store is None:
            return
        history = HistoryPanel(self.store)
        if self.records is not None:
            self.records.patientChanged.connect(history.set_patient)
        self.sessions.stateChanged.connect(history.on_state_changed)
        self.window.add_tab("History", history)
        self.history = history

    def _on_patient_changed(self, patient) -> None:
        from neurotimer.plan.plan import Plan
        from neurotimer.safety.screening import Screening
        from neurotimer.safety.verdict import Acknowledgements

        if patient is None and self.plans.plan() is self._plan_at_close:
            # The last patient's session is over and the next one begins unassigned: it starts clean, with none
            # of the last patient's points, pairs, needling details or symptoms ("Same as last session" loads
            # them on purpose). Points picked after the end were picked for the next patient: they stay.
            self.plans.load(Plan())
            if getattr(self, "record_panel", None) is not None:
                self.record_panel.new_patient()
        self.picker.set_patient(patient.id if patient else None)
        # Acknowledgements and overrides belong to one patient: a new patient is checked afresh.
        self.pairing.set_acknowledgements(Acknowledgements(self.clock, practitioner=self._practitioner_name()))
        try:
            self.pairing.set_screening(Screening.from_dict(patient.screening) if patient else Screening())
            self.window.alarms.clear("screening")
        except ValueError as exc:
            self.window.alarms.raise_alarm("screening", f"The patient's screening cannot be read: {exc}",
                                           Priority.HIGH)

    def _practitioner_name(self) -> str:
        if self.store is None:
            return ""
        practitioners = self.store.list_practitioners()
        return practitioners[0].name if practitioners else ""

    def on_patient_chosen(self, patient) -> None:
        """A patient chosen in the dialog; moving a running session to another person is asked first."""
        records = self.records
        if records is None:
            return
        current = records.patient
        if self.sessions.session.state.is_active and current is not None and current.id != patient.id:
            question = (f"This session is running for {current.code}. Move it to {patient.code}? "
                        "The change is written in the session's record.")
            if not self._confirm("Change the patient of this session?", question):
                return
        records.choose_patient(patient)

    def choose_patient(self) -> None:
        from neurotimer.gui.record.patient_dialog import PatientDialog

        if self.store is None or self.records is None:
            return
        dialog = PatientDialog(self.store, self.window)
        dialog.patientChosen.connect(self.on_patient_chosen)
        # Not modal: the timer, the channels and the STOP button stay usable while it is open.
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def shutdown(self) -> None:
        if self.stim is not None:
            # Every output off, the link closed and the device thread stopped before anything else.
            self.stim.shutdown()
            self.stim = None
        if self.records is not None:
            self.records.recorder.flush()
            self.records.close()
            self.records = None
        if self.review is not None:
            self.review.close()
            self.review = None
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


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
    app = App(args, SystemClock())
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
    store, message = open_for_review(args.db if args.db is not None else paths.default_db_path())
    window = build_review_window(store, load_catalogue(), message)
    screen = qapp.primaryScreen().availableGeometry()
    window.resize(min(screen.width(), 1366), min(screen.height(), 768))
    window.show()
    return qapp.exec()


def _prefetch_plotting() -> None:
    try:
        import pyqtgraph  # noqa: F401
    except Exception:  # the plot reports its own failure when it is built; this thread only saves time
        log.warning("pyqtgraph could not be loaded in advance", exc_info=True)


def _probe(app: App) -> None:
    """For the start-up benchmark: wall times of the first paint, the plot and everything ready, then quit."""

    def mark(name: str) -> None:
        sys.stdout.write(f"{name} {time.time():.6f}\n")
        sys.stdout.flush()

    mark("first-paint")
    app.mark = mark
    app.finish_start()
    QTimer.singleShot(0, QApplication.quit)
