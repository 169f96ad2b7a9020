"""Several chairs at once: CPU of the app and emergency stop to every device reporting off, 8 chairs beside 1.

Each chair polls its own `neurotimer sim` process (one per port, outside the measured process) as the app
does; every chair runs a session with 4 outputs on; the visible chair's intensity plot is live and the board
shows every chair. CPU is the app process's own (all its threads) over the run; the stop is timed from
Escape to the last device confirming every output off. Medians of several runs, 1 and 8 chairs in one run.
Run: .venv/bin/python benchmarks/bench_chairs.py [--runs 3] [--seconds 15]
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


class BenchChair:
    """One chair as the app builds it for this figure: session, stimulator controller and worker, card."""

    def __init__(self, index: int, url: str, board, plot=None) -> None:
        from neurotimer.chairs.status import ChairStatus
        from neurotimer.gui.session.presenter import SessionPresenter
        from neurotimer.gui.shell import theme
        from neurotimer.gui.stimulator.controller import StimulatorController
        from neurotimer.session.clock import SystemClock

        clock = SystemClock()
        self.sessions = SessionPresenter(clock, 30)
        self.stim = StimulatorController(clock)
        self.confirmed: float | None = None
        self.stim.emergencyStopConfirmed.connect(lambda: setattr(self, "confirmed", time.perf_counter()))
        self.connected = False
        self.stim.deviceConnected.connect(lambda _info: setattr(self, "connected", True))
        if plot is not None:
            self.stim.deviceConnected.connect(plot.on_device_connected)
            self.stim.statusChanged.connect(plot.on_status)
            self.stim.stimEvent.connect(plot.on_stim_event)
            self.sessions.sessionEvent.connect(plot.on_session_event)

        def show(snap) -> None:
            on = [s for ch in range(1, CHANNELS + 1) if (s := self.stim.last_status(ch)) and s.output]
            board.update_chair(index, ChairStatus(
                f"Room {index + 1}", "", theme.state_key(snap.state, snap.overdue), snap.remaining_seconds,
                len(on), max((s.measured_ma for s in on), default=0.0)))

        self.sessions.updated.connect(show)
        self.stim.connect_device(url)
        self.sessions.start()

    def outputs_on(self) -> int:
        return sum(1 for ch in range(1, CHANNELS + 1) if (s := self.stim.last_status(ch)) and s.output)

    def start_outputs(self, channels: int, milliamps: float) -> None:
        for ch in range(1, channels + 1):
            self.stim.output_on(ch)
            self.stim.set_current(ch, milliamps)

    def emergency_stop(self) -> None:
        self.stim.emergency_stop()

    def shutdown(self) -> None:
        self.stim.shutdown()


def build_chairs(app, urls: list[str]) -> list[BenchChair]:
    from PySide6.QtWidgets import QHBoxLayout, QWidget

    from neurotimer.gui.board.board import ChairBoard
    from neurotimer.gui.stimulator.intensity_plot import IntensityPlot
    from neurotimer.session.clock import SystemClock

    window = QWidget()
    layout = QHBoxLayout(window)
    board = ChairBoard()
    board.set_chairs([f"Room {n}" for n in range(1, len(urls) + 1)])
    board.set_current(0)
    plot = IntensityPlot(SystemClock())
    layout.addWidget(board)
    layout.addWidget(plot, 1)
    window.resize(1366, 700)
    window.show()
    chairs = [BenchChair(i, url, board, plot if i == 0 else None) for i, url in enumerate(urls)]
    wait_until(app, lambda: all(c.connected for c in chairs), 15)
    app._bench_window = window  # kept alive for the run
    return chairs


def child(count: int, seconds: float) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    procs, urls = start_sims(count)
    try:
        chairs = build_chairs(app, urls)
        for chair in chairs:
            chair.start_outputs(CHANNELS, 2.0)
        wait_until(app, lambda: all(c.outputs_on() == CHANNELS for c in chairs), 10)
        cpu0, wall0 = time.process_time(), time.monotonic()
        QTimer.singleShot(round(seconds * 1000), app.quit)
        app.exec()  # the app's own event loop, as in use: nothing of the benchmark's spins meanwhile
        cpu = (time.process_time() - cpu0) / (time.monotonic() - wall0)
        stops = []
        for _ in range(5):
            for chair in chairs:
                chair.start_outputs(CHANNELS, 1.0)
            wait_until(app, lambda: all(c.outputs_on() == CHANNELS for c in chairs), 10)
            for chair in chairs:
                chair.confirmed = None
            t0 = time.perf_counter()
            for chair in chairs:  # what Escape does: every chair's stop, at once
                chair.emergency_stop()
            wait_until(app, lambda: all(c.confirmed is not None for c in chairs), 5)
            stops.append((max(c.confirmed for c in chairs) - t0) * 1e3)
        for chair in chairs:
            chair.shutdown()
        print(f"cpu {cpu:.6f} stop {statistics.median(stops):.3f}")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def run_child(count: int, seconds: float) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    out = subprocess.run([sys.executable, __file__, "--child", str(count), str(seconds)],
                         capture_output=True, text=True, env=env, timeout=600, check=True).stdout.split()
    return {out[i]: float(out[i + 1]) for i in range(0, len(out) - 1, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), float(args.child[1]))
        return 0
    results: dict[int, list[dict[str, float]]] = {1: [], 8: []}
    for _ in range(args.runs):
        for count in (1, 8):  # interleaved, so a busy moment of the machine hits both alike
            results[count].append(run_child(count, args.seconds))
    print(f"{args.runs} runs of {args.seconds:.0f} s each, medians; {CHANNELS} outputs on per chair, "
          "the visible chair's plot live")
    for count, runs in results.items():
        cpu = statistics.median(r["cpu"] for r in runs) * 100
        stop = statistics.median(r["stop"] for r in runs)
        print(f"{count} chair{'s' if count > 1 else ' '}: CPU {cpu:5.1f} % of a core (target < 20 %)   "
              f"Escape to every device off {stop:5.1f} ms (target < 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
