"""The planned time has one source of truth: the session. Presets, the minutes box and the clock agree."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.shell.main_window import MainWindow


@pytest.fixture
def window(qtbot, clock) -> MainWindow:
    win = MainWindow(SessionPresenter(clock), confirm=lambda t, x: True)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    return win


def type_minutes(qtbot, window: MainWindow, text: str) -> None:
    spin = window.timer_panel.minutes_spin
    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(spin.hasFocus)
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def test_a_typed_time_that_is_no_preset_leaves_every_preset_dark(qtbot, window: MainWindow) -> None:
    panel = window.timer_panel
    assert panel.preset_buttons[30].isChecked()
    type_minutes(qtbot, window, "1")
    assert panel.digits.text() == "01:00"
    assert [m for m, b in panel.preset_buttons.items() if b.isChecked()] == []
    panel.preset_buttons[45].click()
    assert panel.digits.text() == "45:00" and panel.minutes_spin.value() == 45
    assert [m for m, b in panel.preset_buttons.items() if b.isChecked()] == [45]


def test_9999_typed_is_refused_with_a_message_not_made_99(qtbot, window: MainWindow) -> None:
    panel = window.timer_panel
    type_minutes(qtbot, window, "9999")
    assert window.presenter.session.planned_seconds == 30 * 60
    assert panel.digits.text() == "30:00"
    assert panel.minutes_spin.value() == 30, "the box shows the time the session really has"
    assert "1 to 120 minutes, not 9999" in window.alarms.current().text


def test_the_preset_buttons_are_never_cut(qtbot, window: MainWindow) -> None:
    QApplication.processEvents()
    for button in window.timer_panel.preset_buttons.values():
        assert button.width() >= button.sizeHint().width(), f"{button.text()} is cut"
        assert button.fontMetrics().horizontalAdvance(button.text()) < button.contentsRect().width()
