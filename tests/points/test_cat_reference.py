"""The bundled catalogue against the clinical reference table (shared/clinical-reference.md)."""

from __future__ import annotations

import pytest

from neurotimer.points import Depth, Flag, Side, load_bundled

D, S = Depth.DEEP, Depth.SUPERFICIAL

# code -> {nerve id: depth stated by the table, or None where the table states none}
REFERENCE: dict[str, dict[str, Depth | None]] = {
    "ST36": {"deep_peroneal": D, "lateral_sural_cutaneous": S},
    "ST37": {"deep_peroneal": None},
    "ST38": {"deep_peroneal": None},
    "ST39": {"deep_peroneal": None},
    "ST40": {"superficial_peroneal": None},
    "ST41": {"deep_peroneal": D, "superficial_peroneal": S},
    "ST42": {"deep_peroneal": D, "superficial_peroneal": S},  # medial dorsal cutaneous n.
    "ST43": {"superficial_peroneal": S, "deep_peroneal": D},
    "ST44": {"superficial_peroneal": None},
    "SP3": {"saphenous": None, "superficial_peroneal": None},
    "SP4": {"saphenous": None, "superficial_peroneal": None},
    "SP6": {"tibial": D, "saphenous": S},
    "SP9": {"saphenous": S, "tibial": D},
    "SP10": {"femoral": None},  # anterior femoral cutaneous and muscular branches
    "KI1": {"medial_plantar": None},
    "KI3": {"tibial": None},
    "KI6": {"tibial": D},
    "KI27": {"supraclavicular": None},
    "LR2": {"deep_peroneal": None},
    "LR3": {"deep_peroneal": None},
    "LR4": {"superficial_peroneal": None, "saphenous": None},
    "GB34": {"common_peroneal": None, "lateral_sural_cutaneous": S},
    "GB39": {"superficial_peroneal": None},
    "GB40": {"superficial_peroneal": None},  # intermediate dorsal cutaneous n.
    "GB41": {"superficial_peroneal": None},
    "EX-LE10": {"superficial_peroneal": None, "deep_peroneal": None},
    "EX-LE6": {"superficial_peroneal": None, "deep_peroneal": None},
    "BL40": {"tibial": D, "posterior_femoral_cutaneous": None},
    "BL57": {"tibial": D, "sural": None},  # medial sural cutaneous n.
    "BL60": {"sural": None},
    "BL62": {"sural": None},
    "LI4": {"ulnar": D, "radial_superficial": S},
    "LI5": {"radial_superficial": None},
    "LI10": {"posterior_interosseous": None},
    "LI11": {"radial": None},  # radial n. deep; posterior antebrachial cutaneous n. (a radial branch)
    "TE5": {"posterior_interosseous": D},
    "PC6": {"median": D},  # and the anterior interosseous n., a median branch
    "PC7": {"median": None},
    "PC8": {"median": None},
    "HT7": {"ulnar": None},
    "LU5": {"musculocutaneous": None, "radial": D},
    "LU7": {"radial_superficial": None, "musculocutaneous": None},
    "LU9": {"median": None},
    "SI3": {"ulnar": None},
    "EX-UE9": {"radial_superficial": None, "ulnar": None},
    "BL13": {"dorsal_rami": None},
    "BL20": {"dorsal_rami": None},
    "BL23": {"dorsal_rami": None},
}
TEXTBOOK_ROWS = set(
    [
        "ST42",
        "ST44",
        "SP3",
        "SP4",
        "SP10",
        "KI1",
        "KI3",
        "KI6",
        "KI27",
        "LR2",
        "LR4",
        "GB39",
        "GB40",
        "GB41",
        "BL40",
        "BL57",
        "BL60",
        "BL62",
        "LI10",
        "LI11",
        "PC7",
        "LU5",
        "LU7",
        "BL13",
        "BL20",
        "BL23",
    ]
)


@pytest.fixture(scope="module")
def data():
    return load_bundled()


