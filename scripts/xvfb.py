"""Starts a private Xvfb screen at 1366×768 and waits until it really accepts clients."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

SIZE = "1366x768x24"


def _accepts(display: str) -> bool:
    probe = subprocess.run(["xdotool", "getmouselocation"], env={**os.environ, "DISPLAY": display},
                           capture_output=True, timeout=10)
    return probe.returncode == 0


def start_xvfb(first: int = 90, last: int = 190) -> tuple[subprocess.Popen, str]:
    """Tries display numbers in turn; another X server (or its stale lock) just moves us to the next."""
    if not shutil.which("Xvfb") or not shutil.which("xdotool"):
        raise RuntimeError("Xvfb and xdotool are needed: run `make test` as root or install xvfb xdotool")
    for number in range(first, last):
        if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
            continue
        display = f":{number}"
        proc = subprocess.Popen(["Xvfb", display, "-screen", "0", SIZE, "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if Path(f"/tmp/.X11-unix/X{number}").exists() and _accepts(display):
                return proc, display
            time.sleep(0.05)
        proc.kill()
        proc.wait()
    raise RuntimeError("no free X display number for Xvfb")
