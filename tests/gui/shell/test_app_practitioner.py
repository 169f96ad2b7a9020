"""Who is working, in the wired app: chosen at the start, in the header, on every entry a person makes."""

from __future__ import annotations

import argparse

import pytest

from neurotimer.app import App
from neurotimer.gui.shell.practitioner_chooser import PractitionerChooser
from neurotimer.plan.plan import Plan
from neurotimer.safety.verdict import Rule


def make_args(db, demo=False) -> argparse.Namespace:
    return argparse.Namespace(demo=demo, db=db, device=None, startup_probe=False, command=None)


class Chooser:
    """Stands in for the modal chooser: answers as told and remembers what it was offered."""

    def __init__(self, answer):
        self.answer = answer
        self.asked: list[int | None] = []

    def __call__(self, store, last_id):
        self.asked.append(last_id)
        return self.answer(store, last_id)


def start(qtbot, tmp_path, clock, chooser, demo=False, db: str = "log.sqlite3") -> App:
    a = App(make_args(None if demo else tmp_path / db, demo), clock, chime=lambda: None,
            confirm=lambda t, x: True, choose_practitioner=chooser)
    qtbot.addWidget(a.window)
    a.window.show()
    qtbot.waitExposed(a.window)
    a.finish_start()
    return a


def make_lee(store, _last):
    return store.get_practitioner(store.create_practitioner("Dr Ana Lee", profession="physician",
                                                            registration="GMC 7654321"))


@pytest.fixture
def app(qtbot, tmp_path, clock):
    a = start(qtbot, tmp_path, clock, Chooser(make_lee))
    yield a
    a.shutdown()


def test_the_header_names_the_practitioner_chosen_at_the_start(app: App) -> None:
    label = app.window.practitioner_label
    assert label.isVisible() and label.text() == "Dr Ana Lee · PR-001"
    assert "Dr Ana Lee (physician, reg. GMC 7654321) · PR-001" in label.toolTip()


def test_a_long_name_gives_way_in_the_header_but_the_code_stays(app: App) -> None:
    app.window.set_practitioner_text("Dr " + "Very-Long-Double-Barrelled " * 6 + "Name · PR-001")
    label = app.window.practitioner_label
    assert label.text().endswith("PR-001") and "…" in label.text()
    assert label.sizeHint().width() <= label.maximumWidth() + 10


def test_an_acknowledged_alarm_and_a_score_name_the_practitioner(app: App, clock) -> None:
    app.sessions.start()
    app.window.alarms.raise_alarm("lead-off", "Lead off on channel 1")
    app.window.alarms.acknowledge("lead-off")
    app.records.record_score("pain", 6, "before")
    app.records.recorder.flush()
    sid = app.records.recorder.session_id
    events = {e["kind"]: e["data"] for e in app.store.session_events(sid)}
    assert events["alarm.acknowledged"]["practitioner_code"] == "PR-001"
    assert events["alarm.acknowledged"]["by"] == "Dr Ana Lee"
    assert events["score.recorded"]["practitioner_code"] == "PR-001"
    assert "practitioner_code" not in events["alarm.raised"], "an alarm is raised by the machine, not a person"
    assert app.store.get_session(sid).practitioner_id == 1


def test_a_safety_acknowledgement_is_made_and_recorded_by_the_practitioner(qtbot, app: App) -> None:
    st36 = app.catalogue_source.catalogue.get("ST36")
    app.plans.set_points(Plan().add(st36, "both"))
    for which, label in (("a", "ST36 L"), ("b", "ST36 R")):
        combo = app.pairing.combo(1, which)
        combo.setCurrentIndex(combo.findText(label))
        combo.activated.emit(combo.currentIndex())
    [row] = [r for r in app.pairing.finding_rows() if r.finding.rule is Rule.CROSSES_MIDLINE]
    app.sessions.start()
    row.button.click()
    app.records.recorder.flush()
    [ack] = [e["data"] for e in app.store.session_events(app.records.recorder.session_id)
             if e["kind"] == "safety.acknowledged"]
    assert ack["by"] == "Dr Ana Lee" and ack["practitioner_code"] == "PR-001"


def test_an_amendment_made_after_the_start_names_the_practitioner(app: App) -> None:
    app.sessions.start()
    app.sessions.end()
    sid = app.records.recorder.session_id
    app.records.recorder.flush()
    app.store.amend_session(sid, "depth", "15 mm", "Dr Ana Lee", "measured again")
    [amended] = [e["data"] for e in app.store.session_events(sid) if e["kind"] == "record.amended"]
    assert amended["practitioner_code"] == "PR-001"


def test_the_next_start_offers_the_last_practitioner_first(qtbot, tmp_path, clock) -> None:
    first = start(qtbot, tmp_path, clock, Chooser(make_lee))
    first.shutdown()
    again = Chooser(lambda store, last: store.get_practitioner(last))
    second = start(qtbot, tmp_path, clock, again)
    try:
        assert again.asked == [1]
        assert second.practitioner.name == "Dr Ana Lee"
    finally:
        second.shutdown()


def test_each_log_offers_the_practitioner_last_chosen_in_it(qtbot, tmp_path, clock) -> None:
    """Profiles are numbered in each log: Dr Lee, the second profile of the room's log, is the first in the
    clinic's; the clinic's log must not preselect whoever is second there."""
    def second_of_two(store, _last):
        store.create_practitioner("Dr Sam Kim")
        return make_lee(store, _last)

    room = start(qtbot, tmp_path, clock, Chooser(second_of_two), db="room.sqlite3")
    room.shutdown()
    clinic_chooser = Chooser(lambda store, last: make_lee(store, last) if last is None else None)
    clinic = start(qtbot, tmp_path, clock, clinic_chooser, db="clinic.sqlite3")
    clinic.shutdown()
    assert clinic_chooser.asked == [None], "the room's Dr Lee (2) is someone else, or no one, in the clinic's log"
    for db, lee in (("room.sqlite3", 2), ("clinic.sqlite3", 1)):
        again = Chooser(lambda store, last: store.get_practitioner(last))
        a = start(qtbot, tmp_path, clock, again, db=db)
        try:
            assert again.asked == [lee] and a.practitioner.name == "Dr Ana Lee"
        finally:
            a.shutdown()


def test_cancelling_the_chooser_quits_before_anything_is_recorded(qtbot, tmp_path, clock) -> None:
    a = start(qtbot, tmp_path, clock, Chooser(lambda store, last: None))
    try:
        assert a.records is None and a.stim is None, "nothing is built for a practitioner who quit"
        assert a.practitioner is None
    finally:
        a.shutdown()


def test_the_demo_chooses_its_practitioner_without_a_dialog(qtbot, tmp_path, clock, monkeypatch) -> None:
    monkeypatch.setattr(PractitionerChooser, "exec", lambda self: pytest.fail("the demo opened the chooser"))
    a = start(qtbot, tmp_path, clock, None, demo=True)
    try:
        assert a.practitioner is not None
        assert a.practitioner.code in a.window.practitioner_label.text()
    finally:
        a.shutdown()
