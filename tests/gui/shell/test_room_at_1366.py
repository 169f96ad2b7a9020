"""Room for everything at 1366×768: the working tab, the channel cards and the clock fit, with and without the board."""

from __future__ import annotations

import argparse

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from neurotimer.app import App
from neurotimer.gui.session.timer_panel import MIN_DIGITS_PX
from neurotimer.gui.shell.alarm_banner import STRIP_HEIGHT
from neurotimer.gui.shell.main_window import STRIP_MIN_WIDTH
from neurotimer.plan.plan import Lead, NeedlePair
from neurotimer.session.clock import ManualClock

SCREEN = (1366, 768)
HISTORY_SESSIONS = 16


def _args(db, chairs: int | None = None) -> argparse.Namespace:
    return argparse.Namespace(demo=False, db=db, device=None, startup_probe=False, command=None, chairs=chairs)


@pytest.fixture(params=[None], ids=["one chair"])
def app(request, qtbot, tmp_path, clock: ManualClock):
    a = App(_args(tmp_path / "log.sqlite3", request.param), clock, chime=lambda: None, confirm=lambda t, x: True)
    qtbot.addWidget(a.window)
    a.window.resize(*SCREEN)
    a.window.show()
    qtbot.waitExposed(a.window)
    a.finish_start()
    qtbot.waitUntil(lambda: bool(a.window.tabs.count()) and a.stim.channel_count == 4, timeout=10000)
    yield a
    a.shutdown()




def settle(qtbot, app: App) -> None:
    window = app.window
    window.resize(*SCREEN)
    qtbot.wait(50)  # layouts are applied from the event loop


def whole_in(child: QWidget, area: QAbstractScrollArea) -> bool:
    """Whether a widget inside a scroll area is entirely in its visible part."""
    view = area.viewport()
    top_left = child.mapTo(view, child.rect().topLeft())
    return view.rect().contains(QRect(top_left, child.size()))


def visible_rows_in_list(widget) -> int:
    """Rows wholly in view top to bottom (a long row is elided at the right, as the practitioner sees it)."""
    view = widget.viewport().rect()
    return sum(1 for i in range(widget.count())
               if (rect := widget.visualItemRect(widget.item(i))).top() >= view.top()
               and rect.bottom() <= view.bottom())


def visible_rows_in_table(table) -> int:
    view = table.viewport().rect()
    return sum(1 for r in range(table.rowCount())
               if view.contains(QRect(0, table.rowViewportPosition(r), 10, table.rowHeight(r))))


def fill_history(app: App, clock: ManualClock) -> None:
    store = app.store
    patient = store.get_patient(store.create_patient("P-0042", name="Many Sessions"))
    store.create_course(patient.id, "Painful diabetic peripheral neuropathy", 20, 2)
    app.records.choose_patient(patient)
    for _ in range(HISTORY_SESSIONS):
        app.sessions.start()
        clock.advance(60)
        app.sessions.tick()
        app.sessions.end()
        app.sessions.start()  # the next session, unassigned
        app.records.choose_patient(patient)
        clock.advance(3 * 86400)


def risky_pairs(app: App) -> None:
    """A plan whose checks give several findings: across the midline, on the head, half paired."""
    catalogue = app.catalogue_source.catalogue
    plan = app.plans.plan()
    for code in ("ST36", "LI4", "GV20", "SP6", "CV17"):
        plan = plan.add(catalogue.get(code))
    app.plans.set_points(plan)
    app.plans.set_pairs([
        NeedlePair(1, Lead("ST36", "L"), Lead("ST36", "R")),
        NeedlePair(2, Lead("GV20", "M"), Lead("SP6", "L")),
        NeedlePair(3, Lead("CV17", "M"), Lead("SP6", "R")),
        NeedlePair(4, Lead("LI4", "L")),
    ])


