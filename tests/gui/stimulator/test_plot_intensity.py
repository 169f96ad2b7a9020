"""The live intensity plot: what a practitioner reads off it, checked through the curves' data."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from neurotimer.gui.stimulator.intensity_plot import CAPACITY, CHANNEL_COLOURS, PREVIEW_S, IntensityPlot
from neurotimer.session.session import EventKind, SessionEvent
from neurotimer.stimulator.events import StimEvent, StimEventKind
from neurotimer.stimulator.protocol import ChannelStatus

RATE_HZ = 7.0


@pytest.fixture
def plot(qtbot, clock):
    widget = IntensityPlot(clock)
    qtbot.addWidget(widget)
    widget.resize(860, 300)
    return widget


def data(curve):
    x, y = curve.getData()
    return (np.array([]), np.array([])) if x is None else (np.asarray(x), np.asarray(y))


def feed(plot, clock, seconds, channels, level=lambda ch, t: 1.0 + ch, target=None):
    """Readings at the device's poll rate, as the controller delivers them."""
    t = 0.0
    while t < seconds:
        for ch in range(1, channels + 1):
            plot.add_sample(ch, level(ch, t), level(ch, t) if target is None else target)
        clock.advance(1 / RATE_HZ)
        t += 1 / RATE_HZ


def test_readings_land_on_their_channel_in_minutes_since_the_start(plot, clock):
    plot.set_channel_count(2)
    plot.reset(clock.now())
    clock.advance(90)
    plot.add_sample(2, 2.5, 3.0)
    clock.advance(30)
    plot.add_sample(2, 3.0, 3.0)
    plot.refresh()
    x, y = data(plot.curves(2)[0])
    assert x.tolist() == pytest.approx([1.5, 2.0]) and y.tolist() == [2.5, 3.0]
    assert data(plot.curves(2)[1])[1].tolist() == [3.0, 3.0]
    assert data(plot.curves(1)[0])[0].size == 0


def test_a_session_started_later_counts_from_its_own_start(plot, clock):
    plot.set_channel_count(1)
    start = clock.now()
    clock.advance(45)
    plot.on_session_event(SessionEvent(EventKind.STARTED, 45.0))  # delivered late: offset says when
    plot.add_sample(1, 1.0, 1.0)
    plot.refresh()
    assert data(plot.curves(1)[0])[0].tolist() == pytest.approx([0.75])
    assert plot._item.getAxis("bottom").labelText == "minutes since session start"
    assert start + 45 == clock.now()


def test_reset_clears_readings_marks_and_the_raised_scale(plot, clock):
    plot.set_channel_count(1)
    plot.reset(clock.now())
    plot.add_sample(1, 14.0, 14.0)
    plot.mark("Emergency stop")
    plot.refresh()
    plot.reset(clock.now())
    assert data(plot.curves(1)[0])[0].size == 0
    assert plot._marks == []
    assert plot._item.viewRange()[1][1] < 13


def test_a_two_hour_session_on_eight_channels_stays_bounded_and_keeps_a_lead_off_drop(plot, clock):
    plot.set_channel_count(8)
    plot.reset(clock.now())
    buffers = [trace.data for trace in plot._traces]

    def level(ch, t):  # channel 2 loses its lead for 3 s at minute 10
        return 0.0 if ch == 2 and 600 <= t < 603 else 3.0

    feed(plot, clock, 120 * 60, 8, level, target=3.0)
    plot.refresh()
    for ch, trace in enumerate(plot._traces, start=1):
        assert trace.data is buffers[ch - 1], "the buffer was reallocated"
        x, y = data(plot.curves(ch)[0])
        assert len(x) <= CAPACITY + trace.bucket
        assert x[0] == pytest.approx(0.0, abs=0.05) and x[-1] == pytest.approx(120.0, abs=0.05)
        assert np.all(np.diff(x) >= 0)
    x, y = data(plot.curves(2)[0])
    dropped = x[y == 0.0]
    assert dropped.size and dropped.min() == pytest.approx(10.0, abs=0.1)
    assert not np.any(data(plot.curves(1)[0])[1] == 0.0)


