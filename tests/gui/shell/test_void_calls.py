"""Regression guard for PySide6 6.12.0 on Python 3.11, which aborts after ~16,000 void Qt calls."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def test_a_hundred_thousand_void_qt_calls_do_not_crash(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    for i in range(100_000):
        label.setText("12:34" if i % 2 else "12:35")
    assert label.text() == "12:34"
