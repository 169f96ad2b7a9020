"""The output interlock in real time, against the simulator behind its TCP server (not a test).

1. Planned end -> the device reports every output off: 4 channels at 1.0 mA ramping down at 0.5 mA/s
   (ramp time 2.0 s); target: the ramp time + 0.5 s.
2. An output switched on behind the app's back (at the device, through its server) -> off, with the
   default poll; target: under 1.5 s.
Several runs; medians printed.
Run: .venv/bin/python benchmarks/bench_interlock.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication

from neurotimer.gui.stimulator.controller import StimulatorController
from neurotimer.gui.stimulator.worker import POLL_MS
from neurotimer.safety.interlock import Interlock, SessionInput
from neurotimer.session.clock import SystemClock
from neurotimer.stimulator.device import SimulatedStimulator
from neurotimer.stimulator.server import SimulatorServer

CHANNELS = (1, 2, 3, 4)
LEVEL_MA = 1.0
SLEW = 0.5


def serve(model: SimulatedStimulator) -> tuple[str, Callable[[], None]]:
    server = SimulatorServer(model, "127.0.0.1", 0)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    ready = threading.Event()
    address: list[tuple[str, int]] = []

    async def main() -> None:
        address.append(await server.open())
        ready.set()
        await server.serve(stop)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(5)

    def close() -> None:
        loop.call_soon_threadsafe(stop.set)
        thread.join(5)

    host, port = address[0]
    return f"socket://{host}:{port}", close


def wait(app: QCoreApplication, condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.002)
    return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    app = QCoreApplication.instance() or QCoreApplication([])
    clock = SystemClock()
    model = SimulatedStimulator(clock)
    url, close = serve(model)
    interlock = Interlock(clock)
    interlock.set_pairs(CHANNELS)
    interlock.set_verdict(True, "Output allowed")
    ctl = StimulatorController(clock, interlock=interlock)  # the default poll
    ctl.connect_device(url)
    if not wait(app, lambda: ctl.info is not None and ctl.last_status(4) is not None, 5):
        print("could not connect to the simulator")
        return 1
    to_off, behind = [], []
    phase = random.Random(9)  # the switch-on lands anywhere in the poll period
    for _ in range(runs):
        interlock.set_session(SessionInput(True, False, clock.now() + 3600))
        for ch in CHANNELS:
            ctl.set_slew(ch, SLEW)
            ctl.output_on(ch)
            ctl.set_current(ch, LEVEL_MA)
        wait(app, lambda: all((s := model.status(ch)).output and s.measured_ma >= LEVEL_MA for ch in CHANNELS), 5)
        end = clock.now() + 0.3
        interlock.set_session(SessionInput(True, False, end))
        if wait(app, lambda: all(not ctl.last_status(ch).output for ch in CHANNELS
                                 if ctl.last_status(ch) is not None), 10):
            to_off.append(clock.now() - end)

        interlock.set_session(SessionInput(False, False, None))
        wait(app, lambda: False, 0.3 + phase.uniform(0, POLL_MS / 1000))
        started = time.perf_counter()
        model.handle_line(b"OUTP2 ON")  # at the device, not through neurotimer
        if wait(app, lambda: not model.status(2).output, 5):
            behind.append(time.perf_counter() - started)
    ctl.shutdown()
    close()
    ramp = LEVEL_MA / SLEW
    print(f"planned end -> all outputs reported off: median {statistics.median(to_off):.2f} s over {len(to_off)} "
          f"runs (ramp {ramp:.1f} s; target <= {ramp + 0.5:.1f} s)")
    print(f"switched on behind the app's back -> off: median {statistics.median(behind) * 1e3:.0f} ms over "
          f"{len(behind)} runs (poll {POLL_MS} ms; target < 1500 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
