"""The layers stay apart: no Qt below the window, the window never reaches into the composition root,
storage and stimulator never import each other. Imports inside functions count too."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import neurotimer

PACKAGE = Path(neurotimer.__file__).resolve().parent
QT_ALLOWED = ("neurotimer.gui", "neurotimer.app", "neurotimer.__main__")
QT_NAMES = ("PySide6", "shiboken6", "pyqtgraph")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function, with relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[: len(here) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def all_modules() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def offenders(rule) -> list[str]:
    return sorted(f"{mod} imports {imp}" for mod, imps in all_modules().items() for imp in imps if rule(mod, imp))


def test_imports_are_read_from_function_bodies_too(tmp_path) -> None:
    sample = PACKAGE / "storage" / "cli.py"
    assert any(name.startswith("neurotimer.") for name in imports_of(sample))
    assert len(all_modules()) > 80


def test_only_the_window_and_the_composition_root_import_qt() -> None:
    assert offenders(lambda mod, imp: not mod.startswith(QT_ALLOWED) and imp.startswith(QT_NAMES)) == []


def test_the_window_never_imports_the_composition_root() -> None:
    assert offenders(lambda mod, imp: mod.startswith("neurotimer.gui") and imp.startswith("neurotimer.app")) == []


def test_storage_and_stimulator_never_import_each_other() -> None:
    def crosses(mod: str, imp: str) -> bool:
        return (mod.startswith("neurotimer.storage") and imp.startswith("neurotimer.stimulator")) or (
            mod.startswith("neurotimer.stimulator") and imp.startswith("neurotimer.storage")
        )

    assert offenders(crosses) == []


def test_domain_packages_import_no_window_code() -> None:
    domain = ("neurotimer.session", "neurotimer.plan", "neurotimer.safety", "neurotimer.points")
    outside = ("neurotimer.gui", "neurotimer.storage", "neurotimer.stimulator")
    assert offenders(lambda mod, imp: mod.startswith(domain) and imp.startswith(outside)) == []


def qt_free_modules() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(neurotimer.__path__, "neurotimer.")
        if not info.name.startswith(QT_ALLOWED)
    ]


def test_lower_layers_load_no_qt_when_imported() -> None:
    modules = qt_free_modules()
    assert "neurotimer.session.session" in modules and "neurotimer.session.clock" in modules
    assert "neurotimer.paths" in modules
    assert any(m.startswith("neurotimer.stimulator") for m in modules)
    assert any(m.startswith("neurotimer.storage") for m in modules)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"loaded = sorted(m for m in sys.modules if m.startswith({QT_NAMES!r}))\n"
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
