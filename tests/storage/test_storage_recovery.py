"""At start-up, sessions a crash left open are closed as interrupted with what the log proves."""

from __future__ import annotations

from storage_helpers import run_session, wait

from neurotimer.storage.recovery import recover_interrupted
from neurotimer.storage.store import open_store
from neurotimer.storage.verify import verify_store


def _crash_during(log_location, clock, pause: bool):
    store = open_store(log_location, clock=clock, daily_backup=False)
    patient = store.create_patient("P-0042", "Test Person", 1950)
    store.create_course(patient, "Neuropathy", 8, 2)
    run_session(store, clock, patient_id=patient)
    session_id, session, recorder = run_session(store, clock, patient_id=patient, minutes=30, end=False)
    wait(clock, session, 100, recorder)
    if pause:
        session.pause()
    treatment = session.treatment_seconds
    wait(clock, session, 0.4)  # ticks without progress calls: the last second is not proven
    store.close()  # the app dies here
    return session_id, treatment


def test_running_session_is_closed_as_interrupted_with_committed_time(log_location, clock) -> None:
    session_id, treatment = _crash_during(log_location, clock, pause=False)
    clock.advance(3600)
    store = open_store(log_location, clock=clock, daily_backup=False)
    found = recover_interrupted(store)
    assert [(r.session_id, r.patient_code, r.number) for r in found] == [(session_id, "P-0042", 2)]
    summary = store.get_session(session_id).summary
    assert summary.state == "interrupted"
    assert treatment - 1.0 <= summary.treatment_seconds <= treatment
    assert summary.ended_at is None, "the end time is not known, so it is not written"
    last = store.session_events(session_id)[-1]
    assert last["kind"] == "session.interrupted"
    assert last["data"]["treatment_seconds"] == summary.treatment_seconds
    assert "P-0042" in found[0].message() and "session 2" in found[0].message()
    assert verify_store(store).ok
    assert recover_interrupted(store) == []
    store.close()


def test_paused_session_keeps_the_time_at_its_pause(log_location, clock) -> None:
    session_id, treatment = _crash_during(log_location, clock, pause=True)
    store = open_store(log_location, clock=clock, daily_backup=False)
    recover_interrupted(store)
    assert store.get_session(session_id).summary.treatment_seconds == round(treatment, 3)
    store.close()


def test_session_with_no_progress_yet_is_recorded_with_zero(log_location, clock) -> None:
    store = open_store(log_location, clock=clock, daily_backup=False)
    session_id, _, _ = run_session(store, clock, settings=0, end=False)
    store.close()
    store = open_store(log_location, clock=clock, daily_backup=False)
    found = recover_interrupted(store)
    assert found[0].treatment_seconds == 0.0
    assert "an unassigned patient" in found[0].message()
    assert store.get_session(session_id).summary.state == "interrupted"
    store.close()
