"""The catalogue files: a good file loads; every kind of fault is named by file, entry and field."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from neurotimer.points import (
    CatalogueError,
    CatalogueSource,
    Flag,
    Side,
    load_bundled,
    load_catalogue,
    load_nerves,
    load_point_data,
    resource_dir,
)

RES = resource_dir()


@pytest.fixture(scope="module")
def points_doc() -> dict:
    return json.loads((RES / "points.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def nerves_doc() -> dict:
    return json.loads((RES / "nerves.json").read_text(encoding="utf-8"))


def write(tmp_path: Path, name: str, doc: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def entry_index(doc: dict, code: str) -> int:
    return next(i for i, p in enumerate(doc["points"]) if p["code"] == code)


def load_broken(tmp_path: Path, points_doc: dict, nerves_doc: dict, code: str, change) -> str:
    doc = copy.deepcopy(points_doc)
    index = entry_index(doc, code)
    change(doc["points"][index])
    points = write(tmp_path, "points.json", doc)
    nerves = write(tmp_path, "nerves.json", nerves_doc)
    with pytest.raises(CatalogueError) as info:
        load_point_data(points, nerves)
    message = str(info.value)
    assert "points.json" in message
    assert f"entry {index + 1} (" in message
    return message


def test_bundled_files_load_and_agree():
    data = load_bundled()
    assert len(data.catalogue) >= 6
    st36 = data.catalogue.get("ST36")
    assert st36 is not None and st36.bilateral
    assert data.nerve("deep_peroneal") is not None


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda e: e["nerves"][0].update(nerve="tibal"), "nerves", "unknown nerve 'tibal'"),
        (lambda e: e.pop("location"), "location", "missing"),
        (lambda e: e.update(pinyin=""), "pinyin", "non-empty"),
        (lambda e: e.update(bilateral="yes"), "bilateral", "true or false"),
        (lambda e: e.update(flags=["pregnant"]), "flags", "unknown flag 'pregnant'"),
        (lambda e: e["nerves"][0].update(depth="middle"), "nerves", "'deep' or 'superficial'"),
        (lambda e: e.update(chart={"side": [1, 2]}), "chart", "unknown view 'side'"),
        (lambda e: e.update(chart={"front": [5000, 2]}), "chart", "outside"),
        (lambda e: e.update(chart={"front": ["a", 2]}), "chart", "[x, y]"),
        (lambda e: e.update(nerves=[]), "nerves", "at least one"),
        (lambda e: e.update(extra=1), "extra", "unknown field"),
        (lambda e: e.update(code="ST 36"), "code", "not a WHO code"),
    ],
)
def test_each_fault_names_file_entry_and_field(tmp_path, points_doc, nerves_doc, change, field, words):
    message = load_broken(tmp_path, points_doc, nerves_doc, "ST36", change)
    assert f"field '{field}'" in message
    assert words in message


def test_fault_in_a_group_member_names_the_member(tmp_path, points_doc, nerves_doc):
    def change(entry):
        entry["members"][1]["nerves"][0]["nerve"] = "tibal"

    message = load_broken(tmp_path, points_doc, nerves_doc, "EX-LE10", change)
    assert "member 2" in message and "unknown nerve 'tibal'" in message


def test_a_duplicate_code_is_refused(tmp_path, points_doc):
    doc = copy.deepcopy(points_doc)
    doc["points"].append(copy.deepcopy(doc["points"][entry_index(doc, "ST36")]))
    with pytest.raises(CatalogueError, match=r"entry \d+ \(ST36\): field 'code': 'ST36' is already used"):
        load_catalogue(write(tmp_path, "points.json", doc))


def test_a_midline_point_must_sit_on_the_centre_line(tmp_path, points_doc, nerves_doc):
    message = load_broken(tmp_path, points_doc, nerves_doc, "GV20", lambda e: e.update(chart={"front": [100, 62]}))
    assert "centre line" in message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{not json", "not valid JSON at line 1"),
        ("[]", "expected an object"),
        ('{"format": "other", "version": 1, "points": []}', "field 'format'"),
        ('{"format": "neurotimer-points", "version": 9, "points": [{}]}', "newer neurotimer"),
        ('{"format": "neurotimer-points", "version": 1, "points": []}', "field 'points'"),
        ('{"format": "neurotimer-points", "version": 1, "points": [7]}', "entry 1: field 'entry'"),
        ("[" * 100_000, "nested too deeply"),
        ('{"format": "neurotimer-points", "version": ' + "9" * 5000 + ', "points": []}', "thousands of digits"),
    ],
)
def test_a_broken_file_says_what_is_wrong(tmp_path, text, words):
    path = tmp_path / "points.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    assert str(path) in str(info.value)
    assert words in str(info.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CatalogueError, match="does not exist"):
        load_catalogue(tmp_path / "points.json")


def test_nerve_file_faults_are_named(tmp_path, nerves_doc):
    doc = copy.deepcopy(nerves_doc)
    doc["nerves"][0]["colour"] = "green"
    with pytest.raises(CatalogueError, match=r"nerves.json: entry 1 \(\w+\): field 'colour'"):
        load_nerves(write(tmp_path, "nerves.json", doc))
    doc = copy.deepcopy(nerves_doc)
    doc["nerves"][0]["course"] = {"front": [[[1, 2]]]}
    with pytest.raises(CatalogueError, match="field 'course': each line on 'front' needs at least two"):
        load_nerves(write(tmp_path, "nerves.json", doc))


def test_nerves_and_points_must_agree(tmp_path, points_doc, nerves_doc):
    doc = copy.deepcopy(nerves_doc)
    tibial = next(n for n in doc["nerves"] if n["id"] == "tibial")
    tibial["points"].append("LI4")
    with pytest.raises(CatalogueError, match=r"\(tibial\): field 'points': LI4 does not list this nerve"):
        load_point_data(write(tmp_path, "points.json", points_doc), write(tmp_path, "nerves.json", doc))
    tibial["points"] = [c for c in tibial["points"] if c not in ("LI4", "SP6")]
    with pytest.raises(CatalogueError, match=r"\(tibial\): field 'points': missing SP6"):
        load_point_data(write(tmp_path, "points.json", points_doc), write(tmp_path, "nerves.json", doc))


def test_broken_user_copy_keeps_the_last_good_catalogue(tmp_path, points_doc):
    user = tmp_path / "points.json"
    good = copy.deepcopy(points_doc)
    good["points"][entry_index(good, "ST36")]["location"] = "my own wording"
    user.write_text(json.dumps(good), encoding="utf-8")
    source = CatalogueSource(user_points=user)
    assert source.load() is None
    assert source.catalogue.get("ST36").location == "my own wording"

    broken = copy.deepcopy(good)
    broken["points"][entry_index(broken, "SP6")]["flags"] = ["pregnancy", "sometimes"]
    user.write_text(json.dumps(broken), encoding="utf-8")
    message = source.load()
    assert message is not None and "field 'flags'" in message and "(SP6)" in message
    assert "still in use" in message
    assert source.error == message
    assert source.catalogue.get("ST36").location == "my own wording"
    assert Flag.PREGNANCY in source.catalogue.get("SP6").flags


def test_broken_user_copy_at_start_falls_back_to_the_bundled_one(tmp_path):
    user = tmp_path / "points.json"
    user.write_text("{", encoding="utf-8")
    source = CatalogueSource(user_points=user)
    assert "not valid JSON" in source.load()
    assert source.catalogue.get("ST36") is not None
    assert source.catalogue.get("ST36").positions("front")[0][0] is Side.RIGHT
