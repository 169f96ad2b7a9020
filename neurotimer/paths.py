"""Where settings, the database and logs live: the platform's per-user app data folder (no Qt)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

ORGANIZATION = "neurotimer"
APPLICATION = "neurotimer"


def app_data_dir(create: bool = True) -> Path:
    """The per-user data folder, created 0700 because it holds clinical records.

    The same folder Qt's AppDataLocation names (<data>/<organization>/<application>), so logs written by
    earlier versions are found where they were.
    """
    path = user_data_path(ORGANIZATION, appauthor=False, roaming=True) / APPLICATION
    if create:
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o700)
    return path


def default_db_path(create: bool = True) -> Path:
    return app_data_dir(create) / "neurotimer.sqlite3"


def log_dir() -> Path:
    path = app_data_dir() / "logs"
    path.mkdir(exist_ok=True)
    return path
