"""Session log figures (not a test): append latency, a 10,000-session log, verify, bytes per long session.

1. Event append latency with synchronous=FULL (each event its own committed transaction): p50, p99, beside
   the write path before the whole-log chain (format 2: one chain per session), measured in the same run
   with the two paths' appends interleaved, and the pages each commit writes.
2. A log of 10,000 sessions (1,000 patients, ~50 events each, valid hash chains): opening the store
   (identity checks and migrations; the quick check of a log this large runs in the background and
   the time until it has passed is printed too; today's backup already taken), listing the newest 100
   sessions, loading one patient's course (sessions and scores), and that course's full records.
   `verify` of that log (chain and replay of every table): wall and CPU time, sessions and events per second.
3. Bytes added to the database by one 60-minute, 8-channel session written through the Recorder.
Several runs; medians printed.
Run: .venv/bin/python benchmarks/bench_storage.py [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path

from neurotimer.session.clock import ManualClock, rfc3339
from neurotimer.session.session import Session
from neurotimer.storage import db, legacy_chain, migrations
from neurotimer.storage.chain import GENESIS, append_event, canonical_payload, normal_offset
from neurotimer.storage.recorder import Recorder
from neurotimer.storage.store import Store, open_readonly, open_store
from neurotimer.storage.verify import verify_store

SESSIONS = 10_000
PATIENTS = 1_000


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def append_latency(folder: Path, count: int = 2000) -> tuple[float, float]:
    clock = ManualClock()
    store = open_store(folder / "latency.sqlite3", clock=clock, daily_backup=False)
    recorder = Recorder(store, clock)
    session = Session(clock, 60)
    recorder.attach(session)
    session.start()
    samples = []
    for step in range(count):
        clock.advance(0.2)
        t0 = time.perf_counter()
        seq = recorder.record("stim.intensity", {"channel": 1 + step % 8, "mA": round(step % 100 * 0.1, 1)})
        samples.append(time.perf_counter() - t0)
        assert seq is not None
    store.close()
    (folder / "latency.sqlite3").unlink()
    return percentile(samples, 0.5) * 1000, percentile(samples, 0.99) * 1000


class RawWriter:
    """One event per committed transaction at the SQL layer, same durability and payloads, on a file of its own:
    the format-2 write path (one chain per session, before issue 11) or today's (the whole log's chain)."""

    def __init__(self, path: Path, legacy: bool) -> None:
        self.path, self.legacy, self.step = path, legacy, 0
        db.create_file(path)
        self.conn = db.connect(path)
        db.apply_durability(self.conn)
        migrations.migrate(self.conn, target=2 if legacy else migrations.LATEST_VERSION)
        self.conn.execute("INSERT INTO sessions (planned_minutes, state, started_at, last_hash)"
                          " VALUES (60, 'running', 'x', ?)", (GENESIS,))

    def append(self) -> float:
        """Appends the next event; returns the seconds it took (BEGIN to COMMIT)."""
        step, conn = self.step, self.conn
        self.step += 1
        payload = {"channel": 1 + step % 8, "mA": round(step % 100 * 0.1, 1)}
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        if not self.legacy:
            append_event(conn, 1, "2026-01-01T00:00:00Z", step * 0.2, "stim.intensity", payload)
        else:
            count_, last = conn.execute("SELECT event_count, last_hash FROM sessions WHERE id = 1").fetchone()
            seq, text, offset = count_ + 1, canonical_payload(payload), normal_offset(step * 0.2)
            digest = legacy_chain.event_hash(bytes(last), 1, seq, "2026-01-01T00:00:00Z", offset, "stim.intensity",
                                             text)
            conn.execute("INSERT INTO events VALUES (1, ?, '2026-01-01T00:00:00Z', ?, 'stim.intensity', ?, ?, ?)",
                         (seq, offset, text, bytes(last), digest))
            conn.execute("UPDATE sessions SET event_count = ?, last_hash = ? WHERE id = 1", (seq, digest))
        conn.execute("COMMIT")
        return time.perf_counter() - t0

    def pages_per_commit(self, commits: int = 200) -> float:
        """Pages each commit adds to the write-ahead log (what the disk must sync), checkpoints held off."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.execute("PRAGMA wal_autocheckpoint = 0")
        for _ in range(commits):
            self.append()
        frames = self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
        self.conn.execute("PRAGMA wal_autocheckpoint = 1000")
        return frames / commits

    def close(self) -> None:
        self.conn.close()
        for leftover in self.path.parent.glob(self.path.name + "*"):
            leftover.unlink()


