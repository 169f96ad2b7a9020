"""Export: the JSON and CSV formats, filters, de-identification, and the command's exit codes."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from storage_helpers import run_session

from neurotimer.cli import main as cli_main
from neurotimer.storage.store import open_store

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
SESSION_KEYS = {
    "id", "patient", "state", "planned_minutes", "started_at", "ended_at", "treatment_seconds", "points",
    "channels", "scores", "adverse_events", "amendments", "events", "last_hash",
}


@pytest.fixture
def log(log_location, clock) -> Path | str:
    path = log_location
    store = open_store(path, clock=clock, daily_backup=False)
    alma = store.create_patient("P-0001", "Alma Brandt", 1950)
    store.create_course(alma, "Diabetic neuropathy", 8, 2, reasoning="Trials 2013;14:225")
    bern = store.create_patient("P-0002", "Bernard Okafor", 1961)
    sid, session, recorder = run_session(store, clock, patient_id=alma, end=False)
    store.save_plan(sid, [("ST36", "L"), ("ST36", "R")],
                    [{"channel": 1, "a": ("ST36", "L"), "b": ("GB39", "L"), "mode": "2/120", "pulse_us": 400}])
    store.add_score(sid, "pain", 7, "before")
    recorder.record("practitioner.note", {"note": "Alma mentioned her daughter", "mA": 3})
    recorder.record("safety.override", {"rule": "implanted_device", "reason": "Cardiology cleared Alma Brandt"})
    clock.advance(61)
    session.end()
    store.add_adverse_event(sid, "bruising", "mild", "Alma's left shin")
    store.amend_session(sid, "notes", "Alma slept", "Dr Example", "forgot to note")
    clock.advance(86400 * 3)
    run_session(store, clock, patient_id=bern)
    run_session(store, clock)  # unassigned
    store.close()
    return path


def _export(log: Path, tmp_path: Path, *args: str, fmt: str = "json") -> Path:
    out = tmp_path / f"out.{fmt}"
    assert cli_main(["export", "--db", str(log), "--format", fmt, *args, "--out", str(out)]) == 0
    return out


def test_json_export_has_the_documented_fields(log: Path, tmp_path: Path) -> None:
    data = json.loads(_export(log, tmp_path).read_text())
    assert data["format"] == "neurotimer-export" and data["version"] == 1
    sessions = data["sessions"]
    assert [s["id"] for s in sessions] == [1, 2, 3]
    first = sessions[0]
    assert set(first) >= SESSION_KEYS
    assert first["patient"] == {"code": "P-0001", "name": "Alma Brandt", "birth_year": 1950}
    assert sessions[2]["patient"] == {"code": None, "name": None, "birth_year": None}
    assert first["state"] == "completed" and first["planned_minutes"] == 1
    assert first["points"] == [{"code": "ST36", "side": "L"}, {"code": "ST36", "side": "R"}]
    assert first["channels"][0]["a"] == {"code": "ST36", "side": "L"} and first["channels"][0]["mode"] == "2/120"
    assert first["scores"][0]["value"] == 7 and first["adverse_events"][0]["kind"] == "bruising"
    assert first["amendments"][0]["new"] == "Alma slept" and first["amendments"][0]["why"] == "forgot to note"
    assert {"seq", "at", "kind", "data"} <= set(first["events"][0])
    assert [e["seq"] for e in first["events"]] == list(range(1, len(first["events"]) + 1))
    assert len(first["last_hash"]) == 64 and first["event_count"] == len(first["events"])
    times = [first["started_at"], first["ended_at"], *(e["at"] for e in first["events"]),
             first["scores"][0]["recorded_at"], first["amendments"][0]["at"], data["exported_at"]]
    assert all(RFC3339_UTC.match(t) for t in times), times


def test_filters_by_patient_session_and_date(log: Path, tmp_path: Path) -> None:
    by_patient = json.loads(_export(log, tmp_path, "--patient", "P-0002").read_text())
    assert [s["patient"]["code"] for s in by_patient["sessions"]] == ["P-0002"]
    by_id = json.loads(_export(log, tmp_path, "--session", "3").read_text())
    assert [s["id"] for s in by_id["sessions"]] == [3]
    since = json.loads(_export(log, tmp_path, "--since", "2026-01-07").read_text())
    assert [s["id"] for s in since["sessions"]] == [2, 3]


def test_deidentified_export_has_no_names_notes_or_dates(log: Path, tmp_path: Path) -> None:
    out = _export(log, tmp_path, "--deidentify")
    text = out.read_text()
    for secret in ("Alma", "Bernard", "Okafor", "daughter", "shin", "Dr Example", "forgot", "Cardiology",
                   "Diabetic", "Trials 2013"):
        assert secret not in text, secret
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), "every date is reduced to its year"
    data = json.loads(text)
    first = data["sessions"][0]
    assert first["patient"]["code"].startswith("X-"), "a pseudonym"
    assert first["patient"]["name"] is None and first["patient"]["birth_year"] is None
    assert "P-0001" not in text and "1950" not in text
    assert first["started_at"] == "2026" and first["scores"][0]["recorded_at"] == "2026"
    assert all(isinstance(e["at"], float) for e in first["events"]), "event times become offsets"
    assert first["events"][0]["at"] == 0.0


def test_csv_has_one_readable_row_per_session_and_a_file_of_events(log: Path, tmp_path: Path) -> None:
    out = _export(log, tmp_path, fmt="csv")
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3
    assert {"id", "patient_code", "patient_name", "patient_birth_year", "state", "planned_minutes",
            "started_at", "ended_at", "treatment_seconds", "points", "channels", "peak_mA_ch1", "adverse_events",
            "amendments", "event_count", "last_hash"} <= set(rows[0])
    assert rows[0]["patient_name"] == "Alma Brandt" and rows[0]["state"] == "completed"
    data = json.loads(_export(log, tmp_path).read_text())
    first = data["sessions"][0]
    sides: dict[str, list[str]] = {}
    for p in first["points"]:
        sides.setdefault(p["code"], []).append(p["side"])
    assert rows[0]["points"] == "; ".join(f"{code} {'+'.join(s)}" for code, s in sides.items())
    assert not any(cell.startswith(("[", "{")) for cell in rows[0].values()), "no JSON blocks in cells"
    for score in first["scores"]:
        assert rows[0][f"{score['symptom']} {score['timing']}"] == str(score["value"])
    assert RFC3339_UTC.match(rows[0]["started_at"])
    with open(out.with_name(f"{out.stem}-events.csv"), newline="", encoding="utf-8") as handle:
        events = list(csv.DictReader(handle))
    assert len(events) == sum(len(s["events"]) for s in data["sessions"])
    assert events[0]["session_id"] == str(first["id"])
    assert [e["kind"] for e in events[:2]] == ["session.opened", "session.started"]


def test_export_refuses_bad_files_and_names_unknown_patients(log: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database")
    out = tmp_path / "o.json"
    assert cli_main(["export", "--db", str(bad), "--format", "json", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a neurotimer session log" in err and not out.exists()
    assert cli_main(["export", "--db", str(tmp_path / "none.sqlite3"), "--format", "csv", "--out", str(out)]) == 2
    assert "no session log" in capsys.readouterr().err
    assert cli_main(["export", "--db", str(log), "--format", "json", "--patient", "P-9999", "--out", str(out)]) == 1
    assert "no patient with the code P-9999" in capsys.readouterr().err and not out.exists()
    with pytest.raises(SystemExit) as info:
        cli_main(["export", "--db", str(log), "--format", "xml", "--out", str(out)])
    assert info.value.code == 2
