"""The one factory of chairs: each chair's session, plan, view and alarms, then its record, plan widgets,
stimulator (its own thread, interlock and gatekeeper), record panel and history."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neurotimer.gui.board.chair import Chair
from neurotimer.gui.board.chair_alarms import ChairAlarms
from neurotimer.gui.plan.plan_model import PlanModel
from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.shell.alarm_banner import Priority
from neurotimer.gui.shell.chair_view import ChairView
from neurotimer.session.clock import Clock

log = logging.getLogger(__name__)

# Stimulator alarms for an event that is over once reported: the device has already switched the output off.
ONE_OFF_STIMULATOR_ALARMS = ("stimulator.over_current", "stimulator.watchdog_expired", "stimulator.device_error",
                             "stimulator.stop-unreached", "interlock.")


@dataclass
class Shared:
    """What every chair is built with: the one log and its one writer, the catalogue, the window's services."""

    store: Any = None  # Store, or None when the log could not be opened
    recorder: Any = None  # the log's one Recorder (each chair writes through its own lane); None when read-only
    catalogue: Any = None  # CatalogueSource
    templates_dir: Path | None = None
    practitioner_id: int | None = None
    practitioner: Callable[[], str] = lambda: ""
    list_ports: Callable[[], list] = field(default=lambda: [])
    open_large_chart: Callable[[], None] | None = None


