"""Start-up benchmark: process start to the main window's first paint, beside a bare QMainWindow."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 7
BARE = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
class Probe(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            sys.stdout.write(f"first-paint {time.time():.6f}\n"); sys.stdout.flush()
            obj.removeEventFilter(self); QTimer.singleShot(0, QApplication.quit)
        return False
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.setWindowTitle("bare"); w.resize(1280, 720)
p = Probe(w); w.installEventFilter(p); w.show()
app.exec()
"""


def probe(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from process start to each mark the process prints ('first-paint', 'ready')."""
    started = time.time()
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60).stdout
    marks = {}
    for line in out.splitlines():
        name, _, stamp = line.partition(" ")
        if name in ("first-paint", "ready", "plots-ready"):
            marks[name] = float(stamp) - started
    return marks


def main() -> int:
    exe = str(Path(sys.executable).parent / "neurotimer")
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home}
        bare, paint, ready, plots = [], [], [], []
        for run in range(RUNS):  # interleaved so both see the same machine load
            bare.append(probe([sys.executable, "-c", BARE], env)["first-paint"])
            marks = probe([exe, "--startup-probe", "--db", f"{home}/log{run}.sqlite3"], env)
            paint.append(marks["first-paint"])
            ready.append(marks["ready"])
            plots.append(marks["plots-ready"])
    b, a, r = statistics.median(bare), statistics.median(paint), statistics.median(ready)
    print(f"bare QMainWindow first paint: median {b * 1000:.0f} ms over {RUNS} runs")
    print(f"neurotimer main window first paint: median {a * 1000:.0f} ms over {RUNS} runs")
    print(f"ratio {a / b:.2f} (target <= 2.0)")
    print(f"neurotimer fully ready (log open, catalogue, chart, stimulator panels): median {r * 1000:.0f} ms")
    print(f"live intensity plot ready: median {statistics.median(plots) * 1000:.0f} ms (target < 1000 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
