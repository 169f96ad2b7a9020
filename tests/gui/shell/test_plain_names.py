"""What someone typed (a patient's name) shows as typed everywhere, never as formatting."""

from __future__ import annotations

from PySide6.QtGui import Qt
from PySide6.QtWidgets import QApplication, QLabel

from neurotimer.gui.shell.main_window import STRIP_MIN_WIDTH
from tests.gui.shell import test_app_safety as safety

app = safety.app  # the wired app on the simulator

NAME = "<b>O'Brien</b>"


def rich_labels_showing(needle: str) -> list[str]:
    """Labels anywhere in the app that show `needle` and would read it as markup."""
    found = []
    for top in QApplication.topLevelWidgets():
        for label in top.findChildren(QLabel):
            text, form = label.text(), label.textFormat()
            rich = form == Qt.TextFormat.RichText or (form == Qt.TextFormat.AutoText and Qt.mightBeRichText(text))
            if needle in text and rich:
                found.append(f"{type(label.parent()).__name__}/{label.objectName()}: {text[:60]}")
    return found


def test_a_name_with_markup_shows_as_plain_text_everywhere(qtbot, app) -> None:
    patient_id = app.store.create_patient("P-0777", name=NAME, birth_year=1950)
    app.records.choose_patient(app.store.get_patient(patient_id))
    app.sessions.start()
    for index in range(app.window.tabs.count()):
        app.window.tabs.setCurrentIndex(index)
        QApplication.processEvents()
    app.choose_patient()  # the patient dialog lists them too
    QApplication.processEvents()
    assert NAME in app.window.patient_label.text()
    assert rich_labels_showing("O'Brien") == []


def test_every_screening_flag_shows_as_a_whole_chip_or_is_named_in_the_last_at_1366(qtbot, app) -> None:
    from neurotimer.storage.people import SCREENING_FLAGS

    app.window.resize(1366, 768)
    patient_id = app.store.create_patient("P-0778", name="A very long name " * 4, birth_year=1950,
                                          screening={flag: True for flag in SCREENING_FLAGS})
    app.records.choose_patient(app.store.get_patient(patient_id))
    QApplication.processEvents()
    row = app.window.flag_chips
    chips = row.chips
    assert len(chips) == len(SCREENING_FLAGS)
    qtbot.waitUntil(lambda: chips[0].isVisible() and row.more.isVisible())
    shown = [chip for chip in chips if chip.isVisible()]
    assert shown == chips[:len(shown)] and len(shown) >= 3, "the first (most serious) flags are shown"
    for chip in [*shown, row.more]:
        assert chip.width() >= chip.sizeHint().width(), f"{chip.text()} is cut off"
        right = chip.mapTo(app.window, chip.rect().topRight()).x()
        assert right < app.window.patient_button.mapTo(app.window, app.window.patient_button.rect().topLeft()).x()
    hidden = chips[len(shown):]
    assert row.more.text() == f"+{len(hidden)} more"
    assert all(chip.toolTip() in row.more.toolTip() for chip in hidden), "the last chip names the others"
    assert app.window.alarms.width() >= STRIP_MIN_WIDTH, "the alarm strip keeps room for an alarm's words"
    assert app.window.width() <= 1366
    assert "⚠" not in app.window.patient_label.text()


def test_the_whole_app_fits_a_1366x768_screen(qtbot, app) -> None:
    app.window.resize(1366, 768)
    QApplication.processEvents()
    hint = app.window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768
    assert app.window.width() <= 1366 and app.window.height() <= 768
