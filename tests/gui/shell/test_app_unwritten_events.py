"""A log that cannot be written at the chair: the alarm counts what waits, quit asks, the next start writes it."""

from __future__ import annotations

import sqlite3

from neurotimer.storage.spool import read_spool
from neurotimer.storage.verify import verify_store


class FullDisk:
    """The log's connection on a disk with no space left: every write fails as SQLite's does."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.full = True

    def execute(self, sql: str, *args):
        if self.full and sql.split()[0] in ("INSERT", "UPDATE", "COMMIT"):
            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def test_a_full_disk_is_counted_truly_quit_asks_and_the_next_start_writes_everything(asking_app, clock) -> None:
    asked: list[str] = []
    answers = [True, False, True]  # quit the running session; then stay once; then quit keeping them
    app = asking_app(answers, asked)
    app.sessions.start()
    clock.advance(1)
    session_id = app.records.recorder.session_id
    disk = FullDisk(app.store.conn)
    app.store.conn = disk
    for n in range(30):
        clock.advance(0.2)
        app.records.record("stim.intensity", {"channel": 1, "n": n})
    alarm = app.window.alarms.model.get("log-write")
    assert alarm is not None and alarm.priority.name == "HIGH"
    waiting = app.records.recorder.waiting
    assert waiting >= 30 and f"{waiting} event(s) wait, kept in the spool file" in alarm.text
    # The strip shows the count as it is now (a long text ends in "…" there; the whole of it is its tool tip).
    assert app.window.alarms.text() == alarm.text and f"{waiting} event(s)" in app.window.alarms.label.text()
    raises = [a for a in app.window.alarms.model.history() if a.key == "log-write"]
    assert len(raises) == 1, "a moving count restates the alarm, it does not raise it again"

    app.window.close()  # Ctrl+Q with a session running and events not yet in the log
    assert asked[-1].startswith("Quit with events not yet in the log?")
    assert "kept in the spool file" in asked[-1] and "written into the log at the next start" in asked[-1]
    assert app.window.isVisible(), "No: neurotimer stays and keeps trying"
    app.window.close()
    assert not answers and not app.window.isVisible()
    spool_file = app.records.recorder.spool_path
    app.shutdown()
    disk._conn.close()
    spooled = [r for r in read_spool(spool_file) if r["t"] == "event"]
    assert [r["payload"]["n"] for r in spooled if r["kind"] == "stim.intensity"] == list(range(30))
    assert spooled[-1]["kind"] == "session.ended"

    again = asking_app([], [])
    try:
        [notice] = [a for a in again.window.alarms.active() if a.key == "spool-replayed"]
        assert f"{len(spooled)} event(s)" in notice.text
        events = again.store.session_events(session_id)
        assert [e["data"]["n"] for e in events if e["kind"] == "stim.intensity"] == list(range(30))
        assert events[-1]["kind"] == "session.ended" and read_spool(spool_file) == []
        assert verify_store(again.store).ok
    finally:
        again.shutdown()


def test_quit_with_nothing_waiting_asks_nothing_more(asking_app) -> None:
    asked: list[str] = []
    app = asking_app([], asked)
    spool_file = app.records.recorder.spool_path
    assert spool_file.exists(), "its space is reserved from the start"
    app.window.close()
    assert asked == [] and not app.window.isVisible()
    app.shutdown()
    assert not spool_file.exists(), "an empty spool is removed at quit"


def test_each_start_names_a_copy_saved_when_the_log_was_replaced_while_open(tmp_path, clock) -> None:
    import shutil

    from neurotimer.gui.shell.open_log import open_session_log
    from neurotimer.session.session import Session
    from neurotimer.storage.recorder import Recorder
    from neurotimer.storage.spool import Spool, spool_path
    from neurotimer.storage.store import open_store

    path = tmp_path / "clinic" / "log.sqlite3"
    store = open_store(path, clock=clock, daily_backup=False)
    recorder = Recorder(store, clock, spool=Spool(spool_path(store)))
    session = Session(clock, 30)
    recorder.attach(session)
    session.start()
    shutil.rmtree(path.parent)
    open_store(path, clock=clock, daily_backup=False).close()  # another log takes the path
    clock.advance(1)
    recorder.record("stim.intensity", {"channel": 1, "mA": 1.0})
    recorder.close()
    store.close()

    def never(*_args):
        raise AssertionError("nothing to ask")

    opened = open_session_log(path, clock, never, never)
    try:
        assert opened.replayed is not None and "event(s)" in opened.replayed
        assert "log.removed-" in opened.replayed and "open it with --db" in opened.replayed
    finally:
        opened.lock.unlock()
        opened.store.close()
