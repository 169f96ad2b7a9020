"""The stimulator's Qt bridge, device side: a worker in its own thread does all device I/O."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import NamedTuple

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from neurotimer.safety.interlock import Interlock
from neurotimer.session.clock import Clock
from neurotimer.stimulator.driver import Driver, LinkState
from neurotimer.stimulator.errors import NotConnected, StimulatorError
from neurotimer.stimulator.events import StimEvent, StimEventKind
from neurotimer.stimulator.gatekeeper import Gatekeeper
from neurotimer.stimulator.protocol import DEFAULT_WATCHDOG_S
from neurotimer.stimulator.transport import TransportFactory, transport_factory

log = logging.getLogger(__name__)

POLL_MS = 150
FactoryFor = Callable[[str, Clock], TransportFactory]
LINK_ALARM_KEY = "stimulator.connection_lost"


class Command(NamedTuple):
    generation: int  # commands issued before an emergency stop are dropped, never carried out late
    name: str
    args: tuple


class DriverCall(NamedTuple):
    """A driver method a command runs, and whether the window then reads the channel's settings back."""

    method: Callable[..., None]
    reads_back: bool = False


# Every command the controller sends that the driver carries out, by the name the controller gives it.
# reads_back: accepted or refused, the window shows what the device now holds.
DRIVER_CALLS: dict[str, DriverCall] = {
    "set_mode": DriverCall(Driver.set_mode, reads_back=True),
    "set_frequency": DriverCall(Driver.set_frequency, reads_back=True),
    "set_dense_frequencies": DriverCall(Driver.set_dense_frequencies, reads_back=True),
    "set_pulse_width": DriverCall(Driver.set_pulse_width, reads_back=True),
    "set_slew": DriverCall(Driver.set_slew, reads_back=True),
    "set_current": DriverCall(Driver.set_current),
    "output_on": DriverCall(Driver.output_on),
    "output_off": DriverCall(Driver.output_off),
    "command": DriverCall(Driver.command),
}


class AbortLine:
    """A thread of its own that writes ABORt the moment it is told to.

    The worker may be blocked for up to a second waiting on a silent device; the stop must not wait
    behind it, and the GUI thread must not do device I/O, so the write happens here, under the
    transport's write lock, interleaved safely with whatever the worker is doing.
    """

    def __init__(self, send: Callable[[], None]) -> None:
        self._send = send
        self._wake = threading.Event()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="stimulator-abort", daemon=True)
        self._thread.start()

    def fire(self) -> None:
        self._wake.set()

    def close(self) -> None:
        self._closing = True
        self._wake.set()
        self._thread.join(timeout=2.0)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._closing:
                return
            self._send()


