"""What the app remembers between starts: typed values over the INI file, and nothing made up from junk."""

from __future__ import annotations

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
