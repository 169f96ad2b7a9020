"""Keeps the session log in step with the session at the chair: patient, plan, events and progress."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from neurotimer.gui.plan.plan_model import PlanModel
from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.session.session import Session, SessionError
from neurotimer.storage.db import StoreError
from neurotimer.storage.people import Patient
from neurotimer.storage.practitioners import practitioner_code
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.records import (
    ADVERSE_EVENT_RECORDED,
    PLAN_SAVED,
    SCORE_RECORDED,
    adverse_event_payload,
    plan_payload,
    score_payload,
)
from neurotimer.storage.store import Store

log = logging.getLogger(__name__)

# What a person decides or enters at the chair: each event names the practitioner (by code) who did it.
BY_A_PERSON = frozenset({
    "alarm.acknowledged", "safety.acknowledged", "safety.override", SCORE_RECORDED, ADVERSE_EVENT_RECORDED,
    "session.details", "stimulation.keep_past_end", "session.quit_with_needles_in",
})


class RecordPresenter(QObject):
    """Attaches the recorder to each new session and writes what the app adds to the record, every write
    through the recorder, whose queue holds it while the disk fails and writes it once it can."""

    patientChanged = Signal(object)  # Patient | None
    refused = Signal(str)
    sessionLeaving = Signal()  # a new session is about to replace this one: write what is still entered

    def __init__(self, store: Store, recorder: Recorder, sessions: SessionPresenter, plans: PlanModel,
                 practitioner_id: int | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.recorder = recorder
        self._sessions = sessions
        self._plans = plans
        self._practitioner_id = practitioner_id  # who works at the chair; their code goes on BY_A_PERSON events
        self.patient: Patient | None = None
        self._plan_unsaved = False  # the plan model's plan is yet to be saved with the session's row
        self._closed = False
        sessions.sessionCreated.connect(self.on_session_created)
        sessions.updated.connect(self.on_tick)
        sessions.sessionEvent.connect(self.on_session_event)
        plans.changed.connect(self.on_plan_changed)
        self._attach(sessions.session)

    def _attach(self, session: Session) -> None:
        course = self.store.current_course(self.patient.id) if self.patient else None
        self.recorder.attach(
            session,
            patient_id=self.patient.id if self.patient else None,
            course_id=course.id if course else None,
            practitioner_id=self._practitioner_id,
        )

    def set_practitioner(self, practitioner_id: int | None) -> None:
        """Who works from now on: every entry made by a person names them, and so does the next session."""
        self._practitioner_id = practitioner_id

    def on_session_created(self, session: Session) -> None:
        self.sessionLeaving.emit()  # the recorder still follows the session that is leaving
        # A new session starts unassigned: the next person in the chair is rarely the last one.
        if self.patient is not None:
            self.patient = None
            self.patientChanged.emit(None)
        self._attach(session)

    def on_tick(self, _snapshot: object) -> None:
        if self._closed:
            return
        self.recorder.progress()
        self._save_pending_plan()

    def on_session_event(self, event: object) -> None:
        self._save_pending_plan()

    def _save_pending_plan(self) -> None:
        # Once the session row exists, the plan chosen before the start is saved with it (at the latest
        # on the first tick after the start).
        if not self._closed and self._plan_unsaved and self.recorder.session_id is not None:
            self._plan_unsaved = False
            self._save_plan()

    def choose_patient(self, patient: Patient) -> None:
        if self._sessions.session.state.is_closed:
            # End, then Ctrl+P for the next person: the choice is for the next session.
            self._sessions.new_session()
        session = self._sessions.session
        try:
            session.assign(patient.id)
        except SessionError as exc:
            self.refused.emit(str(exc))
            return
        self.patient = patient
        self.patientChanged.emit(patient)

    def close(self) -> None:
        """At quit, after the last flush: late signals (widgets being torn down) are ignored."""
        self._closed = True

    def record(self, kind: str, payload: dict[str, Any] | None = None) -> None:
        if self._closed:
            return
        payload = dict(payload or {})
        if kind in BY_A_PERSON and self._practitioner_id is not None:
            payload.setdefault("practitioner_code", practitioner_code(self._practitioner_id))
        self.recorder.record(kind, payload)

    def on_plan_changed(self, _plan: object) -> None:
        """The points or channel pairs changed; saved now if the session has a row, else at its start."""
        if self._closed:
            return
        if self.recorder.session_id is None or self._sessions.session.state.is_closed:
            self._plan_unsaved = True
            return
        self._save_plan()

    def _save_plan(self) -> None:
        plan = self._plans.plan()
        try:
            payload = plan_payload(plan.point_sides(), plan.store_channels())
        except StoreError as exc:
            log.error("plan not saved: %s", type(exc).__name__)
            self.refused.emit(f"The points and channels could not be saved: {exc}")
            return
        self.record(PLAN_SAVED, payload)

    def record_score(self, symptom: str, value: int, timing: str) -> None:
        """A symptom score for the session the recorder follows; StoreError if it is not a valid score."""
        self.record(SCORE_RECORDED, score_payload(symptom, value, timing))

    def record_adverse_event(self, kind: str, severity: str, notes: str) -> None:
        """An adverse event for the session the recorder follows; StoreError if it is not a valid one."""
        self.record(ADVERSE_EVENT_RECORDED, adverse_event_payload(kind, severity, notes))

    def last_points(self, patient_id: int) -> list[tuple[str, str]]:
        return [tuple(p) for p in self.store.last_session_points(patient_id)]
