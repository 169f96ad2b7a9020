"""Start-up after the first paint: the parts of the window built in order, a failing part said, not hidden."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    """One part of the window: how to build it, what it is in the practitioner's words, and whether the
    parts after it must not be built without it (no stimulator without the safety checks)."""

    build: Callable[[], object]
    what: str
    needed_by_the_rest: bool = False

    @property
    def key(self) -> str:
        """The alarm key that says this part could not be set up."""
        return f"setup-{self.build.__name__}"


Report = Callable[[Step, Exception], None]


def build_in_order(steps: Sequence[Step], report: Report) -> bool:
    """Builds each step in order. A step that fails is reported and the next goes on, unless the rest
    need it: then start-up stops there. True when every step was built."""
    built = True
    for step in steps:
        try:
            step.build()
        except Exception as exc:  # a broken install must say so, not leave a half-built window in silence
            log.exception("could not set up %s", step.what)
            report(step, exc)
            built = False
            if step.needed_by_the_rest:
                break
    return built
