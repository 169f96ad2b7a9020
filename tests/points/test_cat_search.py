"""Finding points the way a practitioner types: code, name, nerve or region."""

from __future__ import annotations

import pytest

from neurotimer.points import load_bundled, normalise_code


@pytest.fixture(scope="module")
def cat():
    return load_bundled().catalogue


@pytest.mark.parametrize("query", ["st36", "ST 36", "ST-36", " St36 "])
def test_code_in_any_spelling_finds_the_point_first(cat, query):
    found = cat.search(query)
    assert found[0].code == "ST36"
    assert cat.get(query).code == "ST36"


def test_partial_code_lists_the_meridian_in_order(cat):
    codes = [p.code for p in cat.search("ST3")]
    assert codes[:6] == ["ST32", "ST35", "ST36", "ST37", "ST38", "ST39"]


def test_name_search_ignores_case_and_tone_marks(cat):
    assert [p.code for p in cat.search("zusanli")] == ["ST36"]
    assert cat.search("Zúsānlǐ")[0].code == "ST36"
    assert cat.search("sanyin")[0].code == "SP6"


def test_nerve_search_finds_the_points_along_it(cat):
    codes = {p.code for p in cat.search("peroneal")}
    assert {"ST36", "GB34", "ST41", "LR3", "GB39", "EX-LE10"} <= codes
    assert "PC6" not in codes
    assert {p.code for p in cat.search("fibular")} >= {"ST36", "GB34"}


def test_region_search(cat):
    codes = [p.code for p in cat.search("sole")]
    assert codes == ["KI1"]
    wrist = {p.code for p in cat.search("wrist crease")}
    assert {"PC7", "HT7", "LU9"} <= wrist


def test_exact_code_ranks_above_mentions_in_other_points(cat):
    found = [p.code for p in cat.search("ST36")]
    assert found[0] == "ST36" and "ST37" in found[1:]  # ST37's location mentions ST36


def test_group_members_are_found_by_their_code(cat):
    member = cat.get("ex-le10-2")
    assert member.code == "EX-LE10-2" and cat.parent_of("EX-LE10-2").code == "EX-LE10"
    assert cat.search("EX LE10 2")[0].code == "EX-LE10-2"
    assert [p.code for p in cat.search("bafeng")] == ["EX-LE10"]


def test_nothing_found_and_empty_query(cat):
    assert cat.search("xyzzy") == []
    assert cat.search("   ") == []
    assert cat.get("XX99") is None and "XX99" not in cat


def test_by_nerve_includes_group_members(cat):
    codes = [p.code for p in cat.by_nerve("deep_peroneal")]
    assert "EX-LE10-1" in codes and "EX-LE10-2" not in codes


def test_normalise_code():
    assert normalise_code("ex-le 10") == "EXLE10"
    assert normalise_code("Gb 34") == "GB34"
