"""The wired app keeps stimulation safe: outputs go off when the checks, the session or the patient say so."""

from __future__ import annotations

import argparse

import pytest
from PySide6.QtCore import Qt

from neurotimer.app import App
from neurotimer.session.clock import ManualClock
from neurotimer.session.session import SessionState


def make_args(db) -> argparse.Namespace:
    return argparse.Namespace(demo=False, db=db, device=None, startup_probe=False, command=None)


@pytest.fixture
def app(qtbot, tmp_path, clock: ManualClock):
    a = App(make_args(tmp_path / "log.sqlite3"), clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(a.window)
    a.window.show()
    qtbot.waitExposed(a.window)
    a.finish_start()
    if a.stim.info is None:
        with qtbot.waitSignal(a.stim.deviceConnected, timeout=5000):
            pass
    yield a
    a.shutdown()


def switch_on(qtbot, app: App, channel: int) -> None:
    with qtbot.waitSignal(app.stim.stimEvent, timeout=5000,
                          check_params_cb=lambda e: e.kind.value == "output_on" and e.channel == channel):
        app.stim.output_on(channel)


def wait_all_off(qtbot, app: App) -> None:
    qtbot.waitUntil(lambda: not app.guard.channels_on(), timeout=5000)


@pytest.fixture
def running(qtbot, app: App) -> App:
    app.picker.load_selected_template()
    app.sessions.start()
    switch_on(qtbot, app, 1)
    return app


def test_pausing_switches_every_output_off_without_a_false_alarm(qtbot, running: App) -> None:
    running.sessions.toggle_pause()
    wait_all_off(qtbot, running)
    for _ in range(2):  # two polls after the switch-off: a false alarm would be up by then
        with qtbot.waitSignal(running.stim.statusChanged, timeout=3000):
            pass
    # The practitioner paused: the switch-off is what they asked for, not a fault to be alarmed about.
    assert not [a for a in running.window.alarms.active() if a.key.startswith("interlock.found-on")]


def test_ending_switches_every_output_off(qtbot, running: App) -> None:
    running.sessions.end()
    wait_all_off(qtbot, running)
    assert running.sessions.session.state.is_closed


def test_a_patient_with_a_pacemaker_stops_the_output_at_once(qtbot, running: App) -> None:
    patient_id = running.store.create_patient("P-0500", screening={"implanted_device": True})
    running.records.choose_patient(running.store.get_patient(patient_id))
    wait_all_off(qtbot, running)
    texts = [a.text for a in running.window.alarms.active()]
    assert any(t.startswith("Output switched off on channel 1") for t in texts), texts
    with qtbot.waitSignal(running.stim.refused, timeout=10000) as refusal:
        running.stim.set_current(1, 2.0)
    assert "stays off" in refusal.args[0]


def test_a_channel_without_a_pair_stays_off(qtbot, running: App) -> None:
    kept = tuple(p for p in running.plans.plan().active_pairs if p.channel != 4)
    running.plans.set_pairs(kept)
    with qtbot.waitSignal(running.stim.refused, timeout=10000) as refusal:
        running.stim.output_on(4)
    assert "no pair of needles" in refusal.args[0]


def test_raw_lines_cannot_bypass_the_checks(qtbot, app: App) -> None:
    with qtbot.waitSignal(app.stim.refused, timeout=10000):
        app.stim.command("OUTPut1 ON")


def test_escape_in_the_patient_dialog_still_stops_everything(qtbot, running: App) -> None:
    running.choose_patient()
    from neurotimer.gui.record.patient_dialog import PatientDialog

    dialog = running.window.findChild(PatientDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.activateWindow()
    dialog.search.setFocus()
    with qtbot.waitSignal(running.window.emergencyStopRequested, timeout=2000):
        qtbot.keyClick(dialog.search, Qt.Key.Key_Escape)
    wait_all_off(qtbot, running)


def test_the_plan_chosen_before_the_start_is_saved_on_the_first_tick(app: App, clock) -> None:
    app.picker.load_selected_template()
    app.sessions.start()
    clock.advance(0.2)
    app.sessions.tick()
    session_id = app.records.recorder.session_id
    assert len(app.store.get_session(session_id).points) >= 10


def test_choosing_a_patient_after_the_end_prepares_their_session(app: App) -> None:
    app.sessions.start()
    app.sessions.end()
    patient_id = app.store.create_patient("P-0600")
    app.records.choose_patient(app.store.get_patient(patient_id))
    assert app.sessions.session.state is SessionState.PLANNED
    assert "P-0600" in app.window.patient_label.text()


def test_a_second_window_on_the_same_log_only_reads_it(qtbot, app: App, tmp_path, clock) -> None:
    second = App(make_args(tmp_path / "log.sqlite3"), clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(second.window)
    assert second._open_log()
    assert second.records is None
    assert "in use by another neurotimer window" in second.window.alarms.current().text
    # Nothing can be recorded here, so nothing starts: no stimulation that the log would never show.
    with qtbot.waitSignal(second.sessions.refused, timeout=1000) as refusal:
        second.sessions.start()
    assert second.sessions.session.state is SessionState.PLANNED
    assert "No session starts in this window" in refusal.args[0]
    second.shutdown()


def test_end_waits_until_every_needle_is_counted_out(qtbot, app: App, clock) -> None:
    app.picker.load_selected_template()  # 32 needles in
    app.sessions.start()
    clock.advance(60)
    app.window.request_end()
    assert app.sessions.session.state is SessionState.RUNNING
    assert "still in" in app.window.alarms.current().text
    assert app.window.tabs.currentWidget().widget() is app.record_panel
    app.record_panel.needles_out.setValue(32)
    app.window.request_end()
    assert app.sessions.session.state is SessionState.ENDED_EARLY


def test_needling_details_reach_the_session_row(qtbot, app: App, clock) -> None:
    app.sessions.start()
    app.records.record("session.details", {"needle_type": "0.25 × 40 mm steel", "depth": "10–20 mm"})
    session = app.store.get_session(app.records.recorder.session_id)
    assert session.details["needle_type"] == "0.25 × 40 mm steel"
    assert session.details["depth"] == "10–20 mm"


def test_loading_a_protocol_sets_its_waveform_on_the_paired_channels(qtbot, app: App) -> None:
    app.picker.load_selected_template()  # Dimitrova 2017: 100 Hz continuous on four pairs
    qtbot.waitUntil(lambda: all(
        (s := app.stim.last_settings(ch)) is not None and s.freq == 100 for ch in (1, 2, 3, 4)), timeout=5000)
    assert app.window.alarms.current().text.startswith("Channel 1, 2, 3, 4 set to 100 Hz continuous")


def test_a_template_with_a_bad_waveform_is_refused_with_the_field_named(tmp_path) -> None:
    from neurotimer.plan.template_store import TemplateLibrary

    folder = tmp_path / "templates"
    folder.mkdir()
    import json

    from neurotimer.plan.templates import USER_FORMAT, VERSION

    template = {"name": "Mine", "points": [{"code": "ST36"}], "waveform": {"mode": "DENS", "low": 120, "high": 2}}
    (folder / "mine.json").write_text(json.dumps({"format": USER_FORMAT, "version": VERSION, "template": template}))
    library = TemplateLibrary(folder)
    assert library.user() == []
    assert any("'low' (120 Hz) must be below 'high' (2 Hz)" in p for p in library.problems), library.problems


def test_moving_a_running_session_to_another_patient_asks_first(app: App) -> None:
    answers: list[bool] = []
    questions: list[str] = []

    def confirm(title: str, text: str) -> bool:
        questions.append(text)
        return answers.pop(0)

    app._confirm = confirm
    first = app.store.get_patient(app.store.create_patient("P-0009"))
    other = app.store.get_patient(app.store.create_patient("P-0001"))
    app.on_patient_chosen(first)  # before the start: no question
    app.sessions.start()
    answers.append(False)
    app.on_patient_chosen(other)  # the wrong row clicked in a hurry: answered No, nothing moves
    assert "running for P-0009" in questions[-1] and "P-0001" in questions[-1]
    assert app.records.patient.code == "P-0009" and app.sessions.session.patient_id == first.id
    answers.append(True)
    app.on_patient_chosen(other)
    assert app.records.patient.code == "P-0001" and app.sessions.session.patient_id == other.id
    assert len(questions) == 2


def test_a_point_catalogue_that_cannot_be_set_up_keeps_the_stimulator_away(qtbot, tmp_path, clock, monkeypatch) -> None:
    def broken(_app: App, _chair) -> None:
        raise RuntimeError("points.json cannot be read")

    monkeypatch.setattr(App, "_build_points", broken)
    a = App(make_args(tmp_path / "log.sqlite3"), clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(a.window)
    try:
        a.finish_start()
        assert a.stim is None  # without the safety checks the stimulator is not offered at all
        texts = [alarm.text for alarm in a.window.alarms.active()]
        assert any("could not set up the point catalogue" in text for text in texts), texts
    finally:
        a.shutdown()
