"""The wired app offscreen: a session at the chair ends up in the log, with its patient."""

from __future__ import annotations

import argparse
import sqlite3

import pytest
from PySide6.QtCore import Qt

from neurotimer.app import App
from neurotimer.session.clock import ManualClock
from neurotimer.session.session import SessionState


def make_args(db, demo=False) -> argparse.Namespace:
    return argparse.Namespace(demo=demo, db=db, device=None, startup_probe=False, command=None)


@pytest.fixture
def app(qtbot, tmp_path, clock: ManualClock):
    chimes: list[int] = []
    a = App(make_args(tmp_path / "log.sqlite3"), clock, chime=lambda: chimes.append(1), confirm=lambda t, x: True)
    a.chimes = chimes
    qtbot.addWidget(a.window)
    a.window.show()
    qtbot.waitExposed(a.window)
    a.finish_start()
    yield a
    a.shutdown()


def test_a_session_is_logged_with_its_patient_and_treatment_time(app: App, clock, tmp_path) -> None:
    patient_id = app.store.create_patient("P-0100", name="Test Person", birth_year=1955)
    app.records.choose_patient(app.store.get_patient(patient_id))
    assert "P-0100" in app.window.patient_label.text()
    app.sessions.set_planned_minutes(1)
    app.sessions.start()
    clock.advance(61)
    app.sessions.tick()
    assert app.chimes == [1, 1], "halfway and planned end each chime once"
    app.sessions.end()
    session = app.store.newest_sessions(1)[0]
    assert session.state == "completed"
    record = app.store.get_session(session.id)
    assert record.summary.patient_code == "P-0100"
    kinds = [e["kind"] for e in app.store.session_events(session.id)]
    assert kinds.index("session.assigned") < kinds.index("session.started") < kinds.index("session.ended")
    assert kinds.count("session.milestone") == 2


def test_progress_is_committed_while_running_so_a_crash_loses_at_most_a_second(app: App, clock, tmp_path) -> None:
    app.sessions.start()
    for _ in range(10):
        clock.advance(1.0)
        app.sessions.tick()
    other = sqlite3.connect(tmp_path / "log.sqlite3")
    treatment = other.execute("SELECT treatment_seconds FROM session_progress").fetchone()[0]
    other.close()
    assert treatment >= 9.0


