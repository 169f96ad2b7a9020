"""Acupuncture points, the nerves they lie on, and the files that describe them (no Qt here)."""

from neurotimer.points.catalogue import (
    FLAG_TEXT,
    VIEW_SIZES,
    VIEW_TITLES,
    VIEWS,
    Catalogue,
    CatalogueError,
    Depth,
    Flag,
    NerveRef,
    Point,
    Side,
    normalise_code,
)
from neurotimer.points.loader import load_catalogue
from neurotimer.points.nerves import Nerve, check_nerves, load_nerves, nerve_map
from neurotimer.points.source import (
    CatalogueSource,
    PointData,
    load_bundled,
    load_point_data,
    resource_dir,
)

__all__ = [
    "FLAG_TEXT",
    "VIEWS",
    "VIEW_SIZES",
    "VIEW_TITLES",
    "Catalogue",
    "CatalogueError",
    "CatalogueSource",
    "Depth",
    "Flag",
    "Nerve",
    "NerveRef",
    "Point",
    "PointData",
    "Side",
    "check_nerves",
    "load_bundled",
    "load_catalogue",
    "load_nerves",
    "load_point_data",
    "nerve_map",
    "normalise_code",
    "resource_dir",
]
