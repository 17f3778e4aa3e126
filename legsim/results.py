"""Writing a results folder atomically: everything is written into a temporary sibling folder
which replaces the target only when complete, so a failed run leaves no half-written folder."""
from __future__ import annotations

import csv
import json
import math
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .comparison import Comparison, comparison_of
from .comparison import format_table as _format_comparison
from .result import TRAJECTORY_COLUMNS, Result


def _json_value(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _as_comparison(result) -> Comparison:
    return result if isinstance(result, Comparison) else comparison_of(result)


def metrics_document(result) -> dict:
    """metrics.json content: one object, or one object per strategy when there are several."""
    cmp = _as_comparison(result)
    per = {label: {k: _json_value(v) for k, v in r.metrics.items()} for label, r in cmp.items}
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


def file_label(label: str) -> str:
    """A strategy label as part of a file name."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in label)


def trajectory_name(result, label: str) -> str:
    cmp = _as_comparison(result)
    return "trajectory.csv" if len(cmp.items) == 1 else f"trajectory_{file_label(label)}.csv"


def scenario_summary(scn) -> dict:
    """The facts of a scenario a reader of the results needs first."""
    d = scn.data
    ini = d["initial"]
    end = d["end"]
    act = d["actuators"]
    return {
        "name": scn.name, "path": str(scn.path) if scn.path else "", "description": d.get("description", ""),
        "subject": {k: d["subject"][k] for k in ("mass_kg", "height_m", "sex", "anthropometry")},
        "actuators": act,
        "initial": {k: ini[k] for k in ("thigh_angle_deg", "knee_flexion_deg", "thigh_velocity_deg_s",
                                        "knee_velocity_deg_s")},
        "end": end,
    }


def write_results(result, out_dir: Path, formats=("png",), figures: bool = True,
                  animation: str | None = None, report: bool = False,
                  animation_options: dict | None = None, command: str | None = None) -> list[Path]:
    """Write a results folder for a `Result` or a `Comparison` into ``out_dir``.

    Contents: metrics.json, trajectory CSV(s), scenario_resolved.json, comparison.json (several
    strategies), figures (``formats``), an animation (``animation``: ``"gif"``, ``"mp4"`` or
    None) and report.html (``report``). The folder is assembled under a temporary name next to
    ``out_dir`` and moved into place at the end; an existing ``out_dir`` is replaced only after
    the new one is complete.
    """
    cmp = _as_comparison(result)
    out_dir = Path(out_dir)
    with atomic_folder(out_dir) as tmp:
        with open(tmp / "metrics.json", "w") as fh:
            json.dump(metrics_document(cmp), fh, indent=2)
            fh.write("\n")
        if len(cmp.items) > 1:
            with open(tmp / "comparison.json", "w") as fh:
                json.dump(cmp.document(), fh, indent=2)
                fh.write("\n")
        for label, r in cmp.items:
            write_trajectory(tmp / trajectory_name(cmp, label), r.trajectory)
        with open(tmp / "scenario_resolved.json", "w") as fh:
            docs = [{"name": res.scenario.name, "source": str(res.scenario.path) if res.scenario.path else None,
                     "data": res.scenario.data} for res in cmp.results]
            json.dump(docs[0] if len(docs) == 1 else docs, fh, indent=2, default=str)
            fh.write("\n")
        strategies = [r for _, r in cmp.items]
        figure_files: list[Path] = []
        if figures or report:
            from .viz.figures import write_figures

            figure_files = write_figures(strategies, tmp, formats=tuple(formats))
        anim_file = None
        if animation:
            from .viz.animation import write_animation

            anim_file = write_animation(list(cmp.items), tmp / f"animation.{animation}",
                                        **(animation_options or {}))
        if report:
            from . import __version__
            from .viz.report import write_report

            title = " vs ".join(cmp.labels) if len(cmp.items) > 1 else cmp.labels[0]
            write_report(tmp / "report.html", title=f"legsim {__version__}: {title}",
                         scenarios=[scenario_summary(res.scenario) for res in cmp.results],
                         strategies=list(cmp.items),
                         figures=[f for f in figure_files if f.suffix == ".png"],
                         animation=anim_file, command=command)
    return sorted(out_dir.iterdir())


@contextmanager
def atomic_folder(out_dir):
    """Assemble a results folder under a temporary sibling name; on success it replaces
    ``out_dir`` (an existing folder is replaced only then), on any error it is removed.

    ::

        with atomic_folder(Path("results/run")) as tmp:
            (tmp / "metrics.json").write_text(...)
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        yield tmp
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


def format_table(result) -> str:
    """The terminal table: one row per metric, one column per strategy, then differences."""
    return _format_comparison(_as_comparison(result))
