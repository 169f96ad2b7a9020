"""The real `neurotimer` process under Xvfb: Ctrl+R opens the review window beside the chair window,
and `neurotimer --review --db PATH` opens it on its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.gui.shell.test_real_process import stop_app

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"
EXE = Path(sys.executable).parent / "neurotimer"


def _env(display: str, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
            "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}


def _find(env: dict[str, str], title: str, timeout: float = 30) -> str:
    try:
        found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", title],
                               env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return ""
    return found.stdout.strip().split("\n")[0] if found.stdout.strip() else ""


def _shot(env: dict[str, str], path: Path) -> Path:
    subprocess.run(["import", "-window", "root", str(path)], env=env, check=True, timeout=30)
    return path


@pytest.mark.xvfb
def test_ctrl_r_opens_the_review_window_beside_the_chair(xvfb_display, tmp_path, colour_count) -> None:
    assert EXE.exists() and shutil.which("xdotool")
    env = _env(xvfb_display, tmp_path)
    err = (tmp_path / "stderr.txt").open("wb")
    proc = subprocess.Popen([str(EXE), "--demo"], env=env, stdout=subprocess.DEVNULL, stderr=err)
    try:
        chair = _find(env, "^neurotimer$")
        assert chair, f"no chair window (exit {proc.poll()})"
        # The log opens after the first paint; Ctrl+R is there once the View menu has its entry.
        deadline = time.monotonic() + 90  # a loaded machine takes its time to open the demo log
        review = ""
        while not review and time.monotonic() < deadline:
            subprocess.run(["xdotool", "windowfocus", "--sync", chair], env=env, check=True, timeout=10)
            subprocess.run(["xdotool", "key", "ctrl+r"], env=env, check=True, timeout=10)
            review = _find(env, "^Review — neurotimer$", timeout=3)
        assert review, (tmp_path / "stderr.txt").read_text()
        subprocess.run(["xdotool", "windowsize", review, "1366", "768"], env=env, timeout=10)
        time.sleep(1.5)  # the first page of sessions arrives from the query thread
        shot = _shot(env, tmp_path / "review.png")
        assert colour_count(shot) > 20
        assert proc.poll() is None, (tmp_path / "stderr.txt").read_text()
        # The chair window is still there and answers: the review window never blocks it.
        assert _find(env, "^neurotimer$")
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(shot, ARTIFACTS / "review-window.png")
    finally:
        stop_app(proc)
        err.close()


@pytest.mark.xvfb
def test_review_flag_opens_only_the_review_window(xvfb_display, tmp_path, colour_count, review_demo) -> None:
    env = _env(xvfb_display, tmp_path)
    err = (tmp_path / "stderr.txt").open("wb")
    proc = subprocess.Popen([str(EXE), "--review", "--db", str(review_demo)], env=env,
                            stdout=subprocess.DEVNULL, stderr=err)
    try:
        assert _find(env, "^Review — neurotimer$"), (tmp_path / "stderr.txt").read_text()
        assert not _find(env, "^neurotimer$", timeout=2)
        assert proc.poll() is None
    finally:
        stop_app(proc)
        err.close()
    assert proc.returncode is not None
