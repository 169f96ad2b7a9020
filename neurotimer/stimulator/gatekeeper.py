"""The device boundary: every driver call judged by the interlock first, every polled status held to it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from neurotimer.safety.interlock import PAUSED_KEY, SESSION_NOT_RUNNING_KEY, Allow, Intent, Interlock
from neurotimer.session.clock import Clock
from neurotimer.stimulator.driver import Driver
from neurotimer.stimulator.errors import StimulatorError, plain_words
from neurotimer.stimulator.protocol import DEFAULTS, ChannelStatus, ScpiError, parse_bool, parse_line, parse_number

log = logging.getLogger(__name__)

SETTINGS = frozenset({"set_mode", "set_frequency", "set_dense_frequencies", "set_pulse_width", "set_slew"})
LOWERING = frozenset({"output_off", "abort", "emergency_stop", "disconnect", "shutdown", "connect"})
WIND_DOWN_MARGIN_S = 0.5  # past the ramp time, an output still on at the end is an alarm
TARGET_TOLERANCE_MA = 0.05
OFF_MA = 0.005
ON_AFTER_END_KEY = "stimulator.on-after-end"
# Refusals that follow from what the practitioner just did (pause, end): the switch-off is the expected
# consequence, not an alarm. Found on at a later poll, the same output is a high alarm as any other.
DELIBERATE = frozenset({PAUSED_KEY, SESSION_NOT_RUNNING_KEY})

Alarm = Callable[[str, str], None]


class Refused(StimulatorError):
    """A command the interlock (or the protocol's grammar) does not let through to the device."""


@dataclass(frozen=True)
class Judged:
    intent: Intent
    channel: int
    milliamps: float = 0.0
    name: str = ""  # the protocol's name of a raw line's header (OUTPUT, CURRENT, ABORT, ...)


def judge_call(name: str, args: tuple) -> Judged:
    """What a driver call would do to an output."""
    if name == "output_on":
        return Judged(Intent.SWITCH_ON, int(args[0]))
    if name == "set_current":
        return Judged(Intent.SET_CURRENT, int(args[0]), float(args[1]))
    if name in SETTINGS:
        return Judged(Intent.SETTING, int(args[0]))
    if name in LOWERING:
        return Judged(Intent.LOWER, 0)
    raise Refused(f"neurotimer does not send {name!r} to the stimulator.")


def judge_line(line: str, channels: int) -> Judged:
    """A raw line parsed with the device's own grammar and judged as the command it is."""
    try:
        command = parse_line(line.encode("ascii"), channels)
        if command is None:
            raise Refused("The command line is empty.")
        if command.query:
            return Judged(Intent.OTHER, command.channel)
        if command.name == "OUTPUT":
            on = parse_bool(command.parameter)
            return Judged(Intent.SWITCH_ON if on else Intent.LOWER, command.channel, name=command.name)
        if command.name == "CURRENT":
            return Judged(Intent.SET_CURRENT, command.channel, parse_number(command.parameter), command.name)
        if command.name == "WATCHDOG":
            raise Refused("The stimulator's watchdog is set by neurotimer itself; it is not changed by hand.")
        if command.name in ("ABORT", "RST"):
            return Judged(Intent.LOWER, command.channel, name=command.name)
        if command.name in ("FUNCTION", "FREQ", "FREQ_LOW", "FREQ_HIGH", "WIDTH", "SLEW"):
            return Judged(Intent.SETTING, command.channel)
        return Judged(Intent.OTHER, command.channel)
    except UnicodeEncodeError:
        raise Refused(f"The command {line!r} has characters the stimulator does not accept.") from None
    except ScpiError as exc:
        raise Refused(f"The command {line!r} was not sent: {plain_words(exc.entry.code, exc.entry.text)}.") from None


class Gatekeeper:
    """Stands between the worker and the driver: nothing reaches the device that the interlock refuses.

    Lowering and switching off always pass. After every poll an output on while refused is switched off
    with a high alarm, a target raised behind neurotimer's back is brought back down, and past the planned
    end every output ramps to zero at its slew rate and is then switched off.
    """

    def __init__(self, interlock: Interlock, clock: Clock, alarm: Alarm, clear: Callable[[str], None]) -> None:
        self.interlock = interlock
        self._clock = clock
        self._alarm = alarm
        self._clear = clear
        self._allowed_target: dict[int, float] = {}
        self._slew: dict[int, float] = {}
        self._winding: dict[int, float] = {}  # channel -> deadline by which the ramp down must be done
        self._on_after_end = False
        self.switched_on_since_poll: set[int] = set()

    # -- before a call ----------------------------------------------------------------------------
    def check(self, driver: Driver | None, name: str, args: tuple) -> None:
        """Raises Refused when this call may not reach the device now."""
        if name == "command":
            channels = driver.channel_count if driver is not None else 1
            judged = judge_line(str(args[0]), channels)
        else:
            judged = judge_call(name, args)
        reason = self.interlock.judge(judged.intent, judged.channel, judged.milliamps,
                                      self._target(driver, judged.channel))
        if reason:
            raise Refused(reason)

    def _target(self, driver: Driver | None, channel: int) -> float:
        """The lower of what the device last reported and what neurotimer last let through."""
        allowed = self._allowed_target.get(channel, 0.0)
        status = driver.last_status(channel) if driver is not None and channel else None
        if status is None:  # not polled since it was let through
            return allowed
        return min(status.target_ma if status.output else 0.0, allowed)

    def run(self, driver: Driver | None, name: str, method: Callable[..., None], args: tuple) -> None:
        """Judges the call, makes it, and keeps the books: the one way a command reaches the device."""
        self.check(driver, name, args)
        method(*args)
        self.passed(driver, name, args)

    # -- after a call went through ---------------------------------------------------------------
    def passed(self, driver: Driver | None, name: str, args: tuple) -> None:
        """Bookkeeping once the device took the call."""
        if name == "command":
            try:
                judged = judge_line(str(args[0]), driver.channel_count if driver is not None else 1)
            except Refused:
                return
            if judged.name == "CURRENT":
                self._allowed_target[judged.channel] = judged.milliamps
            elif judged.name == "OUTPUT":
                self._forget(judged.channel)  # on only from 0 mA; off drops the target to 0
                if judged.intent is Intent.SWITCH_ON:
                    self.switched_on_since_poll.add(judged.channel)
            elif judged.name in ("ABORT", "RST"):
                self._forget(None)
            return
        if name == "set_current":
            self._allowed_target[int(args[0])] = float(args[1])
        elif name == "set_slew":
            self._slew[int(args[0])] = float(args[1])
        elif name in ("output_on", "output_off"):
            self._forget(int(args[0]))
            if name == "output_on":
                self.switched_on_since_poll.add(int(args[0]))
        elif name in LOWERING:
            self._forget(None)

    def note_slew(self, channel: int, ma_per_s: float) -> None:
        """The slew rate read back from the device."""
        self._slew[channel] = ma_per_s

    def _forget(self, channel: int | None) -> None:
        channels = [channel] if channel is not None else list(self._allowed_target)
        for ch in channels:
            self._allowed_target[ch] = 0.0

    # -- after every poll -------------------------------------------------------------------------
    def enforce(self, driver: Driver, statuses: dict[int, ChannelStatus], input_changed: bool = False) -> None:
        """Holds what the device reports to the interlock's answers; acts at once through the driver.

        `input_changed`: called because an input of the interlock just changed (not after a fresh poll),
        so an output on for a deliberate reason (a pause, an end) is switched off without an alarm.
        """
        now = self._clock.now()
        overdue_on = False
        self.switched_on_since_poll -= set(statuses)
        for channel, status in statuses.items():
            decision = self.interlock.decide(channel)
            if not status.output:
                self._winding.pop(channel, None)
                if status.target_ma == 0:
                    self._allowed_target[channel] = 0.0
                continue
            if decision.allow is Allow.OFF:
                self._winding.pop(channel, None)
                self._act(driver.output_off, channel)
                self._allowed_target[channel] = 0.0
                if input_changed and decision.key in DELIBERATE:
                    log.info("channel %d switched off: %s", channel, decision.key)
                else:
                    self._alarm(f"interlock.found-on.{channel}",
                                f"Output switched off on channel {channel}. {decision.reason}")
                continue
            if decision.allow is Allow.WIND_DOWN:
                overdue_on |= self._wind_down(driver, channel, status, now)
                continue
            self._winding.pop(channel, None)
            allowed = self._allowed_target.get(channel, 0.0)
            if status.target_ma > allowed + TARGET_TOLERANCE_MA:
                self._act(driver.set_current, channel, allowed)
                self._alarm(f"interlock.raised.{channel}",
                            f"Channel {channel} was raised to {status.target_ma:.1f} mA outside neurotimer "
                            f"(at the device or through its connection): brought back to {allowed:.1f} mA.")
        if overdue_on and not self._on_after_end:
            self._on_after_end = True
        elif not overdue_on and self._on_after_end and not any(s.output for s in statuses.values()):
            self._on_after_end = False
            self._clear(ON_AFTER_END_KEY)

    def _wind_down(self, driver: Driver, channel: int, status: ChannelStatus, now: float) -> bool:
        """Ramps an output to 0 at its slew rate after the planned end; True if it is on past its deadline."""
        if channel not in self._winding:
            slew = self._slew.get(channel, DEFAULTS.slew)
            level = max(status.target_ma, status.measured_ma)
            self._winding[channel] = now + level / slew + WIND_DOWN_MARGIN_S
            log.info("planned end: channel %d ramps down from %.1f mA", channel, level)
        if status.target_ma > 0:
            self._act(driver.set_current, channel, 0.0)
            self._allowed_target[channel] = 0.0
        if status.measured_ma <= OFF_MA and status.target_ma == 0:
            self._act(driver.output_off, channel)
            return False
        if now >= self._winding[channel]:
            self._act(driver.output_off, channel)
            self._alarm(ON_AFTER_END_KEY, f"Channel {channel} was still on after the planned end: switched off.")
            return True
        return False

    @staticmethod
    def _act(call: Callable[..., None], *args: object) -> None:
        try:
            call(*args)
        except StimulatorError as exc:
            log.warning("the interlock could not act on the stimulator: %s", exc)
