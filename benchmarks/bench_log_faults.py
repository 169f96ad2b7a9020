"""When the log fails (not a test): what the safeguards cost and how long the window can be held.

1. Append latency through the Recorder on a SQLite file (synchronous=FULL), with the file check on every commit
   and a spool file, beside the same without them, interleaved in the same run: p50 and p99.
2. Spooling: the time one event takes to be appended and synced to the spool file while the log fails (p50, p99).
3. Replay at start: a spool of 1,796 events written into the log in one transaction (seconds, events per second).
4. A silent log server (a relay that accepts and never answers): the longest the calling (GUI) thread is held by
   one write, and the median over 20 writes, with the 0.5 s bound on the GUI thread's calls (without it: until
   the process is killed). Uses NEUROTIMER_TEST_PG or a throwaway cluster; skipped when PostgreSQL is not installed.
Run: .venv/bin/python benchmarks/bench_log_faults.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from neurotimer.session.clock import ManualClock
from neurotimer.session.session import Session
from neurotimer.storage.bounded import SERVER_CALL_BOUND_S
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.spool import Spool, replay_spool, spool_path
from neurotimer.storage.store import open_store

ROOT = Path(__file__).resolve().parent.parent


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def appends(folder: Path, guarded: bool, count: int = 1000) -> tuple[float, float]:
    clock = ManualClock()
    path = folder / f"{uuid.uuid4().hex}.sqlite3"
    store = open_store(path, clock=clock, daily_backup=False)
    if not guarded:
        store._watch = None
    recorder = Recorder(store, clock, spool=Spool(spool_path(store)) if guarded else None)
    session = Session(clock, 60)
    recorder.attach(session)
    session.start()
    samples = []
    for step in range(count):
        clock.advance(0.2)
        began = time.perf_counter()
        recorder.record("stim.intensity", {"channel": 1 + step % 8, "mA": round(step % 100 * 0.1, 1)})
        samples.append(time.perf_counter() - began)
    recorder.close()
    store.close()
    return percentile(samples, 0.5) * 1000, percentile(samples, 0.99) * 1000


def spooling_and_replay(folder: Path, count: int = 1796) -> tuple[float, float, float]:
    """The recording process of the storage tests' spool child (tests/storage/spool_child.py), timed."""
    sys.path.insert(0, str(ROOT / "tests" / "storage"))
    from spool_child import record_on_a_full_disk

    clock = ManualClock()
    path = folder / f"{uuid.uuid4().hex}.sqlite3"
    samples: list[float] = []
    store, recorder = record_on_a_full_disk(path, count, clock, samples)
    assert recorder.spooled == count
    recorder.close()
    store.conn._conn.close()
    later = open_store(path, clock=clock, daily_backup=False)
    began = time.perf_counter()
    replayed = replay_spool(later)
    took = time.perf_counter() - began
    assert replayed.count == count
    later.close()
    return percentile(samples, 0.5) * 1000, percentile(samples, 0.99) * 1000, took


def silent_server() -> tuple[float, float] | None:
    sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "tests" / "storage")]
    from blackhole import Blackhole

    cluster = None
    admin = os.environ.get("NEUROTIMER_TEST_PG")
    if not admin:
        try:
            from pg_cluster import start_cluster

            cluster = start_cluster()
        except (RuntimeError, OSError) as exc:
            print(f"4. silent server: skipped ({exc})")
            return None
        admin = cluster.url()
    import psycopg

    name = f"nt_bench_{uuid.uuid4().hex[:8]}"
    relay = None
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(admin)
        relay = Blackhole(parts.port or 5432, parts.hostname or "127.0.0.1")
        url = urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{relay.port}", path=f"/{name}"))
        clock = ManualClock()
        store = open_store(url, clock=clock)
        store.bound_gui_calls(SERVER_CALL_BOUND_S)
        recorder = Recorder(store, clock)
        session = Session(clock, 30)
        recorder.attach(session)
        session.start()
        relay.silence()
        held = []
        for n in range(20):
            clock.advance(0.3)
            began = time.perf_counter()
            recorder.record("stim.intensity", {"n": n})
            recorder.progress()
            held.append(time.perf_counter() - began)
            time.sleep(0.2)
        if store.leases is not None:
            store.leases.stop()
        return max(held) * 1000, statistics.median(held) * 1000
    finally:
        if relay is not None:
            relay.close()
        if cluster is not None:
            cluster.stop("immediate")
            cluster.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        plain, guarded = [], []
        for _ in range(args.runs):
            plain.append(appends(Path(folder), guarded=False))
            guarded.append(appends(Path(folder), guarded=True))
        p50, p99 = statistics.median(p for p, _ in guarded), statistics.median(q for _, q in guarded)
        old50, old99 = statistics.median(p for p, _ in plain), statistics.median(q for _, q in plain)
        print(f"1. append with file check + spool: p50 {p50:.2f} ms, p99 {p99:.2f} ms; without, same run: "
              f"p50 {old50:.2f} ms, p99 {old99:.2f} ms; p99 ratio {p99 / old99:.2f}")
        spool50, spool99, replay_s = spooling_and_replay(Path(folder))
        print(f"2. one event into the spool (log failing): p50 {spool50:.2f} ms, p99 {spool99:.2f} ms")
        print(f"3. replay of 1,796 spooled events at start: {replay_s:.2f} s ({1796 / replay_s:,.0f} events/s)")
    held = silent_server()
    if held is not None:
        print(f"4. silent server, write bound {SERVER_CALL_BOUND_S} s: GUI thread held at most {held[0]:.0f} ms, "
              f"median {held[1]:.1f} ms over 20 writes (without the bound: until the process is killed)")


if __name__ == "__main__":
    main()
