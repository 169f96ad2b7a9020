"""The plot wired as app.py wires it: the simulated stimulator and the session presenter drive it."""

from __future__ import annotations

import numpy as np
import pytest

from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.stimulator.controller import StimulatorController
from neurotimer.gui.stimulator.intensity_plot import IntensityPlot
from neurotimer.stimulator.simlink import SimDevicePort


@pytest.fixture
def rig(qtbot, clock, open_interlock):
    sim = SimDevicePort(clock)
    controller = StimulatorController(clock, interlock=open_interlock, factory_for=lambda url, c: sim.open, poll_ms=20)
    presenter = SessionPresenter(clock)
    plot = IntensityPlot(clock)
    qtbot.addWidget(plot)
    controller.deviceConnected.connect(plot.on_device_connected)
    controller.statusChanged.connect(plot.on_status)
    controller.stimEvent.connect(plot.on_stim_event)
    presenter.sessionEvent.connect(plot.on_session_event)
    presenter.sessionCreated.connect(plot.on_session_created)
    yield controller, presenter, plot
    controller.shutdown()


def measured(plot, channel):
    x, y = plot.curves(channel)[0].getData()
    return (np.array([]), np.array([])) if x is None else (np.asarray(x), np.asarray(y))


def test_a_session_with_the_simulated_stimulator_draws_and_marks_the_stop(qtbot, clock, rig):
    controller, presenter, plot = rig
    with qtbot.waitSignal(controller.deviceConnected, timeout=3000):
        controller.connect_device("sim:")
    assert len(plot._traces) == 4
    qtbot.waitUntil(lambda: controller.last_status(2) is not None, timeout=3000)
    clock.advance(30)
    presenter.start()
    controller.output_on(2)
    controller.set_current(2, 4)
    qtbot.waitUntil(lambda: controller.last_status(2).target_ma == 4, timeout=3000)
    start = clock.now()
    for _ in range(20):  # half-second steps, polled in between: the device's watchdog sees a live host
        clock.advance(0.5)
        polled = plot._latest
        qtbot.waitUntil(lambda p=polled: plot._latest != p, timeout=3000)
    qtbot.waitUntil(lambda: controller.last_status(2).measured_ma > 3.5, timeout=3000)
    plot.refresh()
    x, y = measured(plot, 2)
    # minutes since Start, not since connect (30 s earlier)
    assert x.min() >= 0 and x.max() == pytest.approx((clock.now() - start) / 60, abs=0.01)
    assert y.max() > 3.5 and measured(plot, 1)[1].max() == 0.0
    with qtbot.waitSignal(controller.emergencyStopConfirmed, timeout=3000):
        controller.emergency_stop()
    qtbot.waitUntil(lambda: any(line.label.format == "Emergency stop" for _, line in plot._marks), timeout=3000)
    clock.advance(0.5)
    presenter.toggle_pause()
    presenter.end()
    assert [line.label.format for _, line in plot._marks][-2:] == ["Paused", "Session ended"]
    presenter.new_session()
    plot.refresh()
    assert measured(plot, 2)[0].size == 0 and plot._marks == []
