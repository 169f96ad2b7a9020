"""Fixtures for the window's own tests: the whole app on a log in the test's folder, its questions answered."""

from __future__ import annotations

import argparse

import pytest

from neurotimer.app import App


@pytest.fixture
def asking_app(qtbot, tmp_path, clock):
    """asking_app(answers, asked) -> the app as `neurotimer --db <tmp>/log.sqlite3` starts it, shown; every question
    it asks is noted in `asked` ("title\\ntext") and answered with the next of `answers`. Shut it down in the test."""

    def build(answers: list[bool], asked: list[str]) -> App:
        def confirm(title: str, text: str) -> bool:
            asked.append(f"{title}\n{text}")
            return answers.pop(0)

        args = argparse.Namespace(demo=False, db=tmp_path / "log.sqlite3", device=None, startup_probe=False,
                                  command=None)
        app = App(args, clock, chime=lambda: None, confirm=confirm)
        qtbot.addWidget(app.window)
        app.window.show()
        qtbot.waitExposed(app.window)
        app.finish_start()
        return app

    return build
