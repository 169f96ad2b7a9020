"""The alarm strip: colours and flashing by priority, acknowledged alarms greyed, and a layout that never moves."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.shell import theme
from neurotimer.gui.shell.alarm_banner import AlarmBanner, Priority
from neurotimer.gui.shell.main_window import MainWindow
from neurotimer.session.clock import ManualClock

SCREEN = (1366, 768)


@pytest.fixture
def banner(qtbot, clock: ManualClock) -> AlarmBanner:
    strip = AlarmBanner(clock)
    qtbot.addWidget(strip)
    strip.resize(900, strip.height())
    strip.show()
    return strip


@pytest.fixture
def window(qtbot, clock: ManualClock) -> MainWindow:
    win = MainWindow(SessionPresenter(clock), confirm=lambda t, x: True)
    qtbot.addWidget(win)
    win.resize(*SCREEN)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_a_high_alarm_is_red_and_flashes_about_twice_a_second(qtbot, banner: AlarmBanner) -> None:
    banner.raise_alarm("lead", "Lead off on channel 1", Priority.HIGH)
    assert banner.colour() == theme.ALARM_COLOURS["high"]
    assert banner._flash.interval() == 250  # on 250 ms, off 250 ms: 2 Hz
    qtbot.waitUntil(lambda: banner.colour() == theme.ALARM_DIM_COLOURS["high"], timeout=1000)
    qtbot.waitUntil(lambda: banner.colour() == theme.ALARM_COLOURS["high"], timeout=1000)


def test_medium_is_yellow_and_flashes_slowly_low_is_cyan_and_steady(banner: AlarmBanner) -> None:
    banner.raise_alarm("ro", "The log is read-only", Priority.MEDIUM)
    assert banner.colour() == theme.ALARM_COLOURS["medium"]
    assert 600 <= banner._flash.interval() <= 1250  # 0.4–0.8 Hz
    banner.clear("ro")
    banner.notify("half", "Halfway")
    assert banner.colour() == theme.ALARM_COLOURS["low"]
    assert not banner._flash.isActive()


def test_acknowledged_alarm_stays_greyed_while_its_cause_lasts(banner: AlarmBanner) -> None:
    seen = []
    banner.acknowledged.connect(seen.append)
    banner.raise_alarm("link", "Connection to the stimulator lost", Priority.HIGH)
    banner.ack_button.click()
    assert seen == ["link"]
    assert banner.current().key == "link"
    assert banner.colour() == theme.ACKNOWLEDGED_COLOUR
    assert banner.label.text() == "Acknowledged: Connection to the stimulator lost"
    assert not banner.ack_button.isVisible()
    banner.clear("link")
    assert banner.current() is None
    assert banner.label.text() == "No alarms"


def test_several_alarms_are_counted_with_the_worst_shown(banner: AlarmBanner) -> None:
    banner.notify("note", "Halfway")
    banner.raise_alarm("ro", "The log is read-only", Priority.MEDIUM)
    banner.raise_alarm("over", "Over-current on channel 2", Priority.HIGH)
    assert banner.count_label.text() == "HIGH\n3 alarms"
    assert banner.label.text() == "Over-current on channel 2"


def test_with_several_alarms_on_the_narrowest_strip_the_text_keeps_its_room(banner: AlarmBanner) -> None:
    # The header of several chairs (the chair's name, the practitioner) leaves the strip its minimum width:
    # "MEDIUM · 2 alarms" on one line took it all, and the text beside it showed one letter a line.
    from neurotimer.gui.shell.main_window import STRIP_MIN_WIDTH

    banner.resize(STRIP_MIN_WIDTH, banner.height())
    banner.raise_alarm("r1", "The app stopped during session #22 of an unassigned patient", Priority.MEDIUM)
    alone = banner.label.width()
    banner.raise_alarm("r2", "The app stopped during session #21 of an unassigned patient", Priority.MEDIUM)
    QApplication.processEvents()
    assert banner.label.width() >= 80 and banner.label.width() >= alone - 10, (alone, banner.label.width())
    assert banner.count_label.text() == "MEDIUM\n2 alarms"
    assert banner.count_label.height() <= banner.height()


def test_user_text_in_an_alarm_is_shown_as_plain_text(banner: AlarmBanner) -> None:
    banner.raise_alarm("x", "<b>O'Brien</b>", Priority.MEDIUM)
    assert banner.label.text() == "<b>O'Brien</b>"
    assert banner.label.textFormat().name == "PlainText"


def test_banners_never_move_the_layout_nor_grow_the_window(qtbot, window: MainWindow) -> None:
    QApplication.processEvents()
    before_size = window.size()
    before_timer = window.timer_panel.mapTo(window, window.timer_panel.rect().topLeft())
    before_end = window.timer_panel.end_button.mapTo(window, window.timer_panel.end_button.rect().topLeft())
    window.alarms.raise_alarm("a", "Lead off on channel 1: check the clip. " * 6, Priority.HIGH)
    window.alarms.raise_alarm("b", "The session log cannot be written", Priority.HIGH)
    window.alarms.raise_alarm("c", "Template waveform applied", Priority.LOW)
    QApplication.processEvents()
    assert window.alarms.count_label.text() == "HIGH\n3 alarms"
    assert window.size() == before_size
    assert window.timer_panel.mapTo(window, window.timer_panel.rect().topLeft()) == before_timer
    assert window.timer_panel.end_button.mapTo(window, window.timer_panel.end_button.rect().topLeft()) == before_end
    hint = window.minimumSizeHint()
    assert hint.width() <= SCREEN[0] and hint.height() <= SCREEN[1]


def test_in_the_header_a_long_alarm_ends_in_an_ellipsis_on_two_lines_and_keeps_its_whole_text(qtbot, window) -> None:
    strip = window.alarms
    stop = window.stop_button
    # The strip shares the header line with the patient and the stop button: no row of its own.
    assert abs(strip.mapTo(window, strip.rect().center()).y() - stop.mapTo(window, stop.rect().center()).y()) <= 2
    long_text = ("Room 3: channel 2: lead off. The output was switched off: check the clip and the lead, then switch "
                 "on again from 0 mA. If the lead keeps coming off, change the clip or the needle.")
    window.alarms.raise_alarm("lead", long_text, Priority.HIGH)
    QApplication.processEvents()
    shown = strip.label.text()
    assert shown.endswith("…") and long_text.startswith(shown[:-1])
    metrics = strip.label.fontMetrics()
    height = metrics.boundingRect(0, 0, strip.label.width(), 10_000, 0x1000, shown).height()  # word wrap
    assert height <= 2 * metrics.lineSpacing() <= strip.label.height() + 2
    assert strip.text() == long_text and strip.label.toolTip() == long_text
    assert strip.height() == before_height(strip)


def before_height(strip: AlarmBanner) -> int:
    from neurotimer.gui.shell.alarm_banner import STRIP_HEIGHT

    return STRIP_HEIGHT
