"""Where settings, the database and logs live: the platform's app data folder (QStandardPaths)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QStandardPaths

ORGANIZATION = "neurotimer"
APPLICATION = "neurotimer"


def app_data_dir() -> Path:
    """The per-user data folder, created 0700 because it holds clinical records."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    path = Path(location)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def default_db_path() -> Path:
    return app_data_dir() / "neurotimer.sqlite3"


def log_dir() -> Path:
    path = app_data_dir() / "logs"
    path.mkdir(exist_ok=True)
    return path
