"""The log on PostgreSQL beside SQLite (not a test): append latency and concurrent writers.

1. Event append latency through the Recorder, each event its own committed transaction: p50 and p99 on a
   SQLite file (synchronous=FULL) and on PostgreSQL over loopback (fsync on), in the same run.
   Target: p99 under 10 ms on PostgreSQL.
2. 2, 4 and 8 writer processes at once, each recording its own session as fast as it can: events per
   second in all and the p99 of one append, on both engines.
Uses the server in NEUROTIMER_TEST_PG (a user that may create databases) or a throwaway durable cluster.
Several runs; medians printed.
Run: .venv/bin/python benchmarks/bench_storage_pg.py [--runs 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import open_store

ROOT = Path(__file__).resolve().parent.parent


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

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.remove()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    server = Server()
    folder = Path(tempfile.mkdtemp(prefix="nt-bench-pg-"))
    try:
        lat: dict[str, list[tuple[float, float]]] = {"sqlite": [], "postgresql": []}
        for run in range(args.runs):
            for engine in lat:
                location = folder / f"lat-{run}.sqlite3" if engine == "sqlite" else server.new_database()
                samples = record_events(location, args.events)
                lat[engine].append((percentile(samples, 0.5) * 1000, percentile(samples, 0.99) * 1000))
        print(f"append latency, {args.events} events, median of {args.runs} runs:")
        for engine, runs in lat.items():
            p50 = statistics.median(r[0] for r in runs)
            p99 = statistics.median(r[1] for r in runs)
            print(f"  {engine:<10} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
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
    finally:
        server.close()
        for entry in folder.glob("*"):
            entry.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
