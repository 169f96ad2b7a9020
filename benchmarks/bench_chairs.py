"""Several chairs at once: CPU of the app and emergency stop to every device reporting off, 8 chairs beside 1.

Each chair polls its own `neurotimer sim` process (one per port, outside the measured process) as the app
does; every chair runs a session with 4 outputs on; the visible chair's intensity plot is live and the board
shows every chair. CPU is the app process's own (all its threads) over the run; the stop is timed from
Escape to the last device confirming every output off. Medians of several runs, 1 and 8 chairs in one run.
With `--against DIR` (another checkout, e.g. main's), its code is measured too, alternating run by run with
this one's, so that both see the same load. `--commit-ms N` makes every commit of the log N ms longer, as on a
disk whose flush is slow (a laptop's SSD or a busy disk takes 5-20 ms; this machine's virtual disk far less).
Run: .venv/bin/python benchmarks/bench_chairs.py [--runs 3] [--seconds 15] [--against DIR] [--commit-ms N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHANNELS = 4
NEUROTIMER = Path(sys.executable).with_name("neurotimer")


def start_sims(count: int) -> tuple[list[subprocess.Popen], list[str]]:
    procs, urls = [], []
    for seed in range(count):
        proc = subprocess.Popen([str(NEUROTIMER), "sim", "--listen", "127.0.0.1:0", "--seed", str(seed)],
                                stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        urls.append(f"socket://{proc.stdout.readline().split()[1]}")
    return procs, urls


def wait_until(app, condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        app.processEvents()
        time.sleep(0.002)
    return condition()


def build_app(app, urls: list[str], data: Path):
    """The real app as `neurotimer` builds it: one chair per URL (the settings name them), a log of its own."""
    os.environ["XDG_DATA_HOME"] = str(data / "data")
    os.environ["XDG_CONFIG_HOME"] = str(data / "config")
    from neurotimer import paths
    from neurotimer.app import App
    from neurotimer.cli import build_parser
    from neurotimer.gui.shell.settings import Settings
    from neurotimer.session.clock import SystemClock

    paths.app_data_dir().mkdir(parents=True, exist_ok=True)
    argv = ["--db", str(data / "log.sqlite3")]
    if len(urls) > 1:
        Settings(paths.app_data_dir() / "settings.ini").chairs = [
            {"name": f"Room {n}", "device": url} for n, url in enumerate(urls, start=1)]
    else:
        argv += ["--device", urls[0]]
    nt = App(build_parser().parse_args(argv), SystemClock(), chime=lambda: None, confirm=lambda _t, _x: True)
    nt.window.resize(1366, 768)
    nt.window.show()
    nt.finish_start()
    wait_until(app, lambda: all(c.stim is not None and c.stim.info is not None for c in nt.chairs), 20)
    nt.window.tabs.setCurrentWidget(nt.chairs[0].plot)  # the chair on screen shows its live plot
    return nt


def start_outputs(nt, milliamps: float) -> None:
    for chair in nt.chairs:
        if not chair.plans.plan().points:
            chair.picker.load_selected_template()  # the neuropathy protocol: four pairs that pass the checks
        if not chair.sessions.session.state.is_active:
            chair.sessions.start()
        for channel in range(1, CHANNELS + 1):
            chair.stim.output_on(channel)
            chair.stim.set_current(channel, milliamps)


def all_on(nt) -> bool:
    return all(len(c.outputs()) == CHANNELS for c in nt.chairs)


class SlowCommits:
    """The log's connection with every commit `ms` longer, as on a disk whose flush is slow."""

    def __init__(self, conn, ms: float) -> None:
        self._conn = conn
        self._seconds = ms / 1000

    def execute(self, sql: str, *args):
        result = self._conn.execute(sql, *args)
        if sql == "COMMIT":
            time.sleep(self._seconds)
        return result

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


