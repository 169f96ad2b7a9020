"""Two chairs on a server log that goes away: one HIGH log-write alarm for the whole outage, true words, one clear."""

from __future__ import annotations

import time

import pytest

from neurotimer.app import App
from neurotimer.cli import build_parser
from neurotimer.storage.verify import verify_store


def log_write_raises(app: App) -> int:
    return len([a for a in app.window.alarms.model.history() if a.key == "log-write"])


def test_server_stopped_with_room_2_planned_raises_the_alarm_once_and_clears_it_once(
        qtbot, pg_server, pg_url: str, clock) -> None:
    if pg_server.cluster is None:
        pytest.skip("NEUROTIMER_TEST_PG names a server these tests cannot stop")
    args = build_parser().parse_args(["--db", pg_url, "--chairs", "2"])
    app = App(args, clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(app.window)
    app.window.show()
    qtbot.waitExposed(app.window)
    app.finish_start()
    room1, room2 = app.chairs
    try:
        room1.sessions.start()  # Room 2 stays planned

        def seconds(n: int) -> None:  # the window's tick for both chairs, Room 2's device reporting each second
            for step in range(n * 5):
                clock.advance(0.2)
                room1.sessions.tick()
                room2.sessions.tick()
                if step % 5 == 0:
                    room2.records.record("stim.reading", {"channel": 1, "ohm": 1500 + step})

        seconds(3)
        pg_server.cluster.stop("immediate")
        try:
            seconds(10)
            alarm = app.window.alarms.model.get("log-write")
            assert alarm is not None and alarm.priority.name == "HIGH"
            assert log_write_raises(app) == 1, "raised once for the whole outage, not once a second"
            assert "0 event(s)" not in alarm.text and "treatment time so far of Room 1 is not saved yet" in alarm.text
        finally:
            pg_server.cluster.start()
        deadline = time.monotonic() + 60
        while app.window.alarms.model.get("log-write") is not None and time.monotonic() < deadline:
            seconds(1)  # the pool reconnects in the background
            time.sleep(0.1)
        assert app.window.alarms.model.get("log-write") is None and log_write_raises(app) == 1
        assert app.shared.recorder.waiting == 0
        assert verify_store(app.store).ok
    finally:
        app.shutdown()
