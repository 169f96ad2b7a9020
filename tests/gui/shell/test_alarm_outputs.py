"""What alarms do beyond the strip: bursts by priority (or the beep), tray notices, the session's alarm list."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.shell.alarm_list import AlarmListDialog
from neurotimer.gui.shell.alarm_sound import FALLBACK_TEXT, SOUND_FILES, AlarmSound
from neurotimer.gui.shell.alarm_tray import AlarmTray
from neurotimer.gui.shell.main_window import MainWindow
from neurotimer.resources import resource
from neurotimer.safety.alarms import AlarmModel, Priority


@pytest.fixture
def model(clock) -> AlarmModel:
    return AlarmModel(clock)


def pulses_in(path: Path) -> int:
    """Bursts of sound separated by silence of at least 30 ms."""
    with wave.open(str(path)) as w:
        rate = w.getframerate()
        frames = w.readframes(w.getnframes())
    samples = [int.from_bytes(frames[i:i + 2], "little", signed=True) for i in range(0, len(frames), 2)]
    count, quiet, sounding = 0, 0, False
    for s in samples:
        if abs(s) > 300:
            if not sounding:
                count += 1
            sounding, quiet = True, 0
        else:
            quiet += 1
            if quiet > rate * 0.03:
                sounding = False
    return count


@pytest.mark.parametrize(("priority", "pulses"), [(Priority.HIGH, 10), (Priority.MEDIUM, 3), (Priority.LOW, 1)])
def test_each_priority_has_its_burst_of_pulses(priority: Priority, pulses: int) -> None:
    assert pulses_in(resource("sounds", SOUND_FILES[priority])) == pulses


def test_with_no_sound_device_alarms_beep_and_say_so_once(qtbot, model, clock, tmp_path) -> None:
    beeps: list[int] = []
    sound = AlarmSound(model, clock, None, beep=lambda: beeps.append(1))
    notes: list[str] = []
    sound.fallbackUsed.connect(notes.append)
    model.raise_alarm("lead", "Lead off on channel 1", Priority.HIGH)
    assert beeps == [1], "a new alarm sounds at once"
    clock.advance(1.0)
    sound.poll()
    assert beeps == [1]
    clock.advance(2.0)
    sound.poll()
    assert beeps == [1, 1], "a high alarm repeats every 3 s"
    model.acknowledge("lead")
    clock.advance(10)
    sound.poll()
    assert beeps == [1, 1], "acknowledged: silent"
    model.raise_alarm("note", "Template waveform applied", Priority.LOW, lasting=False)
    clock.advance(30)
    sound.poll()
    assert beeps == [1, 1, 1], "a low alarm plays once"
    assert notes == [FALLBACK_TEXT]
    assert sound.fallbacks == 3


@pytest.mark.qt_log_ignore("QSoundEffect")
def test_a_sound_file_that_cannot_play_beeps_and_the_window_says_so_once(qtbot, clock, tmp_path) -> None:
    from PySide6.QtWidgets import QLabel

    window = MainWindow(SessionPresenter(clock), confirm=lambda t, x: True)
    qtbot.addWidget(window)
    beeps: list[int] = []
    sound = AlarmSound(window.alarms.model, clock, tmp_path / "no-such-folder", beep=lambda: beeps.append(1))
    sound.fallbackUsed.connect(window.show_sound_note)
    window.alarms.raise_alarm("a", "one", Priority.HIGH)
    qtbot.waitUntil(lambda: beeps == [1], timeout=3000)
    clock.advance(3)
    sound.poll()
    assert beeps == [1, 1]
    notes = [label for label in window.statusBar().findChildren(QLabel) if label.text() == FALLBACK_TEXT]
    assert len(notes) == 1


class FakeWindow(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.in_front = False

    def isActiveWindow(self) -> bool:
        return self.in_front


def test_a_tray_notice_names_the_alarm_only_when_the_window_is_not_in_front(qtbot, model) -> None:
    window = FakeWindow()
    qtbot.addWidget(window)
    shown: list[tuple[str, str, Priority]] = []
    AlarmTray(model, window, notify=lambda title, text, priority: shown.append((title, text, priority)))
    model.raise_alarm("lead", "Lead off on channel 1", Priority.HIGH)
    assert shown == [("neurotimer: HIGH alarm", "Lead off on channel 1", Priority.HIGH)]
    window.in_front = True
    model.raise_alarm("ro", "The log is read-only", Priority.MEDIUM)
    assert len(shown) == 1


def test_the_alarm_list_shows_raise_acknowledge_and_clear_times(qtbot, model, clock) -> None:
    model.raise_alarm("lead", "Lead off on channel 1", Priority.HIGH)
    clock.advance(7)
    model.acknowledge("lead")
    clock.advance(5)
    model.clear("lead")
    model.raise_alarm("ro", "<b>read-only</b>", Priority.MEDIUM)
    dialog = AlarmListDialog(model)
    qtbot.addWidget(dialog)
    table = dialog.table
    assert table.rowCount() == 2
    newest = [table.item(0, c).text() for c in range(5)]
    assert newest[:2] == ["MEDIUM", "<b>read-only</b>"] and newest[4] == "still up"
    lead = [table.item(1, c).text() for c in range(5)]
    times = [clock_seconds(t) for t in lead[2:]]
    assert lead[0] == "HIGH" and times[1] - times[0] == 7 and times[2] - times[0] == 12
    model.acknowledge("ro")
    assert table.item(0, 3).text() != ""
    dialog.show()
    dialog.close_button.click()  # Escape is the emergency stop, so the list has its own Close button
    assert not dialog.isVisible()


def test_a_long_alarm_reads_whole_in_the_list(qtbot, model) -> None:
    text = ("The session log cannot be written (the log server cannot be reached; reconnecting). The timer goes "
            "on; 15 event(s) wait here in order and are written as soon as the log can be written again.")
    model.raise_alarm("log-write", text, Priority.HIGH)
    dialog = AlarmListDialog(model)
    qtbot.addWidget(dialog)
    dialog.resize(600, 420)  # a narrow list: the text needs several lines
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    qtbot.waitUntil(lambda: table.columnWidth(1) < 400, timeout=2000)
    width = table.columnWidth(1) - 8
    needed = table.fontMetrics().boundingRect(0, 0, width, 10_000, Qt.TextFlag.TextWordWrap, text).height()
    assert table.rowHeight(0) >= needed, "the whole text shows, wrapped, not cut to one line"


def clock_seconds(text: str) -> int:
    h, m, s = (int(x) for x in text.split(":"))
    return h * 3600 + m * 60 + s


def test_view_menu_and_strip_open_the_alarm_list(qtbot, clock) -> None:
    window = MainWindow(SessionPresenter(clock), confirm=lambda t, x: True)
    qtbot.addWidget(window)
    window.show()
    action = next(a for a in window.view_menu.actions() if a.text().startswith("&Alarm list"))
    action.trigger()
    assert window.alarm_list is not None and window.alarm_list.isVisible()
    window.alarm_list.close()
    window.alarms.raise_alarm("x", "Something", Priority.LOW)
    window.alarms.list_button.click()
    assert window.alarm_list.isVisible()
    assert window.alarm_list.table.rowCount() == 1
