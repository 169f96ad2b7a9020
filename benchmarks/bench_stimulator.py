"""Stimulator link figures over loopback TCP to a real `neurotimer sim` process (not a test).

Round trip of `STATus:CHANnel1?` (p50, p99), emergency stop to every output reported off, and
commands per second one client sustains. Several runs; medians printed.
Run: .venv/bin/python benchmarks/bench_stimulator.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from neurotimer.session.clock import SystemClock
from neurotimer.stimulator.driver import Driver
from neurotimer.stimulator.transport import open_serial, transport_factory

NEUROTIMER = Path(sys.executable).with_name("neurotimer")


def start_server() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [str(NEUROTIMER), "sim", "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, text=True
    )
    line = proc.stdout.readline().split()
    return proc, f"socket://{line[1]}"


def round_trips(url: str, count: int = 5000) -> tuple[float, float]:
    link = open_serial(url, 1.0)
    samples = []
    for _ in range(count):
        t0 = time.perf_counter()
        link.write(b"STATus:CHANnel1?\n")
        link.readline()
        samples.append(time.perf_counter() - t0)
    link.close()
    samples.sort()
    return samples[len(samples) // 2] * 1e3, samples[int(len(samples) * 0.99)] * 1e3


def commands_per_second(url: str, count: int = 20000) -> float:
    """Settings streamed as a client would send them, closed by *OPC? so every one was carried out."""
    link = open_serial(url, 5.0)
    t0 = time.perf_counter()
    for i in range(count):
        link.write(f"SOURce1:FREQuency {2 + i % 100}\n".encode())
    link.write(b"*OPC?\n")
    assert link.readline() == b"1\n"
    elapsed = time.perf_counter() - t0
    link.close()
    return count / elapsed


def checked_settings_per_second(url: str, count: int = 2000) -> float:
    """The driver's own pace: each setting followed by SYSTem:ERRor? (two lines, one round trip)."""
    clock = SystemClock()
    driver = Driver(transport_factory(url, clock), clock)
    driver.connect()
    t0 = time.perf_counter()
    for i in range(count):
        driver.set_frequency(1, 2 + i % 100)
    elapsed = time.perf_counter() - t0
    driver.close()
    return count / elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows: dict[str, list[float]] = {k: [] for k in ("p50", "p99", "stop", "cps", "checked")}
    for _ in range(args.runs):
        proc, url = start_server()
        try:
            p50, p99 = round_trips(url)
            rows["p50"].append(p50)
            rows["p99"].append(p99)
            rows["cps"].append(commands_per_second(url))
            rows["checked"].append(checked_settings_per_second(url))
            rows["stop"].append(stop_to_all_off_via(url))
        finally:
            proc.terminate()
            proc.wait(timeout=5)
    med = {k: statistics.median(v) for k, v in rows.items()}
    print(f"runs: {args.runs} (medians)")
    print(f"STATus:CHANnel1? round trip  p50 {med['p50']:.3f} ms   p99 {med['p99']:.3f} ms   (targets 1 / 5 ms)")
    print(f"emergency stop -> all off confirmed  {med['stop']:.1f} ms   (target 100 ms)")
    print(f"commands per second (streamed, *OPC? at end)  {med['cps']:.0f}   (target 5000)")
    print(f"driver settings per second (each checked with SYSTem:ERRor?)  {med['checked']:.0f}")
    return 0


def stop_to_all_off_via(url: str) -> float:
    from PySide6.QtWidgets import QApplication

    from neurotimer.gui.stimulator.controller import StimulatorController

    app = QApplication.instance() or QApplication([])
    clock = SystemClock()
    from neurotimer.safety.interlock import Interlock, SessionInput

    interlock = Interlock(clock)  # a session running, every channel paired and checked: outputs may go on
    interlock.set_session(SessionInput(running=True, paused=False, ends_at=clock.now() + 3600))
    interlock.set_pairs(range(1, 5))
    interlock.set_verdict(True, "Output allowed")
    ctl = StimulatorController(clock, interlock=interlock, poll_ms=150)
    connected = []
    ctl.deviceConnected.connect(connected.append)
    ctl.connect_device(url)
    deadline = time.monotonic() + 5
    while not connected and time.monotonic() < deadline:
        app.processEvents()
    figures = []
    for _ in range(10):
        for ch in range(1, 5):
            ctl.output_on(ch)
            ctl.set_current(ch, 1)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and not all(
            (s := ctl.last_status(ch)) is not None and s.output for ch in range(1, 5)
        ):
            app.processEvents()
        confirmed: list[float] = []
        ctl.emergencyStopConfirmed.connect(lambda c=confirmed: c.append(time.perf_counter()))
        t0 = time.perf_counter()
        ctl.emergency_stop()
        while not confirmed and time.perf_counter() - t0 < 3:
            app.processEvents()
        ctl.emergencyStopConfirmed.disconnect()
        if confirmed:
            figures.append((confirmed[0] - t0) * 1e3)
    ctl.shutdown()
    return statistics.median(figures) if figures else float("nan")


if __name__ == "__main__":
    sys.exit(main())
