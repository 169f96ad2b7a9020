"""The Qt bridge: commands in, device-confirmed status and events out, and the emergency stop path."""

from __future__ import annotations

import threading
import time

import pytest

from neurotimer.gui.stimulator.controller import StimulatorController
from neurotimer.gui.stimulator.worker import DRIVER_CALLS
from neurotimer.stimulator.driver import LinkState
from neurotimer.stimulator.scripted import ScriptedTransport
from neurotimer.stimulator.simlink import SimDevicePort


@pytest.fixture
def sim(clock):
    return SimDevicePort(clock)


@pytest.fixture
def controller(qtbot, clock, sim, open_interlock):
    ctl = StimulatorController(clock, interlock=open_interlock, factory_for=lambda url, c: sim.open, poll_ms=20)
    yield ctl
    ctl.shutdown()


def connect(qtbot, controller) -> None:
    with qtbot.waitSignal(controller.deviceConnected, timeout=3000):
        controller.connect_device("sim:")
    qtbot.waitUntil(lambda: controller.last_status(4) is not None, timeout=3000)


def test_connect_reports_device_and_link_state(qtbot, controller) -> None:
    states = []
    controller.linkStateChanged.connect(states.append)
    connect(qtbot, controller)
    assert controller.info.identity.model == "SIM-4"
    assert controller.channel_count == 4
    assert states == [LinkState.CONNECTED]


def test_a_refused_value_comes_back_as_a_message(qtbot, controller) -> None:
    connect(qtbot, controller)
    with qtbot.waitSignal(controller.refused, timeout=3000) as blocker:
        controller.set_current(2, 25)
    assert blocker.args == ["Channel 2: 25 mA is above this stimulator's maximum intensity of 20 mA."]


def test_emergency_stop_shows_every_output_off_once_the_device_confirms(qtbot, controller, clock, sim) -> None:
    connect(qtbot, controller)
    for ch in (1, 2):
        controller.output_on(ch)
        controller.set_current(ch, 4)
    qtbot.waitUntil(lambda: controller.last_status(2).target_ma == 4, timeout=3000)
    clock.advance(1.6)
    qtbot.waitUntil(lambda: controller.last_status(2).measured_ma > 0.5, timeout=3000)
    with qtbot.waitSignal(controller.emergencyStopConfirmed, timeout=3000):
        controller.emergency_stop()
    assert not any(controller.last_status(ch).output for ch in (1, 2, 3, 4))
    assert not any(sim.model.status(ch).output for ch in (1, 2, 3, 4))


def test_link_loss_is_an_alarm_and_reconnect_clears_it(qtbot, controller, clock) -> None:
    connect(qtbot, controller)
    alarms, cleared = [], []
    controller.alarm.connect(lambda key, text: alarms.append((key, text)))
    controller.alarmCleared.connect(cleared.append)
    with qtbot.waitSignal(controller.linkStateChanged, timeout=3000) as lost:
        controller.command("SIMulate:DROP")
    assert lost.args == [LinkState.LOST]
    qtbot.waitUntil(lambda: bool(alarms), timeout=3000)
    assert alarms[0][0] == "stimulator.connection_lost"
    assert "connection lost" in alarms[0][1]
    clock.advance(1.5)
    qtbot.waitUntil(lambda: controller.link_state is LinkState.CONNECTED, timeout=3000)
    # The clearing arrives as its own queued signal, just after the link state: wait for it, not race it.
    qtbot.waitUntil(lambda: cleared == ["stimulator.connection_lost"], timeout=3000)


class SlowTransport(ScriptedTransport):
    """A device that takes its time over one reply, so a command is in flight when the stop is pressed."""

    def __init__(self, pairs) -> None:
        super().__init__(pairs)
        self.slow_line: str | None = None
        self.in_slow_read = threading.Event()
        self.release = threading.Event()
        self.order: list[str] = []

    def write(self, data: bytes) -> int:
        self.order.append(data.decode().strip())
        return super().write(data)

    def readline(self) -> bytes:
        if self.sent and self.sent[-1] == self.slow_line and not self.release.is_set():
            self.in_slow_read.set()
            self.release.wait(5)
        return super().readline()


