"""The output interlock: per channel, may the output be on and may its current rise (fails closed)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from neurotimer.session.clock import Clock
from neurotimer.session.session import Session, SessionState

log = logging.getLogger(__name__)


class Allow(Enum):
    """What a channel's output may do now."""

    ON = "on"  # may be on and may rise
    WIND_DOWN = "wind_down"  # past the planned end: ramp to 0 at the slew rate, then off; no rise
    OFF = "off"  # must be off now


@dataclass(frozen=True)
class Decision:
    allow: Allow
    reason: str  # why not, in the practitioner's words ("" when allowed)
    key: str  # a stable alarm key for this kind of refusal ("" when allowed)

    @property
    def may_be_on(self) -> bool:
        return self.allow is not Allow.OFF

    @property
    def may_rise(self) -> bool:
        return self.allow is Allow.ON


ALLOWED = Decision(Allow.ON, "", "")
SESSION_NOT_RUNNING_KEY = "interlock.session"
PAUSED_KEY = "interlock.paused"


@dataclass(frozen=True)
class SessionInput:
    """The session as the interlock needs it; `ends_at` is the planned end on the clock (None if not running)."""

    running: bool
    paused: bool
    ends_at: float | None
    keep_past_end: bool = False
    closed: bool = False


class Intent(Enum):
    """What a command would do to a channel's output, as far as safety is concerned."""

    SWITCH_ON = "switch_on"
    SET_CURRENT = "set_current"
    LOWER = "lower"  # switching off, lowering current, stopping: always allowed
    SETTING = "setting"  # waveform, frequency, pulse width, slew: never raises the current
    OTHER = "other"  # queries, simulator fault injection


class Interlock:
    """Answers from its inputs; says no until each one is set, and whenever one has failed.

    The inputs are set from the window's thread and read from the stimulator's thread, so every
    read and write holds one lock. A check that raises is a refusal, never an allowance.
    """

    INPUTS = ("session", "pairs", "verdict", "link")

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._session: SessionInput | None = None
        self._pairs: frozenset[int] | None = None
        self._verdict: tuple[bool, str] | None = None
        self._link: bool | None = None
        self._failures: dict[str, str] = {}
        self.listeners: list[Callable[[], None]] = []

    # -- inputs (any thread) ----------------------------------------------------------------------
    def set_session(self, session: SessionInput) -> None:
        self._set("_session", session)

    def set_pairs(self, channels: Iterable[int]) -> None:
        self._set("_pairs", frozenset(int(c) for c in channels))

    def set_verdict(self, allowed: bool, summary: str) -> None:
        self._set("_verdict", (bool(allowed), summary))

    def set_link(self, connected: bool) -> None:
        self._set("_link", bool(connected))

    def fail(self, part: str, reason: str) -> None:
        """A part the interlock relies on failed (a set-up step, the catalogue, a check): refuse until it recovers."""
        self._set("_failures", {**self._failures, part: reason})

    def recover(self, part: str) -> None:
        self._set("_failures", {k: v for k, v in self._failures.items() if k != part})

    def _set(self, name: str, value: object) -> None:
        with self._lock:
            changed = getattr(self, name) != value
            setattr(self, name, value)
        if changed:  # listeners act on the device: only when an answer may have changed
            for listener in list(self.listeners):
                listener()

    # -- answers (any thread) ---------------------------------------------------------------------
    def decide(self, channel: int) -> Decision:
        try:
            with self._lock:
                return self._decide(channel, self._clock.now())
        except Exception as exc:  # a check that breaks must stop the output, not let it through
            log.exception("the interlock's check failed")
            return Decision(Allow.OFF, f"Channel {channel} stays off: a safety check failed ({exc}).",
                            "interlock.failed")

    def judge(self, intent: Intent, channel: int, milliamps: float = 0.0, current_target: float = 0.0) -> str | None:
        """Why this command may not reach the device now, or None when it may."""
        if intent in (Intent.LOWER, Intent.SETTING, Intent.OTHER):
            return None
        if intent is Intent.SET_CURRENT and milliamps <= current_target:
            return None  # lowering (or holding) the current is always allowed
        decision = self.decide(channel)
        if decision.may_rise:
            return None
        return decision.reason

    def _decide(self, channel: int, now: float) -> Decision:
        if self._failures:
            part, reason = next(iter(self._failures.items()))
            return Decision(Allow.OFF, f"Channel {channel} stays off: {reason}", f"interlock.failed.{part}")
        missing = [name for name, value in zip(self.INPUTS, (self._session, self._pairs, self._verdict, self._link),
                                               strict=True) if value is None]
        if missing:
            return Decision(Allow.OFF, f"Channel {channel} stays off: the safety interlock is not ready yet "
                            f"({', '.join(missing)} not known).", "interlock.not-ready")
        session, pairs, (allowed, summary), link = self._session, self._pairs, self._verdict, self._link
        if not link:
            return Decision(Allow.OFF, f"Channel {channel} stays off: the stimulator is not connected.",
                            "interlock.link")
        if not session.running or session.closed:
            return Decision(Allow.OFF, f"Channel {channel} stays off: start the session first (or resume it), so "
                            "that the stimulation is timed and recorded.", SESSION_NOT_RUNNING_KEY)
        if session.paused:
            return Decision(Allow.OFF, f"Channel {channel} stays off: the session is paused.", PAUSED_KEY)
        if channel not in pairs:
            return Decision(Allow.OFF, f"Channel {channel} stays off: it has no pair of needles in the plan "
                            "(Needle pairs tab).", "interlock.unpaired")
        if not allowed:
            return Decision(Allow.OFF, f"Channel {channel} stays off. {summary}", "interlock.verdict")
        if session.ends_at is not None and now >= session.ends_at and not session.keep_past_end:
            return Decision(Allow.WIND_DOWN, f"Channel {channel}: the planned time is over; the output ramps "
                            "down and switches off.", "interlock.past-end")
        return ALLOWED


def session_input(session: Session, now: float, keep_past_end: bool = False) -> SessionInput:
    """The interlock's view of a session at `now` (the planned end moves with pauses and +5 min)."""
    state = session.state
    running = state is SessionState.RUNNING
    return SessionInput(
        running=state.is_active,
        paused=state is SessionState.PAUSED,
        ends_at=now + session.remaining_seconds if running else None,
        keep_past_end=keep_past_end,
        closed=state.is_closed,
    )
