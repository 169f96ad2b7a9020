"""Settings → Session log…: a file or the clinic's server, remembered for the next start, never a password;
bad input says what is wrong and loses nothing; at start a refused log offers another, a server too."""

from __future__ import annotations

import argparse

from neurotimer.gui.shell.log_dialog import LogDialog, server_url
from neurotimer.gui.shell.open_log import Choice, open_log
from neurotimer.gui.shell.settings import Settings, log_to_open


def _dialog(qtbot, current=None) -> LogDialog:
    dialog = LogDialog(current)
    qtbot.addWidget(dialog)
    return dialog


def test_a_server_is_chosen_by_its_parts_and_kept_without_a_password(qtbot, tmp_path) -> None:
    dialog = _dialog(qtbot, tmp_path / "old.sqlite3")
    assert dialog.file_choice.isChecked() and dialog.path.text().endswith("old.sqlite3")
    dialog.server_choice.setChecked(True)
    assert not dialog.path.isEnabled() and dialog.server_box.isEnabled()
    dialog.host.setText("clinic-server")
    dialog.port.setValue(5433)
    dialog.user.setText("room1")
    dialog.sslmode.setCurrentIndex(dialog.sslmode.findData("verify-full"))
    dialog.accept()
    assert dialog.result() == LogDialog.DialogCode.Accepted
    assert dialog.location == "postgresql://room1@clinic-server:5433/neurotimer?sslmode=verify-full"
    settings = Settings(tmp_path / "settings.ini")
    settings.log_location = dialog.location
    again = _dialog(qtbot, Settings(tmp_path / "settings.ini").log_location)
    assert again.server_choice.isChecked()
    assert (again.host.text(), again.port.value(), again.dbname.text(), again.user.text()) == (
        "clinic-server", 5433, "neurotimer", "room1")
    assert again.sslmode.currentData() == "verify-full"
    assert "password" not in (tmp_path / "settings.ini").read_text().lower()
    assert not [w for w in dialog.findChildren(type(dialog.host)) if w.echoMode() != w.EchoMode.Normal], \
        "no password field"


def test_bad_input_says_what_is_wrong_and_keeps_what_was_typed(qtbot, tmp_path) -> None:
    dialog = _dialog(qtbot)
    dialog.server_choice.setChecked(True)
    dialog.accept()
    assert dialog.result() != LogDialog.DialogCode.Accepted and dialog.location is None
    assert dialog.error.text().startswith("Name the server")
    dialog.host.setText("clinic-server")
    dialog.dbname.setText("")
    dialog.accept()
    assert dialog.error.text().startswith("Name the database")
    assert dialog.host.text() == "clinic-server", "nothing typed is lost"
    dialog.file_choice.setChecked(True)
    dialog.path.setText(str(tmp_path))
    dialog.accept()
    assert "is a folder" in dialog.error.text() and dialog.location is None


def test_the_address_is_quoted_and_an_ipv6_host_bracketed() -> None:
    assert server_url("fd00::7", 5432, "clinic log", "front desk", "") == (
        "postgresql://front%20desk@[fd00::7]:5432/clinic%20log")


def test_the_chosen_log_is_what_the_next_start_opens_unless_db_is_given(tmp_path) -> None:
    from neurotimer import paths

    assert log_to_open(None) == paths.default_db_path()
    Settings(paths.app_data_dir() / "settings.ini").log_location = tmp_path / "clinic.sqlite3"
    assert log_to_open(None) == tmp_path / "clinic.sqlite3"
    assert log_to_open(tmp_path / "other.sqlite3") == tmp_path / "other.sqlite3"


def test_the_app_opens_the_log_chosen_in_settings(qtbot, tmp_path, clock) -> None:
    from neurotimer import paths
    from neurotimer.app import App

    Settings(paths.app_data_dir() / "settings.ini").log_location = tmp_path / "chosen.sqlite3"
    args = argparse.Namespace(demo=False, db=None, device=None, startup_probe=False, command=None)
    app = App(args, clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(app.window)
    app.finish_start()
    try:
        assert app.store.path == tmp_path / "chosen.sqlite3"
    finally:
        app.shutdown()


def test_a_refused_log_at_start_can_be_swapped_for_a_server(tmp_path, pg_url, clock) -> None:
    foreign = tmp_path / "notes.sqlite3"
    foreign.write_text("not a database")
    asked = []
    store, note = open_log(foreign, clock, lambda text, choices: asked.append(choices) or Choice.OTHER_FILE,
                           lambda: pg_url)
    try:
        assert asked == [[Choice.OTHER_FILE, Choice.QUIT]] and Choice.OTHER_FILE.value == "Use another log…"
        assert store is not None and store.path == pg_url and note == ""
    finally:
        store.close()


def test_settings_session_log_remembers_the_choice_and_says_when_it_applies(qtbot, tmp_path, clock,
                                                                           monkeypatch) -> None:
    from neurotimer import paths
    from neurotimer.app import App

    def choose_server(dialog: LogDialog) -> int:
        dialog.server_choice.setChecked(True)
        dialog.host.setText("clinic-server")
        dialog.user.setText("room2")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(LogDialog, "exec", choose_server)
    args = argparse.Namespace(demo=False, db=tmp_path / "here.sqlite3", device=None, startup_probe=False,
                              command=None)
    app = App(args, clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(app.window)
    app.finish_start()
    try:
        [action] = [a for a in app.window.settings_menu.actions() if a.text() == "Session &log…"]
        action.trigger()
        assert app.store.path == tmp_path / "here.sqlite3", "the log open now stays open"
        assert Settings(paths.app_data_dir() / "settings.ini").log_location == (
            "postgresql://room2@clinic-server:5432/neurotimer")
        assert "From the next start" in app.window.alarms.model.get("log-setting").text
    finally:
        app.shutdown()


def test_the_password_note_is_shown_whole_with_a_message_under_it(qtbot) -> None:
    dialog = _dialog(qtbot, "postgresql://room1@clinic-server:5432/neurotimer")
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.dbname.setText("")
    dialog.accept()
    note = dialog.password_note
    assert note.height() >= note.heightForWidth(note.width()), "every line of where the password goes is readable"
    assert dialog.error.isVisible()
