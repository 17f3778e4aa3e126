"""Sweeps: rows equal single simulations, the modes number variants as documented, bad input
fails before anything runs, and an interrupted sweep resumes without redoing or duplicating rows."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import legsim
from legsim.metrics import METRIC_KEYS
from legsim.sweeps import SweepError, plan_sweep, sweep

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"


def _same(a, b):
    if a is None:
        return b is None or (isinstance(b, float) and math.isnan(b))
    if isinstance(a, bool):
        return bool(b) == a
    return a == b


def test_rows_equal_single_simulations():
    """Fast paths (written into packed arrays) and structural paths (re-packed) give exactly the
    metrics of legsim.simulate on the same variant, for every strategy."""
    params = {"initial.knee_velocity_deg_s": (300.0, 900.0),
              "actuators.hip_flexors.peak_torque_Nm": (150.0, 350.0),
              "subject.mass_kg": (60.0, 90.0),
              "end.thigh_angle_deg": (45.0, 70.0)}
    df = sweep(SCEN / "compare_techniques.yaml", params, mode="random", n=6, seed=3)
    base = legsim.load_scenario(SCEN / "compare_techniques.yaml")
    for _, row in df.iterrows():
        scn = base.replace({p: float(row[p]) for p in params})
        res = legsim.simulate(scn)
        for name, r in res.strategies.items():
            for key in METRIC_KEYS:
                assert _same(r.metrics[key], row[f"{name}.{key}"]), (name, key)
            assert row[f"{name}.status"] == ("completed" if r.completed else "max_time")


def test_grid_zip_random_numbering():
    grid = plan_sweep(SCEN / "knee_drive.yaml", {"initial.thigh_angle_deg": [-30, -20],
                                                 "initial.knee_velocity_deg_s": "300:900:3"})
    assert grid.n_variants == 6
    a, b = grid.variant_values(0, 6)
    assert list(a) == [-30, -30, -30, -20, -20, -20] and list(b) == [300, 600, 900] * 2
    z = plan_sweep(SCEN / "knee_drive.yaml", {"initial.thigh_angle_deg": [-30, -20, -10],
                                              "initial.knee_velocity_deg_s": [300, 600, 900]}, mode="zip")
    a, b = z.variant_values(0, 3)
    assert list(a) == [-30, -20, -10] and list(b) == [300, 600, 900]
    r1 = plan_sweep(SCEN / "knee_drive.yaml", {"subject.mass_kg": (60, 90)}, mode="random", n=50,
                    seed=7, chunk_size=20)
    r2 = plan_sweep(SCEN / "knee_drive.yaml", {"subject.mass_kg": (60, 90)}, mode="random", n=50,
                    seed=7, chunk_size=20)
    v1 = np.concatenate([r1.variant_values(*r1.chunk_range(c))[0] for c in range(r1.n_chunks)])
    v2 = np.concatenate([r2.variant_values(*r2.chunk_range(c))[0] for c in range(r2.n_chunks)])
    assert np.array_equal(v1, v2) and v1.min() >= 60 and v1.max() <= 90 and len(np.unique(v1)) == 50


@pytest.mark.parametrize("params,mode,kw,needle", [
    ({"initial.knee_speed": [1, 2]}, "grid", {}, "initial.knee_speed"),
    ({"initial.knee_flexion_deg": [30, 400]}, "grid", {}, "from -10 to 180"),
    ({"subject.mass_kg": (60, 900)}, "random", {"n": 5}, "subject.mass_kg"),
    ({"subject.mass_kg": [60, 70], "subject.height_m": [1.7]}, "zip", {}, "equal length"),
    ({"subject.mass_kg": (60, 90)}, "random", {}, "n: found None"),
    ({"subject.mass_kg": [60]}, "spiral", {}, "mode"),
])
def test_bad_sweeps_fail_before_running(params, mode, kw, needle, monkeypatch):
    import legsim.sweeps as sw

    def never(*a, **k):
        raise AssertionError("a chunk ran")

    monkeypatch.setattr(sw, "run_chunk", never)
    with pytest.raises(SweepError) as err:
        sweep(SCEN / "knee_drive.yaml", params, mode=mode, **kw)
    assert needle in str(err.value)


def test_interrupted_sweep_resumes_without_duplicates(tmp_path):
    params = {"initial.knee_velocity_deg_s": "300:900:7", "initial.thigh_angle_deg": "-35:-15:5"}
    out = tmp_path / "s.csv"
    calls = []

    def stop_after_two(done, total, elapsed):
        calls.append(done)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep(SCEN / "knee_drive.yaml", params, out=out, chunk_size=8, progress=stop_after_two)
    record = json.loads((tmp_path / "s.csv.sweep.json").read_text())
    assert sorted(record["chunks"]) == [0, 1]
    # a half-written chunk after the last finished one is cut away on resume
    with open(out, "a") as fh:
        fh.write("16,600,-35,compl")
    ran = []
    import legsim.sweeps as sw

    real = sw.run_chunk

    def counting(plan, chunk, threads=None):
        ran.append(chunk)
        return real(plan, chunk, threads)

    sw.run_chunk = counting
    try:
        path = sweep(SCEN / "knee_drive.yaml", params, out=out, chunk_size=8)
    finally:
        sw.run_chunk = real
    assert 0 not in ran and 1 not in ran and sorted(ran) == [2, 3, 4]
    df = pd.read_csv(path)
    assert sorted(df["variant"]) == list(range(35))
    full = sweep(SCEN / "knee_drive.yaml", params, chunk_size=8)
    pd.testing.assert_series_equal(df["knee_drive.recovery_time_s"], full["knee_drive.recovery_time_s"],
                                   check_exact=False, rtol=1e-9)
    assert not (tmp_path / "s.csv.sweep.json").exists()


def test_resume_refuses_a_different_sweep(tmp_path):
    out = tmp_path / "s.csv"
    (tmp_path / "s.csv.sweep.json").write_text(json.dumps({"spec": "other", "chunks": [0], "bytes": 0}))
    with pytest.raises(SweepError, match="different specification"):
        sweep(SCEN / "knee_drive.yaml", {"initial.thigh_angle_deg": [-30, -20]}, out=out)


def test_parquet_output_equals_csv(tmp_path):
    pytest.importorskip("pyarrow")
    params = {"initial.thigh_angle_deg": "-35:-15:6"}
    p = sweep(SCEN / "compare_techniques.yaml", params, out=tmp_path / "s.parquet", chunk_size=4)
    c = sweep(SCEN / "compare_techniques.yaml", params, out=tmp_path / "s.csv", chunk_size=4)
    a = pd.read_parquet(p)
    b = pd.read_csv(c)
    assert list(a.columns) == list(b.columns) and len(a) == 6
    np.testing.assert_allclose(a["butt_kick.recovery_time_s"], b["butt_kick.recovery_time_s"], rtol=1e-9)
    assert not (tmp_path / "s.parquet.parts").exists()


def test_unknown_output_suffix_is_an_error(tmp_path):
    with pytest.raises(SweepError, match=".csv or .parquet"):
        sweep(SCEN / "knee_drive.yaml", {"initial.thigh_angle_deg": [-30]}, out=tmp_path / "s.xlsx")


def test_not_completed_variants_are_recorded_not_fatal():
    df = sweep(SCEN / "knee_drive.yaml", {"end.max_time_s": [0.05, 0.6]}, mode="grid")
    assert list(df["knee_drive.status"]) == ["max_time", "completed"]
    assert math.isnan(df["knee_drive.recovery_time_s"][0])
    assert not df["knee_drive.completed"][0]


def test_public_name_is_the_function():
    """`legsim.sweep` is the function even after the module `legsim.sweeps` was imported."""
    import legsim.sweeps

    assert callable(legsim.sweep) and legsim.sweep is legsim.sweeps.sweep
    df = legsim.sweep(SCEN / "knee_drive.yaml", {"subject.mass_kg": [70, 80]})
    assert df["subject.mass_kg"].tolist() == [70, 80]


def test_hip_acceleration_and_gravity_sweeps_equal_simulate():
    """Values the kernel cannot take from one shared table (hip acceleration) or that presets
    use when the model is built (gravity with the untrained preset) are simulated per variant."""
    knee = SCEN / "knee_drive.yaml"
    df = sweep(knee, {"model.hip_acceleration.x_m_s2": [0.0, 20.0, -20.0]})
    base = legsim.load_scenario(knee)
    for v, t in zip([0.0, 20.0, -20.0], df["knee_drive.recovery_time_s"]):
        ref = legsim.simulate(base.replace({"model.hip_acceleration.x_m_s2": v}))
        assert t == ref.strategies["knee_drive"].metrics["recovery_time_s"]
    assert len(set(df["knee_drive.recovery_time_s"])) == 3
    untrained = legsim.load_scenario(SCEN / "compare_untrained.yaml")
    df = sweep(untrained, {"model.gravity_m_s2": [5.0, 15.0]})
    for g, (_, row) in zip([5.0, 15.0], df.iterrows()):
        ref = legsim.simulate(untrained.replace({"model.gravity_m_s2": g}))
        for name, r in ref.strategies.items():
            assert row[f"{name}.recovery_time_s"] == r.metrics["recovery_time_s"]


def test_conflicting_values_fail_before_running_or_are_marked_invalid():
    knee = SCEN / "knee_drive.yaml"
    params = {"segments.thigh.length_m": [0.30, 0.45], "segments.thigh.com_m": [0.15, 0.35]}
    with pytest.raises(SweepError, match=r"sweep combination segments.thigh.length_m = 0.3, "
                                         r"segments.thigh.com_m = 0.35"):
        plan_sweep(knee, params)
    # random draws are checked when their chunk runs: a conflict is a status, not an abort
    df = sweep(knee, {"segments.thigh.length_m": (0.30, 0.45), "segments.thigh.com_m": (0.15, 0.35)},
               mode="random", n=8, seed=1)
    bad = df["segments.thigh.com_m"] >= df["segments.thigh.length_m"]
    assert bad.any() and (~bad).any()
    assert (df.loc[bad, "knee_drive.status"] == "invalid").all()
    assert df.loc[bad, "knee_drive.recovery_time_s"].isna().all()
    assert (df.loc[~bad, "knee_drive.status"] == "completed").all()


def test_threads_with_an_executor_is_refused():
    with pytest.raises(SweepError, match=r"threads: found 2 together with an executor"):
        sweep(SCEN / "knee_drive.yaml", {"subject.mass_kg": [70]}, threads=2,
              executor="tcp://127.0.0.1:1")


def test_trajectories_on_request(tmp_path):
    """Kept only when asked for: one CSV per variant and strategy, equal to legsim.simulate."""
    params = {"initial.knee_velocity_deg_s": [400.0, 800.0]}
    df = sweep(SCEN / "compare_techniques.yaml", params, trajectories=tmp_path / "traj")
    files = sorted(p.name for p in (tmp_path / "traj").iterdir())
    assert files == ["variant_0_butt_kick.csv", "variant_0_knee_drive.csv",
                     "variant_1_butt_kick.csv", "variant_1_knee_drive.csv"]
    rows = pd.read_csv(tmp_path / "traj" / "variant_1_knee_drive.csv")
    ref = legsim.simulate(legsim.load_scenario(SCEN / "compare_techniques.yaml")
                          .replace({"initial.knee_velocity_deg_s": 800.0}))
    traj = ref.strategies["knee_drive"].trajectory
    np.testing.assert_allclose(rows["thigh_angle_deg"], traj["thigh_angle_deg"], rtol=1e-9)
    assert rows["t_s"].iloc[-1] == pytest.approx(df["knee_drive.recovery_time_s"][1], abs=1e-9)
    plan = plan_sweep(SCEN / "knee_drive.yaml", {"subject.mass_kg": (60, 90)}, mode="random",
                      n=200_000, seed=1)
    assert plan.variant_scenario(7).get("subject.mass_kg") == plan.variant_values(7, 8)[0][0]
    with pytest.raises(SweepError, match="at most 100000 variants"):
        sweep(SCEN / "knee_drive.yaml", {"subject.mass_kg": (60, 90)}, mode="random",
              n=200_000, trajectories=tmp_path / "t2")


def test_model_rejected_combinations_and_limits(tmp_path):
    """A CoM beyond the thigh length of a short subject: refused before running in a grid,
    recorded as invalid in a random sweep; huge value counts are refused at once."""
    knee = SCEN / "knee_drive.yaml"
    with pytest.raises(SweepError, match=r"subject.height_m = 1.0, segments.thigh.com_m = 0.4"):
        plan_sweep(knee, {"subject.height_m": [1.0, 1.8], "segments.thigh.com_m": [0.2, 0.4]})
    df = sweep(knee, {"subject.height_m": (1.0, 2.5), "segments.thigh.com_m": (0.05, 0.5)},
               mode="random", n=30, seed=1)
    assert set(df["knee_drive.status"]) == {"completed", "invalid"}
    with pytest.raises(SweepError, match="at most 10,000,000 values per path"):
        plan_sweep(knee, {"subject.mass_kg": "300:900:1000000000"})


def test_threads_do_not_carry_over():
    import numba

    params = {"initial.knee_velocity_deg_s": [300.0, 600.0]}
    sweep(SCEN / "knee_drive.yaml", params, threads=1)
    sweep(SCEN / "knee_drive.yaml", params)
    assert numba.get_num_threads() == numba.config.NUMBA_NUM_THREADS


def test_parquet_with_a_text_column_null_in_one_chunk(tmp_path):
    pytest.importorskip("pyarrow")
    acc = tmp_path / "acc.csv"
    acc.write_text("t_s,acc_x_m_s2,acc_y_m_s2\n0,0,0\n1,5,0\n")
    out = sweep(SCEN / "knee_drive.yaml", {"model.hip_acceleration.table": [None, str(acc)],
                                           "initial.knee_velocity_deg_s": [300.0, 600.0]},
                out=tmp_path / "t.parquet", chunk_size=2)
    df = pd.read_parquet(out)
    assert len(df) == 4 and df["model.hip_acceleration.table"].isna().sum() == 2


def test_resume_when_the_output_was_removed(tmp_path):
    import legsim.sweeps as sw

    out = tmp_path / "rows.csv"
    params = {"initial.knee_velocity_deg_s": "300:900:6"}
    real, calls = sw.run_chunk, []

    def stop(*a, **k):
        if calls:
            raise KeyboardInterrupt
        calls.append(1)
        return real(*a, **k)

    sw.run_chunk = stop
    try:
        with pytest.raises(KeyboardInterrupt):
            sweep(SCEN / "knee_drive.yaml", params, out=out, chunk_size=3)
    finally:
        sw.run_chunk = real
    out.unlink()                                    # the record stays, the rows are gone
    sweep(SCEN / "knee_drive.yaml", params, out=out, chunk_size=3)
    rows = pd.read_csv(out)
    assert rows["variant"].tolist() == list(range(6))
