"""Frozen-build benchmark: PyInstaller build time, folder size, and start to first paint beside the script."""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "neurotimer"


def build(dist: Path, work: Path) -> float:
    """Seconds for one clean build of build.spec into `dist`."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work), str(ROOT / "build.spec")],
                   check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def size_mb(folder: Path) -> float:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


def probe(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds from process start to each mark the process prints ('first-paint', 'ready')."""
    started = time.time()
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=True).stdout
    marks = {}
    for line in out.splitlines():
        name, _, stamp = line.partition(" ")
        if name in ("first-paint", "ready"):
            marks[name] = float(stamp) - started
    return marks


def cli_seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([*command, "--version"], capture_output=True, env=env, timeout=60, check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--builds", type=int, default=3, help="clean builds to time (default 3)")
    parser.add_argument("--runs", type=int, default=7, help="start-ups of each kind (default 7)")
    parser.add_argument("--dist", type=Path, help="measure this existing build instead of building")
    args = parser.parse_args()
    if args.dist is None and importlib.util.find_spec("PyInstaller") is None:
        print("frozen build not measured: no PyInstaller in this venv (`pip install -e '.[build]'` as make build does)")
        return 0

    with tempfile.TemporaryDirectory(prefix="nt-bench-frozen-") as tmp:
        tmp_path = Path(tmp)
        if args.dist is None:
            times = [build(tmp_path / "dist", tmp_path / f"work{i}") for i in range(args.builds)]
            frozen = tmp_path / "dist" / "neurotimer"
            print(f"one-folder build (clean): median {statistics.median(times):.1f} s over {len(times)} builds "
                  f"({', '.join(f'{t:.1f}' for t in times)})")
        else:
            frozen = args.dist.resolve()
        exe = frozen / "neurotimer"
        print(f"dist size: {size_mb(frozen):.0f} MB (du -sm)")

        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               "XDG_DATA_HOME": tmp, "XDG_CONFIG_HOME": tmp}
        kinds = {"frozen": [str(exe)], "script": [str(SCRIPT)]}
        for command in kinds.values():  # warm the file cache so the first timed run is not an outlier
            probe([*command, "--startup-probe", "--db", f"{tmp}/warm.sqlite3"], env)
        paint: dict[str, list[float]] = {k: [] for k in kinds}
        ready: dict[str, list[float]] = {k: [] for k in kinds}
        cli: dict[str, list[float]] = {k: [] for k in kinds}
        for run in range(args.runs):  # interleaved so both see the same machine load
            for kind, command in kinds.items():
                marks = probe([*command, "--startup-probe", "--db", f"{tmp}/{kind}{run}.sqlite3"], env)
                paint[kind].append(marks["first-paint"])
                ready[kind].append(marks["ready"])
                cli[kind].append(cli_seconds(command, env))
    for kind in kinds:
        print(f"{kind:6}: first paint median {statistics.median(paint[kind]) * 1000:.0f} ms, "
              f"ready {statistics.median(ready[kind]) * 1000:.0f} ms, "
              f"`--version` {statistics.median(cli[kind]) * 1000:.0f} ms  ({args.runs} runs)")
    ratio = statistics.median(paint["frozen"]) / statistics.median(paint["script"])
    print(f"frozen / script first paint: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
