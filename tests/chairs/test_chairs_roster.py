"""The chair roster: names and stimulators checked, a chair with a session running stays."""

from __future__ import annotations

import pytest

from neurotimer.chairs.roster import MAX_CHAIRS, Chair, ChairError, ChairRoster


def test_numbered_chairs_each_get_a_built_in_simulator() -> None:
    roster = ChairRoster.numbered(3)
    assert roster.names() == ["Room 1", "Room 2", "Room 3"]
    assert all(chair.simulated for chair in roster)


@pytest.mark.parametrize("count", [0, MAX_CHAIRS + 1])
def test_a_number_of_chairs_outside_one_to_eight_is_refused(count) -> None:
    with pytest.raises(ChairError, match="1 to 8 chairs"):
        ChairRoster.numbered(count)


def test_add_rename_and_choose_a_device() -> None:
    roster = ChairRoster.numbered(1)
    added = roster.add()
    assert added == Chair("Room 2", "sim:")
    roster.rename("Room 2", "  Recliner   B ")
    roster.set_device("Recliner B", "127.0.0.1:5026")
    assert roster.get("Recliner B").device == "socket://127.0.0.1:5026"
    assert roster.names() == ["Room 1", "Recliner B"]


def test_names_must_be_present_short_and_unique() -> None:
    roster = ChairRoster.numbered(2)
    with pytest.raises(ChairError, match="needs a name"):
        roster.add("   ")
    with pytest.raises(ChairError, match="already a chair called Room 1"):
        roster.add("room 1")
    with pytest.raises(ChairError, match="at most 24"):
        roster.rename("Room 2", "x" * 25)
    roster.rename("Room 2", "Room 2")  # keeping its own name is no clash
    assert roster.names() == ["Room 1", "Room 2"]


def test_two_chairs_cannot_share_one_real_stimulator() -> None:
    roster = ChairRoster.numbered(2)
    roster.set_device("Room 1", "socket://127.0.0.1:5025")
    with pytest.raises(ChairError, match="already Room 1's stimulator"):
        roster.set_device("Room 2", "127.0.0.1:5025")
    assert roster.get("Room 2").device == "sim:"


def test_a_chair_with_a_session_running_cannot_be_removed_or_moved() -> None:
    running = {"Room 2"}
    roster = ChairRoster(ChairRoster.numbered(3), is_busy=lambda name: name in running)
    with pytest.raises(ChairError, match="Room 2 has a session running"):
        roster.remove("Room 2")
    with pytest.raises(ChairError, match="session running"):
        roster.set_device("Room 2", "/dev/ttyACM0")
    roster.rename("Room 2", "Recliner B")  # renaming leaves the patient where they are
    running = {"Recliner B"}
    roster.remove("Room 3")
    running.clear()
    roster.remove("Recliner B")
    assert roster.names() == ["Room 1"]
    with pytest.raises(ChairError, match="at least one chair"):
        roster.remove("Room 1")


def test_no_more_than_eight_chairs() -> None:
    roster = ChairRoster.numbered(MAX_CHAIRS)
    with pytest.raises(ChairError, match="already 8 chairs"):
        roster.add("Room 9")


def test_settings_round_trip_and_bad_entries_are_named() -> None:
    roster = ChairRoster.numbered(2)
    roster.set_device("Room 2", "socket://127.0.0.1:6000")
    again, problems = ChairRoster.from_records(roster.to_records())
    assert again.chairs == roster.chairs and problems == []
    damaged, problems = ChairRoster.from_records(
        [{"name": "A"}, {"name": ""}, {"name": "a", "device": "sim:"}, {"name": "B", "device": " "}])
    assert damaged.names() == ["A"]
    assert problems == [
        "Chair 2 in the settings was left out: A chair needs a name, such as Room 2 or Recliner B.",
        "Chair 3 in the settings was left out: There is already a chair called A.",
        "Chair 4 in the settings was left out: Choose a stimulator: the simulator, a serial port, or host:port.",
    ]


def test_the_settings_name_the_chairs_else_the_command_line_else_one() -> None:
    from neurotimer.chairs.roster import roster_to_open

    saved = [{"name": "Recliner A", "device": "sim:"}, {"name": "Recliner B", "device": "socket://127.0.0.1:7001"}]
    assert roster_to_open(3, saved)[0].names() == ["Recliner A", "Recliner B"]
    assert roster_to_open(3, [])[0].names() == ["Room 1", "Room 2", "Room 3"]
    assert roster_to_open(None, [])[0].names() == ["Room 1"]
    roster, problems = roster_to_open(2, [{"name": ""}])
    assert roster.names() == ["Room 1", "Room 2"] and len(problems) == 1
