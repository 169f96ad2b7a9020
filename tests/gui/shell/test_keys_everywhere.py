"""Session shortcuts work from every field of the window (score boxes, text fields, mA boxes); Space types."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit

from neurotimer.session.session import SessionState
from tests.gui.shell import test_app_safety as safety

app = safety.app  # the wired app on the simulator


def typing_fields(root):
    kinds = (QAbstractSpinBox, QLineEdit, QTextEdit, QPlainTextEdit)
    return [f for kind in kinds for f in root.findChildren(kind)
            if f.isVisible() and f.isEnabled() and not isinstance(f.parent(), QAbstractSpinBox | QComboBox)]


def test_ctrl_equals_reaches_the_session_from_every_field_of_every_tab(qtbot, app) -> None:
    app.sessions.start()
    window = app.window
    presses: list[int] = []
    window.shortcut_objects["extend"].activated.connect(lambda: presses.append(1))
    tried = []
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        for field in typing_fields(window):
            before = len(presses)
            field.setFocus()
            qtbot.keyClick(field, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
            where = f"{type(field).__name__} {field.accessibleName()!r} on {window.tabs.tabText(index)}"
            assert len(presses) == before + 1, f"Ctrl+= did nothing in {where}"
            tried.append(field)
    assert len({id(f) for f in tried}) >= 10  # score boxes, needle count, details, mA boxes, search…
    assert app.sessions.session.planned_seconds > 30 * 60


def test_ctrl_e_ends_from_a_score_box_and_space_there_does_not_pause(qtbot, app) -> None:
    app.sessions.start()
    panel = app.record_panel
    app.window.tabs.setCurrentWidget(panel.parentWidget().parentWidget())  # the record's scrolling page
    score = next(f for f in typing_fields(panel) if isinstance(f, QAbstractSpinBox))
    text = next(f for f in typing_fields(panel) if isinstance(f, QLineEdit))
    text.setFocus()
    qtbot.keyClicks(text, "a b")
    assert text.text().endswith("a b")
    assert app.sessions.session.state is SessionState.RUNNING
    score.setFocus()
    qtbot.keyClick(score, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert app.sessions.session.state.is_closed
