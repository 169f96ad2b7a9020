"""The stimulator's Qt bridge: a worker in its own thread does all device I/O; a controller faces the GUI."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import NamedTuple

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot

from neurotimer.clock import Clock
from neurotimer.stimulator.driver import ChannelSettings, DeviceInfo, Driver, LinkState
from neurotimer.stimulator.errors import NotConnected, StimulatorError
from neurotimer.stimulator.events import StimEvent, StimEventKind
from neurotimer.stimulator.protocol import ChannelStatus, Mode
from neurotimer.stimulator.transport import TransportFactory, transport_factory

log = logging.getLogger(__name__)

POLL_MS = 150
SETTING_COMMANDS = frozenset(
    {"set_mode", "set_frequency", "set_dense_frequencies", "set_pulse_width", "set_slew"}
)
FactoryFor = Callable[[str, Clock], TransportFactory]
LINK_ALARM_KEY = "stimulator.connection_lost"


class Command(NamedTuple):
    generation: int  # commands issued before an emergency stop are dropped, never carried out late
    name: str
    args: tuple


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
    finished = Signal()

    def __init__(
        self, clock: Clock, factory_for: FactoryFor = transport_factory, poll_ms: int = POLL_MS,
        watchdog_s: float = 2.0,
    ) -> None:
        super().__init__()
        self._clock = clock
        self._factory_for = factory_for
        self._poll_ms = poll_ms
        self._watchdog_s = watchdog_s
        self._driver: Driver | None = None
        self._timer: QTimer | None = None
        self._state = LinkState.DISCONNECTED
        self._stop_generation = 0
        self._stop_lock = threading.Lock()
        self._pending: list[StimEvent] = []

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
        try:
            handler = getattr(self, f"_do_{command.name}", None)
            if handler is not None:
                handler(*command.args)
            else:
                getattr(self._require_driver(), command.name)(*command.args)
        except StimulatorError as exc:
            self.refused.emit(exc.message)
        except ValueError as exc:
            self.refused.emit(str(exc))
        if command.name in SETTING_COMMANDS:
            # Accepted or refused, the window shows what the device now holds.
            self._read_back(command.args[0])
        self._publish_state()
        self._flush_events()

    @Slot()
    def on_poll(self) -> None:
        driver = self._driver
        if driver is None:
            return
        for channel, status in driver.poll_once().items():
            self.statusChanged.emit(channel, status)
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
            self.settingsChanged.emit(channel, driver.read_settings(channel))
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
            self.linkStateChanged.emit(state)


class StimulatorController(QObject):
    """The GUI thread's face of the stimulator: intents in, Qt signals out; never touches the device."""

    statusChanged = Signal(int, object)  # channel, ChannelStatus (as the device confirmed it)
    settingsChanged = Signal(int, object)  # channel, ChannelSettings (as the device holds them)
    stimEvent = Signal(object)  # StimEvent
    linkStateChanged = Signal(object)  # LinkState
    deviceConnected = Signal(object)  # DeviceInfo
    refused = Signal(str)  # a practitioner's message: a value refused, a command the device declined
    alarm = Signal(str, str)  # key, text: raise in the AlarmBanner at HIGH priority
    alarmCleared = Signal(str)  # key
    emergencyStopConfirmed = Signal()  # the device reported every output off after a stop
    commanded = Signal(str, object)  # what the practitioner asked for (name, args), for the session record
    _submit = Signal(object)

    def __init__(
        self,
        clock: Clock,
        *,
        factory_for: FactoryFor = transport_factory,
        poll_ms: int = POLL_MS,
        watchdog_s: float = 2.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._generation = 0
        self.info: DeviceInfo | None = None
        self.link_state = LinkState.DISCONNECTED
        self._statuses: dict[int, ChannelStatus] = {}
        self._settings: dict[int, ChannelSettings] = {}
        self._thread = QThread()
        self._thread.setObjectName("stimulator")
        self._worker = StimulatorWorker(clock, factory_for, poll_ms, watchdog_s)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.start)
        # The worker ends its own thread once it has switched off and closed, so nothing queued is lost.
        self._worker.finished.connect(self._thread.quit, Qt.ConnectionType.DirectConnection)
        self._thread.finished.connect(self._worker.deleteLater)
        self._submit.connect(self._worker.on_command, Qt.ConnectionType.QueuedConnection)
        self._worker.statusChanged.connect(self._on_status)
        self._worker.settingsChanged.connect(self._on_settings)
        self._worker.stimEvent.connect(self._on_event)
        self._worker.linkStateChanged.connect(self._on_link_state)
        self._worker.deviceConnected.connect(self._on_connected)
        self._worker.refused.connect(self.refused)
        self._abort_line = AbortLine(self._worker.send_abort_now)
        self._thread.start()
        self._closed = False
        self._output_gate: Callable[[int], str | None] = lambda _channel: None

    # -- state for the views ---------------------------------------------------------------------
    def last_status(self, channel: int) -> ChannelStatus | None:
        return self._statuses.get(channel)

    def last_settings(self, channel: int) -> ChannelSettings | None:
        return self._settings.get(channel)

    @property
    def channel_count(self) -> int:
        return self.info.channels if self.info is not None else 0

    # -- intents ---------------------------------------------------------------------------------
    def _send(self, name: str, *args: object) -> None:
        self.commanded.emit(name, args)
        self._submit.emit(Command(self._generation, name, args))

    def set_output_gate(self, gate: Callable[[int], str | None]) -> None:
        """gate(channel) returns why an output may not start (safety findings), or None to allow it."""
        self._output_gate = gate

    def connect_device(self, url: str) -> None:
        self._send("connect", url)

    def disconnect_device(self) -> None:
        self._send("disconnect")

    def emergency_stop(self) -> None:
        """ABORt goes out at once from its own thread; commands queued before it are dropped."""
        self._generation += 1
        self._worker.note_emergency_stop(self._generation)
        self._abort_line.fire()
        self._send("emergency_stop")
        if self.link_state is not LinkState.CONNECTED:
            self.alarm.emit(
                "stimulator.stop-unreached",
                "The stop could not reach the stimulator (no link): switch the stimulator off at the device.",
            )

    def set_mode(self, channel: int, mode: Mode) -> None:
        self._send("set_mode", channel, mode)

    def set_frequency(self, channel: int, hz: float) -> None:
        self._send("set_frequency", channel, hz)

    def set_dense_frequencies(self, channel: int, low_hz: float, high_hz: float) -> None:
        self._send("set_dense_frequencies", channel, low_hz, high_hz)

    def set_pulse_width(self, channel: int, microseconds: float) -> None:
        self._send("set_pulse_width", channel, microseconds)

    def set_slew(self, channel: int, ma_per_s: float) -> None:
        self._send("set_slew", channel, ma_per_s)

    def set_current(self, channel: int, milliamps: float) -> None:
        # Lowering is always allowed; raising needs the same go-ahead as switching on.
        reason = self._output_gate(channel) if milliamps > 0 else None
        if reason:
            self.refused.emit(reason)
            return
        self._send("set_current", channel, milliamps)

    def output_on(self, channel: int) -> None:
        reason = self._output_gate(channel)
        if reason:
            self.refused.emit(reason)
            return
        self._send("output_on", channel)

    def output_off(self, channel: int) -> None:
        self._send("output_off", channel)

    def command(self, line: str) -> None:
        """A raw setting line (diagnostics, simulator fault injection); never a way around the safety gate."""
        words = line.strip().upper().split()
        if words and (words[0].startswith("OUTP") or words[0].startswith(("SOUR", "CURR"))):
            self.refused.emit("Outputs and intensities are set with the channel controls, where the checks apply.")
            return
        self._send("command", line)

    def shutdown(self) -> None:
        """Switches every output off, closes the link and stops the thread (call before quitting)."""
        if self._closed:
            return
        self._closed = True
        self._abort_line.close()
        self._send("shutdown")
        if not self._thread.wait(5000):
            log.error("the stimulator thread did not stop in time")

    # -- from the worker -------------------------------------------------------------------------
    def _on_status(self, channel: int, status: ChannelStatus) -> None:
        self._statuses[channel] = status
        self.statusChanged.emit(channel, status)

    def _on_settings(self, channel: int, settings: ChannelSettings) -> None:
        self._settings[channel] = settings
        self.settingsChanged.emit(channel, settings)

    def _on_event(self, event: StimEvent) -> None:
        self.stimEvent.emit(event)
        if event.kind is StimEventKind.EMERGENCY_STOP_CONFIRMED:
            self.emergencyStopConfirmed.emit()
        elif event.kind is StimEventKind.RECONNECTED:
            self.alarmCleared.emit(LINK_ALARM_KEY)
        elif event.kind is StimEventKind.LEAD_RESTORED:
            self.alarmCleared.emit(f"stimulator.lead_off.{event.channel}")
        if event.kind.is_alarm:
            self.alarm.emit(event.alarm_key, event.message)

    def _on_link_state(self, state: LinkState) -> None:
        self.link_state = state
        if state is not LinkState.CONNECTED:
            self._statuses.clear()  # nothing is known of the outputs until the device answers again
        if state is LinkState.DISCONNECTED:
            self.info = None
            self._settings.clear()
        self.linkStateChanged.emit(state)

    def _on_connected(self, info: DeviceInfo) -> None:
        self.info = info
        self._statuses.clear()
        self.deviceConnected.emit(info)
