"""View → Clinic board… in the chair window: the board opens on the same log and shows this chair's session."""

from __future__ import annotations

import argparse

from neurotimer.app import App


def make_args(db) -> argparse.Namespace:
    return argparse.Namespace(demo=False, db=db, device=None, startup_probe=False, command=None)


def test_the_view_menu_opens_the_clinic_board_on_the_same_log(qtbot, tmp_path, clock) -> None:
    app = App(make_args(tmp_path / "log.sqlite3"), clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(app.window)
    app.window.show()
    qtbot.waitExposed(app.window)
    app.finish_start()
    try:
        app.sessions.start()
        qtbot.waitUntil(lambda: app.records.recorder.session_id is not None, timeout=5000)
        [action] = [a for a in app.window.view_menu.actions() if a.text() == "&Clinic board…"]
        action.trigger()
        board = app.clinic
        assert board is not None and board.isVisible()
        qtbot.waitUntil(lambda: bool(board.rows), timeout=5000)
        assert board.row_texts()[0][3] == "RUNNING"
        action.trigger()
        assert app.clinic is board, "one board, brought to the front"
    finally:
        app.shutdown()
    assert app.clinic is None
