"""Takes the README screenshot: the real app in demo mode on a 1366×768 virtual screen, session running."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xvfb import start_xvfb


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot.png").resolve()
    keys = sys.argv[2:] or ["ctrl+Return"]
    xvfb, display = start_xvfb()
    exe = Path(sys.executable).parent / "neurotimer"
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
               "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home}
        app = subprocess.Popen([str(exe), "--demo"], env=env)
        try:
            wid = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^neurotimer"],
                                 env=env, capture_output=True, text=True, timeout=30).stdout.split()[0]
            time.sleep(3)
            subprocess.run(["xdotool", "windowfocus", "--sync", wid], env=env, check=True)
            for key in keys:
                subprocess.run(["xdotool", "key", key], env=env, check=True)
                time.sleep(0.5)
            time.sleep(4)
            subprocess.run(["import", "-window", "root", str(out)], env=env, check=True)
        finally:
            app.terminate()
            app.wait(10)
            xvfb.terminate()
    sys.stdout.write(f"saved {out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
