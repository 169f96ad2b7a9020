"""The log on PostgreSQL beside SQLite (not a test): append latency, concurrent writers, review of 100,000 sessions.

1. Event append latency through the Recorder, each event its own committed transaction: p50 and p99 on a
   SQLite file (synchronous=FULL) and on PostgreSQL over loopback (fsync on), in the same run, interleaved;
   PostgreSQL without the pipelining of writes (one round trip per statement) as the baseline; and the
   floor: a bare durable two-round-trip transaction on the same server (what the machine allows).
   Target: p99 under 10 ms on PostgreSQL.
2. 2, 4 and 8 writer processes at once, each recording its own session as fast as it can: events per
   second in all and the p99 of one append, on both engines.
3. The review window on a log of 100,000 sessions (bench_review.py's log, copied to the server row for row):
   time to the first rows, and to the first rows of a point filter (LU5), on both engines.
Uses the server in NEUROTIMER_TEST_PG (a user that may create databases) or a throwaway cluster with fsync
on (its other settings are printed: a clinic's server has more memory, and a disk of its own).
Several runs; medians printed.
Run: .venv/bin/python benchmarks/bench_storage_pg.py [--runs 3] [--keep DIR] [--no-review]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "shared_buffers", "server_version")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def record_events(location, count: int) -> list[float]:
    """One session of `count` events through the Recorder; the seconds each append took."""
    clock = ManualClock()
    store = open_store(location, clock=clock, daily_backup=False, busy_timeout_ms=5000)
    recorder = Recorder(store, clock)
    session = Session(clock, 120)
    recorder.attach(session)
    session.start()
    samples = []
    for step in range(count):
        clock.advance(0.2)
        t0 = time.perf_counter()
        seq = recorder.record("stim.intensity", {"channel": 1 + step % 8, "mA": round(step % 100 * 0.1, 1)})
        while seq is None and not recorder.flush():  # held back (busy): counted until it is written
            time.sleep(0.002)
        samples.append(time.perf_counter() - t0)
    store.close()
    return samples


def interleaved(locations: dict[str, tuple[object, bool]], count: int,
                floor_url: str | None = None) -> dict[str, list[float]]:
    """One session per log, their events appended in turn (one to each, then the next round), so that
    whatever else the machine is doing weighs on each alike. Each value: (location, pipelined)."""
    clock = ManualClock()
    writers = {}
    for name, (location, pipelined) in locations.items():
        store = open_store(location, clock=clock, daily_backup=False, busy_timeout_ms=5000)
        if not pipelined:
            store.conn.pipelining = False  # every statement its own round trip, as before writes were pipelined
        recorder = Recorder(store, clock)
        session = Session(clock, 120)
        recorder.attach(session)
        writers[name] = (store, recorder, session)
    for _, _, session in writers.values():
        session.start()
    samples: dict[str, list[float]] = {name: [] for name in writers}
    floor = Floor(floor_url) if floor_url else None
    if floor is not None:
        samples["pg floor"] = []
    for step in range(count):
        clock.advance(0.2)
        for name, (_, recorder, _) in writers.items():
            t0 = time.perf_counter()
            seq = recorder.record("stim.intensity", {"channel": 1 + step % 8, "mA": round(step % 100 * 0.1, 1)})
            while seq is None and not recorder.flush():
                time.sleep(0.002)
            samples[name].append(time.perf_counter() - t0)
        if floor is not None:
            samples["pg floor"].append(floor.append(step))
    for store, _, _ in writers.values():
        store.close()
    if floor is not None:
        floor.close()
    return samples


class Floor:
    """What no write can beat on this server and machine: a durable transaction of two round trips (lock and
    read, then one small insert with its commit), no triggers, no chain."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute("CREATE TABLE bench_floor (n BIGINT PRIMARY KEY, payload TEXT NOT NULL)")

    def append(self, step: int) -> float:
        t0 = time.perf_counter()
        with self.conn.pipeline():
            self.conn.execute("BEGIN")
            self.conn.execute("SELECT pg_advisory_xact_lock(1)")
            cur = self.conn.execute("SELECT coalesce(max(n), 0) + 1 FROM bench_floor")
        with self.conn.pipeline():
            self.conn.execute("INSERT INTO bench_floor VALUES (%s, %s)", (cur.fetchone()[0], f"event {step}"))
            self.conn.execute("COMMIT")
        return time.perf_counter() - t0

    def close(self) -> None:
        self.conn.close()


def _writer(location, count: int, start, results) -> None:
    start.wait()
    results.put(record_events(location, count))


def concurrent(location, writers: int, count: int) -> tuple[float, float]:
    """Events per second in all, and p99 of one append in ms, with `writers` processes at once."""
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    results = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(location, count, start, results)) for _ in range(writers)]
    for proc in procs:
        proc.start()
    time.sleep(1.5)  # let every writer open its store before the clock starts
    t0 = time.perf_counter()
    start.set()
    samples = [s for _ in procs for s in results.get(timeout=300)]
    elapsed = time.perf_counter() - t0
    for proc in procs:
        proc.join(60)
    return len(samples) / elapsed, percentile(samples, 0.99) * 1000


