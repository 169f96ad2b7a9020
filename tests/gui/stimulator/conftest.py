"""A stimulator interlock whose every input says yes, for tests of the controls themselves."""

from __future__ import annotations

import pytest

from neurotimer.safety.interlock import Interlock, SessionInput


@pytest.fixture
def open_interlock(clock) -> Interlock:
    """A running session far from its end, channels 1–8 paired, checks passed (the link is the worker's)."""
    interlock = Interlock(clock)
    interlock.set_session(SessionInput(running=True, paused=False, ends_at=clock.now() + 3600))
    interlock.set_pairs(range(1, 9))
    interlock.set_verdict(True, "Output allowed: every check passed or was acknowledged.")
    return interlock