def measure(app: App, qtbot, clock) -> dict[str, int]:
    """What the practitioner sees of each working tab and of the channels column at 1366×768."""
    window = app.window
    settle(qtbot, app)
    found: dict[str, int] = {}
    window.tabs.setCurrentWidget(app.picker)
    app.picker.search.setText("")
    qtbot.wait(20)
    found["points"] = visible_rows_in_list(app.picker.results)
    window.tabs.setCurrentWidget(app.pairing)
    qtbot.wait(20)
    found["checks"] = sum(1 for row in app.pairing.rows if whole_in(row, app.pairing.scroll))
    window.tabs.setCurrentWidget(app.history)
    qtbot.wait(20)
    table = app.history.table
    found["history"] = visible_rows_in_table(table)
    # Every column whole: the widest date fits its column, and nothing hides behind a sideways scroll bar.
    widest = max(table.fontMetrics().horizontalAdvance(table.item(r, 0).text()) for r in range(table.rowCount()))
    found["history_cut"] = int(table.columnWidth(0) < widest + 6 or table.horizontalScrollBar().isVisible())
    channels = _channels_panel(app)
    found["channels"] = sum(1 for card in channels.channels.values() if whole_in(card, channels.scroll))
    found["channel_scrolls"] = int(channels.scroll.verticalScrollBar().isVisible())
    found["digits_px"] = window.timer_panel.digits.pixel_size
    found["width"], found["height"] = window.width(), window.height()
    hint = window.minimumSizeHint()
    found["min_width"], found["min_height"] = hint.width(), hint.height()
    return found


def _channels_panel(app: App):
    from neurotimer.gui.stimulator.output_panel import ChannelsPanel

    return app.window.findChildren(ChannelsPanel)[0]


def assert_room_to_work(found: dict[str, int]) -> None:
    assert found["points"] >= 8, found
    assert found["checks"] >= 3, found
    assert found["history"] >= 12 and not found["history_cut"], found
    assert found["channels"] == 4 and not found["channel_scrolls"], found
    assert found["digits_px"] >= MIN_DIGITS_PX, found
    assert (found["width"], found["height"]) == SCREEN, found
    assert found["min_width"] <= SCREEN[0] and found["min_height"] <= SCREEN[1], found


def test_one_chair_at_1366x768_has_room_for_the_work_and_every_channel(app, qtbot, clock) -> None:
    fill_history(app, clock)
    risky_pairs(app)
    assert len(app.pairing.rows) >= 4
    assert_room_to_work(measure(app, qtbot, clock))


@pytest.mark.parametrize("app", [3, 8], ids=["3 chairs", "8 chairs"], indirect=True)
def test_with_the_board_beside_it_the_chair_still_fits_1366x768(app, qtbot, clock) -> None:
    assert app.several and app.window.board is not None and app.window.board.isVisible()
    fill_history(app, clock)
    risky_pairs(app)
    app.window.set_practitioner_text("Dr Demo Practitioner · PR-001")
    found = measure(app, qtbot, clock)
    assert_room_to_work(found)
    # The header line holds the chair and patient, the alarm strip and the practitioner, each readable: the
    # name has its width first (a long one gives way only past 300 px), the strip the rest.
    name = app.window.patient_label
    assert name.width() >= min(300, name.fontMetrics().horizontalAdvance(name.text())), name.text()
    assert app.window.alarms.width() >= STRIP_MIN_WIDTH and app.window.practitioner_label.isVisible()
    board = app.window.board
    # The board sits beside the chair, not over it: the timer, the tabs and the channels start right of it.
    right_of_board = board.mapTo(app.window, board.rect().topRight()).x()
    assert app.window.timer_panel.mapTo(app.window, app.window.timer_panel.rect().topLeft()).x() > right_of_board


def test_the_clock_grows_with_the_room_it_is_given_and_the_alarm_strip_stays_in_the_header(app, qtbot) -> None:
    window = app.window
    settle(qtbot, app)
    small = window.timer_panel.digits.pixel_size
    sizes = window.left_splitter.sizes()
    window.left_splitter.setSizes([sizes[0] + 120, sizes[1] - 120])  # the practitioner drags the clock taller
    qtbot.waitUntil(lambda: window.timer_panel.digits.pixel_size > small + 40)
    strip = window.alarms
    assert strip.height() == STRIP_HEIGHT
    header_line = window.stop_button.mapTo(window, window.stop_button.rect().center()).y()
    assert strip.mapTo(window, strip.rect().topLeft()).y() < header_line < strip.mapTo(
        window, strip.rect().bottomLeft()).y()
    assert strip.mapTo(window, strip.rect().bottomLeft()).y() < window.timer_panel.mapTo(window, QPoint(0, 0)).y()
