"""Takes the README screenshot: the real app in demo mode on a 1366×768 X screen, mid-session.

Outside: starts Xvfb and runs itself inside it. Inside: builds the app as `neurotimer --demo` does, chooses
a demo patient, loads a published protocol, starts the session and two channels, then photographs the screen.
`SHOT_CHAIRS=4 … docs/board.png`: four chairs as `--demo --chairs 4`, one running, one paused, one with a lead
off, one not started yet.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from xvfb import start_xvfb


def outside(out: Path) -> int:
    xvfb, display = start_xvfb()
    try:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        return subprocess.run([sys.executable, __file__, "--inside", str(out)], env=env, timeout=120).returncode
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def inside(out: Path) -> int:
    import tempfile

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from neurotimer.app import App
    from neurotimer.session.clock import SystemClock

    home = tempfile.mkdtemp(prefix="nt-shot-")
    os.environ["XDG_DATA_HOME"] = home
    qapp = QApplication(sys.argv[:1])
    chairs = int(os.environ.get("SHOT_CHAIRS", "1"))
    args = argparse.Namespace(demo=True, db=None, device=None, startup_probe=False, command=None, chairs=chairs)
    app = App(args, SystemClock(), chime=lambda: None, confirm=lambda _t, _x: True)
    app.window.resize(1366, 768)
    app.window.show()
    app.finish_start()

    def start_chair(chair, patient, outputs) -> None:
        chair.records.choose_patient(patient)
        chair.picker.load_selected_template()
        for row in chair.pairing.finding_rows():  # the practitioner reads and acknowledges each warning
            if row.button is not None:
                row.button.click()
        chair.sessions.start()
        for channel, milliamps in outputs:
            chair.stim.output_on(channel)
            chair.stim.set_current(channel, milliamps)

    def setup() -> None:
        patients = app.store.list_patients()
        start_chair(app.chairs[0], patients[1], ((1, 2.5), (2, 2.0)))
        if len(app.chairs) >= 4:
            start_chair(app.chairs[1], patients[2], ((1, 1.5),))
            start_chair(app.chairs[2], patients[3], ((1, 2.0), (2, 2.0)))
            QTimer.singleShot(2000, app.chairs[1].sessions.toggle_pause)
            QTimer.singleShot(2500, lambda: app.chairs[2].stim.command("SIMulate:LEAD2 OFF"))
            QTimer.singleShot(6000, shoot)

    def show_tab() -> None:
        tab = os.environ.get("SHOT_TAB")  # e.g. SHOT_TAB="Body chart" to photograph another tab
        for index in range(app.window.tabs.count()):
            if app.window.tabs.tabText(index) == tab:
                app.window.tabs.setCurrentIndex(index)

    def shoot() -> None:
        subprocess.run(["import", "-window", "root", str(out)], check=True)
        sys.stdout.write(f"saved {out}\n")
        app.window.close()  # as Ctrl+Q does: the session ends and is recorded, then the app shuts down
        app.shutdown()
        qapp.quit()

    QTimer.singleShot(1500, setup)
    if chairs == 1:
        QTimer.singleShot(8000, show_tab)
        QTimer.singleShot(9000, shoot)
    return qapp.exec()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--inside":
        raise SystemExit(inside(Path(sys.argv[2])))
    raise SystemExit(outside(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot.png").resolve()))
