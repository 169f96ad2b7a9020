"""De-identified exports: no free text that can name a person, pseudonyms new to each export, codes kept."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from storage_helpers import run_session, wait

from neurotimer.cli import main as cli_main
from neurotimer.session.session import Session
from neurotimer.storage import deidentify
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import open_store

# Typed into every free-text field a session record has: none of it may leave in a de-identified export.
SECRETS = {
    "needle_type": "Meyer gold needles",
    "depth": "deep as Dr Zeller showed",
    "response_sought": "twitch Mrs Quist likes",
    "setting": "Quist family kitchen",
    "notes": "Quist slept badly",
}
WORDS = ("Meyer", "Zeller", "Quist", "Hauptstrasse", "Wenzel", "Okonkwo", "Vanterpool", "1944", "P-0042",
         "Kowalczyk", "Bergamo", "Ravensworth", "Elspeth", "fainted")


@pytest.fixture
def log(log_location, clock):
    store = open_store(log_location, clock=clock, daily_backup=False)
    doctor = store.create_practitioner("Dr Elspeth Ravensworth", profession="physician", registration="GMC 1234")
    store.current_practitioner_id = doctor
    quist = store.create_patient("P-0042", "Greta Quist", 1944)
    store.create_course(quist, "Neuropathy after Bergamo trip", 8, 2, style="Wenzel school",
                        reasoning="as Dr Okonkwo advised", symptoms=["pain", "Kowalczyk tingle"])
    recorder = Recorder(store, clock)
    session = Session(clock, 1)
    recorder.attach(session, patient_id=quist, details=SECRETS)
    session.start()
    sid = recorder.session_id
    store.save_plan(sid, [("ST36", "L"), ("SP6", "R")],
                    [{"channel": 1, "a": ("ST36", "L"), "b": ("SP6", "R"), "mode": "2/120", "pulse_us": 400}])
    store.add_score(sid, "pain", 7, "before")
    store.add_score(sid, "Kowalczyk tingle", 5, "before")
    recorder.record("stim.intensity", {"channel": 1, "mA": 2.5})
    recorder.record("safety.acknowledged", {"rule": "screening_bleeding", "severity": "warning",
                                            "message": "Quist bleeds easily", "by": "Dr Elspeth Ravensworth"})
    wait(clock, session, 61, recorder)
    session.end()
    store.add_adverse_event(sid, "bruising", "mild", "left shin, told Mr Vanterpool")
    store.add_adverse_event(sid, "fainted on Hauptstrasse", "moderate", "")
    store.amend_session(sid, "depth", "as Dr Zeller said", "Dr Elspeth Ravensworth", "Quist asked")
    store.amend_session(sid, "needle_type", deidentify.NEEDLE_TYPES[0], "Dr Elspeth Ravensworth", "Wenzel typo")
    store.add_note(sid, "Quist: Hauptstrasse 4", "Dr Elspeth Ravensworth")
    clock.advance(86400)
    run_session(store, clock, patient_id=quist)
    run_session(store, clock)  # unassigned
    store.close()
    return log_location


def _export(log, out: Path, fmt: str = "json") -> Path:
    assert cli_main(["export", "--db", str(log), "--format", fmt, "--deidentify", "--out", str(out)]) == 0
    return out


def test_nothing_typed_about_a_person_leaves(log, tmp_path: Path) -> None:
    text = _export(log, tmp_path / "out.json").read_text()
    for word in WORDS:
        assert word not in text, word
    first = json.loads(text)["sessions"][0]
    assert "depth" not in first and "notes" not in first
    assert first["patient"]["name"] is None and first["patient"]["birth_year"] is None
    assert first["course"] == {"id": 1, "planned_sessions": 8, "sessions_per_week": 2.0, "started_on": "2026"}


def test_values_from_the_apps_own_lists_stay_and_others_read_other(log, tmp_path: Path) -> None:
    first = json.loads(_export(log, tmp_path / "out.json").read_text())["sessions"][0]
    assert first["needle_type"] == "other" and first["setting"] == "other"
    assert [s["symptom"] for s in first["scores"]] == ["pain", "other"]
    assert [a["kind"] for a in first["adverse_events"]] == ["bruising", "other"]
    assert first["amendments"][0] == {"field": "depth", "old": None, "new": None, "at": "2026"}
    assert first["amendments"][1]["new"] == deidentify.NEEDLE_TYPES[0]
    assert first["points"] == [{"code": "ST36", "side": "L"}, {"code": "SP6", "side": "R"}]
    ack = next(e for e in first["events"] if e["kind"] == "safety.acknowledged")
    assert ack["data"] == {"rule": "screening_bleeding", "severity": "warning"}
    intensity = next(e for e in first["events"] if e["kind"] == "stim.intensity")
    assert intensity["data"] == {"channel": 1, "mA": 2.5}


def test_patient_codes_become_pseudonyms_new_to_each_export(log, tmp_path: Path) -> None:
    one = json.loads(_export(log, tmp_path / "one.json").read_text())["sessions"]
    two = json.loads(_export(log, tmp_path / "two.json").read_text())["sessions"]
    assert one[0]["patient"]["code"] == one[1]["patient"]["code"], "the same patient throughout one export"
    assert one[0]["patient"]["code"] != two[0]["patient"]["code"], "two exports cannot be joined by it"
    assert one[2]["patient"] == {"code": None, "name": None, "birth_year": None}
    opened = next(e for e in one[0]["events"] if e["kind"] == "session.opened")
    assert opened["data"]["patient_id"] == one[0]["patient"]["code"], "the patient's row number goes too"


def test_the_practitioner_is_a_code_never_the_name(log, tmp_path: Path) -> None:
    plain = json.loads(_export_plain(log, tmp_path / "plain.json").read_text())["sessions"][0]
    assert plain["practitioner"] == {"code": "PR-001", "name": "Dr Elspeth Ravensworth"}
    first = json.loads(_export(log, tmp_path / "out.json").read_text())["sessions"][0]
    assert first["practitioner"] == {"code": "PR-001", "name": None}


def _export_plain(log, out: Path) -> Path:
    assert cli_main(["export", "--db", str(log), "--format", "json", "--out", str(out)]) == 0
    return out


def test_csv_export_is_de_identified_the_same_way(log, tmp_path: Path) -> None:
    out = _export(log, tmp_path / "out.csv", fmt="csv")
    text = out.read_text() + out.with_name("out-events.csv").read_text()
    for word in WORDS:
        assert word not in text, word
    with open(out, newline="", encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert row["patient_code"].startswith("X-") and row["patient_name"] == row["patient_birth_year"] == ""
    assert row["practitioner_code"] == "PR-001" and row["practitioner_name"] == ""
    assert row["adverse_events"] == "bruising (mild); other (moderate)"


def test_help_says_what_is_removed(capsys) -> None:
    with pytest.raises(SystemExit):
        cli_main(["export", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in ("names, birth years, notes", "depth", "course condition", "'other'", "pseudonyms",
                  "PR-001", "years"):
        assert words in text, words


def test_the_lists_are_the_ones_the_chair_offers() -> None:
    from neurotimer.gui.record import record_panel, widgets

    assert deidentify.NEEDLE_TYPES == record_panel.NEEDLE_TYPES
    assert deidentify.RESPONSES == record_panel.RESPONSES
    assert deidentify.SETTINGS == record_panel.SETTINGS
    assert deidentify.ADVERSE_KINDS == widgets.ADVERSE_KINDS
