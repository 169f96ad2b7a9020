"""Demo data: realistic made-up courses written through the real session path, quickly."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from neurotimer.cli import main as cli_main
from neurotimer.storage.demo import PROTOCOLS, make_demo_database
from neurotimer.storage.export import build_export
from neurotimer.storage.store import open_readonly
from neurotimer.storage.verify import verify_store

TODAY = dt.date(2026, 11, 28)
PROTOCOL_POINTS = {code for p in PROTOCOLS for code, _ in p.points}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, float]:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    began = time.perf_counter()
    make_demo_database(path, today=TODAY)
    return path, time.perf_counter() - began


def test_default_demo_log_is_quick_and_sound(demo) -> None:
    path, _seconds = demo  # how long it takes is a benchmark figure (benchmarks/), not a pass/fail line
    store = open_readonly(path)
    try:
        assert verify_store(store).ok
        assert len(store.list_patients()) == 8
        assert store.conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 60
        assert store.running_sessions() == []
    finally:
        store.close()


def test_demo_courses_look_like_real_practice(demo) -> None:
    path, _ = demo
    store = open_readonly(path)
    try:
        improved = flat = 0
        for patient in store.list_patients():
            assert patient.name and 1940 <= (patient.birth_year or 0) <= 1975
            for course in store.list_courses(patient.id):
                assert 6 <= course.planned_sessions <= 12 and 1 <= course.sessions_per_week <= 3
                assert course.reasoning
                view = store.course_view(course.id)
                assert 1 <= len(view.sessions) <= course.planned_sessions
                assert [s.number for s in view.sessions] == list(range(1, len(view.sessions) + 1))
                before = [s for s in view.scores if s.timing == "before"]
                if len(view.sessions) >= 5:
                    first = sum(s.value for s in before if s.session_id == view.sessions[0].id)
                    last = sum(s.value for s in before if s.session_id == view.sessions[-1].id)
                    improved += last <= 0.7 * first
                    flat += last > 0.8 * first
        assert improved > flat >= 1, "most patients improve, some do not"
        for summary in store.newest_sessions(60):
            record = store.get_session(summary.id)
            assert {code for code, _ in record.points} <= PROTOCOL_POINTS
            assert 2 <= len(record.channels) <= 4
            assert all(c["a"][1] == c["b"][1] for c in record.channels), "a channel stays on one side"
            kinds = [e["kind"] for e in store.session_events(summary.id)]
            assert kinds[:2] == ["session.opened", "session.started"]
            assert "session.ended" in kinds and "clock.gap" not in kinds
            # The app's own vocabulary: commands as sent, and the device's readings once a minute per channel.
            assert "stim.command" in kinds and "stim.settings" in kinds
            minutes = summary.treatment_seconds / 60
            assert kinds.count("stim.status") >= len(record.channels) * int(minutes * 0.7)
            assert summary.started_at < TODAY.isoformat()
    finally:
        store.close()


def test_same_seed_same_log_and_few_sessions_leave_some_patients_without(tmp_path: Path) -> None:
    docs = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.sqlite3"
        make_demo_database(path, patients=6, sessions=8, seed=7, today=TODAY)
        store = open_readonly(path)
        export = build_export(store)
        with_sessions = {s["patient"]["code"] for s in export["sessions"]}
        assert len(export["sessions"]) == 8 and len(with_sessions) < 6
        docs.append(json.dumps(export["sessions"]))
        store.close()
    assert docs[0] == docs[1]


def test_demo_data_command(tmp_path: Path, capsys) -> None:
    path = tmp_path / "d.sqlite3"
    assert cli_main(["demo-data", "--db", str(path), "--patients", "3", "--sessions", "0", "--seed", "2"]) == 0
    assert "3 patients, 0 sessions" in capsys.readouterr().out
    assert cli_main(["demo-data", "--db", str(path)]) == 1
    assert "already holds patients" in capsys.readouterr().err
    bad = tmp_path / "notes.txt"
    bad.write_text("private")
    assert cli_main(["demo-data", "--db", str(bad)]) == 2
    assert bad.read_text() == "private"


def test_demo_data_into_a_log_with_patients_says_what_to_choose_instead(log_location, engine: str, capsys) -> None:
    argv = ["demo-data", "--db", str(log_location), "--patients", "1", "--sessions", "0"]
    assert cli_main(argv) == 0
    capsys.readouterr()
    assert cli_main(argv) == 1
    err = capsys.readouterr().err
    assert "already holds patients" in err
    if engine == "postgresql":
        assert "a new, empty database" in err and "file" not in err, err
    else:
        assert "a new file" in err
