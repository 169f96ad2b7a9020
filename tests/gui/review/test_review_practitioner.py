"""Who made what, as the review window, History and reports show it; `neurotimer report --practitioner`."""

from __future__ import annotations

import json
import sqlite3

from PySide6.QtCore import QSettings
from review_helpers import wait_loaded
from test_review_reports import newest, pdf_text

from neurotimer.cli import main as cli_main
from neurotimer.gui.history.text import session_html
from neurotimer.gui.review.actions import REVIEW_PRACTITIONER
from neurotimer.gui.review.replay_text import events_html, heading
from neurotimer.gui.shell.settings import last_id_for_log
from neurotimer.storage.replay import session_replay
from neurotimer.storage.store import open_store

DEMO = "Dr Demo Practitioner (medical doctor, reg. DEMO 0001) · PR-001"


def reports_made(path) -> list[dict]:
    conn = sqlite3.connect(path)
    try:
        return [json.loads(r[0]) for r in conn.execute("SELECT payload FROM events WHERE kind = 'report.made'")]
    finally:
        conn.close()


def test_a_report_names_who_treated_and_who_made_it_and_the_log_keeps_it(tmp_path, review_demo, review_docs):
    doc = newest(review_docs)
    with open_store(review_demo, daily_backup=False) as store:
        other = store.create_practitioner("Ben Okafor", profession="acupuncturist")
    out = tmp_path / "session.pdf"
    assert cli_main(["report", "--db", str(review_demo), "--session", str(doc["id"]), "--out", str(out),
                     "--practitioner", f"PR-{other:03d}"]) == 0
    text = " ".join(pdf_text(out).split())
    assert DEMO in text, "STRICTA item 5: who treated"
    assert "Report made by Ben Okafor (acupuncturist) · PR-002" in text
    assert reports_made(review_demo) == [{"subject": "session", "id": doc["id"], "deidentified": False,
                                          "made_as": "pdf", "practitioner_code": "PR-002"}]
    assert cli_main(["verify", "--db", str(review_demo)]) == 0


def test_by_default_the_report_is_made_by_the_sessions_practitioner(tmp_path, review_demo, review_docs):
    doc = newest(review_docs)
    out = tmp_path / "course.pdf"
    assert cli_main(["report", "--db", str(review_demo), "--course", str(doc["course"]["id"]), "--out",
                     str(out)]) == 0
    assert f"Report made by {DEMO}" in " ".join(pdf_text(out).split())
    [made] = reports_made(review_demo)
    assert made["subject"] == "course" and made["practitioner_code"] == "PR-001"


def test_a_deidentified_report_keeps_the_code_not_the_name(tmp_path, review_demo, review_docs):
    doc = newest(review_docs)
    out = tmp_path / "anon.pdf"
    assert cli_main(["report", "--db", str(review_demo), "--session", str(doc["id"]), "--out", str(out),
                     "--deidentify"]) == 0
    text = pdf_text(out)
    assert "Dr Demo" not in text and "DEMO 0001" not in text
    assert "PR-001" in text
    assert reports_made(review_demo)[0]["deidentified"] is True


def test_an_unknown_or_malformed_practitioner_is_refused_and_nothing_is_made(tmp_path, review_demo, capsys):
    out = tmp_path / "r.pdf"
    assert cli_main(["report", "--db", str(review_demo), "--session", "1", "--out", str(out),
                     "--practitioner", "PR-042"]) == 1
    assert "no practitioner number 42" in capsys.readouterr().err and not out.exists()
    try:
        code = cli_main(["report", "--db", str(review_demo), "--session", "1", "--out", str(out),
                         "--practitioner", "Dr Lee"])
    except SystemExit as exc:  # argparse refuses it with its usage line
        code = exc.code
    assert code == 2 and "not a practitioner code such as PR-001" in capsys.readouterr().err
    assert not out.exists() and reports_made(review_demo) == []


def test_review_and_history_show_who(review_demo, review_docs):
    doc = newest(review_docs)
    with open_store(review_demo, daily_backup=False) as store:
        replay = session_replay(store, doc["id"])
        replay.decisions.append({"kind": "safety.override", "title": "Implanted device", "by": "Dr Demo Practitioner",
                                 "practitioner_code": "PR-001", "at": doc["started_at"], "reason": "cardiology ok"})
        assert f"by {DEMO}" in heading(replay, None)
        assert "Dr Demo Practitioner (PR-001) overrode" in events_html(replay)
        assert DEMO in session_html(store.get_session(doc["id"]))


def test_the_review_on_its_own_asks_once_who_writes(qtbot, review_window):
    asked: list[int | None] = []

    def choose(store, last):
        asked.append(last)
        return store.get_practitioner(1)

    review_window.actions.choose_practitioner = choose
    review_window.table.selectRow(0)
    sid = review_window.current_row().id
    review_window.actions.add_note()
    dialog = review_window.actions.dialog
    assert asked == [None] and dialog.practitioner.text() == "Dr Demo Practitioner"
    dialog.text.setPlainText("Walked 2 km without pain")
    assert dialog.submit()
    store = review_window.store
    [note] = [e["data"] for e in store.session_events(sid) if e["kind"] == "session.note"]
    assert note["practitioner_code"] == "PR-001"
    wait_loaded(qtbot, review_window)
    review_window.table.selectRow(0)
    review_window.actions.add_note()
    assert review_window.actions.dialog is not dialog, "a second note is offered"
    assert asked == [None], "asked once, not before every entry"
    kept = QSettings()
    assert last_id_for_log(kept, REVIEW_PRACTITIONER, store.path) == 1, "offered first at the next review"
    assert last_id_for_log(kept, REVIEW_PRACTITIONER, store.path.with_name("other.sqlite3")) is None, (
        "another log numbers its own profiles")


def test_cancelling_who_writes_makes_no_entry(qtbot, review_window):
    review_window.actions.choose_practitioner = lambda store, last: None
    review_window.table.selectRow(0)
    review_window.actions.add_note()
    assert review_window.actions.dialog is None and review_window.store.current_practitioner_id is None