def test_a_session_left_running_is_reported_at_the_next_start(qtbot, tmp_path, clock) -> None:
    first = App(make_args(tmp_path / "log.sqlite3"), clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(first.window)
    first.finish_start()
    first.sessions.start()
    clock.advance(125)
    first.sessions.tick()
    first.store.close()  # the process dies: no end, no flush, and its lock goes with it
    first.records.close()
    first._log_lock.unlock()
    first.stim.shutdown()
    second = App(make_args(tmp_path / "log.sqlite3"), clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(second.window)
    second.finish_start()
    texts = [a.text for a in second.window.alarms.active()]
    assert any("interrupted" in t and "2 min 05 s" in t for t in texts)
    assert second.store.newest_sessions(1)[0].state == "interrupted"
    second.shutdown()


def test_a_file_that_is_not_a_log_is_left_untouched(qtbot, tmp_path, clock, monkeypatch) -> None:
    bad = tmp_path / "notes.sqlite3"
    bad.write_bytes(b"these are my private notes, not a database" * 10)
    before = bad.read_bytes()
    asked: list[str] = []

    def ask_quit(parent):
        def ask(text, choices):
            asked.append(text)
            return choices[-1]
        return ask

    monkeypatch.setattr("neurotimer.app.ask_with", ask_quit)
    a = App(make_args(bad), clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(a.window)
    assert a._open_log() is False
    assert asked and "not changed" in asked[0]
    assert bad.read_bytes() == before


def test_assignment_after_the_start_is_recorded(app: App, clock) -> None:
    app.sessions.start()
    clock.advance(30)
    patient_id = app.store.create_patient("P-0200")
    app.records.choose_patient(app.store.get_patient(patient_id))
    app.sessions.end()
    session = app.store.newest_sessions(1)[0]
    assert session.patient_code == "P-0200"


def test_a_new_session_starts_unassigned(app: App) -> None:
    patient_id = app.store.create_patient("P-0300")
    app.records.choose_patient(app.store.get_patient(patient_id))
    app.sessions.start()
    app.sessions.end()
    app.sessions.start()  # prepares the next one
    assert app.sessions.session.state is SessionState.PLANNED
    assert app.window.patient_label.text() == "Patient: unassigned"


def test_output_stays_off_until_the_channel_pairs_pass_the_safety_checks(qtbot, app: App) -> None:
    stim = app.stim
    if stim.info is None:
        with qtbot.waitSignal(stim.deviceConnected, timeout=5000):
            pass
    sent: list[str] = []  # what reached the device and switched on
    stim.stimEvent.connect(lambda event: sent.append(event.kind.value))

    def refused_with(start: str):
        # The refusal comes back from the stimulator thread, where the interlock judges the command.
        with qtbot.waitSignal(stim.refused, timeout=10000) as refusal:
            stim.output_on(1)
        assert refusal.args[0].startswith(start), refusal.args[0]

    refused_with("Channel 1 stays off: start the session first")
    app.sessions.start()
    refused_with("Channel 1 stays off: it has no pair of needles")
    app.picker.load_selected_template()  # Dimitrova 2017: KI3–KI1 and ST41–LR3 on each side
    patient_id = app.store.create_patient("P-0400", screening={"reduced_sensation": True})
    app.records.choose_patient(app.store.get_patient(patient_id))
    refused_with("Channel 1 stays off. Output blocked: 1 warning to acknowledge")
    for row in app.pairing.finding_rows():  # the practitioner reads and acknowledges the warning
        if row.button is not None:
            row.button.click()
    allowed, findings = app.pairing.can_start_output()
    assert allowed, [f.message for f in findings]
    assert "output_on" not in sent
    with qtbot.waitSignal(stim.stimEvent, timeout=5000, check_params_cb=lambda e: e.kind.value == "output_on"):
        stim.output_on(1)
    assert "output_on" in sent
    app.sessions.end()
    session = app.store.newest_sessions(1)[0]
    kinds = [e["kind"] for e in app.store.session_events(session.id)]
    assert "stim.command" in kinds
    assert "stim.output_on" in kinds
    assert "plan.saved" in kinds
    assert "safety.acknowledged" in kinds
    record = app.store.get_session(session.id)
    assert len(record.points) >= 10


def test_escape_stops_every_output_and_is_recorded(qtbot, app: App) -> None:
    stim = app.stim
    if stim.info is None:
        with qtbot.waitSignal(stim.deviceConnected, timeout=5000):
            pass
    app.picker.load_selected_template()
    app.sessions.start()
    with qtbot.waitSignal(stim.stimEvent, timeout=5000, check_params_cb=lambda e: e.kind.value == "output_on"):
        stim.output_on(2)
    with qtbot.waitSignal(stim.emergencyStopConfirmed, timeout=3000):
        qtbot.keyClick(app.window, Qt.Key.Key_Escape)
    assert stim.last_status(2) is None or not stim.last_status(2).output
    app.sessions.end()
    kinds = [e["kind"] for e in app.store.session_events(app.store.newest_sessions(1)[0].id)]
    assert "stim.emergency_stop" in kinds


def test_large_chart_window_follows_the_plan_and_adds_clicked_points(qtbot, app: App) -> None:
    app.open_large_chart()
    chart = app.large_chart
    qtbot.waitExposed(chart)
    assert chart.isWindow() and chart.height() > 300
    with qtbot.waitSignal(app.plans.pointsChanged, timeout=2000):
        chart.pointClicked.emit("ST36", "L")
    assert ("ST36", "L") in app.plans.plan().point_sides()
    chart.close()


def test_alt_number_opens_the_tabs_in_order(qtbot, app: App) -> None:
    qtbot.keyClick(app.window, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert app.window.tabs.tabText(app.window.tabs.currentIndex()) == "Needle pairs"


def test_the_planned_time_and_the_stimulator_are_remembered_for_the_next_start(qtbot, app: App, tmp_path,
                                                                               clock) -> None:
    app.sessions.set_planned_minutes(45)
    app.sessions.start()
    if app.stim.info is None:
        with qtbot.waitSignal(app.stim.deviceConnected, timeout=5000):
            pass
    app.sessions.end()
    app.shutdown()
    again = App(make_args(tmp_path / "log.sqlite3"), clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(again.window)
    again.finish_start()
    assert again.sessions.session.planned_seconds == 45 * 60
    assert again.settings.device_url == "sim:"
    again.shutdown()


def test_history_tab_shows_the_chosen_patients_sessions(qtbot, app: App, clock) -> None:
    patient_id = app.store.create_patient("P-0700")
    app.records.choose_patient(app.store.get_patient(patient_id))
    app.sessions.start()
    clock.advance(90)
    app.sessions.end()
    app.window.tabs.setCurrentWidget(app.history)
    assert app.history.isVisible()
    assert app.history.table.rowCount() == 1


def test_every_raise_acknowledge_and_clear_of_an_alarm_is_in_the_session_record(app: App, clock) -> None:
    from neurotimer.gui.shell.alarm_banner import Priority

    app.sessions.start()
    app.window.alarms.raise_alarm("stimulator.lead_off.1", "Lead off on channel 1", Priority.HIGH)
    clock.advance(4)
    app.window.alarms.acknowledge_current()
    clock.advance(6)
    app.window.alarms.clear("stimulator.lead_off.1")
    app.sessions.end()
    session = app.store.newest_sessions(1)[0]
    events = [e for e in app.store.session_events(session.id) if e["kind"].startswith("alarm.")
              and e["data"].get("key") == "stimulator.lead_off.1"]
    assert [e["kind"] for e in events] == ["alarm.raised", "alarm.acknowledged", "alarm.cleared"]
    assert events[0]["data"]["priority"] == "high"


def test_a_one_minute_trial_is_not_the_next_starts_default_but_45_minutes_is(qtbot, tmp_path, clock) -> None:
    def start_app():
        a = App(make_args(tmp_path / "log.sqlite3"), clock, chime=lambda: None, confirm=lambda t, x: True)
        qtbot.addWidget(a.window)
        a.finish_start()
        return a

    first = start_app()
    first.sessions.set_planned_minutes(45)
    first.sessions.start()
    first.sessions.end()
    first.sessions.new_session()
    first.sessions.set_planned_minutes(1)
    first.sessions.start()
    first.sessions.end()
    first.shutdown()
    second = start_app()
    assert second.sessions.session.planned_seconds == 45 * 60
    second.shutdown()


def test_the_next_patient_starts_clean(qtbot, app: App) -> None:
    first = app.store.create_patient("P-0201", name="First")
    second = app.store.create_patient("P-0202", name="Second")
    panel = app.record_panel
    app.records.choose_patient(app.store.get_patient(first))
    app.picker.load_selected_template()
    panel.depth.setText("10–15 mm")
    panel.setting.setEditText("clinic, seated")
    panel.add_symptom("cramps")
    app.sessions.start()
    app.sessions.end()
    assert app.plans.plan().points
    app.records.choose_patient(app.store.get_patient(second))
    assert app.plans.plan().points == () and app.plans.plan().pairs == ()
    assert panel.details() == {"needle_type": "", "depth": "", "response_sought": "", "setting": ""}
    assert "cramps" not in panel.scores.symptoms


def test_points_picked_after_the_end_for_the_next_patient_stay(qtbot, app: App) -> None:
    first = app.store.create_patient("P-0203", name="Third")
    second = app.store.create_patient("P-0204", name="Fourth")
    app.records.choose_patient(app.store.get_patient(first))
    app.picker.select_point("ST36", "left")
    app.sessions.start()
    app.sessions.end()
    app.picker.select_point("SP6", "both")  # picked for the next person, before choosing them
    app.records.choose_patient(app.store.get_patient(second))
    assert [p.code for p in app.plans.plan().points].count("SP6") == 2


def test_start_pressed_before_the_log_is_open_is_refused_then_works_once_it_is(qtbot, tmp_path, clock) -> None:
    # The window paints before the log opens; a session started in that moment would go unrecorded.
    a = App(make_args(tmp_path / "log.sqlite3"), clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(a.window)
    refusals: list[str] = []
    a.sessions.refused.connect(refusals.append)
    a.sessions.start()
    assert a.sessions.session.state is SessionState.PLANNED
    assert refusals and "still opening" in refusals[0]
    a.finish_start()
    try:
        a.sessions.start()
        assert a.sessions.session.state is SessionState.RUNNING
        a.sessions.end()
        assert a.store.newest_sessions(1)[0].state == "ended_early", "the session started after opening is logged"
    finally:
        a.shutdown()
