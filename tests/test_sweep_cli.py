"""`legsim sweep`: the command's rows equal the Python API's, it shows progress with a time
estimate, draws the documented summary figure (lines for one swept value, a heatmap for two, the
difference between strategies when there are several), resumes after an interruption, and bad
input exits with status 2 and one line naming the option, before anything is written."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from legsim.cli import _Progress, main
from legsim.sweeps import sweep

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
KNEE = SCEN / "knee_drive.yaml"


def test_cli_rows_equal_api_and_plot_written(tmp_path, capsys):
    out = tmp_path / "rows.csv"
    code = main(["sweep", str(KNEE), "--param", "initial.knee_velocity_deg_s=300:900:4",
                 "--param", "subject.mass_kg=70,80", "--out", str(out)])
    assert code == 0
    cap = capsys.readouterr()
    assert "grid of 8 variants" in cap.out
    assert "8/8 variants" in cap.err                       # the progress line
    assert f"wrote {out} (8 rows)" in cap.out
    assert "knee_drive: 8/8 completed, median recovery time" in cap.out
    rows = pd.read_csv(out)
    api = sweep(KNEE, {"initial.knee_velocity_deg_s": "300:900:4", "subject.mass_kg": [70, 80]})
    assert list(rows.columns) == list(api.columns)
    num = [c for c in api.columns if api[c].dtype.kind == "f"]
    # CSV numbers carry 10 significant digits (docs/sweeps.md)
    np.testing.assert_allclose(rows[num].to_numpy(float), api[num].to_numpy(float), rtol=6e-10)
    png = out.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    assert png.stat().st_mode & 0o044, "the figure should be readable by others (umask)"
    assert not out.with_name(out.name + ".sweep.json").exists()   # finished: no resume record


def test_scenario_sweep_block_two_strategies(tmp_path, capsys):
    out = tmp_path / "hs.parquet"
    assert main(["sweep", str(SCEN / "sweeps" / "hip_strength.yaml"), "--out", str(out),
                 "--plot", str(tmp_path / "hs.svg")]) == 0
    text = capsys.readouterr().out
    assert "13 variants × 2 strategies (knee_drive, butt_kick) = 26 simulations" in text
    assert "butt_kick − knee_drive: median difference" in text
    df = pd.read_parquet(out)
    assert len(df) == 13
    assert np.allclose(df["actuators.hip_flexors.peak_torque_Nm"], np.linspace(100, 400, 13))
    # stronger hip flexors: a shorter knee-drive recovery (monotone over the grid)
    assert (np.diff(df["knee_drive.recovery_time_s"]) < 0).all()
    assert (tmp_path / "hs.svg").read_text().lstrip().startswith("<?xml")


def _artists(fig):
    from matplotlib.collections import QuadMesh
    from matplotlib.image import AxesImage

    lines = sum(len(ax.get_lines()) for ax in fig.axes)
    maps = sum(isinstance(a, (QuadMesh, AxesImage)) for ax in fig.axes for a in ax.get_children()
               if ax.get_label() != "<colorbar>")
    labels = [ax.get_ylabel() for ax in fig.axes] + [ax.get_title() for ax in fig.axes]
    return lines, maps, " ".join(labels)


def test_summary_figure_layouts():
    """One swept value: lines, plus a difference panel for two strategies; two swept values on a
    grid: one heatmap per strategy and one of the difference."""
    import matplotlib.pyplot as plt

    from legsim.viz.sweep_plots import summary_figure

    two = SCEN / "compare_techniques.yaml"
    df1 = sweep(two, {"initial.knee_velocity_deg_s": "300:900:3"})
    fig = summary_figure(df1, ["initial.knee_velocity_deg_s"], ["knee_drive", "butt_kick"])
    lines, maps, labels = _artists(fig)
    assert maps == 0 and lines >= 3 and "butt_kick − knee_drive" in labels
    plt.close(fig)

    df2 = sweep(two, {"initial.knee_velocity_deg_s": "300:900:3",
                      "initial.thigh_angle_deg": "-30:-20:2"})
    fig = summary_figure(df2, ["initial.knee_velocity_deg_s", "initial.thigh_angle_deg"],
                         ["knee_drive", "butt_kick"])
    lines, maps, labels = _artists(fig)
    assert maps == 3, "a heatmap per strategy and one of the difference"
    plt.close(fig)

    df3 = sweep(KNEE, {"initial.knee_velocity_deg_s": (300, 900),
                       "initial.thigh_angle_deg": (-30, -20)}, mode="random", n=20, seed=1)
    fig = summary_figure(df3, ["initial.knee_velocity_deg_s", "initial.thigh_angle_deg"],
                         ["knee_drive"], mode="random")
    assert sum(len(ax.collections) for ax in fig.axes) >= 1       # a scatter, not a heatmap
    assert _artists(fig)[1] == 0
    plt.close(fig)


def test_progress_shows_rate_and_time_left():
    stream = io.StringIO()          # not a terminal: one line per update
    p = _Progress(total=1000, already=200, stream=stream)
    p.start()
    p(600, 1000, 2.0)               # 400 new variants in 2 s: 200/s, 400 left -> 0:02
    p(1000, 1000, 4.0)
    p.close()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("[") and "200/1000 variants" in lines[0]
    assert "600/1000 variants, 200 variants/s, about 0:02 left" in lines[1]
    assert "1000/1000 variants" in lines[2] and "done in 0:04" in lines[2]


def test_interrupted_cli_sweep_resumes(tmp_path, capsys, monkeypatch):
    import legsim.sweeps as sw

    params = ["--param", "initial.knee_velocity_deg_s=300:900:12", "--chunk-size", "3"]
    out = tmp_path / "rows.csv"
    real = sw.run_chunk
    calls = []

    def stop_after_two(*a, **k):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(sw, "run_chunk", stop_after_two)
    assert main(["sweep", str(KNEE), *params, "--out", str(out), "--no-plot"]) == 130
    err = capsys.readouterr().err
    assert "interrupted; 6 of 12 variants are saved" in err and "run the same command again" in err
    monkeypatch.setattr(sw, "run_chunk", real)
    assert main(["sweep", str(KNEE), *params, "--out", str(out), "--no-plot"]) == 0
    assert "resuming: 6 of 12 variants are already in" in capsys.readouterr().out
    done = pd.read_csv(out)
    full = sweep(KNEE, {"initial.knee_velocity_deg_s": "300:900:12"})
    assert done["variant"].tolist() == list(range(12))
    np.testing.assert_allclose(done["knee_drive.recovery_time_s"],
                               full["knee_drive.recovery_time_s"], rtol=6e-10)


@pytest.mark.parametrize("argv,needle", [
    (["--param", "initial.knee_velocity_deg_s"], "found no '='"),
    (["--param", "initial.knee_speed=1,2"], "initial.knee_speed"),
    (["--param", "initial.knee_velocity_deg_s=300:900"], "accepted: KEY=START:STOP:N"),
    (["--param", "initial.knee_flexion_deg=30,400"], "from -10 to 180"),
    (["--param", "subject.mass_kg=60,70", "--n", "5"], "--n: found 5 with mode grid"),
    (["--param", "subject.mass_kg=60,70", "--threads", "0"], "--threads: found 0"),
    (["--param", "subject.mass_kg=60,70", "--metric", "recovery_tim_s"], "--metric: found"),
    (["--param", "subject.mass_kg=60,70", "--out", "rows.xlsx"], "accepted: a file name ending in .csv"),
    (["--param", "subject.mass_kg=60:90", "--mode", "random"], "--n: found nothing"),
    ([], "no --param given and the scenario has no sweep"),
])
def test_bad_sweep_options_exit_2_before_writing(argv, needle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if "--out" not in argv:
        argv = [*argv, "--out", "rows.csv"]
    proc = subprocess.run([sys.executable, "-m", "legsim", "sweep", str(KNEE), *argv],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_is_refused_before_running(tmp_path, capsys, monkeypatch):
    import legsim.sweeps as sw

    monkeypatch.setattr(sw, "run_chunk", lambda *a, **k: pytest.fail("a chunk ran"))
    blocker = tmp_path / "afile"
    blocker.write_text("")
    for argv, needle in (
            (["--out", str(blocker / "x.csv")], "--out"),
            (["--out", str(tmp_path / "ok.csv"), "--plot", str(blocker / "x.png")], "--plot"),
            (["--out", str(tmp_path / "ok.csv"), "--plot", str(tmp_path / "p.png"), "--no-plot"],
             "found together with --no-plot")):
        assert main(["sweep", str(KNEE), "--param", "subject.mass_kg=70,80", *argv]) == 2
        err = capsys.readouterr().err
        assert needle in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]
