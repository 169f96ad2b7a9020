"""Review window figures on a log of 100,000 sessions (not a test): first rows, a point filter, a replay, a PDF.

The log: `neurotimer demo-data`'s code writes 2,000 real sessions (2,000 patients, every event, readings once a
minute per channel); each is then copied 49 times further back in time with its plan, scores, adverse events and
peaks but without its events (a copy's chain is empty, so it verifies), which makes 100,000 sessions in a few
seconds instead of hours. The newest 2,000 — the first pages, the replay and the report — are the real ones.

1. The review window to its first rows (log opened, window built, query thread started, first page back;
   the count and each row's chain check follow).
2. A point filter (LU5) applied, to its first rows.
3. A session's replay with its timeline drawn (about 200 events).
4. A course report written as PDF.
Several runs; medians printed beside the targets.
Run: .venv/bin/python benchmarks/bench_review.py [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

REAL, COPIES, PATIENTS = 2_000, 49, 2_000
TARGETS = {"first rows": 0.300, "point filter": 0.150, "replay": 0.200, "course PDF": 1.0}


def build_log(path: Path) -> Path:
    import sqlite3

    from neurotimer.storage.demo import make_demo_database

    if path.exists():
        return path
    began = time.perf_counter()
    make_demo_database(path, patients=PATIENTS, sessions=REAL, seed=3)
    conn = sqlite3.connect(path, isolation_level=None)
    top_session = conn.execute("SELECT max(id) FROM sessions").fetchone()[0]
    top_course = conn.execute("SELECT max(id) FROM courses").fetchone()[0]
    top_score = conn.execute("SELECT max(id) FROM scores").fetchone()[0]
    top_adverse = conn.execute("SELECT coalesce(max(id), 0) FROM adverse_events").fetchone()[0]
    conn.execute("BEGIN")
    for k in range(1, COPIES + 1):
        s, c, days = k * top_session, k * top_course, k * 400
        # A closed session's plan cannot be added to (a rule of the log): the copies' plans go in first.
        for table, columns in (("session_points", "position, code, side"),
                               ("session_channels", "channel, a_code, a_side, b_code, b_side, settings"),
                               ("session_peaks", "channel, peak_ma")):
            conn.execute(f"INSERT INTO {table} (session_id, {columns}) SELECT session_id + ?, {columns} FROM {table}"
                         " WHERE session_id <= ?", (s, top_session))
        conn.execute(
            "INSERT INTO courses (id, patient_id, practitioner_id, condition, planned_sessions, sessions_per_week,"
            " style, reasoning, started_on, created_at, symptoms, closed_on, outcome)"
            " SELECT id + ?, patient_id, practitioner_id, condition, planned_sessions, sessions_per_week, style,"
            " reasoning, date(started_on, ?), created_at, symptoms, date(started_on, ?), 'course completed'"
            " FROM courses WHERE id <= ?", (c, f"-{days} days", f"-{days - 60} days", top_course))
        conn.execute(
            "INSERT INTO sessions (id, patient_id, course_id, practitioner_id, number, planned_minutes, state,"
            " needle_type, depth, response_sought, setting, notes, started_at, ended_at, treatment_seconds,"
            " event_count, last_hash)"
            " SELECT id + ?, patient_id, course_id + ?, practitioner_id, number, planned_minutes, state, needle_type,"
            " depth, response_sought, setting, notes, strftime('%Y-%m-%dT%H:%M:%fZ', started_at, ?),"
            " strftime('%Y-%m-%dT%H:%M:%fZ', ended_at, ?), treatment_seconds, 0, zeroblob(32)"
            " FROM sessions WHERE id <= ?", (s, c, f"-{days} days", f"-{days} days", top_session))
        conn.execute("INSERT INTO scores (id, session_id, symptom, timing, value, recorded_at) SELECT id + ?,"
                     " session_id + ?, symptom, timing, value, recorded_at FROM scores WHERE id <= ?",
                     (k * top_score, s, top_score))
        conn.execute("INSERT INTO adverse_events (id, session_id, kind, severity, notes, recorded_at) SELECT id + ?,"
                     " session_id + ?, kind, severity, notes, recorded_at FROM adverse_events WHERE id <= ?",
                     (k * top_adverse, s, top_adverse))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
    conn.close()
    print(f"built {path.name}: {total:,} sessions in {time.perf_counter() - began:.0f} s")
    return path


def wait(condition, timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        QCoreApplication.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError("the review window did not answer")


def measure(path: Path, runs: int) -> dict[str, list[float]]:
    from neurotimer.gui.review.launch import build_review_window, load_catalogue
    from neurotimer.gui.review.reports import course_report
    from neurotimer.storage.review_open import open_for_review

    source = load_catalogue()
    times: dict[str, list[float]] = {name: [] for name in TARGETS}
    for run in range(runs):
        began = time.perf_counter()
        store, message = open_for_review(path)
        assert store is not None, message
        window = build_review_window(store, source)
        window.show()
        wait(lambda: window.model.rowCount() > 0)  # noqa: B023
        times["first rows"].append(time.perf_counter() - began)
        wait(lambda: not window.model.busy and window.replay is not None)  # noqa: B023
        assert window.model.total == (COPIES + 1) * REAL

        began = time.perf_counter()
        window.filters.point.setText("LU5")
        window.filters.apply()  # the list empties at once, then fills from the query thread
        wait(lambda: window.model.rowCount() > 0)  # noqa: B023
        times["point filter"].append(time.perf_counter() - began)
        wait(lambda: not window.model.busy)  # noqa: B023
        window.filters.clear()
        wait(lambda: not window.model.busy)  # noqa: B023

        session_id = window.model.row_at(run).id
        began = time.perf_counter()
        window.replay.show_session(session_id)
        QCoreApplication.processEvents()
        times["replay"].append(time.perf_counter() - began)

        course = store.get_session(session_id).summary.course_id
        out = Path(tempfile.mkdtemp()) / "course.pdf"
        began = time.perf_counter()
        course_report(store, course).write_pdf(out)
        times["course PDF"].append(time.perf_counter() - began)
        window.close()
        store.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="a folder to keep the 100,000-session log in between runs")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-review-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = build_log(folder / "review-100k.sqlite3")
    times = measure(path, args.runs)
    for name, samples in times.items():
        median = statistics.median(samples)
        verdict = "ok" if median <= TARGETS[name] else "OVER TARGET"
        print(f"{name:13s} median {median * 1000:7.1f} ms  (target {TARGETS[name] * 1000:.0f} ms, "
              f"{len(samples)} runs, max {max(samples) * 1000:.1f} ms)  {verdict}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
