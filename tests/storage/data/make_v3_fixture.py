"""Writes log-v3.sqlite3: the version-1 fixture brought to schema version 3 by that version's migration.

Run once and commit the file (`.venv/bin/python tests/storage/data/make_v3_fixture.py`).
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

from neurotimer.storage import migrations

HERE = Path(__file__).parent


def main(target: Path = HERE / "log-v3.sqlite3") -> None:
    shutil.copyfile(HERE / "log-v1.sqlite3", target)
    conn = sqlite3.connect(target, isolation_level=None)
    migrations.migrate(conn, target=3)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    sys.stdout.write(f"wrote {target}\n")


if __name__ == "__main__":
    main()
