"""Intensity plot benchmark: import to first frame, and CPU of 8 channels at 7 Hz redrawn at 4 Hz (offscreen)."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

CHANNELS = 8
POLL_HZ = 7.0


class OffsetClock:
    """The real monotonic clock plus an offset a benchmark can push forward to pre-fill a long session."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.monotonic() + self.offset

    def wall(self):  # pragma: no cover - the plot never reads wall time
        raise NotImplementedError


def child_first_frame() -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])  # the app is up and painted before the lead imports the plot
    t0 = time.perf_counter()
    from neurotimer.gui.stimulator.intensity_plot import IntensityPlot

    imported = time.perf_counter()

    class Probe(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                painted = time.perf_counter()
                print(f"import {imported - t0:.6f} frame {painted - t0:.6f}")
                obj.removeEventFilter(self)
                QTimer.singleShot(0, app.quit)
            return False

    plot = IntensityPlot(OffsetClock(), channels=CHANNELS)
    plot.resize(860, 300)
    probe = Probe()
    plot._plot.viewport().installEventFilter(probe)
    plot.show()
    app.exec()


def child_cpu(seconds: float, prefill_minutes: float) -> None:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from neurotimer.gui.stimulator.intensity_plot import IntensityPlot

    clock = OffsetClock()
    plot = IntensityPlot(clock, channels=CHANNELS)
    plot.resize(860, 300)
    plot.reset(clock.now())
    t = 0.0
    while t < prefill_minutes * 60:  # a session already this long: full buffers, worst drawing cost
        clock.offset += 1 / POLL_HZ
        t += 1 / POLL_HZ
        for ch in range(1, CHANNELS + 1):
            plot.add_sample(ch, 2.0 + 0.1 * ch + 0.05 * (int(t) % 3), 2.0 + 0.1 * ch)
    plot.show()
    app.processEvents()
    n = [0]

    def poll() -> None:  # what the controller's statusChanged delivers each poll
        n[0] += 1
        for ch in range(1, CHANNELS + 1):
            plot.add_sample(ch, 2.0 + 0.1 * ch + 0.05 * (n[0] % 3), 2.0 + 0.1 * ch)

    feeder = QTimer()
    feeder.setTimerType(Qt.TimerType.PreciseTimer)
    feeder.timeout.connect(poll)
    feeder.start(round(1000 / POLL_HZ))
    redraws0, cpu0, wall0 = plot.redraws, time.process_time(), time.monotonic()
    QTimer.singleShot(round(seconds * 1000), app.quit)
    app.exec()
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    print(f"cpu {cpu / wall:.6f} redraws {(plot.redraws - redraws0) / wall:.3f} polls {n[0] / wall:.3f}")


def run_child(*args: str) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, env=env, timeout=300, check=True
    ).stdout.split()
    return {out[i]: float(out[i + 1]) for i in range(0, len(out) - 1, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (medians are printed)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each CPU run")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        if args.child[0] == "frame":
            child_first_frame()
        else:
            child_cpu(float(args.child[1]), float(args.child[2]))
        return 0

    frames = [run_child("frame") for _ in range(args.runs)]
    imp = statistics.median(f["import"] for f in frames)
    frame = statistics.median(f["frame"] for f in frames)
    print(f"import of intensity_plot (pyqtgraph included): median {imp * 1000:.0f} ms over {args.runs} runs")
    print(f"import to first rendered frame, 8 channels: median {frame * 1000:.0f} ms")
    for label, prefill in (("session start", 0.0), ("after 120 min (buffers full)", 120.0)):
        runs = [run_child("cpu", str(args.seconds), str(prefill)) for _ in range(args.runs)]
        cpu = statistics.median(r["cpu"] for r in runs)
        redraws = statistics.median(r["redraws"] for r in runs)
        polls = statistics.median(r["polls"] for r in runs)
        print(
            f"8 channels at {polls:.1f} Hz, {redraws:.1f} redraws/s, {label}: "
            f"median {cpu * 100:.1f} % of a core over {args.runs} runs of {args.seconds:.0f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
