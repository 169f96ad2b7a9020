"""One window, several chairs: Ctrl+N brings a chair on screen, the others go on; alarms carry the chair's name."""

from __future__ import annotations

from PySide6.QtCore import Qt

from neurotimer.gui.board.board import ChairBoard
from neurotimer.gui.board.chair_alarms import ChairAlarms
from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.shell.alarm_banner import Priority
from neurotimer.gui.shell.chair_view import ChairView
from neurotimer.gui.shell.main_window import MainWindow
from neurotimer.session.session import SessionState


def _window(qtbot, clock, count: int = 3):
    asked: list[str] = []

    def confirm(title: str, text: str) -> bool:
        asked.append(text)
        return True

    first = SessionPresenter(clock)
    window = MainWindow(first, confirm=confirm)
    qtbot.addWidget(window)
    alarms = [ChairAlarms(window.alarms, "chair1/", "Room 1")]
    window.views[0].alarms = alarms[0]
    window.views[0].name = "Room 1"
    for n in range(2, count + 1):
        chair_alarms = ChairAlarms(window.alarms, f"chair{n}/", f"Room {n}")
        alarms.append(chair_alarms)
        window.add_chair_view(ChairView(SessionPresenter(clock), chair_alarms, confirm, name=f"Room {n}"))
    board = ChairBoard()
    board.set_chairs([f"Room {n}" for n in range(1, count + 1)])
    window.set_board(board)
    window.chairShown.connect(board.set_current)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window, alarms, asked


def test_ctrl_2_brings_room_2_on_screen_while_room_1_keeps_its_time(qtbot, clock) -> None:
    window, _alarms, _ = _window(qtbot, clock)
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Room 1 starts
    first = window.views[0].presenter
    assert first.session.state is SessionState.RUNNING
    clock.advance(60)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_chair == 1 and window.presenter is window.views[1].presenter
    assert window.patient_label.text() == "Room 2  ·  Patient: unassigned"
    assert window.board.cards[1].on_screen and not window.board.cards[0].on_screen
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Room 2 starts
    clock.advance(30)
    qtbot.keyClick(window, Qt.Key.Key_Space)  # pauses the chair on screen only
    assert window.views[1].presenter.session.state is SessionState.PAUSED
    assert first.session.state is SessionState.RUNNING
    clock.advance(30)
    first.tick()
    assert first.session.treatment_seconds == 120
    assert window.views[1].presenter.session.treatment_seconds == 30
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.timer_panel.digits.text() == "28:00"  # drawn afresh from its clock when shown
    qtbot.keyClick(window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)  # no ninth chair: nothing
    assert window.current_chair == 0


def test_each_chairs_alarm_is_named_and_acknowledged_for_that_chair(qtbot, clock) -> None:
    window, alarms, _ = _window(qtbot, clock)
    heard: list[tuple[str, str]] = []
    for n, chair_alarms in enumerate(alarms, start=1):
        chair_alarms.acknowledged.connect(lambda key, n=n: heard.append((f"Room {n}", key)))
    alarms[2].raise_alarm("stimulator.lead_off.2", "lead off on CH2", Priority.HIGH)
    alarms[0].notify("milestone", "Halfway", Priority.LOW)
    assert window.alarms.current().text == "Room 3: lead off on CH2"
    assert alarms[2].worst().text == "Room 3: lead off on CH2" and alarms[1].worst() is None
    window.alarms.acknowledge_current()
    assert heard == [("Room 3", "stimulator.lead_off.2")]
    alarms[2].clear("stimulator.lead_off.2")
    assert alarms[2].worst() is None
    assert alarms[0].worst().text == "Room 1: Halfway"


def test_quitting_asks_once_and_ends_every_running_chair(qtbot, clock) -> None:
    window, _alarms, asked = _window(qtbot, clock)
    window.views[0].presenter.start()
    window.views[2].presenter.start()
    window.close()
    assert asked == ["Sessions are still running in Room 1, Room 3. Quitting ends them now and switches every "
                     "output off. Quit?"]
    assert [v.presenter.session.state for v in window.views] == [
        SessionState.ENDED_EARLY, SessionState.PLANNED, SessionState.ENDED_EARLY]
