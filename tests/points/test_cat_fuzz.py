"""Whatever a user types into their copy of the files, loading gives a catalogue or a named fault."""

from __future__ import annotations

import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neurotimer.points import CatalogueError, load_point_data, resource_dir

POINTS = json.loads((resource_dir() / "points.json").read_text(encoding="utf-8"))
NERVES = json.loads((resource_dir() / "nerves.json").read_text(encoding="utf-8"))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def corrupt(doc: dict, list_key: str, data) -> dict:
    doc = copy.deepcopy(doc)
    entries = doc[list_key]
    entry = entries[data.draw(st.integers(0, len(entries) - 1))]
    key = data.draw(st.sampled_from(sorted(entry)))
    if data.draw(st.booleans()):
        entry[key] = data.draw(json_values)
    else:
        del entry[key]
    return doc


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), which=st.sampled_from(["points", "nerves"]))
def test_a_corrupted_entry_never_crashes_the_loader(tmp_path, data, which):
    points, nerves = POINTS, NERVES
    if which == "points":
        points = corrupt(POINTS, "points", data)
    else:
        nerves = corrupt(NERVES, "nerves", data)
    points_path, nerves_path = tmp_path / "points.json", tmp_path / "nerves.json"
    points_path.write_text(json.dumps(points), encoding="utf-8")
    nerves_path.write_text(json.dumps(nerves), encoding="utf-8")
    try:
        loaded = load_point_data(points_path, nerves_path)
    except CatalogueError as exc:
        assert str(exc).startswith(str(tmp_path)) and "entry" in str(exc)
    else:
        assert len(loaded.catalogue) == len(POINTS["points"])
