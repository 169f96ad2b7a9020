"""A past session replayed from the log: its timeline equals the logged current changes, marks, decisions."""

from __future__ import annotations

import numpy as np
from review_helpers import wait_loaded

from neurotimer.storage.review_open import open_for_review


def select(qtbot, window, session_id: int) -> None:
    model = window.model
    while True:
        ids = [model.row_at(r).id for r in range(model.rowCount())]
        if session_id in ids:
            window.table.selectRow(ids.index(session_id))
            return
        assert model.canFetchMore(), f"session {session_id} is not listed"
        model.fetchMore()
        wait_loaded(qtbot, window)


def logged_commands(docs, session_id):
    doc = next(d for d in docs if d["id"] == session_id)
    out: dict[int, list[tuple[float, float]]] = {}
    for e in doc["events"]:
        if e["kind"] == "stim.command" and e["data"]["command"] == "set_current":
            channel, milliamps = e["data"]["args"]
            out.setdefault(channel, []).append((e["offset"], milliamps))
    return doc, out


def test_the_timeline_holds_every_logged_current_change(qtbot, review_window, review_docs) -> None:
    session_id = review_window.model.row_at(0).id
    doc, commands = logged_commands(review_docs, session_id)
    select(qtbot, review_window, session_id)
    replay = review_window.replay.replay
    assert replay.session_id == session_id and commands
    plot = review_window.replay.plot
    for channel, changes in commands.items():
        assert replay.commands(channel) == changes
        _measured, target = plot.curves(channel)
        x, y = target.getData()
        drawn = set(zip(np.round(x * 60, 3), np.round(y, 3), strict=True))
        for offset, milliamps in changes:
            assert (round(offset, 3), round(milliamps, 3)) in drawn, (channel, offset, milliamps)
    # The measured line is the device's readings as logged, not a copy of the target.
    readings = [e for e in doc["events"] if e["kind"] == "stim.status" and e["data"]["channel"] == 1]
    measured, _ = plot.curves(1)
    _, my = measured.getData()
    assert readings and {round(r["data"]["measured_mA"], 2) for r in readings} <= set(np.round(my, 2))
    assert "Session ended" in [m.label for m in replay.marks]


def test_pause_alarm_and_emergency_stop_are_marked(qtbot, review_window, review_docs) -> None:
    def first(kind):
        return next(d["id"] for d in review_docs if any(e["kind"] == kind for e in d["events"]))

    for kind, label in (("session.paused", "Paused"), ("stim.emergency_stop", "Emergency stop"),
                        ("stim.lead_off", "Lead off")):
        session_id = first(kind)
        select(qtbot, review_window, session_id)
        labels = [m.label for m in review_window.replay.replay.marks]
        assert any(text.startswith(label) for text in labels), (kind, labels)
    hover = review_window.replay.plot.describe(review_window.replay.replay.marks[0].offset / 60)
    assert "mA measured" in hover and review_window.replay.replay.marks[0].label in hover


def test_acknowledgements_and_notes_show_who_and_when(qtbot, review_window, review_docs) -> None:
    session_id = next(d["id"] for d in review_docs if any(e["kind"] == "safety.acknowledged" for e in d["events"]))
    select(qtbot, review_window, session_id)
    text = review_window.replay.events_text.toPlainText()
    assert "Dr Demo Practitioner acknowledged Bleeding disorder or anticoagulants at" in text
    noted = next(d for d in review_docs if any(e["kind"] == "session.note" for e in d["events"]))
    select(qtbot, review_window, noted["id"])
    note = next(e["data"]["text"] for e in noted["events"] if e["kind"] == "session.note")
    assert note in review_window.replay.events_text.toPlainText()
    log = review_window.replay.log_model
    assert log.rowCount() == len(noted["events"])
    assert log.index(0, 3).data() == "session.opened", "the row's facts as written come first in the chain"
    assert log.index(1, 3).data() == "session.started" and log.index(1, 2).data() == "0:00"


def test_an_amended_score_shows_the_original_beside_the_correction(qtbot, review_demo, catalogue_source) -> None:
    from neurotimer.gui.review.launch import build_review_window

    store, _ = open_for_review(review_demo)
    session_id = store.newest_sessions(1)[0].id
    score = store.get_session(session_id).scores[0]
    store.amend_score(session_id, score.symptom, score.timing, (score.value + 3) % 11, "Dr Demo", "typed wrong")
    window = build_review_window(store, catalogue_source)
    qtbot.addWidget(window)
    wait_loaded(qtbot, window)
    assert window.model.index(0, window.column_of("amendments")).data() == "1"
    select(qtbot, window, session_id)
    html = window.replay.scores_text.toHtml()
    assert f"<s>{score.value}</s>" in html.replace('<span style=" text-decoration: line-through;">', "<s>") or (
        "line-through" in html)
    text = window.replay.events_text.toPlainText()
    assert f"{score.symptom} {score.timing} score: {score.value} → {(score.value + 3) % 11} by Dr Demo" in text
    assert "typed wrong" in text
    record = store.get_session(session_id)
    assert record.scores[0].value == score.value  # the fact row is as written
    window.close()


def test_the_plan_tab_lists_needling_and_pairs(qtbot, review_window, review_docs) -> None:
    session_id = review_window.model.row_at(1).id
    doc = next(d for d in review_docs if d["id"] == session_id)
    select(qtbot, review_window, session_id)
    text = review_window.replay.plan_text.toPlainText()
    assert doc["needle_type"] in text and doc["depth"] in text and doc["response_sought"] in text
    c = doc["channels"][0]
    assert f"CH 1: {c['a']['code']} {c['a']['side']} – {c['b']['code']} {c['b']['side']}" in text


def test_a_note_written_days_later_leaves_the_timeline_as_long_as_the_session(review_demo) -> None:
    import datetime as dt

    from neurotimer.session.clock import ManualClock
    from neurotimer.storage.replay import session_replay

    store, message = open_for_review(review_demo)
    assert store is not None, message
    try:
        [last] = store.newest_sessions(1)
        before = session_replay(store, last.id)
        assert 60 < before.duration < 4 * 3600
        store.clock = ManualClock(wall_start=dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC))  # 12 days after
        store.add_note(last.id, "Walked 2 km without pain", "Dr Lee")
        after = session_replay(store, last.id)
        assert [n[2] for n in after.notes][-1] == "Walked 2 km without pain"
        assert after.duration == before.duration, "the plot's axis stays the session's, not twelve days long"
    finally:
        store.close()