class StimulatorWorker(QObject):
    """Owns the driver; lives in the stimulator thread; polls with a single-shot timer re-armed each time."""

    statusChanged = Signal(int, object)  # channel, ChannelStatus
    settingsChanged = Signal(int, object)  # channel, ChannelSettings read back from the device
    stimEvent = Signal(object)  # StimEvent
    linkStateChanged = Signal(object)  # LinkState
    deviceConnected = Signal(object)  # DeviceInfo
    refused = Signal(str)  # a message for the practitioner
    accepted = Signal(str, object)  # name, args: a command carried out (a connect: tried)
    alarm = Signal(str, str)  # key, text: what the interlock did at the device
    alarmCleared = Signal(str)  # key
    finished = Signal()

    def __init__(
        self, clock: Clock, interlock: Interlock, factory_for: FactoryFor = transport_factory,
        poll_ms: int = POLL_MS, watchdog_s: float = DEFAULT_WATCHDOG_S,
    ) -> None:
        super().__init__()
        self._clock = clock
        # Every command and every polled status passes the interlock here, in the thread that owns the driver.
        self._gate = Gatekeeper(interlock, clock, self.alarm.emit, self.alarmCleared.emit)
        self._interlock = interlock
        self._factory_for = factory_for
        self._poll_ms = poll_ms
        self._watchdog_s = watchdog_s
        self._driver: Driver | None = None
        self._timer: QTimer | None = None
        self._state = LinkState.DISCONNECTED
        self._stop_generation = 0
        self._stop_lock = threading.Lock()
        self._pending: list[StimEvent] = []
        # The commands the worker carries out itself: the link's life and the emergency stop.
        self._own_calls: dict[str, Callable[..., None]] = {
            "connect": self._do_connect,
            "disconnect": self._do_disconnect,
            "emergency_stop": self._do_emergency_stop,
            "shutdown": self._do_shutdown,
        }

    # -- thread-safe entry points (called from other threads) --------------------------------------
    def note_emergency_stop(self, generation: int) -> None:
        with self._stop_lock:
            self._stop_generation = max(self._stop_generation, generation)

    def send_abort_now(self) -> None:
        driver = self._driver
        if driver is None:
            return
        try:
            driver.send_abort()
        except StimulatorError as exc:
            log.warning("emergency stop could not be written: %s", exc)

    # -- slots (run in the worker thread) ---------------------------------------------------------
    @Slot()
    def start(self) -> None:
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.on_poll)

    @Slot(object)
    def on_command(self, command: Command) -> None:
        with self._stop_lock:
            stale = command.generation < self._stop_generation
        if stale:
            log.info("dropped %s: issued before the emergency stop", command.name)
            return
        own = self._own_calls.get(command.name)
        call = DRIVER_CALLS.get(command.name)
        try:
            if own is not None:
                if command.name != "shutdown":
                    self.accepted.emit(command.name, command.args)
                own(*command.args)
            elif call is not None:
                driver = self._require_driver()
                self._gate.run(driver, command.name, lambda *a: call.method(driver, *a), command.args)
                # Only what the interlock let through and the device took is recorded as commanded.
                self.accepted.emit(command.name, command.args)
            else:
                raise AttributeError(f"no stimulator command {command.name!r}")
        except StimulatorError as exc:
            self.refused.emit(exc.message)
        except ValueError as exc:
            self.refused.emit(str(exc))
        if call is not None and call.reads_back:
            self._read_back(command.args[0])
        self._publish_state()
        self._flush_events()

    @Slot()
    def enforce_now(self) -> None:
        """An input of the interlock changed: a refused output goes off now, not at the next poll.

        Judged on the statuses last read (no extra traffic when nothing is on), unless an output was
        switched on since: then the device is asked first.
        """
        driver = self._driver
        if driver is None or driver.state is not LinkState.CONNECTED:
            return
        if self._gate.switched_on_since_poll:
            self.on_poll()
            return
        known = {ch: s for ch in range(1, driver.channel_count + 1) if (s := driver.last_status(ch)) is not None}
        self._gate.enforce(driver, known, input_changed=True)
        self._flush_events()

    @Slot()
    def on_poll(self) -> None:
        driver = self._driver
        if driver is None:
            return
        statuses = driver.poll_once()
        for channel, status in statuses.items():
            self.statusChanged.emit(channel, status)
        if statuses:
            self._gate.enforce(driver, statuses)
        if any(e.kind is StimEventKind.RECONNECTED for e in self._pending):
            self._read_back_all()
        self._publish_state()
        self._flush_events()
        if self._driver is driver and self._timer is not None:
            self._timer.start(self._poll_ms)  # re-armed only now, so slow replies never pile up

    # -- commands ---------------------------------------------------------------------------------
    def _require_driver(self) -> Driver:
        if self._driver is None:
            raise NotConnected("No stimulator is connected.")
        return self._driver

    def _do_connect(self, url: str) -> None:
        self._do_disconnect()
        driver = Driver(self._factory_for(url, self._clock), self._clock, watchdog_s=self._watchdog_s)
        driver.subscribe(self._pending.append)
        info = driver.connect()
        self._driver = driver
        self.deviceConnected.emit(info)
        self._read_back_all()
        self._publish_state()
        self.on_poll()

    def _read_back(self, channel: object) -> None:
        driver = self._driver
        if driver is None or driver.state is not LinkState.CONNECTED or not isinstance(channel, int):
            return
        if not 1 <= channel <= driver.channel_count:
            return
        try:
            settings = driver.read_settings(channel)
            self._gate.note_slew(channel, settings.slew)
            self.settingsChanged.emit(channel, settings)
        except StimulatorError as exc:
            log.warning("could not read channel %d settings back: %s", channel, exc)

    def _read_back_all(self) -> None:
        if self._driver is not None and self._driver.state is LinkState.CONNECTED:
            for channel in range(1, self._driver.channel_count + 1):
                self._read_back(channel)

    def _do_disconnect(self) -> None:
        driver, self._driver = self._driver, None
        if self._timer is not None:
            self._timer.stop()
        if driver is not None:
            driver.close(switch_off=True)
        self._publish_state()

    def _do_emergency_stop(self) -> None:
        driver = self._driver
        if driver is None:
            return
        if driver.state is LinkState.CONNECTED:
            # Sent again from here so it also follows any command that was mid-flight at the stop.
            driver.abort()
            for channel in range(1, driver.channel_count + 1):
                status = driver.last_status(channel)
                if status is not None:
                    self.statusChanged.emit(channel, status)

    def _do_shutdown(self) -> None:
        try:
            self._do_disconnect()
        except Exception:
            log.exception("closing the stimulator link failed")
        finally:
            self.finished.emit()

    def _flush_events(self) -> None:
        # After statuses and link state, so a listener to an event sees them as the device reported them.
        events, self._pending[:] = list(self._pending), []
        for event in events:
            self.stimEvent.emit(event)

    def _publish_state(self) -> None:
        state = self._driver.state if self._driver is not None else LinkState.DISCONNECTED
        if state is not self._state:
            self._state = state
            self._interlock.set_link(state is LinkState.CONNECTED)
            self.linkStateChanged.emit(state)
