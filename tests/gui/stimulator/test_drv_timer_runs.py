"""Stimulator faults never stall the session timer: device I/O waits in the worker thread, not the GUI."""

from __future__ import annotations

import time
from itertools import pairwise

from neurotimer.gui.session.presenter import SessionPresenter
from neurotimer.gui.stimulator.controller import StimulatorController
from neurotimer.safety.interlock import Interlock, SessionInput
from neurotimer.session.clock import SystemClock
from neurotimer.session.session import SessionState
from neurotimer.stimulator.driver import LinkState
from neurotimer.stimulator.events import StimEventKind as K
from neurotimer.stimulator.simlink import SimDevicePort


def test_timer_keeps_ticking_while_the_device_hangs(qtbot) -> None:
    clock = SystemClock()
    sim = SimDevicePort(clock, timeout=0.3)
    interlock = Interlock(clock)
    interlock.set_session(SessionInput(running=True, paused=False, ends_at=clock.now() + 3600))
    interlock.set_pairs({1})
    interlock.set_verdict(True, "Output allowed")
    ctl = StimulatorController(clock, interlock=interlock, factory_for=lambda url, c: sim.open, poll_ms=50)
    presenter = SessionPresenter(clock)
    seen = []
    ctl.stimEvent.connect(seen.append)
    try:
        with qtbot.waitSignal(ctl.deviceConnected, timeout=3000):
            ctl.connect_device("sim:")
        ctl.output_on(1)
        ctl.set_current(1, 1)
        qtbot.waitUntil(lambda: (s := ctl.last_status(1)) is not None and s.output, timeout=3000)
        presenter.start()
        ticks = []
        presenter.updated.connect(lambda snap: ticks.append(time.monotonic()))
        sim.model.feed(b"SIMulate:FREeze 1.5\n")  # the device hangs on its own
        qtbot.waitUntil(lambda: ctl.link_state is LinkState.LOST, timeout=3000)
        qtbot.waitUntil(lambda: ctl.link_state is LinkState.CONNECTED, timeout=5000)
        assert presenter.session.state is SessionState.RUNNING
        gaps = [b - a for a, b in pairwise(ticks)]
        assert len(ticks) >= 5 and max(gaps) < 0.5  # 200 ms ticks, never held up by the device
        kinds = [e.kind for e in seen]
        assert K.CONNECTION_LOST in kinds and K.RECONNECTED in kinds
        qtbot.waitUntil(lambda: ctl.last_status(1) is not None, timeout=3000)
        assert ctl.last_status(1).output is False  # after the reconnect every output is off
    finally:
        presenter.end()
        ctl.shutdown()