class ChairFactory:
    """Builds chairs: the cheap parts (clock, plan, view) with the window, the rest after the first paint.

    With one chair nothing is named (alarm keys and texts as they always were); with several, each chair's
    alarms carry its name and a key prefix of their own, and each chair records through its own lane."""

    def __init__(self, clock: Clock, window, confirm: Callable[[str, str], bool], several: bool) -> None:
        self.clock = clock
        self.window = window
        self.confirm = confirm
        self.several = several
        self._made = 0  # chairs made so far: each one's alarm keys get a prefix never used before

    # -- before the first paint ------------------------------------------------------------------
    def frame(self, index: int, name: str, device_url: str = "sim:") -> Chair:
        """The chair's session, plan, view and alarms. The window's first view is the first chair's."""
        w = self.window
        label = name if self.several else ""
        self._made += 1
        alarms = ChairAlarms(w.alarms, f"chair{self._made}/" if self.several else "", label)
        if index == 0 and w.views:
            view = w.views[0]
            view.alarms, view.name = alarms, label
            sessions = view.presenter
        else:
            sessions = SessionPresenter(self.clock)
            view = ChairView(sessions, alarms, self.confirm, name=label)
            w.add_chair_view(view)
        return Chair(index, name, sessions, PlanModel(), view, alarms, device_url)

    # -- after the first paint -------------------------------------------------------------------
    def build_plot(self, chair: Chair) -> None:
        """The live intensity plot: measured and target current of every channel over the session."""
        from neurotimer.gui.stimulator.intensity_plot import IntensityPlot

        plot = IntensityPlot(self.clock)
        chair.sessions.sessionEvent.connect(plot.on_session_event)
        chair.sessions.sessionCreated.connect(plot.on_session_created)
        chair.view.add_tab("Intensity", plot, keep_last=True)
        chair.plot = plot

    def build_record(self, chair: Chair, shared: Shared) -> None:
        """The interlock, then the chair's record: its own lane into the log's one writer, its alarms in it."""
        from neurotimer.gui.record.patient_dialog import describe
        from neurotimer.gui.record.presenter import RecordPresenter
        from neurotimer.safety.interlock import Interlock

        # Built before anything it depends on, so it refuses every output until each part is up and answering.
        chair.interlock = Interlock(self.clock)
        if shared.recorder is None:
            return
        lane = shared.recorder.lane(chair.name) if self.several else shared.recorder
        records = RecordPresenter(shared.store, lane, chair.sessions, chair.plans,
                                  practitioner_id=shared.practitioner_id)
        chair.records = records
        alarms = chair.alarms
        alarms.raised.connect(lambda key, text, priority: records.record(
            "alarm.raised", {"key": key, "text": text, "priority": priority}))
        alarms.acknowledged.connect(
            lambda key: records.record("alarm.acknowledged", {"key": key, "by": shared.practitioner()}))
        alarms.cleared.connect(lambda key: records.record("alarm.cleared", {"key": key}))
        records.patientChanged.connect(
            lambda p: chair.view.set_patient_text(describe(p, cautions=False), p.cautions) if p is not None
            else chair.view.set_patient_text("unassigned"))
        records.patientChanged.connect(lambda _p: chair.changed.emit())
        records.refused.connect(lambda text: alarms.notify("record", text, Priority.MEDIUM))
        # Storage decided that another workstation closed this chair's session: the practitioner hears it here.
        lane.on_continued = lambda moved: alarms.notify(f"continued-{moved.new_id}", moved.message(), Priority.HIGH)

    def build_points(self, chair: Chair, shared: Shared) -> None:
        """The point picker, body chart and channel pairing, tied to the chair's plan and record."""
        from PySide6.QtWidgets import QPushButton

        from neurotimer.gui.plan.body_chart_panel import BodyChartPanel
        from neurotimer.gui.plan.needle_pairs import NeedlePairsWidget
        from neurotimer.gui.plan.point_picker import PointPicker
        from neurotimer.gui.shell.dialogs import confirm_with, replace_or_add_with
        from neurotimer.plan.template_store import TemplateLibrary
        from neurotimer.safety.verdict import Acknowledgements

        if shared.catalogue is None:
            raise RuntimeError("the point catalogue could not be loaded")
        source, records, view = shared.catalogue, chair.records, chair.view
        templates = TemplateLibrary(shared.templates_dir)
        chair.picker = PointPicker(chair.plans, source.catalogue, templates, confirm=confirm_with(self.window),
                                   replace_or_add=replace_or_add_with(self.window),
                                   last_points=records.last_points if records else None)
        chair.pairing = NeedlePairsWidget(chair.plans, Acknowledgements(self.clock, practitioner=shared.practitioner()))
        chair.chart = BodyChartPanel(source.catalogue, source.nerves)
        chair.chart.pointClicked.connect(chair.picker.select_point)
        chair.plans.pointsChanged.connect(lambda plan: chair.chart.set_selected(plan.point_sides()))
        if shared.open_large_chart is not None:
            larger = QPushButton("Larger…")
            larger.setToolTip("Open the body chart in a window of its own, as tall as the screen")
            larger.clicked.connect(shared.open_large_chart)
            chair.chart.bar.addWidget(larger)
        view.add_tab("Points", chair.picker)
        view.add_tab("Body chart", chair.chart)
        view.add_tab("Needle pairs", chair.pairing)
        if records is not None:
            chair.pairing.acknowledged.connect(lambda p: records.record(p["kind"], p))
            chair.pairing.overrideGiven.connect(lambda p: records.record(p["kind"], p))
            records.patientChanged.connect(lambda patient: self._on_patient_changed(chair, shared, patient))
            chair.sessions.stateChanged.connect(
                lambda state: state.is_closed and setattr(chair, "plan_at_close", chair.plans.plan()))
        chair.sessions.sessionCreated.connect(
            lambda _s: chair.pairing.set_acknowledgements(
                Acknowledgements(self.clock, practitioner=shared.practitioner())))

    def build_stimulator(self, chair: Chair, shared: Shared) -> None:
        """The chair's stimulator: its own thread and link behind its own interlock, its panels, alarms, record.
        The app then connects it (to the device it chooses)."""
        from neurotimer.gui.stimulator.controller import StimulatorController
        from neurotimer.gui.stimulator.device_panel import StimulatorPanel
        from neurotimer.gui.stimulator.guard import StimulationGuard
        from neurotimer.gui.stimulator.output_panel import ChannelsPanel
        from neurotimer.gui.stimulator.status_record import StatusRecord
        from neurotimer.gui.stimulator.stimulation_record import StimulationRecord

        view, alarms = chair.view, chair.alarms
        stim = StimulatorController(self.clock, interlock=chair.interlock, parent=None)
        chair.stim = stim
        if self.several:
            view.add_side_panel(self._chair_stop_button(chair))
        view.add_side_panel(StimulatorPanel(stim, list_ports=shared.list_ports))
        channels = ChannelsPanel(stim)
        chair.channels = channels
        view.add_side_panel(channels)
        # Device events that are over once reported (the device has already switched off) go on acknowledge;
        # every other stimulator alarm lasts until the controller clears its key.
        stim.alarm.connect(lambda key, text: alarms.raise_alarm(
            key, text, Priority.HIGH, lasting=not key.startswith(ONE_OFF_STIMULATOR_ALARMS)))
        stim.alarmCleared.connect(alarms.clear)
        stim.refused.connect(lambda text: alarms.notify("stimulator.refused", text, Priority.MEDIUM))
        stim.deviceConnected.connect(lambda info: chair.pairing.set_channel_count(info.channels))
        stim.statusChanged.connect(lambda _channel, _status: chair.changed.emit())
        if chair.plot is not None:
            stim.deviceConnected.connect(chair.plot.on_device_connected)
            stim.statusChanged.connect(chair.plot.on_status)
            stim.stimEvent.connect(chair.plot.on_stim_event)
        chair.guard = StimulationGuard(stim, chair.pairing, chair.sessions, chair.plans)
        chair.picker.waveformSuggested.connect(
            lambda waveform: alarms.notify("template-waveform", chair.guard.apply_waveform(waveform), Priority.LOW))
        self._wire_keep_past_end(chair, channels)
        if chair.records is not None:
            chair.stim_record = StimulationRecord(stim, chair.records, chair.sessions)
            # The device's readings, sparingly, so a past session's delivered current can be replayed.
            chair.status_record = StatusRecord(stim.statusChanged, chair.records.record, self.clock)

    def _chair_stop_button(self, chair: Chair):
        """With several chairs, each chair's own stop: its outputs only (Escape stops every chair's). The app
        wires its click."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QPushButton

        button = QPushButton(f"Stop {chair.name}'s outputs")
        button.setObjectName("stop")
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setToolTip("Every output of this chair off at once; Escape stops every chair's")
        chair.stop_button = button
        return button

    def _wire_keep_past_end(self, chair: Chair, channels) -> None:
        """"Keep stimulating past the end": chosen in the channels column, fed to the interlock, recorded."""
        guard = chair.guard

        def requested(keep: bool) -> None:
            refusal = guard.choose_keep_past_end(keep)
            if refusal:
                chair.alarms.notify("keep-past-end", refusal, Priority.MEDIUM)
                channels.show_keep_past_end(guard.keep_past_end)

        channels.keepPastEndRequested.connect(requested)
        guard.keepPastEndChanged.connect(lambda keep, _at: channels.show_keep_past_end(keep))
        guard.keepPastEndAvailable.connect(channels.allow_keep_past_end)
        if chair.records is not None:
            records = chair.records
            guard.keepPastEndChanged.connect(
                lambda keep, at: at and records.record("stimulation.keep_past_end", {"keep": keep, "at": at}))
        channels.allow_keep_past_end(guard.may_choose_keep())

    def build_record_panel(self, chair: Chair, shared: Shared) -> None:
        """What the practitioner notes at the chair: needling details, scores, needles in and out, side effects."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QFrame, QScrollArea

        from neurotimer.gui.record.record_panel import SessionRecordPanel, follow_sessions

        records, view, alarms = chair.records, chair.view, chair.alarms
        if records is None:
            return
        panel = SessionRecordPanel(records.record, records.record_score, records.record_adverse_event)
        follow_sessions(panel, chair.sessions, records)
        chair.plans.pointsChanged.connect(lambda plan: panel.set_planned_needles(plan.needle_count))
        panel.problem.connect(lambda text: alarms.raise_alarm("record-entry", text, Priority.MEDIUM)
                              if text else alarms.clear("record-entry"))
        panel.needlesChanged.connect(lambda ok, _text: ok and alarms.clear("end-blocked"))
        view.set_end_guard(panel.can_close)
        # The record is long (six symptoms, details, needles, side effects): it scrolls in its tab rather than
        # making the window taller than a 1366×768 screen.
        page = QScrollArea()
        page.setWidget(panel)
        page.setWidgetResizable(True)
        page.setFrameShape(QFrame.Shape.NoFrame)
        page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.endBlocked.connect(lambda _why: view.tabs.setCurrentWidget(page))
        view.add_tab("Session record", page)
        chair.record_panel = panel

    def build_history(self, chair: Chair, shared: Shared) -> None:
        """The chosen patient's course: scores against baseline, and every session with its record."""
        from neurotimer.gui.history.panel import HistoryPanel

        if shared.store is None:
            return
        history = HistoryPanel(shared.store)
        if chair.records is not None:
            chair.records.patientChanged.connect(history.set_patient)
        chair.sessions.stateChanged.connect(history.on_state_changed)
        chair.view.add_tab("History", history)
        chair.history = history

    # -- the patient -----------------------------------------------------------------------------
    def _on_patient_changed(self, chair: Chair, shared: Shared, patient) -> None:
        from neurotimer.plan.plan import Plan
        from neurotimer.safety.screening import Screening
        from neurotimer.safety.verdict import Acknowledgements

        if patient is None and chair.plans.plan() is chair.plan_at_close:
            # The last patient's session is over and the next one begins unassigned: it starts clean, with none
            # of the last patient's points, pairs, needling details or symptoms ("Same as last session" loads
            # them on purpose). Points picked after the end were picked for the next patient: they stay.
            chair.plans.load(Plan())
            if chair.record_panel is not None:
                chair.record_panel.new_patient()
        chair.picker.set_patient(patient.id if patient else None)
        # Acknowledgements and overrides belong to one patient: a new patient is checked afresh.
        chair.pairing.set_acknowledgements(Acknowledgements(self.clock, practitioner=shared.practitioner()))
        try:
            chair.pairing.set_screening(Screening.from_dict(patient.screening) if patient else Screening())
            chair.alarms.clear("screening")
        except ValueError as exc:
            chair.alarms.raise_alarm("screening", f"The patient's screening cannot be read: {exc}", Priority.HIGH)

    def choose_patient(self, chair: Chair, patient) -> None:
        """A patient chosen for this chair; moving a running session to another person is asked first."""
        records = chair.records
        if records is None:
            return
        current = records.patient
        if chair.sessions.session.state.is_active and current is not None and current.id != patient.id:
            where = f"{chair.name}: this" if self.several else "This"
            question = (f"{where} session is running for {current.code}. Move it to {patient.code}? "
                        "The change is written in the session's record.")
            if not self.confirm("Change the patient of this session?", question):
                return
        records.choose_patient(patient)
