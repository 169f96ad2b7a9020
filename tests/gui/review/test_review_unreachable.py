"""The review window on a clinic's server that stops answering: every read and write it makes is cut off within
the bound, said in one plain line where the practitioner looks, loses nothing typed, and the window comes back by
itself when the server answers again."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from review_helpers import wait_loaded

from neurotimer.storage.store import open_readonly
from neurotimer.storage.transfer import copy_log
from tests.gui.silent_log import BACK_MS, WITHIN_S, through, timed
from tests.storage.blackhole import Blackhole


@pytest.fixture
def relayed_review(qtbot, monkeypatch, review_demo, pg_url, catalogue_source):
    """A review window on the demo log copied to the test server, through a relay that can go silent; the
    list's worker gives a silent server up after 2 s and the window reads again every 0.5 s (10 s and 3 s in
    the app), so the test does not wait minutes."""
    import neurotimer.gui.review.window as review_window_module
    import neurotimer.storage.bounded as bounded
    from neurotimer.gui.review.launch import build_review_window
    from neurotimer.storage.review_open import open_for_review

    source = open_readonly(review_demo)
    try:
        assert copy_log(source, pg_url).ok
    finally:
        source.close()
    monkeypatch.setattr(bounded, "WORKER_CALL_BOUND_S", 2.0)
    monkeypatch.setattr(review_window_module, "LIVE_MS", 500)
    relay = Blackhole(urlsplit(pg_url).port)
    store, message = open_for_review(through(pg_url, relay.port))
    assert store is not None, message
    window = build_review_window(store, catalogue_source)
    qtbot.addWidget(window)
    window.show()
    wait_loaded(qtbot, window)
    yield window, relay
    relay.speak()
    window.close()
    relay.close()


def menu_action(window, text: str):
    menus = (window.session_menu, window.course_menu, window.report_menu)
    return next(a for m in menus for a in m.actions() if a.text().replace("&", "").startswith(text))


def test_a_silent_server_is_said_plainly_and_the_window_comes_back_by_itself(qtbot, relayed_review) -> None:
    window, relay = relayed_review
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.replay is not None and window.replay.replay is not None, timeout=10_000)
    second = window.model.row_at(1)
    relay.silence()

    # Choosing another session: its replay cannot be read; the panel says so instead of showing the last one.
    assert timed(lambda: window.table.selectRow(1)) < WITHIN_S
    assert window.replay.unread == second.id and window.replay.replay is None
    assert "cannot be reached" in window.replay.heading.text() and window.replay.tabs.isHidden()
    # A menu entry that reads first (who writes, the session) says so in the window's line; nothing opens.
    assert timed(menu_action(window, "Amend").trigger) < WITHIN_S
    assert "“Amend this session” could not open" in window.message.text()
    assert "cannot be reached" in window.message.text() and "Traceback" not in window.message.text()
    assert window.actions.dialog is None
    # The list's own reads (every few seconds on a server log) fail on their thread, given up, said once.
    qtbot.waitUntil(lambda: window.model.unread, timeout=15_000)
    assert "The session list could not be read" in window.message.text()

    relay.speak()
    qtbot.waitUntil(lambda: not window.message.isVisible() and window.replay.unread is None, timeout=BACK_MS)
    assert window.replay.replay.record.id == second.id and not window.replay.tabs.isHidden()
    assert window.current_row().id == second.id, "the selection stayed"
    assert window.count.text() == "80 sessions in the log"


def test_a_note_written_while_the_server_is_silent_stays_in_its_form_until_it_is_saved(qtbot, relayed_review) -> None:
    window, relay = relayed_review
    window.table.selectRow(0)
    row = window.current_row()
    menu_action(window, "Add a note").trigger()
    dialog = window.actions.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.text.setPlainText("Left foot warmer; walked 2 km")
    dialog.practitioner.setText("Dr Lee")
    relay.silence()

    assert timed(lambda: dialog.submit() and pytest.fail("saved to a silent server")) < WITHIN_S
    assert "Not saved: the log server cannot be reached" in dialog.error.text()
    assert "press OK again" in dialog.error.text()
    assert dialog.isVisible() and dialog.text.toPlainText() == "Left foot warmer; walked 2 km"

    relay.speak()
    qtbot.waitUntil(dialog.submit, timeout=BACK_MS)  # OK pressed again until the server answers
    assert not dialog.isVisible()
    notes = [text for _at, _who, text in window.store.session_notes(row.id)]
    assert notes.count("Left foot warmer; walked 2 km") == 1, "written once, when the server answered"


def test_the_window_closes_at_once_while_the_server_is_silent(qtbot, relayed_review) -> None:
    window, relay = relayed_review
    window.table.selectRow(0)
    relay.silence()
    window.table.selectRow(1)  # a read cut off: the connection is being made again in the background
    window.model.reload()  # and the list's thread waits on the silent server
    assert timed(window.close) < 2.5, "closing never waits for the server"


def test_an_export_from_a_silent_server_says_so_and_writes_nothing(qtbot, tmp_path, relayed_review) -> None:
    window, relay = relayed_review
    out = tmp_path / "sessions.json"
    window.actions.ask_save = lambda *_args: out
    relay.silence()
    window.actions.export("json")  # on its own thread: the window stays usable meanwhile
    qtbot.waitUntil(lambda: window.message.isVisible() and "export" in window.message.text(), timeout=30_000)
    text = window.message.text()
    assert text.startswith("The export was not written:") and "Nothing was lost: export again." in text
    assert not out.exists()
    # The list's next failed read (every 3 s on a silent server) is said beside it, never over it.
    qtbot.waitUntil(lambda: "session list" in window.message.text(), timeout=30_000)
    assert window.message.text().startswith("The export was not written:")
    window.actions.wait()
