"""The app's logs hold no patient names or notes: a session with a distinctive name, notes and free text is
run through the wired app, then every log line (files, console, anything logged) is searched for them."""

from __future__ import annotations

import argparse
import io
import logging
import stat

from neurotimer import logsetup, paths
from neurotimer.app import App

NAME = "Zebedee Quarrington"
NOTES = "lives alone since Tomasz left"
DEPTH = "as deep as Dr Nyquist-Ballard showed"
ADVERSE = "fainted, Ottoline drove home"
NOTE_AFTER = "called Marisol about Lisbon"
SECRETS = ("Zebedee", "Quarrington", "Tomasz", "Nyquist", "Ottoline", "Marisol", "Lisbon")


def make_args(db) -> argparse.Namespace:
    return argparse.Namespace(demo=False, db=db, device=None, startup_probe=False, command=None)


def test_a_session_with_a_named_patient_and_notes_leaves_none_of_them_in_the_logs(
    qtbot, tmp_path, clock, monkeypatch, capfd
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    logs = paths.log_dir()
    root, wire = logging.getLogger(), logging.getLogger("neurotimer.stimulator.wire")
    saved = (list(root.handlers), root.level, list(wire.handlers), wire.level, wire.propagate)
    logsetup.configure(logs, level=logging.DEBUG)  # more than the app logs: every debug line too
    everything = io.StringIO()
    catch_all = logging.StreamHandler(everything)
    catch_all.setLevel(logging.DEBUG)
    root.addHandler(catch_all)
    wire.addHandler(catch_all)
    try:
        app = App(make_args(tmp_path / "log.sqlite3"), clock, chime=lambda: None, confirm=lambda t, x: True)
        qtbot.addWidget(app.window)
        app.finish_start()
        patient = app.store.create_patient("P-7070", NAME, 1951, notes=NOTES)
        app.records.choose_patient(app.store.get_patient(patient))
        panel = app.record_panel
        panel.depth.setText(DEPTH)
        panel.commit()
        app.sessions.set_planned_minutes(1)
        app.sessions.start()
        clock.advance(30)
        app.sessions.tick()
        panel.add_adverse("other", "mild", ADVERSE)
        clock.advance(31)
        app.sessions.tick()
        app.sessions.end()
        session_id = app.store.newest_sessions(1)[0].id
        app.store.add_note(session_id, NOTE_AFTER, "Dr Demo")
        record = app.store.get_session(session_id)
        assert record.details["depth"] == DEPTH and record.adverse_events[0].notes == ADVERSE, "all recorded"
        app.shutdown()
    finally:
        for handler in [h for h in root.handlers if h not in saved[0]] + [h for h in wire.handlers]:
            root.removeHandler(handler)
            wire.removeHandler(handler)
            handler.close()
        root.setLevel(saved[1])
        for handler in saved[2]:
            wire.addHandler(handler)
        wire.setLevel(saved[3])
        wire.propagate = saved[4]
    out, err = capfd.readouterr()
    files = sorted(p for p in logs.iterdir() if p.is_file())
    assert {p.name for p in files} >= {"neurotimer.log", "stimulator-wire.log"}
    texts = {p.name: p.read_text(encoding="utf-8") for p in files}
    texts |= {"logged": everything.getvalue(), "stdout": out, "stderr": err}
    assert "P-7070" not in texts["stderr"] and texts["logged"].count("\n") > 5, "the capture caught the app"
    for where, text in texts.items():
        for word in SECRETS:
            assert word not in text, f"{word!r} in {where}"
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
