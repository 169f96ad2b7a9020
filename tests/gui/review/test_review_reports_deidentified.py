"""A de-identified report follows the export's rules: no name, birth year or free text on the page."""

from __future__ import annotations

import re

from neurotimer.gui.review.reports import course_report, session_report
from neurotimer.storage.store import open_store

WORDS = ("Quist", "1944", "P-0042", "Bergamo", "Wenzel", "Okonkwo", "Zeller", "Meyer", "Kowalczyk", "Hauptstrasse",
         "Mrs", "kitchen")




def _text(report) -> str:
    return re.sub(r"<[^>]+>", " ", report.html)


def test_session_and_course_reports_leave_out_what_can_name_a_person(qapp, tmp_path, clock) -> None:
    from neurotimer.session.session import Session
    from neurotimer.storage.recorder import Recorder

    store = open_store(tmp_path / "log.sqlite3", clock=clock, daily_backup=False)
    quist = store.create_patient("P-0042", "Greta Quist", 1944)
    course = store.create_course(quist, "Neuropathy after Bergamo trip", 8, 2, style="Wenzel school",
                                 reasoning="as Dr Okonkwo advised", symptoms=["pain", "Kowalczyk tingle"])
    recorder = Recorder(store, clock)
    session = Session(clock, 1)
    recorder.attach(session, patient_id=quist, details={
        "needle_type": "Meyer gold needles", "depth": "as Dr Zeller showed", "response_sought": "de qi",
        "setting": "Mrs Quist's kitchen"})
    session.start()
    sid = recorder.session_id
    store.add_score(sid, "pain", 7, "before")
    store.add_score(sid, "Kowalczyk tingle", 5, "before")
    clock.advance(61)
    session.tick()
    session.end()
    store.add_adverse_event(sid, "fainted on Hauptstrasse", "moderate", "")
    plain = _text(session_report(store, sid))
    assert "Quist" in plain and "Meyer gold needles" in plain, "the full report shows them"
    for report in (session_report(store, sid, deidentify=True), course_report(store, course, deidentify=True)):
        text = _text(report)
        for word in WORDS:
            assert word not in text, (report.title, word)
    text = _text(session_report(store, sid, deidentify=True))
    assert "de qi" in text and "other (moderate)" in text and "Needle type  other" in text
    assert re.search(r"pain\s+7\s+–\s+other \d\s+5", text), "a typed symptom keeps its row, named 'other N'"
    store.close()
