"""The review list over a demo log: each filter, their combinations and sorting against hand counts."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from review_helpers import wait_loaded

from neurotimer.gui.review.session_table import COLUMNS, DAMAGED
from neurotimer.storage.review_queries import ReviewFilter, fetch_rows
from neurotimer.storage.store import open_readonly


def shown_ids(window) -> list[int]:
    model = window.model
    while model.canFetchMore():
        model.fetchMore()
        model_busy_wait(window)
    return [model.row_at(r).id for r in range(model.rowCount())]


def model_busy_wait(window) -> None:
    import time

    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + 10
    while window.model.busy and time.monotonic() < deadline:
        QCoreApplication.processEvents()


def expect(docs, keep) -> list[int]:
    """The sessions a filter should find, newest first, counted from the export documents."""
    chosen = [d for d in docs if keep(d)]
    chosen.sort(key=lambda d: (d["started_at"], d["id"]), reverse=True)
    return [d["id"] for d in chosen]


def codes(doc) -> set[str]:
    return {p["code"] for p in doc["points"]}


def apply(qtbot, window, **typed) -> None:
    bar = window.filters
    for name, value in typed.items():
        widget = getattr(bar, name)
        if hasattr(widget, "setText"):
            widget.setText(value)
        else:
            widget.setCurrentIndex(widget.findData(value) if not isinstance(value, int) else value)
    bar.apply()
    wait_loaded(qtbot, window)


def test_newest_first_every_session_with_its_columns(qtbot, review_window, review_docs) -> None:
    assert window_count(review_window) == 80 == len(review_docs)
    assert review_window.count.text() == "80 sessions in the log"
    assert review_window.windowTitle() == "Review — neurotimer"
    assert shown_ids(review_window) == expect(review_docs, lambda d: True)
    first = review_window.model.row_at(0)
    doc = next(d for d in review_docs if d["id"] == first.id)
    text = {key: review_window.model.index(0, i).data() for i, (key, _) in enumerate(COLUMNS)}
    assert text["patient"] == f"{doc['patient']['code']}  {doc['patient']['name']}"
    assert text["session"] == f"course {doc['course']['id']} · {doc['number']} of {doc['course']['planned_sessions']}"
    sides: dict[str, list[str]] = {}
    for p in doc["points"]:
        sides.setdefault(p["code"], []).append(p["side"])
    assert text["points"] == "; ".join(f"{c} {'+'.join(s)}" for c, s in sides.items())
    assert text["channels"] == str(len(doc["channels"]))
    commanded = [e["data"]["mA"] for e in doc["events"] if e["kind"] == "stim.intensity"] + [
        e["data"]["args"][1] for e in doc["events"]
        if e["kind"] == "stim.command" and e["data"]["command"] == "set_current"]
    assert text["peak"] == f"{max(commanded):.1f}"


def window_count(window) -> int:
    return window.model.total


@pytest.mark.parametrize(
    ("typed", "keep"),
    [
        ({"patient": "p-0003"}, lambda d: d["patient"]["code"] == "P-0003"),
        ({"patient": "carmen"}, lambda d: "Carmen" in d["patient"]["name"]),
        ({"point": "ST36"}, lambda d: "ST36" in codes(d)),
        ({"point": "st 36"}, lambda d: "ST36" in codes(d)),
        ({"point": "zusanli"}, lambda d: "ST36" in codes(d)),
        ({"point": "LU5"}, lambda d: "LU5" in codes(d)),
        ({"point": "GB41"}, lambda d: "GB41" in codes(d)),
        ({"adverse": "any"}, lambda d: bool(d["adverse_events"])),
        ({"adverse": "bruising"}, lambda d: any(a["kind"] == "bruising" for a in d["adverse_events"])),
        ({"state": "ended_early"}, lambda d: d["state"] == "ended_early"),
        ({"since": "2026-10-01", "until": "2026-10-31"},
         lambda d: "2026-10-01" <= d["started_at"][:10] <= "2026-10-31"),
        ({"practitioner": "demo"}, lambda d: True),
        ({"practitioner": "nobody"}, lambda d: False),
        ({"point": "ST36", "adverse": "any"}, lambda d: "ST36" in codes(d) and bool(d["adverse_events"])),
        ({"patient": "P-0001", "point": "GB41", "since": "2026-06-01"},
         lambda d: d["patient"]["code"] == "P-0001" and "GB41" in codes(d) and d["started_at"][:10] >= "2026-06-01"),
    ],
    ids=lambda v: str(v) if isinstance(v, dict) else "",
)
def test_filters_find_what_a_hand_count_finds(qtbot, review_window, review_docs, typed, keep) -> None:
    apply(qtbot, review_window, **typed)
    wanted = expect(review_docs, keep)
    assert review_window.model.total == len(wanted)
    assert shown_ids(review_window) == wanted


def test_the_demo_log_has_answers_worth_counting(review_docs) -> None:
    # The filters above would pass vacuously on a log without these; the demo must hold each kind.
    assert 0 < sum(1 for d in review_docs if d["adverse_events"]) < 80
    assert 0 < sum(1 for d in review_docs if "LU5" in codes(d)) < 80
    assert any(d["state"] == "ended_early" for d in review_docs)


def test_a_nerve_finds_sessions_with_any_point_on_it(qtbot, review_window, review_docs, catalogue_source) -> None:
    nerve = next(n for n in catalogue_source.nerves if "ST36" in n.points or
                 any(p.code == "ST36" for p in catalogue_source.catalogue.by_nerve(n.id)))
    on_nerve = set(nerve.points) | {p.code for p in catalogue_source.catalogue.by_nerve(nerve.id)}
    apply(qtbot, review_window, nerve=nerve.name)
    assert shown_ids(review_window) == expect(review_docs, lambda d: bool(codes(d) & on_nerve))


def note_texts(doc) -> list[str]:
    return [doc.get("notes") or ""] + [e["data"]["text"] for e in doc["events"] if e["kind"] == "session.note"]


@pytest.mark.parametrize("odd", ["'", '"', "%", "_", "ST36%", "P-000_", "x" * 10_000, "'; DROP TABLE sessions; --"])
def test_odd_text_finds_what_it_says_and_nothing_else(qtbot, review_window, review_docs, odd) -> None:
    fields = ("patient", "notes", "practitioner", "point")
    for field in fields:
        apply(qtbot, review_window, **{name: odd if name == field else "" for name in fields})
        wanted = 0
        if field == "notes":  # a demo note does hold "%" ("40 % of the way"): counted by hand, literally
            wanted = sum(1 for d in review_docs if any(odd.lower() in t.lower() for t in note_texts(d)))
        assert review_window.model.total == wanted, (field, odd[:20])
        assert review_window.message.isHidden()
    apply(qtbot, review_window, patient="", notes="", practitioner="", point="")
    assert review_window.model.total == 80


def test_odd_text_in_a_note_is_found_literally(qtbot, review_demo) -> None:
    from neurotimer.storage.review_open import open_for_review

    store, _ = open_for_review(review_demo)
    sid = store.conn.execute("SELECT max(id) FROM sessions").fetchone()[0]
    store.add_note(sid, 'Felt 50% better; said "much_less" burning', "Dr Demo")
    conn = store.conn
    for text, found in (("50%", [sid]), ('"much_less"', [sid]), ("much less", []), ("5_%", [])):
        ids = [r.id for r in fetch_rows(conn, ReviewFilter(notes=text), limit=100)]
        assert ids == found, text
    store.close()


def test_a_bad_date_says_so_and_keeps_the_list(qtbot, review_window) -> None:
    apply(qtbot, review_window, since="31/12/2026")
    assert "not a date like 2026-03-31" in review_window.message.text()
    assert review_window.model.total == 80


@pytest.mark.parametrize("column", [key for key, _ in COLUMNS])
def test_every_column_sorts_both_ways(qtbot, review_window, review_docs, column) -> None:
    index = review_window.column_of(column)
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        review_window.table.sortByColumn(index, order)
        wait_loaded(qtbot, review_window)
        ids = shown_ids(review_window)
        assert sorted(ids) == sorted(d["id"] for d in review_docs)
        rows = [review_window.model.row_at(r) for r in range(len(ids))]
        docs = {d["id"]: d for d in review_docs}
        keys = [sort_value(row, column, docs[row.id]) for row in rows]
        assert keys == sorted(keys, reverse=order == Qt.SortOrder.DescendingOrder), column


def sort_value(row, column, doc):
    return {
        "date": row.started_at, "patient": row.patient_code or "", "session": (row.course_id or 0, row.number or 0),
        "minutes": row.treatment_seconds, "state": row.state, "channels": row.channels,
        "peak": row.peak_ma or 0.0, "adverse": row.adverse_events, "amendments": row.amendments,
        "where": (row.workstation, row.chair),
        # Points sort by the plan as written, point by point in the plan's order.
        "points": ",".join(f"{p['code']} {p['side']}" for p in doc["points"]),
    }[column]


def test_rows_arrive_a_page_at_a_time_as_the_list_scrolls(qtbot, review_demo) -> None:
    from neurotimer.gui.review.session_table import SessionTableModel

    model = SessionTableModel(review_demo, page=25)
    try:
        model.reload()
        qtbot.waitUntil(lambda: not model.busy)
        assert model.rowCount() == 25 and model.total == 80 and model.canFetchMore()
        while model.canFetchMore():
            model.fetchMore()
            qtbot.waitUntil(lambda: not model.busy)
        assert model.rowCount() == 80 and not model.canFetchMore()
    finally:
        model.close()


def test_a_session_whose_chain_fails_is_marked_red_not_hidden(qtbot, review_demo, catalogue_source) -> None:
    import sqlite3

    from neurotimer.gui.review.launch import build_review_window
    from neurotimer.storage.review_open import open_for_review

    conn = sqlite3.connect(review_demo)
    victim = conn.execute("SELECT id FROM sessions ORDER BY started_at DESC LIMIT 1 OFFSET 2").fetchone()[0]
    conn.execute("DROP TRIGGER events_append_only_update")
    conn.execute("UPDATE events SET kind = kind || 'x' WHERE session_id = ? AND seq = 5", (victim,))
    conn.commit()
    conn.close()
    store, _ = open_for_review(review_demo)
    window = build_review_window(store, catalogue_source)
    qtbot.addWidget(window)
    wait_loaded(qtbot, window)
    assert window.model.total == 80
    ids = shown_ids(window)
    row = ids.index(victim)
    state = window.model.index(row, window.column_of("state"))
    assert DAMAGED in state.data()
    assert state.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"
    others = [window.model.index(r, window.column_of("state")).data() for r in range(len(ids)) if r != row]
    assert not any(DAMAGED in text for text in others)
    window.close()


@pytest.mark.parametrize("content", [b"", b"not a database at all\n" * 50, "sqlite-foreign", "damaged"])
def test_a_foreign_or_damaged_file_gets_one_line_and_is_not_written(qtbot, tmp_path, content,
                                                                   review_demo_master) -> None:
    import sqlite3

    from neurotimer.gui.review.launch import build_review_window
    from neurotimer.storage.review_open import open_for_review

    path = tmp_path / "other.db"
    if content == "damaged":  # a neurotimer log with pages overwritten in the middle
        data = bytearray(review_demo_master.read_bytes())
        middle = len(data) // 2
        data[middle:middle + 8192] = b"\xff" * 8192
        path.write_bytes(bytes(data))
    elif content == "sqlite-foreign":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE invoices (id INTEGER)")
        conn.commit()
        conn.close()
    else:
        path.write_bytes(content)
    before = path.read_bytes()
    store, message = open_for_review(path)
    assert store is None and message and "\n" not in message
    window = build_review_window(None, None, message)
    qtbot.addWidget(window)
    assert window.message.text() == message and window.model is None
    assert path.read_bytes() == before
    # SQLite's read-only look at a WAL-mode file leaves its empty side files; nothing is written to the log.
    others = [p for p in tmp_path.iterdir() if p.name != "other.db"]
    assert {p.name for p in others} <= {"other.db-wal", "other.db-shm"}
    assert all(p.stat().st_size == 0 for p in others if p.name.endswith("-wal"))
    window.close()


def test_queries_take_dates_as_days(review_demo_master, review_docs) -> None:
    store = open_readonly(review_demo_master)
    try:
        text = review_docs[len(review_docs) // 2]["started_at"][:10]
        day = dt.date.fromisoformat(text)
        rows = fetch_rows(store.conn, ReviewFilter(since=day, until=day), limit=500)
        assert len(rows) == sum(1 for d in review_docs if d["started_at"].startswith(text))
        assert rows and all(r.started_at.startswith(text) for r in rows)
    finally:
        store.close()
