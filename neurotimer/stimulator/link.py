"""The link to an NTS-1 device: handshake, wire log, error queue, polling into events, reconnects, ABORt."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from neurotimer.session.clock import Clock
from neurotimer.stimulator import events as ev
from neurotimer.stimulator import validate as v
from neurotimer.stimulator.errors import (
    DeviceRefused,
    LinkDown,
    NotConnected,
    StimulatorError,
    UnexpectedDevice,
    plain_words,
)
from neurotimer.stimulator.events import StimEvent
from neurotimer.stimulator.protocol import (
    DEFAULT_WATCHDOG_S,
    ERROR_QUEUE_SIZE,
    ChannelStatus,
    ErrorCode,
    Identity,
    Limits,
    ReplyError,
    encode_line,
    format_number,
    parse_error,
    parse_idn,
    parse_limits,
    parse_number_reply,
    parse_status,
    query_line,
    setting_line,
)
from neurotimer.stimulator.tracker import ChannelTracker, fault_event
from neurotimer.stimulator.transport import Transport, TransportFactory

log = logging.getLogger(__name__)
wire = logging.getLogger("neurotimer.stimulator.wire")

RECONNECT_INTERVAL_S = 1.0
_ERROR_QUERY = query_line("ERROR")
_ABORT = setting_line("ABORT")


class LinkState(Enum):
    DISCONNECTED = "disconnected"
    CONNECTED = "connected"
    LOST = "lost"  # was connected; the driver keeps trying to reconnect


@dataclass(frozen=True)
class DeviceInfo:
    identity: Identity
    channels: int
    limits: Limits

    @property
    def label(self) -> str:
        i = self.identity
        return f"{i.maker} {i.model}, serial {i.serial}, firmware {i.firmware}"

    @property
    def simulated(self) -> bool:
        """True for neurotimer's simulated stimulator (in-process or `neurotimer sim`): no current flows."""
        return self.identity.model.upper().startswith("SIM")


Listener = Callable[[StimEvent], None]


