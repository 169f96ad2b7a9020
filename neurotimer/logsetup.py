"""Logging to a rotating file; records carry codes and numbers, never patient names."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(log_dir: Path | None, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    if log_dir is not None:
        handler = logging.handlers.RotatingFileHandler(
            log_dir / "neurotimer.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("neurotimer: %(levelname)s: %(message)s"))
    root.addHandler(console)
