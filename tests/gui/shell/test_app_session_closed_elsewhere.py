"""A workstation back after another one closed its chair's session as interrupted: the chair is told, and goes on."""

from __future__ import annotations

import psycopg

from neurotimer.app import App
from neurotimer.cli import build_parser
from neurotimer.session.session import SessionState
from neurotimer.storage.pg.open import open_pg_store
from neurotimer.storage.recovery import recover_interrupted
from neurotimer.storage.verify import verify_store


def test_the_chair_is_told_its_session_was_closed_elsewhere_and_records_on_in_a_new_one(qtbot, pg_url, clock) -> None:
    args = build_parser().parse_args(["--db", pg_url, "--chairs", "2"])
    app = App(args, clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(app.window)
    app.window.show()
    qtbot.waitExposed(app.window)
    app.finish_start()
    room2 = None
    try:
        chair = app.chairs[1]
        chair.sessions.start()
        clock.advance(1)
        chair.records.record("stim.intensity", {"channel": 1, "mA": 1.0})
        sid = chair.records.recorder.session_id
        assert sid is not None
        app.store.leases.stop()  # this workstation falls silent (lid closed): its heartbeat stops
        with psycopg.connect(pg_url, autocommit=True) as admin:  # and its lease runs out (server time)
            admin.execute("UPDATE session_leases SET expires_at = now() - interval '1 second'")
        room2 = open_pg_store(pg_url, clock=clock, lease_options={"workstation": "room2"})
        assert [r.session_id for r in recover_interrupted(room2)] == [sid]

        clock.advance(1)  # back: the chair goes on as if nothing happened
        chair.sessions.tick()
        chair.records.record("stim.intensity", {"channel": 1, "mA": 1.5})
        new = chair.records.recorder.session_id
        assert new is not None and new != sid
        assert chair.sessions.session.state is SessionState.RUNNING, "the timer never waited"
        [notice] = [a for a in app.window.alarms.active() if "as interrupted" in a.text]
        # Which chair, and first what the practitioner must know (the strip shows the start of it).
        assert notice.text.startswith(f"{chair.name}: Recording goes on as new session #{new}: ")
        assert f"workstation room2 closed session #{sid} as interrupted" in notice.text
        assert "out of touch with the log server" in notice.text
        assert notice.priority.name == "HIGH"
        assert not [a for a in app.window.alarms.active() if a.key.startswith("log-write")], "not a write failure"
        assert app.window.alarms.text() == notice.text, "the strip shows it"

        events = room2.session_events(new)
        assert [e["kind"] for e in events][:2] == ["session.opened", "session.continues"]
        assert any(e["kind"] == "alarm.raised" and "as interrupted" in e["data"]["text"] for e in events), \
            "the new session's record says the practitioner was told"
        assert room2.session_events(sid)[-1]["kind"] == "session.interrupted"
        assert verify_store(room2).ok
    finally:
        app.shutdown()
        if room2 is not None:
            room2.close()