def paired_append_latency(folder: Path, count: int = 2000) -> dict[str, tuple[float, float]]:
    """Both write paths in the same run, one append each in turn (who goes first alternating), so that both
    meet the same disk and the same load; (p50, p99) in ms of each."""
    writers = {"old": RawWriter(folder / "old.sqlite3", legacy=True), "new": RawWriter(folder / "new.sqlite3",
                                                                                        legacy=False)}
    samples: dict[str, list[float]] = {"old": [], "new": []}
    try:
        for step in range(count):
            for name in (("old", "new") if step % 2 else ("new", "old")):
                samples[name].append(writers[name].append())
        pages = {name: w.pages_per_commit() for name, w in writers.items()}
    finally:
        for w in writers.values():
            w.close()
    figures = {name: (percentile(s, 0.5) * 1000, percentile(s, 0.99) * 1000) for name, s in samples.items()}
    figures["pages"] = (pages["old"], pages["new"])
    return figures


def verify_figures(path: Path) -> tuple[float, float, int]:
    """Seconds (wall clock, and this process's CPU time over all its threads) and events of one verify."""
    store = open_readonly(path)
    try:
        t0, cpu0 = time.perf_counter(), time.process_time()
        report = verify_store(store)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    finally:
        store.close()
    assert report.ok, report.lines()[:3]
    return seconds, cpu, report.events


