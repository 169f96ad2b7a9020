"""Three chairs in one window, in simulated time: each keeps its own clock, stimulator, alarms and record."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from neurotimer.app import App
from neurotimer.cli import build_parser
from neurotimer.session.clock import ManualClock
from neurotimer.session.session import SessionState
from neurotimer.storage.verify import verify_store

POLL_STEP_S = 1.5  # under the devices' 2 s watchdog, so simulated time may jump while the workers poll


def open_chairs_app(qtbot, tmp_path, clock: ManualClock, chairs: int) -> App:
    """The wired app with `chairs` chairs on a file log, shown, started, every simulated device answering;
    its chimes counted in `app.chimes`."""
    args = build_parser().parse_args(["--db", str(tmp_path / "log.sqlite3"), "--chairs", str(chairs)])
    chimes: list[int] = []
    a = App(args, clock, chime=lambda: chimes.append(1), confirm=lambda t, x: True)
    a.chimes = chimes
    qtbot.addWidget(a.window)
    a.window.show()
    a.window.activateWindow()
    qtbot.waitUntil(a.window.isActiveWindow)
    a.finish_start()
    for chair in a.chairs:
        qtbot.waitUntil(lambda c=chair: c.stim.info is not None, timeout=5000)
    return a


@pytest.fixture
def app(qtbot, tmp_path, clock: ManualClock):
    a = open_chairs_app(qtbot, tmp_path, clock, 3)
    yield a
    a.shutdown()


def one_poll_each(qtbot, app: App) -> None:
    """Waits for a whole poll of every chair's stimulator (the last channel's status comes last)."""
    for chair in app.chairs:
        last = chair.stim.channel_count
        with qtbot.waitSignal(chair.stim.statusChanged, timeout=3000, check_params_cb=lambda ch, _s, n=last: ch == n):
            pass


def advance(qtbot, app: App, clock: ManualClock, seconds: float) -> None:
    while seconds > 1e-9:
        clock.advance(min(POLL_STEP_S, seconds))
        seconds -= POLL_STEP_S
        for chair in app.chairs:
            chair.sessions.tick()
        one_poll_each(qtbot, app)


def start_with_output(qtbot, chair, minutes: int, channels: tuple[int, ...], ma: float = 1.0) -> None:
    chair.sessions.set_planned_minutes(minutes)
    chair.picker.load_selected_template()  # the neuropathy protocol: its pairs pass the safety checks
    chair.sessions.start()
    for channel in channels:
        with qtbot.waitSignal(chair.stim.stimEvent, timeout=5000,
                              check_params_cb=lambda e, c=channel: e.kind.value == "output_on" and e.channel == c):
            chair.stim.output_on(channel)
        chair.stim.set_current(channel, ma)
    qtbot.waitUntil(lambda: all((s := chair.stim.last_status(c)) is not None and s.target_ma == ma
                                for c in channels), timeout=5000)


def outputs_on(chair) -> list[int]:
    return [channel for channel, _mA in chair.outputs()]


def test_three_chairs_staggered_with_a_pause_a_lead_off_and_an_auto_stop_end(qtbot, app, clock) -> None:
    room1, room2, room3 = app.chairs
    assert [c.name for c in app.chairs] == ["Room 1", "Room 2", "Room 3"]
    assert [card.status.name for card in app.board.cards] == ["Room 1", "Room 2", "Room 3"]

    start_with_output(qtbot, room1, 30, (1,))
    advance(qtbot, app, clock, 10)
    start_with_output(qtbot, room2, 30, (1, 2))
    advance(qtbot, app, clock, 10)
    start_with_output(qtbot, room3, 1, (1,))
    advance(qtbot, app, clock, 3)

    room1.sessions.toggle_pause()  # outputs switch off when a session pauses: only this chair's
    advance(qtbot, app, clock, 3)
    assert room1.sessions.session.state is SessionState.PAUSED and outputs_on(room1) == []
    assert outputs_on(room2) == [1, 2] and outputs_on(room3) == [1]

    room2.stim.command("SIMulate:LEAD2 OFF")  # the lead of Room 2's channel 2 comes off
    qtbot.waitUntil(lambda: outputs_on(room2) == [1], timeout=5000)
    qtbot.waitUntil(lambda: room2.alarms.worst() is not None, timeout=5000)
    alarm = room2.alarms.worst()
    assert alarm.text.startswith("Room 2: ") and "2" in alarm.text
    assert app.window.alarms.current().key.startswith("chair2/")
    card = app.board.cards[1]
    qtbot.waitUntil(lambda: card.alarm_label.text() == alarm.text.removeprefix("Room 2: "), timeout=2000)
    assert card.flashing, "an alarm of a chair not on screen flashes its card"

    # Ctrl+2 brings Room 2 on screen; nothing of the others stops or waits.
    qtbot.keyClick(app.window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert app.window.current_chair == 1 and app.board.cards[1].on_screen and not card.flashing
    assert "Room 2" in app.window.patient_label.text()
    before = room3.sessions.session.treatment_seconds
    advance(qtbot, app, clock, 6)
    assert room3.sessions.session.treatment_seconds == pytest.approx(before + 6, abs=0.01)
    assert outputs_on(room3) == [1]

    app.window.alarms.acknowledge_current()  # from the strip: Room 2's alarm, into Room 2's record
    # Room 3 reaches its planned end: its output ramps down and goes off by itself, the others' stay as they are.
    advance(qtbot, app, clock, room3.sessions.session.remaining_seconds + 4)
    assert room3.sessions.session.overdue and outputs_on(room3) == []
    assert outputs_on(room2) == [1]
    assert any(a.text.startswith("Room 3: Planned time reached") for a in app.window.alarms.active())
    assert len(app.chimes) >= 2, "Room 3's halfway and end chimed"

    for chair in (room1, room2, room3):
        if chair.sessions.session.state is SessionState.PAUSED:
            chair.sessions.toggle_pause()
        chair.sessions.end()
    for chair in app.chairs:
        chair.records.recorder.flush()
    sessions = app.store.newest_sessions(10)
    assert len(sessions) == 3
    by_id = {s.id: s for s in sessions}
    ids = [chair.records.recorder.session_id for chair in app.chairs]
    assert [by_id[i].state for i in ids] == ["ended_early", "ended_early", "completed"]
    kinds = [[e["kind"] for e in app.store.session_events(i)] for i in ids]
    assert "session.paused" in kinds[0] and "session.paused" not in kinds[1] + kinds[2]
    acknowledged = [e["data"]["key"] for e in app.store.session_events(ids[1]) if e["kind"] == "alarm.acknowledged"]
    assert acknowledged and acknowledged[0].startswith("stimulator.lead")
    assert not any(e["kind"] == "alarm.raised" and "lead" in e["data"]["key"]
                   for i in (ids[0], ids[2]) for e in app.store.session_events(i))
    report = verify_store(app.store)
    assert report.ok and report.sessions == 3


def test_escape_stops_every_output_of_every_chair_and_says_what_was_stopped(qtbot, app, clock) -> None:
    room1, _room2, room3 = app.chairs
    start_with_output(qtbot, room1, 30, (1, 2))
    start_with_output(qtbot, room3, 30, (1,))
    assert outputs_on(room1) == [1, 2] and outputs_on(room3) == [1]
    with qtbot.waitSignal(app.stop_all.finished, timeout=5000) as done:
        qtbot.keyClick(app.window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: all(outputs_on(c) == [] for c in app.chairs), timeout=5000)
    assert done.args[0].startswith("All outputs stopped at ")
    assert done.args[0].endswith(": Room 1 CH1, CH2; Room 3 CH1.")
    assert app.window.alarms.current().text == done.args[0]


def test_a_fault_on_one_chairs_link_never_touches_another_chairs_outputs(qtbot, app, clock) -> None:
    room1, room2, room3 = app.chairs
    for chair in app.chairs:
        start_with_output(qtbot, chair, 30, (1, 2))
    room2.stim.command("SIMulate:DROP")  # Room 2's cable pulled out
    qtbot.waitUntil(lambda: any("Room 2: " in a.text and a.key == "chair2/stimulator.connection_lost"
                                for a in app.window.alarms.active()), timeout=10000)
    advance(qtbot, app, clock, 3)
    assert outputs_on(room1) == [1, 2] and outputs_on(room3) == [1, 2]
    others = [a.key for a in app.window.alarms.active()
              if not a.key.startswith("chair2/") and a.priority.value != "low"]
    assert others == []
    qtbot.waitUntil(lambda: app.board.cards[1].status.alarming, timeout=2000)
    assert not app.board.cards[0].status.alarming and not app.board.cards[2].status.alarming


def test_an_off_screen_chairs_milestones_chime_and_name_it(qtbot, app, clock) -> None:
    room1, room2, _room3 = app.chairs
    assert app.window.current_chair == 0
    room2.sessions.set_planned_minutes(1)
    room2.sessions.start()
    clock.advance(31)
    room2.sessions.tick()
    assert app.chimes == [1]
    assert app.window.alarms.current().text == "Room 2: Halfway"
    clock.advance(30)
    room2.sessions.tick()
    assert app.chimes == [1, 1]
    alarm = app.window.alarms.current()
    assert alarm.text.startswith("Room 2: Planned time reached") and alarm.key == "chair2/milestone"
    qtbot.waitUntil(lambda: app.board.cards[1].flashing, timeout=2000)
    app.window.alarms.acknowledge_current()  # acknowledged from the strip: Room 2's alarm, in Room 2's record
    assert room2.alarms.get("milestone").acknowledged
    assert room1.sessions.session.state is SessionState.PLANNED


def test_a_chair_with_a_session_running_cannot_be_removed_and_a_rename_shows_at_once(qtbot, app, clock) -> None:
    from neurotimer.gui.board.chairs_dialog import ChairsDialog

    room1 = app.chairs[0]
    room1.sessions.start()
    dialog = ChairsDialog(app.roster)
    qtbot.addWidget(dialog)
    dialog.list.setCurrentRow(0)
    assert not dialog.remove_button.isEnabled()
    dialog._remove()
    assert dialog.roster.names() == ["Room 1", "Room 2", "Room 3"]
    assert "session running" in dialog.problem.text()
    dialog.list.setCurrentRow(2)
    dialog.name_edit.setText("Recliner B")
    dialog.saved.connect(app._chairs_saved)
    dialog._save()
    assert [c.name for c in app.chairs] == ["Room 1", "Room 2", "Recliner B"]
    assert app.board.cards[2].status.name == "Recliner B"
    assert app.settings.chairs == [{"name": "Room 1", "device": "sim:"}, {"name": "Room 2", "device": "sim:"},
                                   {"name": "Recliner B", "device": "sim:"}]


def test_the_chairs_the_settings_name_win_over_the_command_line(qtbot, tmp_path, clock) -> None:
    from neurotimer import paths
    from neurotimer.gui.shell.settings import Settings

    paths.app_data_dir().mkdir(parents=True, exist_ok=True)
    Settings(paths.app_data_dir() / "settings.ini").chairs = [{"name": "Recliner A", "device": "sim:"},
                                                              {"name": "Recliner B", "device": "sim:"}]
    args = build_parser().parse_args(["--db", str(tmp_path / "log.sqlite3"), "--chairs", "4"])
    a = App(args, clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(a.window)
    assert [c.name for c in a.chairs] == ["Recliner A", "Recliner B"]
    assert [card.status.name for card in a.board.cards] == ["Recliner A", "Recliner B"]
    assert a.window.patient_label.text() == "Recliner A  ·  Patient: unassigned"
    a.shutdown()


def test_one_chair_has_no_board_and_names_nothing(qtbot, tmp_path, clock) -> None:
    a = App(build_parser().parse_args(["--db", str(tmp_path / "log.sqlite3")]), clock, chime=lambda: None,
            confirm=lambda t, x: True)
    qtbot.addWidget(a.window)
    assert len(a.chairs) == 1 and a.board is None
    assert a.window.patient_label.text() == "Patient: unassigned"
    a.shutdown()


def test_after_a_crash_each_chairs_open_session_is_closed_as_interrupted(qtbot, tmp_path, clock) -> None:
    args = build_parser().parse_args(["--db", str(tmp_path / "log.sqlite3"), "--chairs", "3"])
    first = App(args, clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(first.window)
    first.finish_start()
    first.chairs[0].sessions.start()
    clock.advance(60)
    first.chairs[2].sessions.start()
    clock.advance(65)
    for chair in first.chairs:
        chair.sessions.tick()
    ids = [first.chairs[0].records.recorder.session_id, first.chairs[2].records.recorder.session_id]
    first.store.close()  # the process dies: no end, no flush, and its lock goes with it
    for chair in first.chairs:
        chair.records.close()
        chair.stim.shutdown()
    first._log_lock.unlock()
    second = App(args, clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(second.window)
    second.finish_start()
    texts = [a.text for a in second.window.alarms.active() if "interrupted" in a.text]
    assert len(texts) == 2
    assert any("2 min 05 s" in t for t in texts) and any("1 min 05 s" in t for t in texts)
    assert [second.store.get_session(i).summary.state for i in ids] == ["interrupted", "interrupted"]
    assert verify_store(second.store).ok
    second.shutdown()


def test_chairs_added_removed_and_moved_in_settings_come_into_use_at_once(qtbot, app, clock) -> None:
    from neurotimer.gui.board.chairs_dialog import ChairsDialog

    room1, room2, room3 = app.chairs
    start_with_output(qtbot, room1, 30, (1,))
    dialog = ChairsDialog(app.roster)
    qtbot.addWidget(dialog)
    dialog.list.setCurrentRow(1)
    dialog._remove()  # Room 2: no session running
    dialog._add()
    dialog.name_edit.setText("Recliner C")
    dialog._rename()
    dialog.list.setCurrentRow(1)
    dialog.name_edit.setText("Room 3b")
    dialog._rename()
    with qtbot.waitSignal(dialog.saved):
        dialog.saved.connect(lambda roster: app._chairs_saved(roster, list(dialog.origins)))
        dialog._save()
    assert [c.name for c in app.chairs] == ["Room 1", "Room 3b", "Recliner C"]
    assert app.chairs[:2] == [room1, room3] and room2.stim is None  # Room 2's stimulator let go
    assert [card.status.name for card in app.board.cards] == ["Room 1", "Room 3b", "Recliner C"]
    assert len(app.window.views) == 3
    added = app.chairs[2]
    qtbot.waitUntil(lambda: added.stim is not None and added.stim.info is not None, timeout=5000)
    assert outputs_on(room1) == [1] and room1.sessions.session.state is SessionState.RUNNING
    qtbot.keyClick(app.window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert app.window.view is added.view and "Recliner C" in app.window.patient_label.text()
    start_with_output(qtbot, added, 30, (2,))
    added.stim.command("SIMulate:LEAD2 OFF")
    qtbot.waitUntil(lambda: any(a.text.startswith("Recliner C: ") and a.key.startswith("chair4/")
                                for a in app.window.alarms.active()), timeout=5000)
    with qtbot.waitSignal(app.stop_all.finished, timeout=5000) as done:
        qtbot.keyClick(app.window, Qt.Key.Key_Escape)
    assert ": Room 1 CH1" in done.args[0] and "Room 3b" not in done.args[0]
    assert app.settings.chairs == [{"name": "Room 1", "device": "sim:"}, {"name": "Room 3b", "device": "sim:"},
                                   {"name": "Recliner C", "device": "sim:"}]


def test_a_chairs_own_stop_button_stops_that_chair_only(qtbot, app, clock) -> None:
    room1, _room2, room3 = app.chairs
    start_with_output(qtbot, room1, 30, (1,))
    start_with_output(qtbot, room3, 30, (1, 2))
    assert room3.stop_button.text() == "Stop Room 3's outputs"
    room3.stop_button.click()
    qtbot.waitUntil(lambda: outputs_on(room3) == [], timeout=5000)
    qtbot.waitUntil(lambda: app.window.alarms.current() is not None
                    and app.window.alarms.current().key == "chair3/emergency-stop", timeout=5000)
    assert app.window.alarms.current().text.startswith("Room 3: All outputs stopped at ")
    assert app.window.alarms.current().text.endswith(": CH1, CH2.")
    advance(qtbot, app, clock, 3)
    assert outputs_on(room1) == [1]


def test_each_chair_on_screen_is_laid_out_as_the_one_before(qtbot, app) -> None:
    w = app.window
    w.resize(1366, 768)
    qtbot.waitUntil(lambda: w.width() == 1366)
    first = w.view.splitter.sizes()
    w.view.splitter.setSizes([first[0] - 40, first[1] + 40])  # the practitioner widens the channel column
    wanted = w.view.splitter.sizes()
    qtbot.keyClick(w, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert w.view is app.chairs[2].view and w.view.splitter.sizes() == wanted
