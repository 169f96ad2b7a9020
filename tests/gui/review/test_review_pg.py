"""The review window over a clinic's server log lists exactly what it lists over the same log in a file."""

from __future__ import annotations

import datetime as dt

import pytest
from review_helpers import wait_loaded

from neurotimer.storage.review_queries import ReviewFilter, count_sessions, fetch_rows
from neurotimer.storage.store import open_readonly
from neurotimer.storage.transfer import copy_log

FILTERS = [
    ReviewFilter(),
    ReviewFilter(patient="p-000"),
    ReviewFilter(points=("ST36", "SP6")),
    ReviewFilter(adverse="any"),
    ReviewFilter(state="completed", since=dt.date(2026, 10, 1)),
    ReviewFilter(notes="%_'"),
]
SORTS = ["date", "patient", "session", "minutes", "points", "peak", "adverse"]


@pytest.fixture
def server_demo(review_demo, pg_url: str) -> str:
    source = open_readonly(review_demo)
    try:
        assert copy_log(source, pg_url).ok
    finally:
        source.close()
    return pg_url


def test_every_filter_and_sort_lists_alike_on_both_engines(review_demo, server_demo: str) -> None:
    lite, server = open_readonly(review_demo), open_readonly(server_demo)
    try:
        for f in FILTERS:
            assert count_sessions(server.conn, f) == count_sessions(lite.conn, f), f
            for sort in SORTS:
                for descending in (True, False):
                    assert fetch_rows(server.conn, f, sort, descending, 0, 30) == fetch_rows(
                        lite.conn, f, sort, descending, 0, 30
                    ), (f, sort, descending)
    finally:
        lite.close()
        server.close()


def test_the_review_window_reads_a_server_log_on_its_thread(qtbot, server_demo: str, catalogue_source) -> None:
    from neurotimer.gui.review.launch import build_review_window
    from neurotimer.storage.review_open import open_for_review

    store, message = open_for_review(server_demo)
    assert store is not None, message
    window = build_review_window(store, catalogue_source)
    qtbot.addWidget(window)
    wait_loaded(qtbot, window)
    assert window.count.text() == "80 sessions in the log"
    assert window.model.row_at(0).chain_ok is True
    window.close()


def test_a_wrong_server_is_one_line_in_the_review_window(pg_server) -> None:
    from neurotimer.storage.review_open import open_for_review

    store, message = open_for_review(pg_server.url("nt_no_such_db"))
    assert store is None and "no such database" in message and "\n" not in message


def test_a_report_from_a_server_log_is_the_report_from_the_file(tmp_path, review_docs, server_demo: str) -> None:
    import subprocess

    from neurotimer.cli import main as cli_main

    doc = max(review_docs, key=lambda d: (d["started_at"], d["id"]))
    out = tmp_path / "server.pdf"
    assert cli_main(["report", "--db", server_demo, "--session", str(doc["id"]), "--out", str(out)]) == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, timeout=60).stdout
    assert doc["last_hash"] in "".join(text.split()) and doc["patient"]["name"] in " ".join(text.split())