READ_BACK = [
    ("SOURce1:FUNCtion?", "CONT"), ("SOURce1:FREQuency?", "2"), ("SOURce1:FREQuency:LOW?", "2"),
    ("SOURce1:FREQuency:HIGH?", "100"), ("SOURce1:PULSe:WIDTh?", "300"), ("SOURce1:CURRent:SLEW?", "0.5"),
]


def test_stop_overtakes_a_blocked_worker_and_drops_older_commands(qtbot, clock, open_interlock) -> None:
    ok = '0,"No error"'
    off = "0,0.00,0.0,1500,OK"
    script = [
        ("*IDN?", "NeuroTimer,SIM-1,S1,1"), ("SYSTem:CHANnels?", "1"),
        ("SYSTem:LIMits?", "freq=1..200,width=50..1000,current=0..20,slew=0.1..2"),
        ("SYSTem:ERRor?", ok), ("SYSTem:WATChdog 2", None), ("SYSTem:ERRor?", ok),
        *READ_BACK,
        ("STATus:CHANnel1?", off),
        ("SOURce1:FREQuency 10", None),
        ("SYSTem:ERRor?", ok),  # its reply is slow: the worker is blocked reading it...
        ("ABORt", None),  # ...when the stop writes this, from its own thread
        *READ_BACK,  # the hung command ends and the window is shown what the device holds
        ("ABORt", None), ("SYSTem:ERRor?", ok), ("STATus:CHANnel1?", off),
    ]
    transport = SlowTransport(script)
    ctl = StimulatorController(clock, interlock=open_interlock, factory_for=lambda url, c: lambda: transport,
                               poll_ms=60_000)
    try:
        with qtbot.waitSignal(ctl.deviceConnected, timeout=3000):
            ctl.connect_device("scripted")
        qtbot.waitUntil(lambda: ctl.last_status(1) is not None, timeout=3000)
        transport.slow_line = "SYSTem:ERRor?"
        transport.sent.clear()
        ctl.set_frequency(1, 10)  # its error check will hang until released
        assert transport.in_slow_read.wait(3)
        ctl.set_current(1, 5)  # queued behind the hung command: must never reach the device
        ctl.set_pulse_width(1, 400)
        with qtbot.waitSignal(ctl.emergencyStopConfirmed, timeout=3000):
            started = time.monotonic()
            ctl.emergency_stop()
            qtbot.waitUntil(lambda: "ABORt" in transport.order, timeout=3000)
            assert time.monotonic() - started < 0.5
            transport.release.set()
    finally:
        transport.release.set()
        ctl.shutdown()
    assert "SOURce1:CURRent 5.0" not in transport.order
    assert "SOURce1:PULSe:WIDTh 400" not in transport.order
    transport.assert_done()


def test_each_command_name_runs_the_driver_method_of_that_name() -> None:
    # The session record keeps these names; a reader searching for the driver method finds the entry.
    assert {name: call.method.__name__ for name, call in DRIVER_CALLS.items()} == {n: n for n in DRIVER_CALLS}


def test_only_commands_carried_out_are_reported_as_commanded(qtbot, clock, sim, open_interlock) -> None:
    ctl = StimulatorController(clock, interlock=open_interlock, factory_for=lambda url, c: sim.open, poll_ms=20)
    commanded = []
    ctl.commanded.connect(lambda name, args: commanded.append((name, tuple(args))))
    try:
        connect(qtbot, ctl)
        open_interlock.set_pairs({2})
        with qtbot.waitSignal(ctl.refused, timeout=3000):
            ctl.output_on(1)  # refused by the interlock: never reached the device
        with qtbot.waitSignal(ctl.refused, timeout=3000):
            ctl.set_current(2, 25)  # refused by the driver: above the device's range
        with qtbot.waitSignal(ctl.commanded, timeout=3000):
            ctl.output_on(2)
    finally:
        ctl.shutdown()
    assert commanded == [("connect", ("sim:",)), ("output_on", (2,))]
