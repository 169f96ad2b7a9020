"""The command line: version, help, and one-line errors with exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from neurotimer import __version__

EXE = str(Path(sys.executable).parent / "neurotimer")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=60)


def test_version_prints_the_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"neurotimer {__version__}"


def test_help_lists_every_option_and_subcommand() -> None:
    result = run("--help")
    assert result.returncode == 0
    for option in ("--demo", "--db", "--device", "--chairs", "--version", "--help"):
        assert option in result.stdout
    for command in ("sim", "demo-data", "export", "verify"):
        assert command in result.stdout


def test_help_lists_the_windows_exit_codes_as_each_command_lists_its_own() -> None:
    result = run("--help")
    assert result.returncode == 0
    codes = result.stdout.split("exit codes:\n", 1)[1]
    for code in ("0", "1", "2"):
        assert f"\n  {code}  " in "\n" + codes, code
    assert "  2  refused: bad arguments" in codes
    assert result.stdout.index("options:") < result.stdout.index("exit codes:"), "after the options, as the others"


def test_a_bad_argument_gets_one_line_and_status_2() -> None:
    result = run("--colour=blue")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "unrecognized arguments: --colour=blue" in lines[0]


def test_an_unknown_subcommand_gets_one_line_and_status_2() -> None:
    result = run("frobnicate")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "invalid choice" in result.stderr


def test_a_number_of_chairs_outside_one_to_eight_is_one_line_and_status_2() -> None:
    for bad in ("0", "9", "three"):
        result = run("--chairs", bad)
        assert result.returncode == 2
        assert result.stderr.strip() == (f"neurotimer: error: argument --chairs: expected a number of chairs from "
                                         f"1 to 8, got '{bad}' (see --help)")
