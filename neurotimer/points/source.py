"""Where the catalogue comes from: the bundled files, or a user's edited copy that may be broken."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from neurotimer.points.catalogue import Catalogue, CatalogueError
from neurotimer.points.loader import load_catalogue
from neurotimer.points.nerves import Nerve, check_nerves, load_nerves
from neurotimer.resources import resources_dir

log = logging.getLogger(__name__)

POINTS_FILE = "points.json"
NERVES_FILE = "nerves.json"
CHART_DIR = "chart"


def resource_dir() -> Path:
    """The bundled resources/ folder (beside the package, or inside a PyInstaller build)."""
    return resources_dir()


@dataclass(frozen=True)
class PointData:
    """A catalogue and the nerve pathways checked against it."""

    catalogue: Catalogue
    nerves: tuple[Nerve, ...]

    def nerve(self, nerve_id: str) -> Nerve | None:
        return next((n for n in self.nerves if n.id == nerve_id), None)


def load_point_data(points_path: str | Path, nerves_path: str | Path) -> PointData:
    """Load both files and cross-check them; raises CatalogueError naming file, entry and field."""
    nerves = load_nerves(nerves_path)
    catalogue = load_catalogue(points_path, {n.id for n in nerves})
    check_nerves(nerves, catalogue, str(nerves_path))
    return PointData(catalogue, nerves)


def load_bundled(folder: Path | None = None) -> PointData:
    folder = folder or resource_dir()
    return load_point_data(folder / POINTS_FILE, folder / NERVES_FILE)


class CatalogueSource:
    """Keeps the last good catalogue: a malformed user copy gives a message, never an empty catalogue.

    `bundled` is loaded first and must be good (it ships with the app). If `user_points` exists it is
    tried on top, with the nerves from `user_nerves` if that exists, else the bundled nerves.
    """

    def __init__(
        self, bundled: Path | None = None, user_points: Path | None = None, user_nerves: Path | None = None
    ) -> None:
        self._bundled = bundled or resource_dir()
        self._user_points = user_points
        self._user_nerves = user_nerves
        self._data: PointData | None = None
        self.error: str | None = None

    @property
    def data(self) -> PointData:
        if self._data is None:
            self.load()
        assert self._data is not None
        return self._data

    @property
    def catalogue(self) -> Catalogue:
        return self.data.catalogue

    @property
    def nerves(self) -> tuple[Nerve, ...]:
        return self.data.nerves

    def load(self) -> str | None:
        """(Re)load; returns the message for the practitioner when the user copy was refused, else None."""
        if self._data is None:
            self._data = load_bundled(self._bundled)
        if self._user_points is None or not self._user_points.exists():
            self.error = None
            return None
        nerves_path = self._user_nerves
        if nerves_path is None or not nerves_path.exists():
            nerves_path = self._bundled / NERVES_FILE
        try:
            self._data = load_point_data(self._user_points, nerves_path)
        except CatalogueError as exc:
            self.error = f"{exc} — the previous point catalogue is still in use."
            log.warning("point catalogue refused: %s", exc)
            return self.error
        self.error = None
        return None
