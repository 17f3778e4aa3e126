"""Writing a results folder atomically: everything is written into a temporary sibling folder
which replaces the target only when complete, so a failed run leaves no half-written folder."""
from __future__ import annotations

import csv
import json
import math
import os
import shutil
import tempfile
from pathlib import Path

from .metrics import METRIC_KEYS, UNITS
from .result import TRAJECTORY_COLUMNS, Result


def _json_value(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def metrics_document(result: Result) -> dict:
    """metrics.json content: one object, or one object per strategy when there are several."""
    per = {name: {k: _json_value(v) for k, v in r.metrics.items()} for name, r in result.strategies.items()}
    if len(per) == 1:
        return next(iter(per.values()))
    return per


def write_trajectory(path: Path, traj: dict) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(TRAJECTORY_COLUMNS)
        cols = [traj[c] for c in TRAJECTORY_COLUMNS]
        for i in range(len(cols[0])):
            w.writerow([f"{c[i]:.10g}" for c in cols])


def trajectory_name(result: Result, name: str) -> str:
    return "trajectory.csv" if len(result.strategies) == 1 else f"trajectory_{name}.csv"


def write_results(result: Result, out_dir: Path, formats=("png",), figures: bool = True) -> list[Path]:
    """Write metrics.json, trajectory CSV(s), the resolved scenario and figures into ``out_dir``.

    The folder is assembled under a temporary name next to ``out_dir`` and moved into place at
    the end; an existing ``out_dir`` is replaced only after the new one is complete.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        with open(tmp / "metrics.json", "w") as fh:
            json.dump(metrics_document(result), fh, indent=2)
            fh.write("\n")
        for name, r in result.strategies.items():
            write_trajectory(tmp / trajectory_name(result, name), r.trajectory)
        scn = result.scenario
        with open(tmp / "scenario_resolved.json", "w") as fh:
            json.dump({"name": scn.name, "source": str(scn.path) if scn.path else None,
                       "data": scn.data}, fh, indent=2, default=str)
            fh.write("\n")
        if figures:
            from .viz.figures import write_figures

            write_figures(list(result.strategies.values()), tmp, formats=tuple(formats))
        # mkdtemp makes a private folder; give the results the permissions of a normal folder
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        for f in tmp.iterdir():
            os.chmod(f, 0o666 & ~umask)
        backup = None
        if out_dir.exists():
            backup = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
            os.replace(out_dir, backup)
        os.replace(tmp, out_dir)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(out_dir.iterdir())


def format_table(result: Result) -> str:
    """The terminal table: one row per metric, one column per strategy."""
    names = list(result.strategies)
    rows = []
    for key in METRIC_KEYS:
        cells = []
        for n in names:
            v = result.strategies[n].metrics.get(key)
            if v is None:
                cells.append("—")
            elif isinstance(v, bool):
                cells.append("yes" if v else "NO")
            else:
                cells.append(f"{v:.4g}")
        label = key
        rows.append((label, UNITS.get(key, ""), cells))
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    wc = [max(len(n), *(len(r[2][i]) for r in rows)) for i, n in enumerate(names)]
    lines = [f"{'metric':<{w0}}  {'unit':<{w1}}  " + "  ".join(f"{n:>{w}}" for n, w in zip(names, wc))]
    lines.append("-" * len(lines[0]))
    for label, unit, cells in rows:
        lines.append(f"{label:<{w0}}  {unit:<{w1}}  " + "  ".join(f"{c:>{w}}" for c, w in zip(cells, wc)))
    for n in names:
        lines.append(f"{n}: {result.strategies[n].reason}")
    return "\n".join(lines)
