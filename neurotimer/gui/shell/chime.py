"""The milestone chime: a sound file through QtMultimedia, or the system beep where no sound works."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)


class Chime(QObject):
    """Plays a short chime; falls back to a beep (no sound server, no QtMultimedia, a broken file)."""

    def __init__(self, wav: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._effect = None
        self.fallbacks = 0
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError:
            log.warning("QtMultimedia is not available; milestones will beep")
            return
        self._effect = QSoundEffect(self)
        self._effect.setSource(QUrl.fromLocalFile(str(wav)))
        self._effect.setVolume(0.8)

    def play(self) -> None:
        effect = self._effect
        # With no sound server QSoundEffect goes to Error at once and stays silent: check, then beep.
        if effect is not None and effect.status() != effect.Status.Error:
            effect.play()
            return
        self.fallbacks += 1
        QApplication.beep()