@pytest.mark.parametrize("code", sorted(REFERENCE))
def test_point_has_the_nerves_of_the_reference_table(data, code):
    point = data.catalogue.get(code)
    assert point is not None, f"{code} is missing from points.json"
    assert point.nerve_ids == set(REFERENCE[code])
    for ref in point.nerves:
        expected = REFERENCE[code][ref.nerve]
        if expected is not None:
            assert ref.depth is expected, f"{code}: {ref.name} should be {expected.value}"


def test_textbook_rows_say_so_in_their_source(data):
    for code in TEXTBOOK_ROWS:
        assert "textbook" in data.catalogue.get(code).source, code


def test_catalogue_is_big_enough_and_every_point_has_what_the_chart_needs(data):
    assert len(data.catalogue) >= 60
    for point in data.catalogue.all_points():
        assert point.nerves and point.chart and point.location and point.source


def test_groups_have_four_members_per_side_on_the_right_nerves(data):
    bafeng = data.catalogue.get("EX-LE10")
    assert [m.code for m in bafeng.members] == [f"EX-LE10-{i}" for i in range(1, 5)]
    assert all(m.bilateral for m in bafeng.members)
    assert [m.nerve_ids for m in bafeng.members] == [{"deep_peroneal"}] + [{"superficial_peroneal"}] * 3
    baxie = data.catalogue.get("EX-UE9")
    assert len(baxie.members) == 4 and baxie.members[0].nerve_ids == {"radial_superficial"}
    assert baxie.members[-1].nerve_ids == {"ulnar"}
    assert data.catalogue.parent_of("EX-UE9-3") is baxie


def test_safety_flags_where_a_practitioner_expects_them(data):
    cat = data.catalogue
    no_electro = {p.code for p in cat.all_points() if Flag.NO_ELECTRO in p.flags}
    assert no_electro == {"ST9", "BL1", "ST1"}  # carotid sinus; inside the orbit
    for code in ("SP6", "LI4", "GB21", "BL60", "BL67", "CV4"):
        assert Flag.PREGNANCY in cat.get(code).flags, code
    for code in ("KI27", "LU1", "LU2", "CV17", "GB21", "BL13"):
        assert Flag.THORAX in cat.get(code).flags, code
    for code in ("GV20", "GB20", "EX-HN3", "ST9", "BL1"):
        assert Flag.HEAD_NECK_FACE in cat.get(code).flags, code
    midline = {p.code for p in cat if not p.bilateral}
    assert midline == {"GV20", "EX-HN3", "GV14", "CV17", "CV12", "CV6", "CV4"}
    assert cat.get("CV17").sides == (Side.MIDLINE,)


REQUIRED_NERVES = [
    "median",
    "ulnar",
    "radial",
    "radial_superficial",
    "posterior_interosseous",
    "sciatic",
    "tibial",
    "common_peroneal",
    "deep_peroneal",
    "superficial_peroneal",
    "sural",
    "saphenous",
    "femoral",
    "medial_plantar",
]


def test_required_nerves_have_a_course_and_points(data):
    for nerve_id in REQUIRED_NERVES:
        nerve = data.nerve(nerve_id)
        assert nerve is not None, nerve_id
        assert nerve.course and nerve.points, nerve_id


@pytest.mark.parametrize(
    ("nerve_id", "in_order"),
    [
        ("deep_peroneal", ["ST36", "ST37", "ST41", "LR3", "LR2"]),
        ("tibial", ["BL40", "BL57", "SP6", "KI3"]),
        ("median", ["PC3", "PC6", "PC7", "PC8"]),
        ("ulnar", ["SI8", "HT5", "HT7"]),
        ("sciatic", ["GB30", "BL36", "BL37"]),
        ("sural", ["BL57", "BL60", "BL62", "BL67"]),
        ("superficial_peroneal", ["ST40", "GB39", "ST41", "GB41", "ST44"]),
    ],
)
def test_points_run_proximal_to_distal(data, nerve_id, in_order):
    listed = data.nerve(nerve_id).points
    assert [code for code in listed if code in in_order] == in_order
