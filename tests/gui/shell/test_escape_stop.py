"""Escape stops every output whatever is open: a drop-down list, a menu, the patient dialog, the large chart."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from neurotimer.app import App
from tests.gui.shell import test_app_safety as safety

app = safety.app  # the fixtures: the wired app on the simulator, a session running with channel 1 on
running = safety.running
switch_on, wait_all_off = safety.switch_on, safety.wait_all_off


def open_combo_popup(qtbot, running: App) -> QWidget:
    combo = next(c for c in running.window.findChildren(QComboBox) if c.isVisible() and c.count() > 1)
    combo.showPopup()
    qtbot.waitUntil(lambda: combo.view().isVisible())
    return combo.view()


def open_menu(qtbot, running: App) -> QWidget:
    menu = running.window.session_menu
    menu.popup(running.window.mapToGlobal(QPoint(60, 40)))
    qtbot.waitUntil(menu.isVisible)
    return menu


def open_patient_dialog(qtbot, running: App) -> QWidget:
    from neurotimer.gui.record.patient_dialog import PatientDialog

    running.choose_patient()
    dialog = running.window.findChild(PatientDialog)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.search.setFocus()
    qtbot.keyClicks(dialog.search, "P-01")
    return dialog.search


def open_large_chart(qtbot, running: App) -> QWidget:
    running.open_large_chart()
    qtbot.waitExposed(running.large_chart)
    running.large_chart.activateWindow()
    return running.large_chart


# Offscreen a popup cannot grab the keyboard, so QTest reports the popup's key press as not taken; the filter
# sees it all the same, which is what this test checks.
@pytest.mark.qt_log_ignore("does not support grabbing the keyboard", "does not support raise",
                           "Keyboard event not accepted by receiving widget")
@pytest.mark.parametrize("open_something", [open_combo_popup, open_menu, open_patient_dialog, open_large_chart],
                         ids=["combo popup", "menu", "patient dialog", "large chart"])
def test_escape_stops_every_output_whatever_is_open(qtbot, running: App,
                                                    open_something: Callable[..., QWidget]) -> None:
    switch_on(qtbot, running, 2)
    assert running.guard.channels_on() == [1, 2]
    target = open_something(qtbot, running)
    stops = []
    running.window.emergencyStopRequested.connect(lambda: stops.append(1))
    with qtbot.waitSignal(running.stim.emergencyStopConfirmed, timeout=5000):
        qtbot.keyClick(target, Qt.Key.Key_Escape)
    wait_all_off(qtbot, running)
    assert stops == [1], "one press, one stop"
    assert running.window.alarms.current().text.startswith("All outputs stopped at ")
    # Escape still does what it does there: a drop-down list or a menu closes.
    assert QApplication.activePopupWidget() is None


def test_escape_in_the_patient_dialog_keeps_it_open_with_what_was_typed(qtbot, running: App) -> None:
    search = open_patient_dialog(qtbot, running)
    with qtbot.waitSignal(running.stim.emergencyStopConfirmed, timeout=5000):
        qtbot.keyClick(search, Qt.Key.Key_Escape)
    assert search.window().isVisible()
    assert search.text() == "P-01"
