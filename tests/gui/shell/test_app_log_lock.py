"""The `<log>.lock` beside a log file keeps a second window from writing the same log; when the app's folder is
removed while it runs and the log is saved again at its path, the lock is taken again with it."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from neurotimer.app import App


def make_app(qtbot, db: Path, clock) -> App:
    args = argparse.Namespace(demo=False, db=db, device=None, startup_probe=False, command=None)
    app = App(args, clock, chime=lambda: None, confirm=lambda _title, _text: True)
    qtbot.addWidget(app.window)
    return app


def test_a_log_saved_again_after_its_folder_was_removed_is_locked_again(qtbot, tmp_path, clock) -> None:
    db = tmp_path / "clinic" / "log.sqlite3"
    first = make_app(qtbot, db, clock)
    first.window.show()
    qtbot.waitExposed(first.window)
    first.finish_start()
    try:
        first.sessions.start()
        clock.advance(1)
        first.sessions.tick()
        assert Path(f"{db}.lock").exists()

        shutil.rmtree(db.parent)  # the app data folder goes while the log is open, its lock with it
        clock.advance(10)
        first.sessions.tick()  # the next progress write finds the log gone and saves it again at its path
        qtbot.waitUntil(db.exists, timeout=5000)
        assert Path(f"{db}.lock").exists(), "the lock is taken again with the log"
        assert "saved again" in " ".join(a.text for a in first.window.alarms.active())

        second = make_app(qtbot, db, clock)
        assert second._open_log()
        assert second.records is None, "nothing is recorded by the second window"
        assert "in use by another neurotimer window" in second.window.alarms.current().text
        second.shutdown()
        assert Path(f"{db}.lock").exists(), "the second window leaves the first one's lock alone"
    finally:
        first.shutdown()
    assert not Path(f"{db}.lock").exists(), "the first window's quit lets the next start write the log"
