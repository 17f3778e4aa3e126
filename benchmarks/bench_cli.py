"""Wall-clock times of the command line, as a user sees them.

- `import legsim` (median of 5 fresh interpreters)
- `legsim --help` and `legsim validate` (median of 3)
- a cold `legsim run scenarios/knee_drive.yaml --no-animation` with an empty numba cache
  (NUMBA_CACHE_DIR pointed at a new temporary folder), then warm runs (median of 3)

Run:  python benchmarks/bench_cli.py
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "knee_drive.yaml"


def wall(cmd, env=None, cwd=None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=cwd)
    return time.perf_counter() - t0


def main() -> None:
    py = sys.executable
    legsim = [py, "-m", "legsim"]
    imp = statistics.median(wall([py, "-c", "import legsim"]) for _ in range(5))
    helpt = statistics.median(wall(legsim + ["--help"]) for _ in range(3))
    val = statistics.median(wall(legsim + ["validate", str(SCENARIO)]) for _ in range(3))
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        run = legsim + ["run", str(SCENARIO), "--no-animation", "--out", str(Path(out) / "r")]
        cold = wall(run, env=env)
        warm = statistics.median(wall(run, env=env) for _ in range(3))
    print(f"import legsim                       {imp:7.3f} s")
    print(f"legsim --help                       {helpt:7.3f} s")
    print(f"legsim validate knee_drive.yaml     {val:7.3f} s")
    print(f"legsim run (cold, empty numba cache) {cold:6.2f} s")
    print(f"legsim run (warm)                   {warm:7.2f} s")


if __name__ == "__main__":
    main()