def child(count: int, seconds: float, commit_ms: float = 0.0) -> None:
    import tempfile

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from neurotimer.stimulator.events import StimEventKind

    app = QApplication(sys.argv[:1])
    procs, urls = start_sims(count)
    data = Path(tempfile.mkdtemp(prefix="bench-chairs-"))
    try:
        nt = build_app(app, urls, data)
        if commit_ms:
            nt.store.conn = SlowCommits(nt.store.conn, commit_ms)
        start_outputs(nt, 2.0)
        if not wait_until(app, lambda: all_on(nt), 15):
            raise SystemExit(f"outputs did not come on: {[c.outputs() for c in nt.chairs]}")
        cpu0, wall0 = time.process_time(), time.monotonic()
        QTimer.singleShot(round(seconds * 1000), app.quit)
        app.exec()  # the app's own event loop, as in use: nothing of the benchmark's spins meanwhile
        cpu = (time.process_time() - cpu0) / (time.monotonic() - wall0)
        stops, lines = [], []
        reported: dict[int, float] = {}

        def device_reported(index: int, event) -> None:  # in the chair's stimulator thread, as it happens
            if event.kind is StimEventKind.EMERGENCY_STOP_CONFIRMED:
                reported.setdefault(index, time.perf_counter())

        for chair in nt.chairs:
            chair.stim._worker.stimEvent.connect(lambda e, i=chair.index: device_reported(i, e),
                                                 Qt.ConnectionType.DirectConnection)
        for _ in range(5):
            start_outputs(nt, 1.0)
            wait_until(app, lambda: all_on(nt), 15)
            reported.clear()
            done: list[str] = []
            nt.stop_all.finished.connect(done.append)
            t0 = time.perf_counter()
            nt.window.emergencyStopRequested.emit()  # what Escape does
            wait_until(app, lambda d=done: bool(d), 5)
            shown = time.perf_counter()
            nt.stop_all.finished.disconnect()
            every = len(reported) == len(nt.chairs)
            stops.append((max(reported.values()) - t0) * 1e3 if every else float("nan"))
            lines.append((shown - t0) * 1e3 if done and "Not confirmed" not in done[0] else float("nan"))
        nt.shutdown()
        print(f"cpu {cpu:.6f} stop {statistics.median(stops):.3f} line {statistics.median(lines):.3f}")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def run_child(count: int, seconds: float, code: str | None = None, commit_ms: float = 0.0) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    if code is not None:
        env["PYTHONPATH"] = code
    out = subprocess.run([sys.executable, __file__, "--child", str(count), str(seconds), str(commit_ms)],
                         capture_output=True, text=True, env=env, timeout=600, check=True).stdout.split()
    return {out[i]: float(out[i + 1]) for i in range(0, len(out) - 1, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--against", metavar="DIR", help="another checkout to measure alternately with this one")
    parser.add_argument("--commit-ms", type=float, default=0.0, help="every commit of the log this much longer")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), float(args.child[1]), float(args.child[2]))
        return 0
    codes: dict[str, str | None] = {"this": None}
    if args.against:
        codes = {"this": str(Path(__file__).resolve().parents[1]), Path(args.against).name: args.against}
    results: dict[tuple[str, int], list[dict[str, float]]] = {(c, n): [] for c in codes for n in (1, 8)}
    for _ in range(args.runs):
        for count in (1, 8):  # interleaved, so a busy moment of the machine hits both alike
            for name, code in codes.items():
                results[name, count].append(run_child(count, args.seconds, code, args.commit_ms))
    print(f"{args.runs} runs of {args.seconds:.0f} s each, medians; {CHANNELS} outputs on per chair, "
          f"the visible chair's plot live; commits {args.commit_ms:g} ms longer; load average {os.getloadavg()[0]:.2f}")
    for (name, count), runs in results.items():
        cpu = statistics.median(r["cpu"] for r in runs) * 100
        stop = statistics.median(r["stop"] for r in runs)
        line = statistics.median(r["line"] for r in runs)
        label = f"{name}, " if args.against else ""
        print(f"{label}{count} chair{'s' if count > 1 else ' '}: CPU {cpu:5.1f} % of a core (target < 20 %)   "
              f"Escape to every device reporting off {stop:5.1f} ms (target < 50 ms)   "
              f"to the confirmation line on screen {line:6.1f} ms (target < 200 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
