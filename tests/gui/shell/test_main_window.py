"""The main window offscreen: the practitioner's view of a session, driven by a manual clock."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.shell import theme
from neurotimer.gui.shell.main_window import MainWindow
from neurotimer.gui.shell.shortcuts import SHORTCUTS
from neurotimer.session.clock import ManualClock
from neurotimer.session.session import SessionState


class Answers:
    """Answers the window's yes/no questions and remembers them."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, title: str, text: str) -> bool:
        self.asked.append(title)
        return self.answer


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def window(qtbot, clock: ManualClock, answers: Answers) -> MainWindow:
    presenter = SessionPresenter(clock)
    win = MainWindow(presenter, confirm=answers)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def press(qtbot, window: MainWindow, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window, key, modifier)


def test_title_and_default_plan(window: MainWindow) -> None:
    assert window.windowTitle().startswith("neurotimer")
    assert window.timer_panel.digits.text() == "30:00"
    assert window.timer_panel.state_label.text() == "PLANNED"


def test_digits_are_readable_across_the_room(window: MainWindow) -> None:
    digits = window.timer_panel.digits
    assert digits.font().pixelSize() >= 96
    assert digits.fontMetrics().height() >= 96
    assert digits.height() >= 96


def test_one_minute_session_runs_to_the_end_then_counts_overdue(qtbot, window: MainWindow, clock) -> None:
    panel = window.timer_panel
    panel.preset_buttons[30].click()
    panel.minutes_spin.setValue(1)
    panel.minutes_spin.editingFinished.emit()
    assert panel.digits.text() == "01:00"
    press(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert panel.state_label.text() == "RUNNING"
    clock.advance(30)
    window.presenter.tick()
    assert panel.digits.text() == "00:30"
    assert "Halfway" in window.timer_panel.milestone_label.text()
    clock.advance(30)
    window.presenter.tick()
    assert panel.digits.text() == "00:00"
    assert window.alarms.current().text.startswith("Planned time reached")
    clock.advance(12)
    window.presenter.tick()
    assert panel.digits.text() == "-00:12"
    assert panel.state_label.text() == "OVERDUE"
    assert theme.STATE_COLOURS["overdue"] in panel.digits.styleSheet()
    assert "overdue by 00:12" in panel.detail.text()
    press(qtbot, window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert window.presenter.session.state is SessionState.COMPLETED
    assert panel.state_label.text() == "COMPLETED"


def test_space_pauses_and_resumes_with_state_word_and_colour(qtbot, window: MainWindow, clock) -> None:
    window.timer_panel.start_button.click()
    clock.advance(10)
    press(qtbot, window, Qt.Key.Key_Space)
    assert window.timer_panel.state_label.text() == "PAUSED"
    assert theme.STATE_COLOURS["paused"] in window.timer_panel.state_label.styleSheet()
    clock.advance(50)
    window.presenter.tick()
    assert window.timer_panel.digits.text() == "29:50", "paused time is not treatment time"
    press(qtbot, window, Qt.Key.Key_Space)
    assert window.timer_panel.state_label.text() == "RUNNING"


def test_space_in_a_text_field_types_a_space_instead(qtbot, window: MainWindow) -> None:
    window.timer_panel.start_button.click()
    field = QLineEdit(window)
    field.show()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    qtbot.keyClick(field, Qt.Key.Key_Space)
    assert window.presenter.session.state is SessionState.RUNNING
    assert field.text() == " "


def test_plus_five_extends_a_running_session(window: MainWindow, clock) -> None:
    window.timer_panel.start_button.click()
    assert window.timer_panel.extend_button.isEnabled()
    window.timer_panel.extend_button.click()
    assert window.timer_panel.digits.text() == "35:00"


def test_ending_early_asks_first_and_keeps_running_on_no(window: MainWindow, answers: Answers, clock) -> None:
    window.timer_panel.start_button.click()
    clock.advance(60)
    answers.answer = False
    window.timer_panel.end_button.click()
    assert answers.asked == ["End the session early?"]
    assert window.presenter.session.state is SessionState.RUNNING
    answers.answer = True
    window.timer_panel.end_button.click()
    assert window.presenter.session.state is SessionState.ENDED_EARLY
    assert window.timer_panel.state_label.text() == "ENDED EARLY"


def test_presets_choose_the_planned_time(window: MainWindow) -> None:
    window.timer_panel.preset_buttons[45].click()
    assert window.timer_panel.digits.text() == "45:00"
    assert window.timer_panel.preset_buttons[45].isChecked()
    window.timer_panel.preset_buttons[60].click()
    assert window.presenter.session.planned_seconds == 3600


def test_plan_cannot_change_once_started(window: MainWindow) -> None:
    window.timer_panel.start_button.click()
    assert not window.timer_panel.preset_buttons[45].isVisible()
    window.presenter.set_planned_minutes(45)
    assert window.presenter.session.planned_seconds == 1800
    assert "+5 min" in window.alarms.current().text


def test_after_the_end_start_prepares_a_new_session(qtbot, window: MainWindow, clock) -> None:
    window.timer_panel.start_button.click()
    window.presenter.end()
    first = window.presenter.session
    press(qtbot, window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.presenter.session is not first
    assert window.timer_panel.state_label.text() == "PLANNED"


def test_escape_requests_emergency_stop(qtbot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.emergencyStopRequested, timeout=1000):
        press(qtbot, window, Qt.Key.Key_Escape)
    with qtbot.waitSignal(window.emergencyStopRequested, timeout=1000):
        window.stop_button.click()


def test_quit_asks_while_a_session_runs(window: MainWindow, answers: Answers) -> None:
    window.timer_panel.start_button.click()
    answers.answer = False
    assert not window.close()
    assert window.isVisible()
    answers.answer = True
    assert window.close()
    assert window.presenter.session.state is SessionState.ENDED_EARLY


def test_quit_without_a_session_does_not_ask(window: MainWindow, answers: Answers) -> None:
    assert window.close()
    assert answers.asked == []


def test_help_menu_lists_every_shortcut(window: MainWindow) -> None:
    from neurotimer.gui.shell.shortcuts import help_text

    text = help_text()
    for _, key, description in SHORTCUTS:
        assert key.replace("Return", "Enter") in text
        assert description in text
    menus = [a.text() for a in window.menuBar().actions()]
    assert "&Help" in menus


def test_the_display_follows_the_clock_when_ticks_are_missed(window: MainWindow, clock) -> None:
    window.timer_panel.start_button.click()
    clock.advance(17 * 60 + 3)  # no ticks for 17 minutes: one late tick shows the truth
    window.presenter.tick()
    assert window.timer_panel.digits.text() == "12:57"


def test_readme_lists_the_same_shortcuts_as_the_app() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    for _, key, _description in SHORTCUTS:
        assert f"| {key.replace('Return', 'Enter')} |" in readme


def test_ctrl_equals_adds_five_minutes(qtbot, window: MainWindow) -> None:
    window.timer_panel.start_button.click()
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.presenter.session.planned_seconds == 35 * 60


def test_session_menu_offers_every_session_action(window: MainWindow) -> None:
    actions = {a.text().split("\t")[0]: a for a in window.session_menu.actions()}
    assert set(actions) >= {"&Start", "&Pause or resume", "Add &5 minutes", "&End", "Emergency &stop"}
    actions["&Start"].trigger()
    assert window.presenter.session.state is SessionState.RUNNING
    actions["&Pause or resume"].trigger()
    assert window.presenter.session.state is SessionState.PAUSED
    assert actions["&End"].text().endswith("Ctrl+E")
