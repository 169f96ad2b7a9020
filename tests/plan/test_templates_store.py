"""Templates: the built-in protocols, unknown codes listed back, user templates saved and read again."""

from __future__ import annotations

import json

import pytest

from neurotimer.plan.plan import Lead, NeedlePair, Plan
from neurotimer.plan.template_store import TemplateLibrary, load_builtin
from neurotimer.plan.templates import (
    Template,
    TemplateError,
    apply_template,
    template_from_dict,
    template_from_plan,
)
from neurotimer.points import load_bundled


@pytest.fixture(scope="module")
def builtin() -> list[Template]:
    return load_builtin()


def named(templates: list[Template], word: str) -> Template:
    return next(t for t in templates if word in t.name)


def test_both_published_protocols_are_built_in_with_references(builtin):
    trial = named(builtin, "Trials 2013")
    dimitrova = named(builtin, "Dimitrova 2017")
    assert "Trials 2013;14:225" in trial.reference and "2/120 Hz" in trial.stimulation
    assert "Med Acupunct 2017;29(6):352" in dimitrova.reference and "100 Hz" in dimitrova.stimulation
    assert all(t.builtin for t in builtin)


def test_trial_protocol_gives_twelve_needles(builtin, small_catalogue, point_factory):
    extra = {code: point_factory(code) for code in ("SP9", "LR3", "GB41")}

    def lookup(code):
        return small_catalogue.get(code) or extra.get(code)

    applied = apply_template(named(builtin, "Trials 2013"), lookup)
    assert applied.unknown == ()
    assert applied.plan.needle_count == 12


def test_dimitrova_pairs_are_the_four_electro_pairs(builtin):
    pairs = named(builtin, "Dimitrova 2017").pairs
    assert [(p.channel, p.a.label, p.b.label) for p in pairs] == [
        (1, "KI3 L", "KI1 L"),
        (2, "KI3 R", "KI1 R"),
        (3, "ST41 L", "LR3 L"),
        (4, "ST41 R", "LR3 R"),
    ]


def test_builtins_against_the_bundled_catalogue_list_any_missing_code(builtin):
    catalogue = load_bundled().catalogue
    for template in builtin:
        applied = apply_template(template, catalogue.get)
        known = {code for code, _ in template.points if catalogue.get(code) is not None}
        assert set(applied.unknown) == {code for code, _ in template.points} - known
        if applied.unknown:
            assert all(code in applied.message for code in applied.unknown)


def test_unknown_codes_are_listed_not_dropped(small_catalogue):
    template = Template("Mine", (("ST36", "both"), ("XX1", "left"), ("ZZ9", "both")))
    applied = apply_template(template, small_catalogue.get)
    assert applied.unknown == ("XX1", "ZZ9")
    assert applied.plan.needle_count == 2
    assert "XX1, ZZ9" in applied.message and "left out" in applied.message


def test_user_template_round_trip(tmp_path, pts, small_catalogue):
    plan = Plan().add(pts["ST36"], "both").add(pts["GB39"], "left").add(pts["GV20"], "both")
    plan = plan.with_pairs([NeedlePair(1, Lead("ST36", "L"), Lead("GB39", "L"))])
    library = TemplateLibrary(tmp_path / "templates", builtin=[])
    library.save(template_from_plan("My knee set", plan, notes="for Mrs X's knees"))
    [again] = library.user()
    assert again.name == "My knee set"
    assert again.points == (("ST36", "both"), ("GB39", "left"), ("GV20", "both"))
    restored = apply_template(again, small_catalogue.get).plan
    assert restored.point_sides() == plan.point_sides()
    assert restored.active_pairs == plan.active_pairs


def test_saving_twice_needs_overwrite_and_builtin_names_are_taken(tmp_path, builtin):
    library = TemplateLibrary(tmp_path, builtin=builtin)
    template = Template("Legs", (("ST36", "both"),))
    library.save(template)
    with pytest.raises(TemplateError, match="already exists"):
        library.save(template)
    library.save(template, overwrite=True)
    with pytest.raises(TemplateError, match="built-in"):
        library.save(Template(builtin[0].name, (("ST36", "both"),)))
    with pytest.raises(TemplateError, match="needs a name"):
        library.save(Template("  ", (("ST36", "both"),)))


def test_malformed_user_file_gives_a_clear_message_and_others_still_load(tmp_path):
    library = TemplateLibrary(tmp_path, builtin=[])
    library.save(Template("Good", (("ST36", "both"),)))
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    bad = {"format": "neurotimer-template", "template": {"name": "Bad", "points": [{"code": "ST36", "sides": "up"}]}}
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    assert [t.name for t in library.user()] == ["Good"]
    assert len(library.problems) == 2
    assert any("broken.json cannot be read" in p for p in library.problems)
    assert any(
        "bad.json ('Bad'), point 1 (ST36): field 'sides' must be left, right or both" in p for p in library.problems
    )


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({"points": [{"code": "ST36"}]}, "field 'name' is missing"),
        ({"name": "X", "points": []}, "field 'points' must be a non-empty list"),
        ({"name": "X", "points": [{"code": ""}]}, "point 1: field 'code' is missing"),
        (
            {"name": "X", "points": [{"code": "ST36"}], "pairs": [{"channel": 0, "a": "ST36 L", "b": "ST36 R"}]},
            "field 'channel' must be a whole number",
        ),
        (
            {"name": "X", "points": [{"code": "ST36"}], "pairs": [{"channel": 1, "a": "ST36", "b": "ST36 R"}]},
            "like 'KI3 L'",
        ),
        (
            {"name": "X", "points": [{"code": "ST36"}], "pairs": [{"channel": 1, "a": "ST36 Q", "b": "ST36 R"}]},
            "not a side",
        ),
    ],
)
def test_each_bad_field_is_named(entry, fragment):
    with pytest.raises(TemplateError, match=r"mine\.json") as info:
        template_from_dict(entry, "mine.json")
    assert fragment in str(info.value)


def test_builtin_file_that_is_not_a_template_file_is_refused(tmp_path):
    path = tmp_path / "templates.json"
    path.write_text(json.dumps({"format": "something"}), encoding="utf-8")
    with pytest.raises(TemplateError, match=r"templates\.json: not a neurotimer templates file"):
        load_builtin(path)


def test_empty_plan_cannot_be_saved():
    with pytest.raises(TemplateError, match="no points"):
        template_from_plan("Empty", Plan())


def test_dimitrova_is_thirty_two_needles_with_bafeng_at_three_webs_a_side(builtin, point_factory):
    applied = apply_template(named(builtin, "Dimitrova 2017"), point_factory)
    plan = applied.plan
    assert plan.needle_count == 32
    assert plan.has_point("EX-LE10-2", "L") and not plan.has_point("EX-LE10-1")
    assert plan.point_sides()[:2] == [("LR4", "L"), ("LU5", "L")]
    assert len(plan.active_pairs) == 4


def test_builtins_resolve_fully_against_the_bundled_catalogue(builtin, clock):
    from neurotimer.safety.verdict import Acknowledgements, Screening, can_start_output

    catalogue = load_bundled().catalogue
    dimitrova = apply_template(named(builtin, "Dimitrova 2017"), catalogue.get)
    trial = apply_template(named(builtin, "Trials 2013"), catalogue.get)
    assert dimitrova.unknown == () and trial.unknown == ()
    assert dimitrova.plan.needle_count == 32 and trial.plan.needle_count == 12
    allowed, findings = can_start_output(dimitrova.plan, Screening(), Acknowledgements(clock))
    assert allowed and findings == []
