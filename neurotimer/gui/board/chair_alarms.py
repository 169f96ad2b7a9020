"""One chair's alarms in the window's one alarm strip: keys kept apart per chair, texts named after the chair."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from neurotimer.gui.shell.alarm_banner import AlarmBanner, Priority
from neurotimer.safety.alarms import Alarm


class ChairAlarms(QObject):
    """The strip's API for one chair. With one chair it passes keys and texts through unchanged; with several,
    each key gets the chair's prefix and each text its name ("Room 3: lead off on CH2"), so acknowledging
    from the strip acknowledges that chair's alarm, and its own record hears of it (with its own key)."""

    raised = Signal(str, str, str)  # key, text, priority: of this chair, for its record
    acknowledged = Signal(str)
    cleared = Signal(str)
    changed = Signal()

    def __init__(self, strip: AlarmBanner, prefix: str = "", name: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.strip = strip
        self.prefix = prefix
        self.name = name
        strip.raised.connect(self._on_raised)
        strip.acknowledged.connect(lambda key: self._mine(key) is not None and self.acknowledged.emit(self._mine(key)))
        strip.cleared.connect(lambda key: self._mine(key) is not None and self.cleared.emit(self._mine(key)))
        strip.changed.connect(self.changed)

    def rename(self, name: str) -> None:
        self.name = name

    # -- the strip's API, for this chair ---------------------------------------------------------
    def raise_alarm(self, key: str, text: str, priority: Priority = Priority.HIGH, *, lasting: bool = True,
                    audible: bool = True) -> None:
        self.strip.raise_alarm(self.prefix + key, self._named(text), priority, lasting=lasting, audible=audible)

    def notify(self, key: str, text: str, priority: Priority = Priority.LOW, *, audible: bool = True) -> None:
        self.strip.notify(self.prefix + key, self._named(text), priority, audible=audible)

    def clear(self, key: str) -> None:
        self.strip.clear(self.prefix + key)

    def acknowledge(self, key: str) -> None:
        self.strip.acknowledge(self.prefix + key)

    def active(self) -> list[Alarm]:
        """This chair's alarms on the strip, the one to show first first."""
        return [a for a in self.strip.active() if self._mine(a.key) is not None]

    def worst(self) -> Alarm | None:
        """The chair's alarm that most needs the practitioner (unacknowledged before acknowledged)."""
        active = self.active()
        return active[0] if active else None

    def get(self, key: str) -> Alarm | None:
        return self.strip.model.get(self.prefix + key)

    # -- plumbing --------------------------------------------------------------------------------
    def _named(self, text: str) -> str:
        return f"{self.name}: {text}" if self.name else text

    def _mine(self, key: str) -> str | None:
        if not self.prefix:
            return key if "/" not in key else None  # the only chair: every alarm but another chair's
        return key[len(self.prefix):] if key.startswith(self.prefix) else None

    def _on_raised(self, key: str, text: str, priority: str) -> None:
        mine = self._mine(key)
        if mine is not None:
            self.raised.emit(mine, text.removeprefix(f"{self.name}: ") if self.name else text, priority)
