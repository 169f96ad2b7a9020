"""The alarm sounds: each priority's burst, repeated as the standard asks, through QtMultimedia or the beep."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLoggingCategory, QObject, QTimer, QUrl, Signal
from PySide6.QtWidgets import QApplication

from neurotimer.safety.alarms import AlarmModel, Priority, SoundSchedule
from neurotimer.session.clock import Clock

log = logging.getLogger(__name__)

POLL_MS = 200  # how often the schedule is asked; the timing itself comes from the clock
SOUND_FILES = {Priority.HIGH: "alarm-high.wav", Priority.MEDIUM: "alarm-medium.wav", Priority.LOW: "alarm-low.wav"}
FALLBACK_TEXT = "No sound device: alarms use the system beep"


def quiet_multimedia() -> None:
    """QtMultimedia reports every missing video-acceleration and sound-server library; none matter here."""
    QLoggingCategory.setFilterRules("qt.multimedia.*=false")


class AlarmSound(QObject):
    """Plays the burst the schedule says is due; with no sound device (no server, no QtMultimedia, a broken
    file) it beeps instead and says so once (fallbackUsed, and the log)."""

    fallbackUsed = Signal(str)
    played = Signal(object)  # Priority

    def __init__(self, model: AlarmModel, clock: Clock, folder: Path | None,
                 beep: Callable[[], None] | None = None, parent: QObject | None = None) -> None:
        """folder holds the WAV files; None: no QtMultimedia at all, the beep only."""
        super().__init__(parent)
        self._schedule = SoundSchedule(model, clock)
        self._model = model
        self._beep = beep or QApplication.beep
        self._effects: dict[Priority, object] = {}
        self.fallbacks = 0
        self._said = False
        self._pending: set[Priority] = set()  # asked to play while its file was still loading
        if folder is not None:
            self._load(folder)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        model.subscribe(lambda _change, _alarm: self._follow())

    def _load(self, folder: Path) -> None:
        quiet_multimedia()
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError:
            log.warning("QtMultimedia is not available")
            return
        for priority, name in SOUND_FILES.items():
            effect = QSoundEffect(self)
            self._effects[priority] = effect
            effect.statusChanged.connect(lambda p=priority: self._on_status(p))
            effect.setVolume(1.0 if priority is Priority.HIGH else 0.8)
            effect.setSource(QUrl.fromLocalFile(str(folder / name)))

    def _on_status(self, priority: Priority) -> None:
        effect = self._effects[priority]
        if priority in self._pending and effect.status() == effect.Status.Error:
            self._pending.discard(priority)
            self._fallback(priority)  # the burst asked for while loading never played
        elif effect.status() == effect.Status.Ready:
            self._pending.discard(priority)

    def _follow(self) -> None:
        """Asks at once on every change (a new alarm sounds now), then keeps asking while one may repeat."""
        self.poll()
        if self._model.sounding_priority() is None:
            self._timer.stop()
        elif not self._timer.isActive():
            self._timer.start()

    def poll(self) -> None:
        priority = self._schedule.due()
        if priority is not None:
            self.play(priority)

    def play(self, priority: Priority) -> None:
        self.played.emit(priority)
        effect = self._effects.get(priority)
        # With no sound server QSoundEffect goes to Error at once and stays silent: check, then beep.
        if effect is not None and effect.status() != effect.Status.Error:
            if effect.status() != effect.Status.Ready:
                self._pending.add(priority)
            effect.play()
            return
        self._fallback(priority)

    def _fallback(self, priority: Priority) -> None:
        self.fallbacks += 1
        self._beep()
        if not self._said:
            self._said = True
            log.warning("alarm sound %s unavailable (no sound device, no QtMultimedia or a broken file); "
                        "using the system beep", priority.value)
            self.fallbackUsed.emit(FALLBACK_TEXT)