class Server:
    def __init__(self) -> None:
        self.cluster = None
        self.admin_url = os.environ.get("NEUROTIMER_TEST_PG")
        if not self.admin_url:
            sys.path.insert(0, str(ROOT / "scripts"))
            from pg_cluster import start_cluster

            self.cluster = start_cluster(durable=True)
            self.admin_url = self.cluster.url()

    def new_database(self) -> str:
        name = f"nt_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = self.admin_url.rsplit("/", 1)[0] + "/" + name
        open_store(url).close()  # the schema first, so writers do not all set it up at once
        return url

    def settings(self) -> str:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            return ", ".join(f"{name}={conn.execute(f'SHOW {name}').fetchone()[0]}" for name in SETTINGS)

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.remove()


def review_figures(server: Server, folder: Path, runs: int) -> None:
    """bench_review.py's 100,000-session log on both engines: first rows, and a point filter's first rows."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_review import COPIES, REAL, build_log, wait
    from PySide6.QtWidgets import QApplication

    from neurotimer.gui.review.launch import build_review_window, load_catalogue
    from neurotimer.storage.review_open import open_for_review
    from neurotimer.storage.store import open_readonly
    from neurotimer.storage.transfer import copy_rows

    app = QApplication.instance() or QApplication(sys.argv[:1])
    lite = build_log(folder / "review-100k.sqlite3")
    url = server.new_database()
    began = time.perf_counter()
    source, target = open_readonly(lite), open_store(url, daily_backup=False)
    try:
        copy_rows(source, target)
        target.conn.execute("ANALYZE")  # as `neurotimer migrate` does after copying
    finally:
        source.close()
        target.close()
    print(f"  (copied to the server in {time.perf_counter() - began:.0f} s)")
    catalogue = load_catalogue()
    times: dict[str, dict[str, list[float]]] = {e: {"first rows": [], "point filter": []} for e in ("sqlite", "pg")}
    for _ in range(runs):
        for engine, location in (("sqlite", lite), ("pg", url)):
            began = time.perf_counter()
            store, message = open_for_review(location)
            assert store is not None, message
            window = build_review_window(store, catalogue)
            window.show()
            wait(lambda w=window: w.model.rowCount() > 0)
            times[engine]["first rows"].append(time.perf_counter() - began)
            wait(lambda w=window: not w.model.busy)
            assert window.model.total == (COPIES + 1) * REAL
            began = time.perf_counter()
            window.filters.point.setText("LU5")
            window.filters.apply()
            wait(lambda w=window: w.model.rowCount() > 0)
            times[engine]["point filter"].append(time.perf_counter() - began)
            wait(lambda w=window: not w.model.busy)
            window.close()
            store.close()
    print(f"review of {(COPIES + 1) * REAL:,} sessions, median of {runs} runs:")
    for name in ("first rows", "point filter"):
        lite_ms, pg_ms = (statistics.median(times[e][name]) * 1000 for e in ("sqlite", "pg"))
        print(f"  {name:<13} sqlite {lite_ms:7.1f} ms   postgresql {pg_ms:7.1f} ms")
    del app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="a folder to keep the 100,000-session SQLite log in between runs")
    parser.add_argument("--no-review", action="store_true", help="skip the 100,000-session review figures")
    args = parser.parse_args()
    server = Server()
    folder = Path(tempfile.mkdtemp(prefix="nt-bench-pg-"))
    print(f"server: {server.settings()}")
    try:
        lat: dict[str, list[tuple[float, float]]] = {
            "sqlite": [], "postgresql": [], "pg, no pipelining": [], "pg floor": []}
        for run in range(args.runs):
            samples = interleaved({"sqlite": (folder / f"lat-{run}.sqlite3", True),
                                   "postgresql": (server.new_database(), True),
                                   "pg, no pipelining": (server.new_database(), False)}, args.events,
                                  floor_url=server.new_database())
            for name, values in samples.items():
                lat[name].append((percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000))
        print(f"append latency, {args.events} events each, appended in turn, median of {args.runs} runs:")
        for name, runs in lat.items():
            p50 = statistics.median(r[0] for r in runs)
            p99 = statistics.median(r[1] for r in runs)
            print(f"  {name:<18} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
        print("concurrent writers (each its own session, 300 events), median of runs:")
        for writers in (2, 4, 8):
            for engine in ("sqlite", "postgresql"):
                figures = []
                for run in range(args.runs):
                    location = (folder / f"w{writers}-{run}.sqlite3" if engine == "sqlite"
                                else server.new_database())
                    if engine == "sqlite":
                        open_store(location, daily_backup=False).close()
                    figures.append(concurrent(location, writers, 300))
                rate = statistics.median(f[0] for f in figures)
                p99 = statistics.median(f[1] for f in figures)
                print(f"  {writers} writers {engine:<10} {rate:8.0f} events/s   p99 {p99:7.2f} ms")
        if not args.no_review:
            keep = args.keep or folder
            keep.mkdir(parents=True, exist_ok=True)
            review_figures(server, keep, args.runs)
    finally:
        server.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
