"""Where settings, the database and logs live: the platform's per-user app data folder (no Qt)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

ORGANIZATION = "neurotimer"
APPLICATION = "neurotimer"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def app_data_dir(create: bool = True) -> Path:
    """The per-user data folder, created 0700 because it holds clinical records.

    The same folder Qt's AppDataLocation names (<data>/<organization>/<application>), so logs written by
    earlier versions are found where they were. `create=False` only names it (commands that only read).
    """
    path = user_data_path(ORGANIZATION, appauthor=False, roaming=True) / APPLICATION
    if create:
        private_dir(path)
    return path


def private_dir(path: Path) -> Path:
    """Creates the folder and any missing parent 0700 each; an existing folder is set to 0700."""
    missing = []
    parent = path
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
    os.chmod(path, PRIVATE_DIR)
    return path


def make_private(path: Path) -> None:
    """An existing file made readable by the owner only (one written by an earlier version); missing is fine."""
    try:
        if not path.is_symlink() and path.is_file() and path.stat().st_mode & 0o077:
            os.chmod(path, PRIVATE_FILE)
    except OSError:
        pass  # not ours to change (another user's, a read-only disk): the folder still guards it


def default_db_path(create: bool = True) -> Path:
    return app_data_dir(create) / "neurotimer.sqlite3"


def log_dir() -> Path:
    """The app's own log files: a 0700 folder, each file 0600 (written by logsetup)."""
    path = private_dir(app_data_dir() / "logs")
    for entry in path.iterdir():
        make_private(entry)
    return path
