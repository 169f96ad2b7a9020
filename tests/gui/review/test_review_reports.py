"""Reports on paper and exports of the list: PDFs read back with pdftoppm and pdftotext, STRICTA items, the hash."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from review_helpers import wait_loaded

from neurotimer.cli import main as cli_main
from neurotimer.storage.export import build_export
from neurotimer.storage.store import open_readonly

STRICTA = ("1a", "Style", "1b", "Reasoning", "1c", "Variation", "2a", "Needle insertions", "2b", "Points", "2c",
           "Depth", "2d", "Response sought", "2e", "Stimulation", "2f", "Retention", "2g", "Needle type", "3a",
           "Sessions", "3b", "Frequency", "4a", "Other interventions", "4b", "Setting", "5", "Practitioner")


def pdf_text(path: Path) -> str:
    assert shutil.which("pdftotext") and shutil.which("pdftoppm"), "poppler-utils are installed by scripts/sysdeps.sh"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    return text.replace("ﬁ", "fi").replace("ﬂ", "fl")  # the PDF's font sets these as ligatures


def pdf_pages(path: Path, tmp_path: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(tmp_path / "page")], check=True, timeout=60)
    return sorted(tmp_path.glob("page*.png"))


def newest(docs: list[dict]) -> dict:
    return max(docs, key=lambda d: (d["started_at"], d["id"]))


def test_session_report_is_one_page_with_stricta_items_and_the_hash(tmp_path, review_demo, review_docs,
                                                                   colour_count) -> None:
    doc = newest(review_docs)
    out = tmp_path / "session.pdf"
    assert cli_main(["report", "--db", str(review_demo), "--session", str(doc["id"]), "--out", str(out)]) == 0
    pages = pdf_pages(out, tmp_path)
    assert len(pages) == 1 and colour_count(pages[0]) > 10  # the timeline is drawn in colour
    text = " ".join(pdf_text(out).split())
    for item in STRICTA:
        assert item in text, item
    assert doc["last_hash"] in text.replace(" ", "")
    assert doc["patient"]["name"] in text and doc["needle_type"] in text
    assert f"session {doc['number']} of {doc['course']['planned_sessions']}" in text
    assert "Dr Demo Practitioner" in text


def test_course_report_has_the_summary_charts_and_every_session_hash(tmp_path, review_demo, review_docs) -> None:
    doc = newest(review_docs)
    course = [d for d in review_docs if d["course"] and d["course"]["id"] == doc["course"]["id"]]
    out = tmp_path / "course.pdf"
    assert cli_main(["report", "--db", str(review_demo), "--course", str(doc["course"]["id"]), "--out", str(out)]) == 0
    pages = pdf_pages(out, tmp_path)
    assert 1 <= len(pages) <= 3
    text = pdf_text(out)
    flat = "".join(text.split())
    for d in course:
        assert d["last_hash"] in flat, d["id"]
    assert "at baseline" in text and f"{len(course)} done of {doc['course']['planned_sessions']} planned" in text


def test_deidentified_report_leaves_out_the_name_and_dates(tmp_path, review_demo, review_docs) -> None:
    doc = newest(review_docs)
    out = tmp_path / "anon.pdf"
    assert cli_main(["report", "--db", str(review_demo), "--session", str(doc["id"]), "--out", str(out),
                     "--deidentify"]) == 0
    text = pdf_text(out)
    assert doc["patient"]["name"] not in text and doc["started_at"][:10] not in text
    assert doc["patient"]["code"] not in text and "de-identified" in text, "the code too becomes a pseudonym"


def test_report_refuses_a_foreign_file_and_an_unknown_session(tmp_path, review_demo, capsys) -> None:
    bad = tmp_path / "x.db"
    bad.write_text("nope")
    out = tmp_path / "r.pdf"
    assert cli_main(["report", "--db", str(bad), "--session", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a neurotimer session log" in err and not out.exists()
    assert cli_main(["report", "--db", str(review_demo), "--session", "99999", "--out", str(out)]) == 1
    assert "no session number 99999" in capsys.readouterr().err and not out.exists()


def test_report_runs_as_its_own_process_without_a_screen(tmp_path, review_demo) -> None:
    exe = Path(sys.executable).parent / "neurotimer"
    out = tmp_path / "s.pdf"
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([str(exe), "report", "--db", str(review_demo), "--session", "1", "--out", str(out)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")


def test_window_reports_and_exports_the_current_filter(qtbot, tmp_path, review_window, review_demo) -> None:
    answers: list[Path] = []
    review_window.actions.ask_save = lambda _title, suggested, _pattern: answers.append(tmp_path / suggested) or (
        tmp_path / suggested)
    review_window.filters.point.setText("LU5")
    review_window.filters.apply()
    wait_loaded(qtbot, review_window)
    listed = review_window.model.total
    review_window.actions.export("json")
    review_window.actions.wait()
    qtbot.waitUntil(lambda: "exported" in review_window.statusBar().currentMessage())
    data = json.loads((tmp_path / "sessions.json").read_text())
    store = open_readonly(review_demo)
    try:
        expected = build_export(store, session_ids=[s["id"] for s in data["sessions"]])
    finally:
        store.close()
    assert len(data["sessions"]) == listed and data["format"] == "neurotimer-export"
    assert data["sessions"] == expected["sessions"], "the same documents as neurotimer export"
    assert all("LU5" in {p["code"] for p in s["points"]} for s in data["sessions"])
    review_window.actions.export("csv")
    review_window.actions.wait()
    with open(tmp_path / "sessions.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == listed and all("LU5 L" in r["points"] for r in rows)
    assert (tmp_path / "sessions-events.csv").exists()
    review_window.table.selectRow(0)
    review_window.actions.session_pdf()
    assert answers[-1].suffix == ".pdf" and answers[-1].read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("deidentify", [False, True])
def test_window_export_can_be_deidentified(qtbot, tmp_path, review_window, deidentify) -> None:
    review_window.actions.ask_save = lambda *_a: tmp_path / "out.json"
    review_window.actions.deidentify.setChecked(deidentify)
    review_window.actions.export("json")
    review_window.actions.wait()
    data = json.loads((tmp_path / "out.json").read_text())
    assert data["deidentified"] is deidentify
    assert (data["sessions"][0]["patient"]["name"] is None) is deidentify
