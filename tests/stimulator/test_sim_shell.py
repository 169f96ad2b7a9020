"""The simulator driven from the shell with the public tools the protocol names: nc and socat."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

NEUROTIMER = str(Path(sys.executable).with_name("neurotimer"))


@pytest.fixture
def port() -> Iterator[int]:
    proc = subprocess.Popen(
        [NEUROTIMER, "sim", "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        first = proc.stdout.readline()
        assert first.startswith("listening 127.0.0.1:"), first
        yield int(first.strip().rsplit(":", 1)[1])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    assert proc.returncode == 0


def shell(script: str, port: int) -> str:
    result = subprocess.run(
        ["sh", "-c", script],
        env={"PORT": str(port), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=15,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_tools_are_installed() -> None:
    assert shutil.which("nc") and shutil.which("socat")


def test_idn_with_openbsd_netcat(port: int) -> None:
    out = shell(r"printf '*IDN?\n' | nc -q1 127.0.0.1 $PORT", port)
    assert out.startswith("NeuroTimer,SIM-4,") and out.endswith("\n") and out.count("\n") == 1


def test_a_session_script_with_netcat(port: int) -> None:
    lines = r"OUTP1 ON\nSOUR1:CURR 3\nSOUR1:CURR?\nOUTP1?\nSOUR9:CURR 1\nSYST:ERR?\nSYST:ERR?\n"
    script = f"printf '{lines}' | nc -N 127.0.0.1 $PORT"
    assert shell(script, port).splitlines() == ["3.0", "1", '-114,"Header suffix out of range"', '0,"No error"']
    # nc closed the link with an output on: the next client finds it off and the reason queued.
    again = shell(r"printf 'OUTP1?\nSYST:ERR?\n' | nc -N 127.0.0.1 $PORT", port)
    assert again.splitlines() == ["0", '104,"Host disconnected"']


def test_crlf_lines_with_socat(port: int) -> None:
    out = shell(r"printf 'syst:chan?\r\nstat:chan2?\r\n' | socat -t1 - TCP:127.0.0.1:$PORT", port)
    lines = out.splitlines()
    assert lines[0] == "4" and lines[1].startswith("0,0.00,0.0,") and lines[1].endswith(",OK")
