"""Logging to a rotating file; records carry codes and numbers, never patient names."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class PrivateFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file created 0600: what the app logs is the owner's alone, like the records."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


def configure(log_dir: Path | None, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    if log_dir is not None:
        handler = PrivateFileHandler(
            log_dir / "neurotimer.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
        # Every line to and from the stimulator, kept apart so it cannot push the app's log out of rotation.
        wire = PrivateFileHandler(
            log_dir / "stimulator-wire.log", maxBytes=5_000_000, backupCount=3, encoding="utf-8"
        )
        wire.setFormatter(logging.Formatter(FORMAT))
        wire_logger = logging.getLogger("neurotimer.stimulator.wire")
        wire_logger.setLevel(logging.DEBUG)
        wire_logger.propagate = False
        wire_logger.addHandler(wire)
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("neurotimer: %(levelname)s: %(message)s"))
    root.addHandler(console)
