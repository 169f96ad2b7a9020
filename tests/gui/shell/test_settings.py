"""What the app remembers between starts: typed values over the INI file, and nothing made up from junk."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from neurotimer.gui.shell.settings import Settings


def test_the_planned_time_and_the_stimulator_come_back_at_the_next_start(tmp_path) -> None:
    first = Settings(tmp_path / "settings.ini")
    assert first.planned_minutes is None and first.device_url is None
    first.planned_minutes = 45
    first.device_url = "socket://192.0.2.7:5025"
    del first  # written out as the window closes
    again = Settings(tmp_path / "settings.ini")
    assert again.planned_minutes == 45
    assert again.device_url == "socket://192.0.2.7:5025"


def test_a_planned_time_edited_into_junk_is_ignored(tmp_path) -> None:
    path = tmp_path / "settings.ini"
    path.write_text("[session]\nplanned_minutes=half an hour\n")
    assert Settings(path).planned_minutes is None


def test_the_chairs_come_back_in_board_order_and_junk_names_none(tmp_path) -> None:
    path = tmp_path / "settings.ini"
    first = Settings(path)
    assert first.chairs == []
    first.chairs = [{"name": "Recliner A", "device": "sim:"}, {"name": "Room 2", "device": "socket://10.0.0.2:5025"}]
    del first
    assert Settings(path).chairs == [{"name": "Recliner A", "device": "sim:"},
                                     {"name": "Room 2", "device": "socket://10.0.0.2:5025"}]
    path.write_text('[chairs]\nlist="not json ["\n')
    assert Settings(path).chairs == []


def test_the_last_practitioner_is_kept_for_each_log(tmp_path) -> None:
    room = tmp_path / "room.sqlite3"
    server = "postgresql://room1@db.clinic:5432/neurotimer?sslmode=verify-full"
    first = Settings(tmp_path / "settings.ini")
    first.remember_practitioner(room, 2)
    first.remember_practitioner(server, 5)
    del first
    again = Settings(tmp_path / "settings.ini")
    assert again.last_practitioner(room) == 2
    assert again.last_practitioner(tmp_path / "sub" / ".." / "room.sqlite3") == 2, "the same file, however named"
    assert again.last_practitioner("postgresql://room1@db.clinic:5432/neurotimer?sslmode=require") == 5
    assert again.last_practitioner(tmp_path / "other.sqlite3") is None, "another log's id means someone else"
    assert again.last_practitioner("postgresql://room1@db.clinic:5432/archive") is None
    assert again.last_practitioner(None) is None


def test_the_one_id_of_older_settings_is_offered_only_in_the_log_they_name(tmp_path) -> None:
    path = tmp_path / "settings.ini"
    own = tmp_path / "clinic.sqlite3"
    path.write_text(f"[log]\nlocation={own}\n[practitioner]\nlast=3\n")
    settings = Settings(path)
    assert settings.last_practitioner(own) == 3
    assert settings.last_practitioner(tmp_path / "elsewhere.sqlite3") is None
    settings.remember_practitioner(tmp_path / "elsewhere.sqlite3", 1)
    assert settings.last_practitioner(own) is None, "once logs are told apart the old id is gone"
    assert "last=" not in path.read_text()


def test_practitioners_edited_into_junk_are_none(tmp_path) -> None:
    path = tmp_path / "settings.ini"
    written = QSettings(str(path), QSettings.Format.IniFormat)
    written.setValue("practitioner/last_by_log", '{"/a.sqlite3": "two", "/b.sqlite3": 4, "/c.sqlite3": true}')
    written.sync()
    assert Settings(path).last_practitioner("/a.sqlite3") is None
    assert Settings(path).last_practitioner("/c.sqlite3") is None
    assert Settings(path).last_practitioner("/b.sqlite3") == 4
    path.write_text("[practitioner]\nlast_by_log=not json\n")
    assert Settings(path).last_practitioner("/b.sqlite3") is None
