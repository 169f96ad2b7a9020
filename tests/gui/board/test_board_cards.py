"""The board shows every chair at a glance: state colour, time, outputs, worst alarm, the one on screen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from neurotimer.chairs.status import ChairStatus, worst_alarm
from neurotimer.gui.board.board import ChairBoard
from neurotimer.gui.board.chair_card import MIN_DIGITS_PX
from neurotimer.gui.shell import theme


def _board(qtbot, names=("Room 1", "Room 2", "Room 3")) -> ChairBoard:
    board = ChairBoard()
    qtbot.addWidget(board)
    board.set_chairs(list(names))
    board.resize(200, 600)
    board.show()
    qtbot.waitExposed(board)
    return board


def test_a_card_shows_what_the_practitioner_reads_from_across_the_room(qtbot) -> None:
    board = _board(qtbot)
    board.update_chair(1, ChairStatus("Room 2", "P-0007", "running", 754.2, outputs_on=2, peak_ma=12.34))
    card = board.cards[1]
    assert card.name_label.text() == "Room 2"
    assert card.digits.text() == "12:35"
    assert card.state_label.text() == "RUNNING"
    assert card.detail.text() == "P-0007 · 2 on · 12.3 mA"
    assert theme.STATE_COLOURS["running"] in card.styleSheet()
    assert card.digits_px > MIN_DIGITS_PX  # three chairs: taller cards, larger digits
    assert not card.alarm_label.isVisible()


def test_state_colours_are_the_big_clocks(qtbot) -> None:
    board = _board(qtbot)
    for key in ("planned", "paused", "overdue", "completed"):
        board.update_chair(0, ChairStatus("Room 1", state=key, shown_seconds=-65 if key == "overdue" else 5))
        assert f"border-left: 10px solid {theme.STATE_COLOURS[key]}" in board.cards[0].styleSheet()
    assert board.cards[0].digits.text() == "00:05"
    board.update_chair(0, ChairStatus("Room 1", state="overdue", shown_seconds=-65))
    assert board.cards[0].digits.text() == "-01:05"


def test_the_chair_on_screen_is_marked_and_a_click_asks_for_another(qtbot) -> None:
    board = _board(qtbot)
    board.set_current(0)
    assert "4px solid" in board.cards[0].styleSheet() and "4px solid" not in board.cards[2].styleSheet()
    with qtbot.waitSignal(board.chairChosen) as chosen:
        qtbot.mouseClick(board.cards[2], Qt.MouseButton.LeftButton)
    assert chosen.args == [2]


def test_an_off_screen_chair_that_alarms_flashes_until_it_is_on_screen(qtbot) -> None:
    board = _board(qtbot)
    board.set_current(0)
    alarm = ChairStatus("Room 3", state="running", shown_seconds=600, alarm="Lead off on CH2",
                        alarm_priority="high")
    board.update_chair(2, alarm)
    card = board.cards[2]
    assert card.alarm_label.text() == "Lead off on CH2" and card.alarm_label.isVisible()
    assert card.flashing
    qtbot.waitUntil(lambda: theme.ALARM_COLOURS["high"] in card.styleSheet().split("border")[0], timeout=2000)
    board.set_current(2)
    assert not card.flashing
    board.set_current(0)
    assert card.flashing
    board.update_chair(2, ChairStatus("Room 3", state="running", shown_seconds=590))  # the alarm cleared
    assert not card.flashing and not card.alarm_label.isVisible()


def test_a_reminder_shows_on_the_card_without_flashing(qtbot) -> None:
    board = _board(qtbot)
    board.set_current(0)
    board.update_chair(1, ChairStatus("Room 2", state="running", alarm="Halfway", alarm_priority="info"))
    assert board.cards[1].alarm_label.text() == "Halfway"
    assert not board.cards[1].flashing


def test_a_long_state_gives_way_to_the_chairs_name(qtbot) -> None:
    """Seen in the real window: 'ENDED EARLY' beside the name left 'Ro…' on both cards of a 160 px board."""
    board = _board(qtbot)
    board.resize(160, 600)
    board.update_chair(0, ChairStatus("Room 1", "", "ended_early", 1620.0))
    board.update_chair(1, ChairStatus("Room 2", "", "running", 1620.0))
    qtbot.waitUntil(lambda: board.cards[0].width() <= 160, timeout=2000)
    board.update_chair(0, ChairStatus("Room 1", "", "ended_early", 1620.0))
    assert board.cards[0].name_label.text() == "Room 1"
    assert board.cards[0].state_label.text() == "ENDED"
    assert board.cards[1].state_label.text() == "RUNNING", "a state that leaves the name room is whole"


def test_eight_chairs_fit_a_column_and_keep_their_keys(qtbot) -> None:
    board = _board(qtbot, [f"Room {n}" for n in range(1, 9)])
    board.resize(190, 8 * 84)
    assert [c.toolTip().endswith(f"(Ctrl+{n}).") for n, c in enumerate(board.cards, start=1)] == [True] * 8
    assert all(c.digits_px >= MIN_DIGITS_PX for c in board.cards)
    board.set_chairs(["Room 1", "Room 2"])
    assert len(board.cards) == 2 and board.current == 0


def test_the_worst_alarm_is_the_most_urgent_then_the_first() -> None:
    assert worst_alarm([]) == ("", "")
    assert worst_alarm([("Halfway", "info"), ("Lead off", "high"), ("Link lost", "high")]) == ("Lead off", "high")
