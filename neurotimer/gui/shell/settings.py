"""What the app remembers between starts, typed, over an INI file read and written with QSettings."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QSettings

from neurotimer.storage.location import LogLocation, NotALocation, display_url, is_server_url, parse_location

PLANNED_MINUTES = "session/planned_minutes"
DEVICE_URL = "device/url"
NEEDLES_NOT_COUNTED = "session/needles_not_counted"
CHAIRS = "chairs/list"
PRACTITIONER = "practitioner/last"  # one id for every log, as once kept: read until a log's own is kept
PRACTITIONER_BY_LOG = "practitioner/last_by_log"  # {log key: id}: ids are the log's own, another log's mean others
LOG_LOCATION = "log/location"
FILE_NAME = "settings.ini"  # in the app data folder (a demo's in its own temporary folder)


def log_key(location: LogLocation) -> str:
    """The log a remembered practitioner belongs to: a file's absolute path, or a server's address without
    password or options (one database on one server is one log, whatever sslmode reaches it)."""
    if is_server_url(location):
        return display_url(str(location))
    return str(Path(location).expanduser().resolve())


def ids_by_log(settings: QSettings, key: str) -> dict[str, int]:
    """{log key: id} kept under `key`; nothing made up from a value edited into junk."""
    value = settings.value(key, None)
    try:
        records = json.loads(str(value)) if value else {}
    except ValueError:
        return {}
    if not isinstance(records, dict):
        return {}
    return {str(k): v for k, v in records.items() if isinstance(v, int) and not isinstance(v, bool)}


def last_id_for_log(settings: QSettings, key: str, location: LogLocation | None) -> int | None:
    """The id kept under `key` for this log; None for a log in memory (nobody's next start)."""
    return ids_by_log(settings, key).get(log_key(location)) if location is not None else None


def keep_id_for_log(settings: QSettings, key: str, location: LogLocation | None, value: int) -> None:
    if location is None:
        return
    by_log = ids_by_log(settings, key)
    by_log[log_key(location)] = int(value)
    settings.setValue(key, json.dumps(by_log, sort_keys=True))
    settings.sync()


def log_to_open(db: LogLocation | None) -> LogLocation:
    """The log a window opens: `--db`, else the one chosen in Settings, else the app's own file."""
    from neurotimer import paths

    if db is not None:
        return db
    return Settings(paths.app_data_dir() / FILE_NAME).log_location or paths.default_db_path()


class Settings:
    """The planned time last used, the stimulator last connected, a quit with needles not counted out and the
    chairs of Settings → Chairs and the practitioner last chosen in each log; a value that cannot be read is None
    (or no chairs)."""

    def __init__(self, path: Path) -> None:
        self._store = QSettings(str(path), QSettings.Format.IniFormat)

    @property
    def planned_minutes(self) -> int | None:
        """The planned session length last started (most clinics keep one length)."""
        value = self._store.value(PLANNED_MINUTES, None)
        return int(value) if value is not None and str(value).isdigit() else None

    @planned_minutes.setter
    def planned_minutes(self, minutes: int) -> None:
        self._store.setValue(PLANNED_MINUTES, int(minutes))

    @property
    def device_url(self) -> str | None:
        """The stimulator that last connected (a serial port, socket:// or sim: URL)."""
        value = self._store.value(DEVICE_URL, None)
        return str(value) if value else None

    @device_url.setter
    def device_url(self, url: str) -> None:
        self._store.setValue(DEVICE_URL, url)

    @property
    def needles_not_counted(self) -> str | None:
        """'<when>|<why>' when neurotimer was last quit with needles not counted out, until reminded."""
        value = self._store.value(NEEDLES_NOT_COUNTED, None)
        return str(value) if value else None

    @needles_not_counted.setter
    def needles_not_counted(self, note: str | None) -> None:
        if note is None:
            self._store.remove(NEEDLES_NOT_COUNTED)
        else:
            self._store.setValue(NEEDLES_NOT_COUNTED, note)
            self._store.sync()  # written at once: the process is about to quit

    @property
    def chairs(self) -> list[dict[str, str]]:
        """The chairs of Settings → Chairs, in board order: name and stimulator URL ([] when none are named)."""
        value = self._store.value(CHAIRS, None)
        try:
            records = json.loads(str(value)) if value else []
        except ValueError:
            return []
        return [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []

    @chairs.setter
    def chairs(self, records: list[dict[str, str]]) -> None:
        self._store.setValue(CHAIRS, json.dumps(records))
        self._store.sync()

    def last_practitioner(self, location: LogLocation | None) -> int | None:
        """The practitioner chosen at the last start on this log, preselected at the next. Each log numbers its
        own profiles: the id chosen in another log is another person here, so it is never offered."""
        if location is None or ids_by_log(self._store, PRACTITIONER_BY_LOG) or log_key(location) != log_key(
                self._own_log()):
            return last_id_for_log(self._store, PRACTITIONER_BY_LOG, location)
        # Settings written before logs were told apart kept one id, chosen in the log they name: offered there
        # until a log's own is kept.
        value = self._store.value(PRACTITIONER, None)
        return int(value) if value is not None and str(value).isdigit() else None

    def _own_log(self) -> LogLocation:
        from neurotimer import paths

        return self.log_location or paths.default_db_path()

    def remember_practitioner(self, location: LogLocation | None, practitioner_id: int) -> None:
        if location is not None:
            self._store.remove(PRACTITIONER)
        keep_id_for_log(self._store, PRACTITIONER_BY_LOG, location, practitioner_id)

    @property
    def log_location(self) -> LogLocation | None:
        """The log chosen in Settings → Session log… (a file, or a server address without a password);
        None for the app's own file. `--db` on the command line wins over it."""
        value = self._store.value(LOG_LOCATION, None)
        if not value or not str(value).strip():
            return None
        try:
            return parse_location(str(value))
        except NotALocation:
            return None  # hand-edited into something that is no log's place: the app's own file, as unset

    @log_location.setter
    def log_location(self, location: LogLocation | None) -> None:
        if location is None:
            self._store.remove(LOG_LOCATION)
        else:
            self._store.setValue(LOG_LOCATION, str(location))
        self._store.sync()
