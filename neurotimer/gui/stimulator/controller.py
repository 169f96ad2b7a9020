"""The GUI thread's face of the stimulator: intents in, Qt signals out; it never touches the device."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QThread, Signal

from neurotimer.gui.stimulator.worker import (
    LINK_ALARM_KEY,
    POLL_MS,
    AbortLine,
    Command,
    FactoryFor,
    StimulatorWorker,
)
from neurotimer.safety.interlock import Interlock
from neurotimer.session.clock import Clock
from neurotimer.stimulator.driver import ChannelSettings, DeviceInfo, LinkState
from neurotimer.stimulator.events import StimEvent, StimEventKind
from neurotimer.stimulator.protocol import DEFAULT_WATCHDOG_S, ChannelStatus, Mode
from neurotimer.stimulator.transport import transport_factory
from neurotimer.stimulator.validate import MODE_LABELS

log = logging.getLogger(__name__)


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
    sessionMoved = Signal()  # the session started, paused, resumed, was extended or ended: old refusals are stale
    emergencyStopConfirmed = Signal()  # the device reported every output off after a stop
    commanded = Signal(str, object)  # (name, args) carried out at the device (a connect: tried), for the record
    _submit = Signal(object)
    _enforce = Signal()

    def __init__(
        self,
        clock: Clock,
        *,
        interlock: Interlock | None = None,
        factory_for: FactoryFor = transport_factory,
        poll_ms: int = POLL_MS,
        watchdog_s: float = DEFAULT_WATCHDOG_S,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._generation = 0
        self.info: DeviceInfo | None = None
        self.link_state = LinkState.DISCONNECTED
        self._statuses: dict[int, ChannelStatus] = {}
        self._settings: dict[int, ChannelSettings] = {}
        # What the device held when the link went: a device that comes back reset is set again, and said so.
        self._before_loss: dict[int, ChannelSettings] = {}
        self._targets_before_loss: dict[int, float] = {}
        self._thread = QThread()
        self._thread.setObjectName("stimulator")
        # No interlock given is one that knows nothing yet, and so refuses every output: never allow-all.
        self.interlock = interlock if interlock is not None else Interlock(clock)
        self._worker = StimulatorWorker(clock, self.interlock, factory_for, poll_ms, watchdog_s)
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
        self._worker.accepted.connect(self.commanded)
        self._worker.alarm.connect(self.alarm)
        self._worker.alarmCleared.connect(self.alarmCleared)
        self._enforce.connect(self._worker.enforce_now, Qt.ConnectionType.QueuedConnection)
        self._listener = self._enforce.emit
        self.interlock.listeners.append(self._listener)
        self._abort_line = AbortLine(self._worker.send_abort_now)
        self._thread.start()
        self._closed = False

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
        self._submit.emit(Command(self._generation, name, args))

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

    # The interlock judges these in the stimulator thread, right before the driver call.
    def set_current(self, channel: int, milliamps: float) -> None:
        self._send("set_current", channel, milliamps)

    def output_on(self, channel: int) -> None:
        self._send("output_on", channel)

    def output_off(self, channel: int) -> None:
        self._send("output_off", channel)

    def note_session_moved(self) -> None:
        """The session changed what the interlock allows (+5 min, End, …): a refusal shown before may be untrue now."""
        self.sessionMoved.emit()

    def report_refusal(self, text: str) -> None:
        """A value refused before it was sent (a typing slip in a box): shown like the device's refusals."""
        self.refused.emit(text)

    def command(self, line: str) -> None:
        """A raw line (diagnostics, simulator fault injection), parsed and judged as the command it is."""
        self._send("command", line)

    def shutdown(self) -> None:
        """Switches every output off, closes the link and stops the thread (call before quitting)."""
        if self._closed:
            return
        self._closed = True
        if self._listener in self.interlock.listeners:
            self.interlock.listeners.remove(self._listener)
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
            self._restore_after_reconnect()
        elif event.kind is StimEventKind.LEAD_RESTORED:
            self.alarmCleared.emit(f"stimulator.lead_off.{event.channel}")
        if event.kind.is_alarm:
            self.alarm.emit(event.alarm_key, event.message)

    def _on_link_state(self, state: LinkState) -> None:
        if state is LinkState.LOST and self.link_state is LinkState.CONNECTED:
            self._before_loss = dict(self._settings)
            self._targets_before_loss = {ch: s.target_ma for ch, s in self._statuses.items() if s.target_ma > 0}
        self.link_state = state
        if state is not LinkState.CONNECTED:
            self._statuses.clear()  # nothing is known of the outputs until the device answers again
        if state is LinkState.DISCONNECTED:
            self.info = None
            self._settings.clear()
        self.linkStateChanged.emit(state)

    def _restore_after_reconnect(self) -> None:
        """The link is back: settings the device no longer holds are sent again; what cannot be is said."""
        before, self._before_loss = self._before_loss, {}
        targets, self._targets_before_loss = self._targets_before_loss, {}
        restored = []
        for channel, was in sorted(before.items()):
            now = self._settings.get(channel)
            if now is None or now == was:
                continue
            if now.mode is not was.mode:
                self.set_mode(channel, was.mode)
            if was.mode is Mode.DENS and (now.freq_low, now.freq_high) != (was.freq_low, was.freq_high):
                self.set_dense_frequencies(channel, was.freq_low, was.freq_high)
            if was.mode is not Mode.DENS and now.freq != was.freq:
                self.set_frequency(channel, was.freq)
            if now.width_us != was.width_us:
                self.set_pulse_width(channel, was.width_us)
            if now.slew != was.slew:
                self.set_slew(channel, was.slew)
            restored.append(f"CH{channel} {describe_settings(was)}")
        words = []
        if restored:
            words.append("The stimulator came back from the lost link with its settings reset; neurotimer set them "
                         "again: " + "; ".join(restored) + ".")
        if targets:
            # Never raised again by itself: the outputs were stopped, and switch on only from 0 mA.
            was_at = ", ".join(f"CH{ch} {ma:.1f} mA" for ch, ma in sorted(targets.items()))
            words.append(f"The outputs were stopped when the link was lost ({was_at}): switch on and raise the "
                         "intensity again.")
        if words:
            self.refused.emit(" ".join(words))

    def _on_connected(self, info: DeviceInfo) -> None:
        self.info = info
        self._statuses.clear()
        self.deviceConnected.emit(info)


def describe_settings(settings: ChannelSettings) -> str:
    """'100 Hz continuous, 300 µs, 0.5 mA/s': a channel's settings in the practitioner's words."""
    dense = settings.mode is Mode.DENS
    rate = f"{settings.freq_low:g}/{settings.freq_high:g} Hz" if dense else f"{settings.freq:g} Hz"
    return f"{rate} {MODE_LABELS[settings.mode].lower()}, {settings.width_us:g} µs, {settings.slew:g} mA/s"