def build_big_log(path: Path) -> None:
    """10,000 closed sessions with valid chains, written in large transactions for speed."""
    rng = random.Random(3)
    clock = ManualClock(wall_start=dt.datetime(2024, 1, 1, 8, tzinfo=dt.UTC))
    store = open_store(path, clock=clock, durable=False, daily_backup=False)
    patients = [store.create_patient(f"P-{i:05d}", f"Person {i}", 1940 + i % 40) for i in range(PATIENTS)]
    courses = {p: store.create_course(p, "Neuropathy", 12, 2) for p in patients}
    per_batch = 100
    for batch in range(SESSIONS // per_batch):
        with store.transaction() as conn:
            for k in range(per_batch):
                index = batch * per_batch + k
                patient = patients[index % PATIENTS]
                start = clock.wall() + dt.timedelta(hours=index)
                _one_session(store, conn, rng, patient, courses[patient], start)
    store.checkpoint()
    store.close()


def _one_session(store: Store, conn, rng: random.Random, patient: int, course: int, start: dt.datetime) -> None:
    at = rfc3339(start)
    sid = store.insert_session(conn, started_at=at, planned_minutes=30, patient_id=patient, course_id=course)
    store.append_session_event(conn, sid, at, 0.0, "session.started", {"planned_seconds": 1800.0})
    store.save_plan(sid, [("ST36", "L"), ("ST36", "R"), ("SP6", "L"), ("SP6", "R")])
    offset = 0.0
    for step in range(46):
        offset += rng.uniform(5, 35)
        kind = "device.report" if step % 4 == 3 else "stim.intensity"
        store.append_session_event(conn, sid, rfc3339(start + dt.timedelta(seconds=offset)), offset, kind,
                                   {"channel": 1 + step % 4, "mA": round(rng.uniform(1, 8), 1)})
    for symptom in ("pain", "numbness"):
        store.add_score(sid, symptom, rng.randint(0, 10), "before")
    end = rfc3339(start + dt.timedelta(seconds=1800))
    store.append_session_event(conn, sid, end, 1800.0, "session.ended", {"outcome": "completed",
                                                                       "treatment_seconds": 1800.0})


def big_log_figures(path: Path) -> dict[str, float]:
    figures = {}
    t0 = time.perf_counter()
    store = open_store(path)
    figures["open_ms"] = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    assert store.wait_until_checked() is None
    figures["checked_ms"] = figures["open_ms"] + (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    newest = store.newest_sessions(100)
    figures["newest_100_ms"] = (time.perf_counter() - t0) * 1000
    assert len(newest) == 100
    patient = newest[37].patient_id
    t0 = time.perf_counter()
    view = store.patient_course(patient)
    figures["course_ms"] = (time.perf_counter() - t0) * 1000
    assert view is not None and len(view.sessions) == SESSIONS // PATIENTS
    t0 = time.perf_counter()
    for summary in view.sessions:
        store.get_session(summary.id)
    figures["course_records_ms"] = (time.perf_counter() - t0) * 1000
    store.close()
    return figures


def bytes_per_long_session(folder: Path) -> tuple[int, int]:
    """One 60-minute session, 8 channels, written as the app would; returns (bytes, events)."""
    path = folder / "long.sqlite3"
    clock = ManualClock()
    store = open_store(path, clock=clock, daily_backup=False, durable=False)
    patient = store.create_patient("P-0001", "Long Session", 1950)
    store.create_course(patient, "Neuropathy", 8, 2)
    store.checkpoint()
    before = store.conn.execute("PRAGMA page_count").fetchone()[0]
    recorder = Recorder(store, clock)
    session = Session(clock, 60)
    recorder.attach(session, patient_id=patient, details={"needle_type": "0.25 x 40 mm", "depth": "15 mm"})
    session.start()
    points = [(code, side) for code in ("ST36", "GB39", "SP9", "SP6", "LR3", "GB41", "KI3", "KI1")
              for side in ("L", "R")]
    pairs = [("ST36", "GB39"), ("SP9", "SP6"), ("LR3", "GB41"), ("KI3", "KI1")]
    channels = [{"channel": i + 1, "a": (a, side), "b": (b, side), "mode": "2/100", "pulse_us": 400}
                for i, ((a, b), side) in enumerate((pair, side) for side in ("L", "R") for pair in pairs)]
    store.save_plan(recorder.session_id, points, channels)
    for symptom in ("pain", "burning", "numbness"):
        store.add_score(recorder.session_id, symptom, 6, "before")

    def tick(seconds: float) -> None:
        for _ in range(round(seconds / 0.2)):
            clock.advance(0.2)
            session.tick()
            recorder.progress()

    def ramp(channel: int, start: float, stop: float) -> None:
        level = start
        while level < stop:
            level = round(level + 0.5, 1)
            tick(2)
            recorder.record("stim.intensity", {"channel": channel, "mA": level})
        recorder.record("device.report", {"channel": channel, "commanded_mA": level, "measured_mA": level * 0.93,
                                          "impedance_ohm": 1450})

    for channel in range(1, 9):
        recorder.record("stim.channel_on", {"channel": channel, "mode": "2/100", "freq_hz": "2/100",
                                            "pulse_us": 400})
        ramp(channel, 0.0, 6.0)
    level = 6.0
    while session.treatment_seconds < 3600:
        tick(min(600.0, 3600 - session.treatment_seconds + 0.2))
        if session.treatment_seconds < 3600:
            for channel in range(1, 9):  # accommodation: raised every 10 minutes
                ramp(channel, level, level + 0.5)
            level += 0.5
    for channel in range(1, 9):
        recorder.record("stim.intensity", {"channel": channel, "mA": 0.0})
    session.end()
    recorder.record("needles.count", {"inserted": 16, "removed": 16})
    for symptom in ("pain", "burning", "numbness"):
        store.add_score(recorder.session_id, symptom, 4, "after")
    store.checkpoint()
    after = store.conn.execute("PRAGMA page_count").fetchone()[0]
    page = store.conn.execute("PRAGMA page_size").fetchone()[0]
    events = store.get_session(recorder.session_id).summary.event_count
    store.close()
    for leftover in folder.glob("long.sqlite3*"):
        leftover.unlink()
    return (after - before) * page, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="folder to keep (and reuse) the 10,000-session log in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        latencies, paired = [], []
        for _ in range(args.runs):
            latencies.append(append_latency(folder))
            paired.append(paired_append_latency(folder))
        print(f"append latency through the Recorder (synchronous=FULL): "
              f"p50 {statistics.median(p for p, _ in latencies):.2f} ms, "
              f"p99 {statistics.median(q for _, q in latencies):.2f} ms  (target p99 < 10 ms)")
        med = {k: (statistics.median(r[k][0] for r in paired), statistics.median(r[k][1] for r in paired))
               for k in ("old", "new", "pages")}
        ratios = sorted(r["new"][1] / r["old"][1] for r in paired)
        print(f"  SQL write path, whole-log chain: p50 {med['new'][0]:.2f} ms, p99 {med['new'][1]:.2f} ms; "
              f"format-2 (per-session chain), interleaved in the same run: p50 {med['old'][0]:.2f} ms, "
              f"p99 {med['old'][1]:.2f} ms; new/old p99 = {statistics.median(ratios):.2f} "
              f"(runs: {', '.join(f'{r:.2f}' for r in ratios)}; target within 1.5)")
        print(f"  pages written per commit: {med['pages'][1]:.1f} whole-log chain (event, its session index "
              f"entry, the session's head) against {med['pages'][0]:.1f}")
        big = folder / "big.sqlite3"
        if not big.exists():
            t0 = time.perf_counter()
            build_big_log(big)
            print(f"built the 10,000-session log in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        first = open_store(big)  # the first open of the day also takes the daily backup (in the background)
        opened = time.perf_counter() - t0
        first.wait_until_checked()
        print(f"first open of the day: {opened * 1000:.0f} ms; quick check and daily backup copy done after "
              f"{(time.perf_counter() - t0) * 1000:.0f} ms")
        events = first.conn.execute("SELECT count(*) FROM events").fetchone()[0]
        first.close()
        size = big.stat().st_size
        print(f"log: {SESSIONS} sessions, {events} events, {size / 1e6:.1f} MB")
        runs = [big_log_figures(big) for _ in range(args.runs)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(f"open the store: {med['open_ms']:.1f} ms (target < 100); quick check passed (first write "
              f"allowed) after {med['checked_ms']:.0f} ms")
        print(f"list newest 100 sessions: {med['newest_100_ms']:.2f} ms (target < 50)")
        print(f"load one patient's course (10 sessions with scores): {med['course_ms']:.2f} ms (target < 50)")
        print(f"  and those 10 sessions' full records: {med['course_records_ms']:.2f} ms")
        checks = [verify_figures(big) for _ in range(args.runs)]
        seconds, cpu = statistics.median(c for c, _, _ in checks), statistics.median(c for _, c, _ in checks)
        events = checks[0][2]
        print(f"verify (chain and every table replayed): {seconds:.2f} s for {SESSIONS:,} sessions and {events:,} "
              f"events: {SESSIONS / seconds:,.0f} sessions/s, {events / seconds:,.0f} events/s (target < 5 s); "
              f"CPU {cpu:.2f} s; median of {len(checks)} (runs: {', '.join(f'{c:.2f}' for c, _, _ in checks)} s)")
        sizes = [bytes_per_long_session(folder) for _ in range(args.runs)]
        print(f"60-minute 8-channel session: {statistics.median(b for b, _ in sizes) / 1024:.1f} KB "
              f"for {sizes[0][1]} events (target < 50 KB)")


if __name__ == "__main__":
    main()