class DeviceLink:
    """One stimulator's link. Not thread-safe, except `send_abort`, which any thread may call at any time."""

    def __init__(
        self,
        transport: Transport | TransportFactory,
        clock: Clock,
        *,
        watchdog_s: float = DEFAULT_WATCHDOG_S,
        reconnect_interval_s: float = RECONNECT_INTERVAL_S,
    ) -> None:
        if hasattr(transport, "write"):
            fixed = transport
            self._factory: TransportFactory = lambda: fixed  # type: ignore[assignment,return-value]
            self._owns_transport = False
        else:
            self._factory = transport  # type: ignore[assignment]
            self._owns_transport = True
        self._clock = clock
        self._watchdog_s = v.check_watchdog(watchdog_s)
        self._reconnect_interval = reconnect_interval_s
        self._transport: Transport | None = None
        self._state = LinkState.DISCONNECTED
        self._info: DeviceInfo | None = None
        self._trackers: dict[int, ChannelTracker] = {}
        self._listeners: list[Listener] = []
        self._next_attempt = 0.0
        self._resync = False
        self._awaiting_stop = False

    # -- public state ----------------------------------------------------------------------------
    @property
    def state(self) -> LinkState:
        return self._state

    @property
    def info(self) -> DeviceInfo:
        if self._info is None:
            raise NotConnected("No stimulator is connected.")
        return self._info

    @property
    def identity(self) -> Identity:
        return self.info.identity

    @property
    def channel_count(self) -> int:
        return self.info.channels

    @property
    def limits(self) -> Limits:
        return self.info.limits

    def last_status(self, channel: int) -> ChannelStatus | None:
        tracker = self._trackers.get(channel)
        return tracker.last if tracker else None

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    # -- connection --------------------------------------------------------------------------------
    def connect(self) -> DeviceInfo:
        """Opens the link, checks the device and sets its watchdog; raises StimulatorError if it cannot."""
        self._open()
        try:
            info = self._handshake(reconnecting=False)
        except (StimulatorError, ReplyError, OSError) as exc:
            self._close_transport()
            self._state = LinkState.DISCONNECTED
            if isinstance(exc, LinkDown) and self._info is None:
                # pyserial empties the input as it opens, so a busy device's `ERR busy` may be lost.
                raise UnexpectedDevice(
                    "The stimulator closed the connection at once; it may already be connected to "
                    "another program or computer."
                ) from exc
            if isinstance(exc, StimulatorError):
                raise
            raise UnexpectedDevice(f"This does not answer like an NTS-1 stimulator ({exc}).") from exc
        return info

    def close(self, switch_off: bool = True) -> None:
        """Ends the connection; by default every output is switched off first."""
        if self._state is LinkState.CONNECTED and switch_off:
            try:
                self.send_abort()
            except StimulatorError:
                log.warning("could not switch outputs off while disconnecting")
        self._close_transport()
        self._state = LinkState.DISCONNECTED

    def _open(self) -> None:
        self._close_transport()
        try:
            self._transport = self._factory()
        except (OSError, ValueError) as exc:
            raise NotConnected(
                f"Cannot open the stimulator connection. Check that it is switched on and plugged in ({exc})."
            ) from exc
        self._resync = False

    def _handshake(self, reconnecting: bool) -> DeviceInfo:
        ident_line = self._ask(query_line("IDN"))
        if ident_line.strip().upper().startswith("ERR BUSY"):
            raise UnexpectedDevice(
                "The stimulator is already connected to another program or computer; close that first."
            )
        identity = parse_idn(ident_line)
        channels = int(parse_number_reply(self._ask(query_line("CHANNELS"))))
        if channels < 1:
            raise UnexpectedDevice(f"The stimulator reports {channels} channels.")
        limits = parse_limits(self._ask(query_line("LIMITS")))
        self._info = DeviceInfo(identity, channels, limits)
        self._trackers = {n: ChannelTracker(n) for n in range(1, channels + 1)}
        self._state = LinkState.CONNECTED
        # Entries left from before this connection: faults are news after a reconnect, noise at start.
        self._drain_queue(report=reconnecting)
        self._send_watchdog(self._watchdog_s)
        log.info("connected to %s with %d channels", identity.model, channels)
        return self._info

    def _close_transport(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None and self._owns_transport:
            try:
                transport.close()
            except OSError:
                log.debug("closing the transport failed", exc_info=True)

    def _lose(self, reason: str) -> None:
        if self._state is LinkState.CONNECTED:
            log.warning("stimulator link lost: %s", reason)
            self._emit(ev.connection_lost(reason, self._clock.now()))
        self._state = LinkState.LOST
        self._awaiting_stop = False
        for tracker in self._trackers.values():
            tracker.forget()
        self._close_transport()
        self._next_attempt = self._clock.now() + self._reconnect_interval

    def _try_reconnect(self) -> None:
        now = self._clock.now()
        if now < self._next_attempt:
            return
        self._next_attempt = now + self._reconnect_interval
        try:
            self._open()
            # A device that hung may still be stimulating: stop it before anything else.
            self._send(setting_line("ABORT"))
            self._handshake(reconnecting=True)
        except (StimulatorError, ReplyError, OSError) as exc:
            log.info("reconnect failed: %s", exc)
            self._close_transport()
            self._state = LinkState.LOST
            return
        self._emit(ev.reconnected(self._clock.now()))

    # -- wire --------------------------------------------------------------------------------------
    def _live(self) -> Transport:
        if self._state is not LinkState.CONNECTED or self._transport is None:
            if self._state is LinkState.LOST:
                raise NotConnected("The stimulator connection is lost; reconnecting…")
            raise NotConnected("No stimulator is connected.")
        return self._transport

    def _send(self, line: str) -> None:
        transport = self._transport
        if transport is None:
            raise NotConnected("No stimulator is connected.")
        try:
            if self._resync:
                # A reply that came after its timeout must not be read as the answer to the next query.
                transport.reset_input_buffer()
                self._resync = False
            wire.debug("> %s", line)
            transport.write(encode_line(line))
        except OSError as exc:
            self._lose(f"sending failed: {exc}")
            raise LinkDown(f"The stimulator connection failed: {exc}") from exc

    def _read(self) -> str | None:
        transport = self._transport
        if transport is None:
            raise NotConnected("No stimulator is connected.")
        try:
            raw = transport.readline()
        except OSError as exc:
            self._lose(f"reading failed: {exc}")
            raise LinkDown(f"The stimulator connection failed: {exc}") from exc
        if not raw.endswith(b"\n"):
            wire.debug("< (no reply)")
            self._resync = True
            return None
        line = raw.decode("ascii", errors="replace").rstrip("\r\n")
        wire.debug("< %s", line)
        return line

    def _ask(self, line: str) -> str:
        """A query that must be answered; silence means the query failed or the device stopped."""
        self._send(line)
        reply = self._read()
        if reply is not None:
            return reply
        if line.upper().startswith(("SYST:ERR", "SYSTEM:ERR")):
            self._lose("the stimulator stopped answering")
            raise LinkDown("The stimulator stopped answering.")
        # The queue answers, so the device is alive: the query itself failed (or its reply was lost).
        self._check_errors(line, f"The question {line!r}")
        raise StimulatorError(f"The stimulator did not answer {line!r}.")

    def query(self, line: str) -> str:
        """Any query, answered by the device (for diagnostics and tests)."""
        self._live()
        return self._ask(line)

    def command(self, line: str) -> None:
        """Any setting line, checked against the error queue (diagnostics, SIMulate: fault injection)."""
        self._setting(line, f"The command {line!r}")

    def _send_watchdog(self, seconds: float) -> None:
        self._setting(setting_line("WATCHDOG", parameter=format_number(seconds)), "Setting the stimulator's watchdog")

    def _setting(self, line: str, context: str, conflict: str | None = None) -> None:
        self._live()
        self._send(line)
        self._check_errors(line, context, conflict)

    def _check_errors(self, command: str, context: str, conflict: str | None = None) -> None:
        refusal = self._drain_queue(report=True)
        if refusal is None:
            return
        code, text = refusal
        if code == ErrorCode.SETTINGS_CONFLICT and conflict:
            message = conflict
        else:
            message = f"{context} was refused: {plain_words(code, text)}."
        raise DeviceRefused(message, code=code, device_text=text, command=command)

    def _drain_queue(self, report: bool) -> tuple[int, str] | None:
        """Reads the error queue to its end; faults become events; returns the first command error."""
        refusal: tuple[int, str] | None = None
        for _ in range(ERROR_QUEUE_SIZE + 2):
            reply = self._ask(_ERROR_QUERY)
            entry = parse_error(reply)
            if entry.code == 0:
                break
            if entry.code < 0:
                refusal = refusal or (entry.code, entry.text)
                if not report:
                    log.info("old device error %d %s", entry.code, entry.text)
            elif report:
                self._fault(entry.code, entry.text)
            else:
                log.info("device fault from before this connection: %d %s", entry.code, entry.text)
        return refusal if report else None

    def _fault(self, code: int, text: str) -> None:
        event = fault_event(code, text, self._trackers, self._clock.now())
        if event is not None:
            self._emit(event)
        elif code == ErrorCode.HOST_DISCONNECTED:
            log.info("the device had switched off after losing this host")

    def _emit(self, event: StimEvent) -> None:
        log.info("event %s channel=%s", event.kind.value, event.channel)
        for listener in list(self._listeners):
            listener(event)

    # -- emergency stop ----------------------------------------------------------------------------
    def send_abort(self) -> None:
        """Writes ABORt at once; safe from any thread (the transport serialises writes)."""
        transport = self._transport
        if transport is None:
            raise NotConnected("No stimulator is connected; nothing to stop.")
        try:
            wire.debug("> %s", _ABORT)
            transport.write(encode_line(_ABORT))
        except OSError as exc:
            raise LinkDown(f"The stop could not be sent: {exc}") from exc

    def after_abort(self) -> None:
        """Bookkeeping after ABORt went out: expect every output off, check the queue, confirm by polling."""
        for tracker in self._trackers.values():
            tracker.expect_off = True
        self._awaiting_stop = True
        if self._state is LinkState.CONNECTED:
            self._check_errors("ABORt", "The emergency stop")
            self.poll_once()

    def abort(self) -> None:
        """Emergency stop: every output off and every target 0, at once."""
        self._live()
        self.send_abort()
        self.after_abort()

    # -- polling -----------------------------------------------------------------------------------
    def poll_once(self) -> dict[int, ChannelStatus]:
        """One poll of every channel (feeds the device's watchdog); reconnects when the link is lost."""
        if self._state is LinkState.LOST:
            self._try_reconnect()
            return {}
        if self._state is not LinkState.CONNECTED:
            return {}
        statuses: dict[int, ChannelStatus] = {}
        need_queue = False
        try:
            for ch, tracker in self._trackers.items():
                status = parse_status(self._ask(query_line("STATUS", ch)))
                lead_was_reported = tracker.lead_off_reported
                found, unexplained = tracker.observe(status, self._clock.now())
                for event in found:
                    self._emit(event)
                need_queue |= unexplained or (tracker.lead_off_reported and not lead_was_reported)
                statuses[ch] = status
            if need_queue:
                self._drain_queue(report=True)
        except ReplyError as exc:
            log.warning("unreadable status reply: %s", exc)
            self._resync = True
            return statuses
        except StimulatorError:
            return statuses
        if self._awaiting_stop and statuses and not any(s.output for s in statuses.values()):
            self._awaiting_stop = False
            self._emit(ev.emergency_stop_confirmed(self._clock.now()))
        return statuses