def test_changing_the_channel_count_adds_and_removes_curves_and_legend(plot, clock):
    plot.set_channel_count(4)
    assert len(plot._item.listDataItems()) == 8  # measured and target per channel
    assert [label.text().endswith(f"CH {i}") for i, label in enumerate(plot._legend, 1)] == [True] * 4
    plot.set_channel_count(2)
    assert len(plot._item.listDataItems()) == 4 and len(plot._legend) == 2
    plot.set_channel_count(3)
    assert len(plot._item.listDataItems()) == 6 and plot._legend[2].text().endswith("CH 3")


def test_each_channel_has_its_own_colour_and_a_dashed_target_in_the_same_colour(plot):
    plot.set_channel_count(8)
    colours = []
    for ch in range(1, 9):
        measured, target = plot.curves(ch)
        m_pen, t_pen = measured.opts["pen"], target.opts["pen"]
        assert m_pen.style() == Qt.PenStyle.SolidLine and t_pen.style() == Qt.PenStyle.DashLine
        assert m_pen.color() == t_pen.color()
        colours.append(m_pen.color().name())
    assert colours == [c.lower() for c in CHANNEL_COLOURS] and len(set(colours)) == 8


def test_scale_runs_to_twelve_ma_and_extends_for_a_higher_reading(plot, clock):
    plot.set_channel_count(1)
    plot.reset(clock.now())
    plot.add_sample(1, 2.0, 2.0)
    plot.refresh()
    low, high = plot._item.viewRange()[1]
    assert low <= 0 and 12 <= high < 13
    plot.add_sample(1, 15.0, 15.0)
    plot.refresh()
    assert plot._item.viewRange()[1][1] >= 15.0 * 1.05


def test_before_a_session_the_last_minutes_slide_left(plot, clock):
    plot.set_channel_count(1)
    plot.add_sample(1, 1.0, 1.0)
    clock.advance(60)
    plot.refresh()
    assert data(plot.curves(1)[0])[0].tolist() == pytest.approx([-1.0])
    assert plot._item.getAxis("bottom").labelText == "minutes before now"
    left, right = plot._item.viewRange()[0]
    assert left <= -PREVIEW_S / 60 and right >= 0


def test_before_a_session_memory_stays_bounded_and_the_window_stays_full(plot, clock):
    plot.set_channel_count(1)
    feed(plot, clock, PREVIEW_S, 1)
    for _ in range(40):  # every 17 s for over 11 minutes, whenever the buffer happened to roll
        feed(plot, clock, 17, 1)
        plot.refresh()
        x, _ = data(plot.curves(1)[0])
        assert len(x) <= CAPACITY and x[-1] == pytest.approx(-1 / RATE_HZ / 60, abs=1e-3)
        assert x[0] <= -PREVIEW_S / 60 + 0.01  # the whole visible window is still there


def test_redraws_only_when_a_reading_arrived_during_a_session(plot, clock):
    plot.set_channel_count(1)
    plot.reset(clock.now())
    plot.refresh()
    before = plot.redraws
    clock.advance(1)
    plot.refresh()
    assert plot.redraws == before
    plot.add_sample(1, 1.0, 1.0)
    plot.refresh()
    assert plot.redraws == before + 1


def test_refresh_timer_runs_only_while_shown(plot, qtbot):
    plot.show()
    qtbot.waitExposed(plot)
    assert plot._timer.isActive() and plot._timer.interval() == 250
    plot.hide()
    assert not plot._timer.isActive()


def test_controller_signals_drive_the_plot(plot, clock):
    class Info:
        channels = 4

    plot.on_device_connected(Info())
    assert len(plot._traces) == 4
    plot.reset(clock.now())
    clock.advance(120)
    plot.on_status(3, ChannelStatus(True, 2.4, 2.5, 800.0, True))
    plot.on_stim_event(StimEvent(StimEventKind.LEAD_OFF, "Channel 2: lead off", 2, clock.now()))
    plot.on_stim_event(StimEvent(StimEventKind.OUTPUT_ON, "Channel 1: output on", 1, clock.now()))
    plot.on_stim_event(StimEvent(StimEventKind.EMERGENCY_STOP_CONFIRMED, "All outputs off", None, 0.0))
    plot.refresh()
    assert data(plot.curves(3)[0])[1].tolist() == [2.4]
    assert [line.label.format for _, line in plot._marks] == ["Lead off ch 2", "Emergency stop"]
    assert [line.value() for _, line in plot._marks] == pytest.approx([2.0, 2.0])


