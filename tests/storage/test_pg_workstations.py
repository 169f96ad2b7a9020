"""Several workstations on one PostgreSQL log: each writes its own sessions, never another's, and a dead
workstation's open session is closed as interrupted once, by whoever starts next."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from storage_helpers import run_session

from neurotimer.storage.pg.leases import SessionTaken
from neurotimer.storage.pg.open import open_pg_store
from neurotimer.storage.recovery import recover_interrupted
from neurotimer.storage.store import open_store
from neurotimer.storage.verify import verify_store

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def _station(url: str, name: str, clock, **lease):
    return open_pg_store(url, clock=clock, lease_options={"workstation": name, **lease})


def test_a_live_session_belongs_to_its_workstation(pg_url: str, clock) -> None:
    room1 = _station(pg_url, "room1", clock)
    room2 = _station(pg_url, "room2", clock)
    sid, session, _ = run_session(room1, clock, end=False)
    assert room2.recorded_on(sid) == "room1"
    assert recover_interrupted(room2) == [], "a session recorded elsewhere right now is left alone"
    with pytest.raises(SessionTaken, match="room1"), room2.transaction() as conn:
        room2.apply_effects(conn, sid, "session.paused", {"treatment_seconds": 1.0}, room2.now_text(), 1.0)
    assert room2.get_session(sid).summary.state == "running", "read-only for the other workstation"
    session.end()
    assert room2.get_session(sid).summary.state == "ended_early" and room2.recorded_on(sid) is None
    room1.close()
    room2.close()


def test_a_dead_workstations_session_is_recovered_once_when_its_lease_runs_out(pg_url: str, clock) -> None:
    room1 = _station(pg_url, "room1", clock, heartbeat_s=3600)  # its heartbeat never comes
    sid, _, _ = run_session(room1, clock, end=False)
    others = [_station(pg_url, name, clock) for name in ("room2", "room3", "desk")]
    assert recover_interrupted(others[0]) == [], "the lease is still alive"
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as admin:  # the minute without a heartbeat passes (server time)
        admin.execute("UPDATE session_leases SET expires_at = now() - interval '1 second'")
    found: list[list[int]] = []
    starts = [threading.Thread(target=lambda s=s: found.append([r.session_id for r in recover_interrupted(s)]))
              for s in others]
    for thread in starts:
        thread.start()
    for thread in starts:
        thread.join(30)
    assert sorted(found) == [[], [], [sid]], "exactly one workstation closed it"
    events = [e["kind"] for e in others[0].session_events(sid)]
    assert events.count("session.interrupted") == 1
    assert others[0].get_session(sid).summary.state == "interrupted" and verify_store(others[0]).ok
    for store in (room1, *others):
        store.close()


def test_the_heartbeat_keeps_a_long_pause_alive(pg_url: str, clock) -> None:
    room1 = _station(pg_url, "room1", clock, lease_s=1.0, heartbeat_s=0.2)
    sid, session, _ = run_session(room1, clock, end=False)
    session.pause()  # a paused session writes nothing for minutes; its lease must not run out
    room2 = _station(pg_url, "room2", clock)
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        assert recover_interrupted(room2) == []
        time.sleep(0.2)
    assert room2.recorded_on(sid) == "room1"
    room1.close()
    room2.close()


def _process(*args: str, name: str, stdin: int | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)]), "NEUROTIMER_WORKSTATION": name}
    return subprocess.Popen([sys.executable, str(HERE / "pg_workstation.py"), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=stdin, text=True, env=env)


def _line(proc: subprocess.Popen, word: str) -> list[str]:
    line = proc.stdout.readline()
    assert line.startswith(word), (line, proc.stderr.read() if proc.poll() is not None else "")
    return line.split()[1:]


def test_two_workstations_write_six_sessions_at_once(pg_url: str) -> None:
    open_store(pg_url).close()  # the owner sets the log up first
    procs = [_process("write", pg_url, "3", "40", name=name) for name in ("room1", "room2")]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outputs]
    ids = sorted(int(line.split()[1]) for out, _ in outputs for line in out.splitlines())
    assert ids == [1, 2, 3, 4, 5, 6]
    store = open_store(pg_url)
    assert verify_store(store).ok
    for sid in ids:
        events = store.session_events(sid)
        intensities = [e["data"]["mA"] for e in events if e["kind"] == "stim.intensity"]
        assert intensities == [round(0.1 * step, 1) for step in range(40)], "none lost, none twice, in order"
        assert store.get_session(sid).summary.state in ("completed", "ended_early")
    store.close()


def test_a_killed_workstation_is_recovered_once_while_another_watches(pg_url: str) -> None:
    open_store(pg_url).close()
    holder = _process("hold", pg_url, name="room1")
    sid = _line(holder, "session")[0]
    watcher = _process("watch", pg_url, sid, "60", name="desk")
    assert _line(watcher, "state") == [sid, "running", "0"]
    holder.send_signal(signal.SIGKILL)
    holder.wait(10)
    # room1 starts again at once (its own earlier run is dead), while room2 also starts: one closes it.
    starters = [_process("recover", pg_url, name=name) for name in ("room1", "room2")]
    recovered = [s.communicate(timeout=60)[0].split()[1:] for s in starters]
    assert sorted(recovered) == [[], [sid]]
    assert _line(watcher, "state") == [sid, "interrupted", "1"]
    assert watcher.wait(30) == 0
    again = _process("recover", pg_url, name="room3")
    assert again.communicate(timeout=60)[0].split() == ["recovered"]
    store = open_store(pg_url)
    assert verify_store(store).ok
    store.close()
    for proc in (holder, watcher, *starters, again):
        proc.stdout.close()
        proc.stderr.close()


def test_a_frozen_workstation_resumes_after_its_session_was_recovered_and_loses_nothing(pg_url: str) -> None:
    """room1 is frozen (SIGSTOP: its heartbeat stops, as with a closed lid) for longer than its lease; room2 starts
    and closes its session as interrupted; room1 resumes and goes on: the rest goes into a linked new session."""
    open_store(pg_url).close()
    room1 = _process("live", pg_url, name="room1", stdin=subprocess.PIPE)
    sid = _line(room1, "wrote")[1]
    for _ in range(3):
        _line(room1, "wrote")
    # Frozen between two writes: one frozen inside its write transaction would hold the clinic's write lock.
    room1.stdin.write("hold\n")
    room1.stdin.flush()
    while room1.stdout.readline().strip() != "holding":
        pass
    room1.send_signal(signal.SIGSTOP)
    try:
        room2 = _process("recover-wait", pg_url, sid, "60", name="room2")
        assert room2.communicate(timeout=90)[0].split() == ["recovered", sid]
    finally:
        room1.send_signal(signal.SIGCONT)
    out, err = room1.communicate("go\n", timeout=90)
    assert room1.returncode == 0, err[-2000:]
    lines = [line.split() for line in out.splitlines()]
    continued = next(w[1:] for w in lines if w[0] == "continued")
    new, last = (int(w) for w in next(w[1:] for w in lines if w[0] == "done"))
    assert continued == [sid, str(new), "room2"]
    store = open_store(pg_url)
    old_events, new_events = store.session_events(int(sid)), store.session_events(new)
    assert old_events[-1]["kind"] == "session.interrupted", "nothing written into it after its end"
    assert [e["kind"] for e in old_events].count("session.interrupted") == 1
    assert new_events[1]["kind"] == "session.continues" and new_events[1]["data"]["session_id"] == int(sid)
    numbers = [e["data"]["n"] for e in old_events + new_events if e["kind"] == "stim.intensity"]
    assert numbers == list(range(last + 1)), "no event lost or written twice, in order"
    assert new_events[-1]["kind"] == "session.ended"
    assert verify_store(store).ok
    store.close()
    room2.stdout.close()
    room2.stderr.close()


def test_the_server_lets_go_of_a_vanished_workstation_within_seconds(pg_url: str, clock) -> None:
    """A workstation gone mid-write (lid closed, cable out) holds the clinic's write lock until the server finds
    its connection dead: the server probes it as the workstation probes the server, not after its own 2 hours."""
    store = _station(pg_url, "room1", clock)
    if store.conn.execute("SELECT inet_client_addr()").fetchone()[0] is None:
        pytest.skip("the test server is reached through a Unix socket, which has no TCP keepalives")
    settings = dict(store.conn.execute(
        "SELECT name, setting FROM pg_settings WHERE name IN"
        " ('tcp_keepalives_idle', 'tcp_keepalives_interval', 'tcp_keepalives_count', 'tcp_user_timeout')"
    ).fetchall())
    assert settings == {"tcp_keepalives_idle": "5", "tcp_keepalives_interval": "2", "tcp_keepalives_count": "3",
                        "tcp_user_timeout": "10000"}
    store.close()


def test_a_second_window_on_the_same_workstation_leaves_the_first_ones_live_session_alone(pg_url, clock) -> None:
    first = _station(pg_url, "room1", clock)
    sid, _, _ = run_session(first, clock, end=False)
    second = _station(pg_url, "room1", clock)  # another window on the same computer, started meanwhile
    assert recover_interrupted(second) == [], "the first window is alive: its session is not closed under it"
    assert second.get_session(sid).summary.state == "running"
    first.close()  # the first window's process ends: its connections to the server go with it
    found: list[int] = []
    deadline = time.monotonic() + 10
    while not found and time.monotonic() < deadline:
        found = [r.session_id for r in recover_interrupted(second)]
        time.sleep(0.05)
    assert found == [sid], "an earlier run of this workstation that has ended is recovered at once"
    second.close()
