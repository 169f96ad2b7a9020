"""The domain, stimulator and storage layers never load Qt; the CLI loads it only for the window."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import neurotimer

QT_FREE_EXCLUDED = ("neurotimer.gui", "neurotimer.app", "neurotimer.__main__")


def qt_free_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(neurotimer.__path__, "neurotimer."):
        if not info.name.startswith(QT_FREE_EXCLUDED):
            names.append(info.name)
    return names


def test_lower_layers_import_no_qt() -> None:
    modules = qt_free_modules()
    assert "neurotimer.session" in modules and "neurotimer.clock" in modules
    assert any(m.startswith("neurotimer.stimulator") for m in modules)
    assert any(m.startswith("neurotimer.storage") for m in modules)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'pyqtgraph')))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"Qt loaded by a lower layer: {result.stdout}"


def test_command_line_help_loads_no_qt() -> None:
    code = (
        "import sys\n"
        "from neurotimer.cli import build_parser\n"
        "build_parser().format_help()\n"
        "print(any(m.startswith('PySide6') for m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr
