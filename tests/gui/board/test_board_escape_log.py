"""Escape with 8 chairs: the devices are stopped first, then every record the stop brings goes into the log in
one commit, in the order it came, before the confirmation line; a session ended and a quit right after lose none."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from neurotimer.app import App
from neurotimer.gui.board import stop_all
from neurotimer.session.clock import ManualClock
from neurotimer.storage.store import open_readonly
from neurotimer.storage.verify import verify_store
from tests.gui.board.test_board_app import open_chairs_app, outputs_on, start_with_output

CHAIRS = 8


class Watched:
    """A store's connection that notes every commit in the shared list of what happened."""

    def __init__(self, conn, happened: list[str]) -> None:
        self._conn = conn
        self._happened = happened

    def execute(self, sql: str, *args):
        result = self._conn.execute(sql, *args)
        if sql == "COMMIT":
            self._happened.append("commit")
        return result

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


@pytest.fixture
def app(qtbot, tmp_path, clock: ManualClock):
    a = open_chairs_app(qtbot, tmp_path, clock, CHAIRS)
    for chair in a.chairs:
        start_with_output(qtbot, chair, 30, (1, 2))
    yield a
    if a.store is not None:
        a.shutdown()


def watch(app: App, monkeypatch) -> tuple[list[str], list[tuple[str, str]]]:
    """What happens from now on ('abort' per chair's device stop, 'commit' per commit) and what the recorder
    is given to write, in order (chair, kind)."""
    happened: list[str] = []
    given: list[tuple[str, str]] = []
    recorder = app.shared.recorder
    enqueue = recorder._enqueue

    def spy(item) -> None:
        given.append((item.target.lane.name, item.kind))
        enqueue(item)

    monkeypatch.setattr(recorder, "_enqueue", spy)
    for chair in app.chairs:
        stop = chair.stim.emergency_stop

        def abort(stop=stop) -> None:
            happened.append("abort")
            stop()

        monkeypatch.setattr(chair.stim, "emergency_stop", abort)
    app.store.conn = Watched(app.store.conn, happened)
    return happened, given


def logged_since(path, n0: int, lanes: dict[int, str]) -> list[tuple[str, str]]:
    """Every event after the n0-th, as (chair, kind), from the log as the next start finds it (and verified)."""
    store = open_readonly(path)
    try:
        rows = store.conn.execute("SELECT session_id, kind FROM events WHERE n > ? ORDER BY n", (n0,)).fetchall()
        assert verify_store(store).ok
        return [(lanes[session_id], kind) for session_id, kind in rows]
    finally:
        store.close()


def head(app: App) -> tuple[int, dict[int, str]]:
    """The log's last event and which chair's lane each session runs in."""
    lanes = {c.records.recorder.session_id: c.records.recorder.name for c in app.chairs}
    return app.store.conn.execute("SELECT max(n) FROM events").fetchone()[0], lanes


def test_escape_with_eight_chairs_writes_every_stop_record_in_one_commit_in_order(qtbot, app, monkeypatch) -> None:
    # On a busy machine the devices may take longer than the batch's bound: here it ends with their confirmations.
    monkeypatch.setattr(stop_all, "BATCH_WAIT_MS", 4000)
    n0, lanes = head(app)
    happened, given = watch(app, monkeypatch)
    at_line: list[tuple[int, int]] = []
    app.stop_all.finished.connect(lambda _text: at_line.append((happened.count("commit"), len(given))))
    with qtbot.waitSignal(app.stop_all.finished, timeout=5000) as done:
        qtbot.keyClick(app.window, Qt.Key.Key_Escape)
    assert all(outputs_on(chair) == [] for chair in app.chairs)
    assert done.args[0].endswith("; ".join(f"Room {n} CH1, CH2" for n in range(1, CHAIRS + 1)) + ".")
    assert happened[:CHAIRS] == ["abort"] * CHAIRS, "every device is stopped before anything is written"
    commits, records = at_line[0]
    assert commits == 1, "every record of the stop in one commit, before the line"
    kinds = [kind for _chair, kind in given[:records]]
    assert kinds.count("stim.emergency_stop") == kinds.count("stim.emergency_stop_confirmed") == CHAIRS
    assert kinds.count("stim.output_off") == 2 * CHAIRS
    assert logged_since(app.store.path, n0, lanes)[:records] == given[:records], "in the order they came"


def test_a_session_ended_and_a_quit_right_after_escape_lose_nothing(qtbot, app, monkeypatch) -> None:
    n0, lanes = head(app)
    path = app.store.path
    _happened, given = watch(app, monkeypatch)
    qtbot.keyClick(app.window, Qt.Key.Key_Escape)
    app.chairs[2].sessions.end()  # before any device has answered
    assert app.shared.recorder.pending == 0, "a session's end writes the stop's records held so far with it"
    app.shutdown()  # a quit at once: the answers still on their way are the only thing not recorded
    logged = logged_since(path, n0, lanes)
    assert logged == given and len(given) > CHAIRS
    assert ("Room 3", "session.ended") in logged and logged.count(("Room 1", "stim.emergency_stop")) == 1
    assert not path.with_name(path.name + ".spool").exists(), "nothing left waiting for the next start"