def test_a_new_planned_session_clears_the_last_one(plot, clock):
    plot.set_channel_count(1)
    plot.reset(clock.now())
    plot.add_sample(1, 1.0, 1.0)
    plot.on_session_created(object())
    plot.refresh()
    assert data(plot.curves(1)[0])[0].size == 0
    assert plot._item.getAxis("bottom").labelText == "minutes before now"


def test_a_reading_from_an_unannounced_channel_still_shows(plot, clock):
    plot.reset(clock.now())
    plot.add_sample(3, 1.0, 1.0)
    plot.refresh()
    assert len(plot._traces) == 3 and data(plot.curves(3)[0])[1].tolist() == [1.0]


def test_marks_are_bounded_and_follow_the_session_axis(plot, clock):
    plot.reset(clock.now())
    for i in range(60):
        clock.advance(10)
        plot.mark(f"event {i}")
    plot.refresh()
    assert len(plot._marks) == 40
    assert plot._marks[-1][1].value() == pytest.approx(10.0)


def test_rendered_plot_is_legible_and_the_legend_sits_above_the_data(plot, clock, qtbot, tmp_path, colour_count):
    plot.set_channel_count(4)
    plot.reset(clock.now())

    def ramp(ch, t):  # 0→3 mA at 0.5 mA/s; channel 2's lead comes off for half a minute
        return 0.0 if ch == 2 and 300 <= t < 330 else min(3.0, 0.5 * t)

    feed(plot, clock, 480, 4, ramp, target=3.0)
    plot.mark("Lead off ch 2", clock.now() - 180)
    plot.show()
    qtbot.waitExposed(plot)
    plot.refresh()
    path = tmp_path / "plot.png"
    assert plot.grab().save(str(path))
    assert colour_count(path) > 6  # white, ink and four channel colours at least
    for name in ("left", "bottom"):
        assert plot._item.getAxis(name).style["tickFont"].pixelSize() >= 12
    plot_top = plot._plot.geometry().top()
    assert all(label.geometry().bottom() < plot_top for label in plot._legend)


def test_a_link_blackout_leaves_a_gap_not_a_line_across_it(plot, clock):
    plot.set_channel_count(2)
    plot.reset(clock.now())
    feed(plot, clock, 30, 2, target=2.0)
    plot.on_stim_event(StimEvent(StimEventKind.CONNECTION_LOST, "link lost", None, clock.now()))
    clock.advance(20)  # nothing is heard for 20 s
    feed(plot, clock, 30, 2, target=2.0)
    plot.refresh()
    x, y = data(plot.curves(1)[0])
    blank = np.flatnonzero(np.isnan(y))
    assert blank.size == 1
    assert x[blank[0] + 1] - x[blank[0] - 1] == pytest.approx(20 / 60 + 1 / RATE_HZ / 60, abs=0.01)
    assert plot.curves(1)[0].opts["connect"] == "finite" and plot.curves(1)[1].opts["connect"] == "finite"


def test_gaps_survive_a_long_session_being_compacted(plot, clock):
    plot.set_channel_count(1)
    plot.reset(clock.now())
    for _ in range(6):
        feed(plot, clock, 600, 1)
        plot.gap()
    plot.refresh()
    _x, y = data(plot.curves(1)[0])
    assert plot._traces[0].bucket > 1 and np.isnan(y).any()


def test_emergency_stop_labels_close_together_never_overprint(qtbot, clock) -> None:
    from neurotimer.gui.stimulator.intensity_plot import IntensityPlot

    plot = IntensityPlot(clock, channels=2)
    qtbot.addWidget(plot)
    plot.resize(800, 380)
    plot.show()
    qtbot.waitExposed(plot)
    plot.reset(clock.now())
    clock.advance(120)
    for _ in range(4):
        plot.mark("Emergency stop")
        plot.mark("Emergency stop")  # the same stop reported twice: drawn once
        clock.advance(3)
    plot.mark("Paused")
    plot.refresh()
    labels = [line.label for _at, line in plot._marks]
    assert len(labels) == 5
    rects = [label.sceneBoundingRect() for label in labels]
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not a.intersects(b), "two mark labels overprint each other"
