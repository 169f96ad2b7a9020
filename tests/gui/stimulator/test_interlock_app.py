"""The wired app at the device: auto-stop at the planned end, and an output switched on behind its back."""

from __future__ import annotations

import argparse
import asyncio
import threading

import pytest
from PySide6.QtWidgets import QApplication

from neurotimer.app import App
from neurotimer.session.clock import ManualClock, SystemClock
from neurotimer.stimulator.device import SimulatedStimulator
from neurotimer.stimulator.gatekeeper import ON_AFTER_END_KEY
from neurotimer.stimulator.server import SimulatorServer

POLL_STEP_S = 1.5  # under the device's 2 s watchdog, so simulated time may jump while the worker polls


def make_args(db, device=None) -> argparse.Namespace:
    return argparse.Namespace(demo=False, db=db, device=device, startup_probe=False, command=None)


def build_app(qtbot, tmp_path, clock, device=None) -> App:
    app = App(make_args(tmp_path / "log.sqlite3", device), clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(app.window)
    app.window.show()
    qtbot.waitExposed(app.window)
    app.finish_start()
    if app.stim.info is None:
        with qtbot.waitSignal(app.stim.deviceConnected, timeout=5000):
            pass
    return app


@pytest.fixture
def app(qtbot, tmp_path, clock: ManualClock):
    a = build_app(qtbot, tmp_path, clock)
    yield a
    a.shutdown()


def one_poll(qtbot, app: App) -> None:
    """Waits for a whole poll: the last channel's status comes last."""
    last = app.stim.channel_count
    with qtbot.waitSignal(app.stim.statusChanged, timeout=3000, check_params_cb=lambda ch, _s: ch == last):
        pass


def advance(qtbot, app: App, clock: ManualClock, seconds: float, step: float = POLL_STEP_S) -> None:
    """Simulated time passes with the worker polling between steps, as it would in real time.

    Statuses already queued are delivered first; of the two polls waited for after a step, the second
    began after the step, so the device has heard from the host at the new time (its watchdog is 2 s).
    """
    while seconds > 1e-9:
        clock.advance(min(step, seconds))
        seconds -= step
        QApplication.processEvents()
        one_poll(qtbot, app)
        one_poll(qtbot, app)


def start_one_minute_at(qtbot, app: App, ma: float) -> None:
    app.sessions.set_planned_minutes(1)
    app.picker.load_selected_template()
    app.sessions.start()
    with qtbot.waitSignal(app.stim.stimEvent, timeout=5000,
                          check_params_cb=lambda e: e.kind.value == "output_on" and e.channel == 1):
        app.stim.output_on(1)
    app.stim.set_current(1, ma)
    qtbot.waitUntil(lambda: (s := app.stim.last_status(1)) is not None and s.target_ma == ma, timeout=5000)


def test_at_the_planned_end_every_output_ramps_down_and_is_off_within_the_ramp_time(qtbot, app, clock) -> None:
    start_one_minute_at(qtbot, app, 1.0)
    advance(qtbot, app, clock, app.sessions.session.remaining_seconds - 0.1)
    assert app.stim.last_status(1).output and app.stim.last_status(1).measured_ma == 1.0
    end = clock.now() + app.sessions.session.remaining_seconds
    ramp_s = 1.0 / 0.5
    while app.stim.last_status(1).output:
        assert clock.now() - end <= ramp_s + 0.5, "still on past the ramp time"
        advance(qtbot, app, clock, 0.15)
    assert clock.now() - end <= ramp_s + 0.5
    assert not any(app.stim.last_status(ch).output for ch in range(1, 5))
    keys = [a.key for a in app.window.alarms.active()]
    assert ON_AFTER_END_KEY not in keys and not any(k.startswith("interlock.found-on") for k in keys), keys
    with qtbot.waitSignal(app.stim.refused, timeout=3000) as refusal:
        app.stim.output_on(1)
    assert "planned time is over" in refusal.args[0]


def test_keep_stimulating_past_the_end_leaves_the_output_on_with_no_alarm(qtbot, app, clock) -> None:
    start_one_minute_at(qtbot, app, 1.0)
    from neurotimer.gui.stimulator.output_panel import ChannelsPanel

    panel = app.window.findChild(ChannelsPanel)
    assert panel.keep_past_end.isEnabled()
    panel.keep_past_end.setChecked(True)
    advance(qtbot, app, clock, 60 + 10)
    assert app.sessions.session.overdue
    status = app.stim.last_status(1)
    assert status.output and status.target_ma == 1.0
    assert not any(a.key.startswith(("interlock.", ON_AFTER_END_KEY)) for a in app.window.alarms.active())
    assert not panel.keep_past_end.isEnabled()  # chosen before the end, not after
    app.records.recorder.flush()
    [kept] = [e for e in app.store.session_events(app.records.recorder.session_id)
              if e["kind"] == "stimulation.keep_past_end"]
    assert kept["data"]["keep"] is True and kept["data"]["at"]


@pytest.fixture
def sim_server():
    """A simulated stimulator behind its TCP server, in a thread of this process."""
    model = SimulatedStimulator(SystemClock())
    server = SimulatorServer(model, "127.0.0.1", 0)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    ready = threading.Event()
    address: list[tuple[str, int]] = []

    async def main() -> None:
        address.append(await server.open())
        ready.set()
        await server.serve(stop)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(5)
    host, port = address[0]
    yield server, f"socket://{host}:{port}"
    loop.call_soon_threadsafe(stop.set)
    thread.join(5)
    loop.close()


def test_an_output_switched_on_behind_the_apps_back_is_off_within_one_poll_with_a_high_alarm(
        qtbot, tmp_path, sim_server) -> None:
    server, url = sim_server
    app = build_app(qtbot, tmp_path, SystemClock(), device=url)
    try:
        seen: list[bool] = []
        app.stim.statusChanged.connect(lambda ch, s: ch == 2 and seen.append(s.output))
        one_poll(qtbot, app)
        server.model.handle_line(b"OUTP2 ON")  # at the device, not through neurotimer
        qtbot.waitUntil(lambda: True in seen and seen[-1] is False, timeout=3000)
        assert seen[seen.index(True) + 1] is False  # the poll that saw it on switched it off
        assert not server.model.status(2).output
        alarm = next(a for a in app.window.alarms.active() if a.key == "interlock.found-on.2")
        assert alarm.priority.name == "HIGH" and "Output switched off on channel 2" in alarm.text
    finally:
        app.shutdown()


def test_the_session_record_says_which_device_delivered_it(qtbot, app) -> None:
    app.sessions.start()
    app.records.recorder.flush()
    [device] = [e["data"] for e in app.store.session_events(app.records.recorder.session_id)
                if e["kind"] == "stim.device"]
    assert device == {"connected": True, "maker": "NeuroTimer", "model": "SIM-4", "serial": "SIM000001",
                      "firmware": device["firmware"], "simulated": True}


def test_a_set_up_step_that_fails_leaves_the_interlock_refusing(qtbot, tmp_path, clock, monkeypatch) -> None:
    def broken(_self, _chair) -> None:
        raise RuntimeError("history broken")

    monkeypatch.setattr(App, "_build_history", broken)
    app = build_app(qtbot, tmp_path, clock)
    try:
        app.picker.load_selected_template()
        app.sessions.start()
        with qtbot.waitSignal(app.stim.refused, timeout=10000) as refusal:
            app.stim.output_on(1)
        assert "could not set up the course history" in refusal.args[0]
        assert not app.stim.last_status(1).output
    finally:
        app.shutdown()


def test_without_the_safety_checks_no_stimulator_is_offered(qtbot, tmp_path, clock, monkeypatch) -> None:
    def broken(_self, _chair) -> None:
        raise RecursionError("catalogue broken")

    monkeypatch.setattr(App, "_build_points", broken)
    app = App(make_args(tmp_path / "log.sqlite3"), clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(app.window)
    app.finish_start()
    try:
        assert app.stim is None  # the step that stops start-up ran: no panel, no allow-all gate
        assert "point catalogue" in app.interlock.decide(1).reason
    finally:
        app.shutdown()


def test_a_malformed_user_catalogue_keeps_the_bundled_one_and_the_interlock(qtbot, tmp_path, clock) -> None:
    from neurotimer import paths

    folder = paths.app_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "points.json").write_text("[" * 100_000, encoding="utf-8")
    app = build_app(qtbot, tmp_path, clock)
    try:
        assert any("nested too deeply" in a.text for a in app.window.alarms.active())
        with qtbot.waitSignal(app.stim.refused, timeout=10000) as refusal:
            app.stim.output_on(1)
        assert "start the session first" in refusal.args[0]
    finally:
        app.shutdown()
