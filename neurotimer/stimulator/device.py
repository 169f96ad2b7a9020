"""The simulated NTS-1 stimulator: a bytes-in, lines-out state machine on an injected clock.

No sockets, no Qt, no threads of its own. The TCP server (server.py) and the driver's in-process
`sim:` transport both wrap the same model:

    model = SimulatedStimulator(clock, channels=4, seed=0)
    replies = model.feed(b"*IDN?\\n")     # bytes from the host -> reply lines (str, no LF)
    if model.take_drop():                # SIMulate:DROP was read: close the link at once,
        model.disconnect()               # then treat it as any disconnect
    model.advance()                      # bring time-driven state (ramps, watchdog) up to clock.now()
    model.disconnect()                   # the host went away: outputs off, 104 queued if one was on

- `feed(data)` takes any chunk of the byte stream (partial lines are kept until their LF) and returns
  one reply string per answered query, in order; a refused line or a setting gives none. It never
  raises on any input. `handle_line(line)` does the same for one complete line.
- Everything time-driven is computed from the clock, not from how often `advance()` is called: the
  ramp is read analytically and a watchdog expiry is applied at the moment it fell due, before the
  line that arrives later. So an in-process transport may call `advance()` lazily (before each read
  and write) and still see exactly what a real-time device would have done; a server calls it
  periodically as well, so the outputs go off with no traffic at all.
- While `SIMulate:FREeze` holds (`frozen` is True) lines are read and dropped, nothing is answered and
  the watchdog stands still; the outputs keep stimulating. When it ends, the watchdog restarts.
- In INTermittent mode the measured current is 0 during each 5 s pause (nothing is delivered then),
  while the ramp level and target stay as set.
- Over-current (load below 300 ohm) trips at the first upward ramp step: when a higher target is set,
  or when the load drops while the ramp is still rising. A steady output does not trip.
- Also for transports and tests: `frozen`, `next_deadline()` (clock time at which time alone will next
  change something, or None), `status(n)` (exact, noise-free ChannelStatus), `shutdown()` (all off),
  `channels`, `errors`, `identity`.
- Thread-safe: every public method holds one lock, so a transport may call it from a worker thread
  while another calls `advance()`.
- `*IDN?` answers `NeuroTimer,SIM-<channels>,<serial>,<version>` (SIM-4, or SIM-8 with 8 channels).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from neurotimer import __version__
from neurotimer.session.clock import Clock
from neurotimer.stimulator.channel import Channel
from neurotimer.stimulator.error_queue import ErrorQueue
from neurotimer.stimulator.protocol import (
    DEFAULT_LIMITS,
    DEFAULT_WATCHDOG_S,
    IMPEDANCE_OPEN,
    WATCHDOG_DISABLED,
    WATCHDOG_RANGE,
    ChannelStatus,
    Command,
    ErrorCode,
    ErrorEntry,
    Identity,
    LineSplitter,
    ScpiError,
    format_current,
    format_error,
    format_idn,
    format_impedance,
    format_limits,
    format_measured,
    format_number,
    format_status,
    parse_bool,
    parse_line,
    parse_mode,
    parse_number,
    round_current,
)

log = logging.getLogger(__name__)

MAKER = "NeuroTimer"
IMPEDANCE_NOISE = 0.02  # impedance readings wander by up to ±2 %
SIM_IMPEDANCE_RANGE = (0.0, 1_000_000.0)
SIM_FREEZE_RANGE = (0.0, 3600.0)


def _in_range(value: float, span: tuple[float, float]) -> float:
    if not span[0] <= value <= span[1]:
        raise ScpiError(ErrorCode.DATA_OUT_OF_RANGE)
    return value


class SimulatedStimulator:
    """The device model. See the module docstring for how transports drive it."""

    def __init__(
        self,
        clock: Clock,
        channels: int = 4,
        seed: int = 0,
        serial: str = "SIM000001",
        version: str = __version__,
    ) -> None:
        if channels < 1:
            raise ValueError("a stimulator has at least one channel")
        self._clock = clock
        self._random = random.Random(seed)
        self.identity = Identity(MAKER, f"SIM-{channels}", serial, version)
        self.channels = [Channel(n) for n in range(1, channels + 1)]
        self.errors = ErrorQueue()
        self.watchdog_s = DEFAULT_WATCHDOG_S
        self._splitter = LineSplitter()
        self._lock = threading.RLock()
        self._last_line = clock.now()
        self._frozen_until: float | None = None
        self._drop = False
        self._handlers: dict[str, Callable[[Command, float], str | None]] = {
            "IDN": lambda c, t: format_idn(self.identity),
            "RST": self._reset,
            "CLS": lambda c, t: self.errors.clear(),
            "OPC": lambda c, t: "1",
            "ERROR": lambda c, t: format_error(self.errors.pop()),
            "CHANNELS": lambda c, t: str(len(self.channels)),
            "LIMITS": lambda c, t: format_limits(DEFAULT_LIMITS),
            "WATCHDOG": self._watchdog,
            "FUNCTION": self._function,
            "FREQ": self._freq,
            "FREQ_LOW": self._freq_low,
            "FREQ_HIGH": self._freq_high,
            "WIDTH": self._width,
            "CURRENT": self._current,
            "SLEW": self._slew,
            "OUTPUT": self._output,
            "ABORT": lambda c, t: self._all_off(),
            "MEAS_CURRENT": lambda c, t: format_measured(self._channel(c).delivered(t)),
            "MEAS_IMPEDANCE": lambda c, t: format_impedance(self._impedance_reading(self._channel(c))),
            "STATUS": lambda c, t: format_status(self._status(self._channel(c), t)),
            "SIM_LEAD": self._sim_lead,
            "SIM_IMPEDANCE": self._sim_impedance,
            "SIM_DROP": self._sim_drop,
            "SIM_FREEZE": self._sim_freeze,
        }

    # --- what transports call ---------------------------------------------------------------

    def feed(self, data: bytes) -> list[str]:
        """Reads a chunk of the host's byte stream; returns the reply lines (without LF)."""
        with self._lock:
            replies: list[str] = []
            for line in self._splitter.feed(data):
                if self._drop:
                    break
                replies.extend(self.handle_line(line))
            if self._drop:
                self._splitter.clear()
            return replies

    def handle_line(self, line: bytes) -> list[str]:
        """Carries out one line; returns its reply as a one-item list, or [] (setting, error, frozen)."""
        with self._lock:
            now = self._clock.now()
            self._advance_to(now)
            if self._frozen_until is not None:
                return []
            self._last_line = now
            try:
                command = parse_line(line, len(self.channels))
                reply = None if command is None else self._handlers[command.name](command, now)
            except ScpiError as refused:
                self.errors.push(refused.entry)
                return []
            return [reply] if command is not None and command.query and reply is not None else []

    def advance(self) -> None:
        """Applies what time alone does (watchdog expiry, end of a freeze) up to the clock's now."""
        with self._lock:
            self._advance_to(self._clock.now())

    def take_drop(self) -> bool:
        """True once after `SIMulate:DROP`: the transport must close the link, then call disconnect()."""
        with self._lock:
            dropped, self._drop = self._drop, False
            return dropped

    def disconnect(self) -> None:
        """The host is gone: every output off, and 104 queued if any was on."""
        with self._lock:
            self._advance_to(self._clock.now())
            self._splitter.clear()
            self._drop = False
            if any(ch.output for ch in self.channels):
                self._all_off()
                self.errors.push(ErrorEntry.of(ErrorCode.HOST_DISCONNECTED))
                log.info("host disconnected with an output on: all outputs off")

    def shutdown(self) -> None:
        """Switches every output off (the simulator is stopping)."""
        with self._lock:
            self._all_off()

    @property
    def frozen(self) -> bool:
        with self._lock:
            self._advance_to(self._clock.now())
            return self._frozen_until is not None

    def status(self, channel: int) -> ChannelStatus:
        """A channel's state now, with the exact load (for tests and the in-process demo)."""
        with self._lock:
            now = self._clock.now()
            self._advance_to(now)
            ch = self.channels[channel - 1]
            return self._status(ch, now, ch.impedance_ohm if ch.lead_ok else IMPEDANCE_OPEN)

    def next_deadline(self) -> float | None:
        """The clock time at which time alone will next change something (watchdog, freeze end)."""
        with self._lock:
            if self._frozen_until is not None:
                return self._frozen_until
            if self.watchdog_s > WATCHDOG_DISABLED and any(ch.output for ch in self.channels):
                return self._last_line + self.watchdog_s
            return None

    # --- time ---------------------------------------------------------------------------------

    def _advance_to(self, now: float) -> None:
        if self._frozen_until is not None:
            if now < self._frozen_until:
                return
            self._last_line = max(self._last_line, self._frozen_until)
            self._frozen_until = None
        if (
            self.watchdog_s > WATCHDOG_DISABLED
            and any(ch.output for ch in self.channels)
            and now >= self._last_line + self.watchdog_s
        ):
            self._all_off()
            self.errors.push(ErrorEntry.of(ErrorCode.WATCHDOG_EXPIRED))
            log.info("watchdog expired: all outputs off")

    # --- commands -----------------------------------------------------------------------------

    def _channel(self, command: Command) -> Channel:
        return self.channels[command.channel - 1]

    def _status(self, ch: Channel, now: float, impedance: float | None = None) -> ChannelStatus:
        return ChannelStatus(
            output=ch.output,
            measured_ma=ch.delivered(now),
            target_ma=ch.target,
            impedance_ohm=self._impedance_reading(ch) if impedance is None else impedance,
            lead_ok=ch.lead_ok,
        )

    def _impedance_reading(self, ch: Channel) -> float:
        if not ch.lead_ok:
            return IMPEDANCE_OPEN
        return ch.impedance_ohm * (1.0 + self._random.uniform(-IMPEDANCE_NOISE, IMPEDANCE_NOISE))

    def _all_off(self) -> None:
        for ch in self.channels:
            ch.switch_off()

    def _reset(self, command: Command, now: float) -> None:
        for ch in self.channels:
            ch.reset_settings()
        self.watchdog_s = DEFAULT_WATCHDOG_S

    def _watchdog(self, command: Command, now: float) -> str | None:
        if command.query:
            return format_number(self.watchdog_s)
        seconds = parse_number(command.parameter)
        if seconds != WATCHDOG_DISABLED:
            _in_range(seconds, WATCHDOG_RANGE)
        self.watchdog_s = seconds
        return None

    def _function(self, command: Command, now: float) -> str | None:
        ch = self._channel(command)
        if command.query:
            return ch.mode.value
        ch.set_mode(parse_mode(command.parameter), now)
        return None

    def _number_setting(self, command: Command, attribute: str, span: tuple[float, float]) -> str | None:
        ch = self._channel(command)
        if command.query:
            return format_number(getattr(ch, attribute))
        value = _in_range(parse_number(command.parameter), span)
        setattr(ch, attribute, value)
        return None

    def _freq(self, command: Command, now: float) -> str | None:
        return self._number_setting(command, "freq", DEFAULT_LIMITS.freq)

    def _freq_low(self, command: Command, now: float) -> str | None:
        ch = self._channel(command)
        if not command.query and _in_range(parse_number(command.parameter), DEFAULT_LIMITS.freq) >= ch.freq_high:
            raise ScpiError(ErrorCode.SETTINGS_CONFLICT, "LOW must be below HIGH")
        return self._number_setting(command, "freq_low", DEFAULT_LIMITS.freq)

    def _freq_high(self, command: Command, now: float) -> str | None:
        ch = self._channel(command)
        if not command.query and _in_range(parse_number(command.parameter), DEFAULT_LIMITS.freq) <= ch.freq_low:
            raise ScpiError(ErrorCode.SETTINGS_CONFLICT, "LOW must be below HIGH")
        return self._number_setting(command, "freq_high", DEFAULT_LIMITS.freq)

    def _width(self, command: Command, now: float) -> str | None:
        return self._number_setting(command, "width_us", DEFAULT_LIMITS.width)

    def _current(self, command: Command, now: float) -> str | None:
        ch = self._channel(command)
        if command.query:
            return format_current(ch.target)
        ch.set_target(round_current(_in_range(parse_number(command.parameter), DEFAULT_LIMITS.current)), now)
        self._check_overload(ch, now)
        return None

    def _slew(self, command: Command, now: float) -> str | None:
        ch = self._channel(command)
        if command.query:
            return format_number(ch.slew)
        ch.set_slew(_in_range(parse_number(command.parameter), DEFAULT_LIMITS.slew), now)
        return None

    def _output(self, command: Command, now: float) -> str | None:
        ch = self._channel(command)
        if command.query:
            return "1" if ch.output else "0"
        if not parse_bool(command.parameter):
            ch.switch_off()
            return None
        if not ch.lead_ok:
            raise ScpiError(ErrorCode.SETTINGS_CONFLICT, f"lead off on channel {ch.number}")
        if ch.target != 0 or ch.level(now) != 0:
            raise ScpiError(ErrorCode.SETTINGS_CONFLICT, "current must be 0 to switch on")
        if not ch.output:
            ch.switch_on(now)
        return None

    def _check_overload(self, ch: Channel, now: float) -> None:
        # A load this low makes the first upward step overshoot the ramp by more than 0.5 mA.
        if ch.would_overload(now):
            ch.switch_off()
            self.errors.push(ErrorEntry.of(ErrorCode.OVER_CURRENT, f"channel {ch.number}"))
            log.info("over-current on channel %d: output off", ch.number)

    def _sim_lead(self, command: Command, now: float) -> None:
        ch = self._channel(command)
        ch.lead_ok = parse_bool(command.parameter)
        if not ch.lead_ok and ch.output:
            ch.switch_off()
            self.errors.push(ErrorEntry.of(ErrorCode.LEAD_OFF, f"channel {ch.number}"))
            log.info("lead off on channel %d: output off", ch.number)

    def _sim_impedance(self, command: Command, now: float) -> None:
        ch = self._channel(command)
        ch.impedance_ohm = _in_range(parse_number(command.parameter), SIM_IMPEDANCE_RANGE)
        self._check_overload(ch, now)

    def _sim_drop(self, command: Command, now: float) -> None:
        self._drop = True

    def _sim_freeze(self, command: Command, now: float) -> None:
        seconds = _in_range(parse_number(command.parameter), SIM_FREEZE_RANGE)
        if seconds > 0:
            self._frozen_until = now + seconds
