"""End to end: `legsim run` on the shipped scenarios, the results folder, failure behaviour,
and what the run path imports."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import legsim
from legsim.cli import main
from legsim.metrics import METRIC_KEYS

ROOT = Path(__file__).resolve().parents[1]
SCEN = ROOT / "scenarios"
DESIGN_COLUMNS = ["t_s", "thigh_angle_deg", "knee_flexion_deg", "thigh_velocity_deg_s",
                  "knee_velocity_deg_s", "hip_torque_Nm", "knee_torque_Nm", "heel_x_m", "heel_y_m",
                  "heel_buttock_distance_m"]
FIGURES = ["angles.png", "velocities.png", "torques.png", "strobe.png", "heel_path.png"]


@pytest.fixture(scope="module")
def compare_result():
    return legsim.simulate(legsim.load_scenario(SCEN / "compare_techniques.yaml"))


def test_run_knee_drive_writes_results_folder(tmp_path, capsys):
    out = tmp_path / "kd"
    assert main(["run", str(SCEN / "knee_drive.yaml"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "recovery_time_s" in printed and "knee_drive" in printed
    metrics = json.loads((out / "metrics.json").read_text())
    for key in METRIC_KEYS:
        assert key in metrics
    assert metrics["completed"] is True
    with open(out / "trajectory.csv") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][: len(DESIGN_COLUMNS)] == DESIGN_COLUMNS
    data = np.array(rows[1:], dtype=float)
    assert data[0, 0] == 0.0
    assert data[-1, 0] == pytest.approx(metrics["recovery_time_s"])
    assert data[-1, 1] == pytest.approx(60.0, abs=1e-6)      # ends at the end event
    for name in FIGURES:
        assert (out / name).stat().st_size > 10_000


def test_butt_kick_and_knee_drive_share_everything_but_the_strategy(compare_result):
    kd, bk = compare_result["knee_drive"], compare_result["butt_kick"]
    for col in ("thigh_angle_deg", "knee_flexion_deg", "thigh_velocity_deg_s", "knee_velocity_deg_s"):
        assert kd.trajectory[col][0] == bk.trajectory[col][0]
    assert kd.geometry == bk.geometry
    for r in (kd, bk):
        assert r.completed
        assert r.trajectory["thigh_angle_deg"][-1] == pytest.approx(60.0, abs=1e-6)


def test_technique_signature(compare_result):
    """The butt kick brings the heel closest to the buttock with the thigh near vertical; the
    knee drive with the thigh well forward (design.md's signature metric)."""
    kd = compare_result["knee_drive"].metrics
    bk = compare_result["butt_kick"].metrics
    assert abs(bk["thigh_angle_at_min_heel_buttock_distance_deg"]) < 20
    assert kd["thigh_angle_at_min_heel_buttock_distance_deg"] > 30
    assert bk["min_heel_buttock_distance_m"] < kd["min_heel_buttock_distance_m"]


def test_butt_kick_phases_are_consecutive(compare_result):
    bk = compare_result["butt_kick"]
    names = [p[0] for p in bk.phases]
    assert names == ["heel_to_buttock", "knee_forward"]
    assert bk.phases[0][2] == bk.phases[1][1]
    # the switch happened on a condition: heel at the buttock or knee flexion threshold
    k = np.flatnonzero(bk.trajectory["t_s"] == bk.phases[1][1])[0]
    at_buttock = bk.trajectory["heel_buttock_distance_m"][k] <= 1e-9
    flexed = bk.trajectory["knee_flexion_deg"][k] >= 150.0 - 1e-6
    assert at_buttock or flexed


def test_unreachable_phase_condition_is_reported_not_completed(tmp_path):
    scn = tmp_path / "never.yaml"
    scn.write_text(f"""
extends: {SCEN / 'sprinter.yaml'}
name: never
strategies:
  - name: stuck
    phases:
      - name: wait
        excite: {{knee_flexors: 1.0}}
        hold: {{hip: {{angle_deg: 0}}}}
        until: {{knee_flexion_deg: {{above: 179}}}}
      - name: go
        excite: {{hip_flexors: 1.0}}
end: {{thigh_angle_deg: 60, max_time_s: 0.3}}
""")
    res = legsim.simulate(scn)
    r = res["stuck"]
    assert not r.completed
    assert r.metrics["completed"] is False and r.metrics["recovery_time_s"] is None
    assert "max_time_s = 0.3" in r.reason and "'wait' never ended" in r.reason
    assert "knee flexion above 179" in r.reason
    out = tmp_path / "out"
    assert main(["run", str(scn), "--out", str(out), "--no-figures"]) == 0
    assert json.loads((out / "metrics.json").read_text())["recovery_time_s"] is None


def test_bad_scenario_exits_2_without_traceback_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {SCEN / 'sprinter.yaml'}\nsubject: {{mass_kg: -70}}\n")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "legsim", "run", str(bad), "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bad.yaml" in proc.stderr and "subject.mass_kg" in proc.stderr and "-70" in proc.stderr
    assert not out.exists()


def test_failed_write_keeps_previous_results(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert main(["run", str(SCEN / "knee_drive.yaml"), "--out", str(out), "--no-figures", "--quiet"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    import legsim.results as results

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(results, "write_trajectory", boom)
    with pytest.raises(RuntimeError):
        main(["run", str(SCEN / "butt_kick.yaml"), "--out", str(out), "--no-figures", "--quiet"])
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]     # no temporary folder left


def test_bad_format_option_is_a_clear_error(capsys):
    assert main(["run", str(SCEN / "knee_drive.yaml"), "--format", "jpg"]) == 2
    assert "--format" in capsys.readouterr().err


def test_validate_command(capsys):
    assert main(["validate", str(SCEN / "knee_drive.yaml"), str(SCEN / "butt_kick.yaml")]) == 0
    assert "valid scenario" in capsys.readouterr().out


def _imports_after(code: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                          capture_output=True, text=True, cwd=ROOT, check=True)
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_import_legsim_is_light():
    mods = _imports_after("import legsim")
    for heavy in ("sympy", "numba", "matplotlib", "scipy", "numpy", "yaml"):
        assert heavy not in mods


def test_run_path_never_imports_sympy(tmp_path):
    mods = _imports_after(
        "import legsim\n"
        f"from legsim.cli import main\nmain(['run', r'{SCEN / 'knee_drive.yaml'}', '--out', r'{tmp_path / 'o'}', '--quiet'])")
    assert "sympy" not in mods
    assert "legsim.model.derive" not in mods


def test_core_does_not_import_api_layers():
    mods = _imports_after("import legsim.core.integrate")
    # (numba itself imports yaml for its config file, so yaml is not checked here)
    for m in ("sympy", "matplotlib", "legsim.scenario", "legsim.simulation", "legsim.cli",
              "legsim.viz.figures"):
        assert m not in mods


def test_cord_scenario_pulls_back_on_the_thigh():
    """The resistance cord (anchored behind the hip) slows the knee drive down."""
    res_cord = legsim.simulate(SCEN / "cord_knee_drive.yaml")["knee_drive"]
    res_free = legsim.simulate(SCEN / "knee_drive.yaml")["knee_drive"]
    assert res_cord.trajectory["cord_force_N"].max() > 0
    assert res_cord.metrics["recovery_time_s"] > res_free.metrics["recovery_time_s"]


def test_torque_table_replays_simulated_torques(tmp_path, compare_result):
    """Replaying the knee drive's *active* torques as a table (passive structures still on)
    reproduces the knee-drive recovery: an independent path through the torque-table strategy."""
    kd = compare_result["knee_drive"]
    tab = tmp_path / "tq.csv"
    t = kd.trajectory["t_s"]
    with open(tab, "w") as fh:
        fh.write("t_s,hip_torque_Nm,knee_torque_Nm\n")
        for i in range(len(t)):
            fh.write(f"{t[i]:.17g},{kd.trajectory['hip_active_torque_Nm'][i]:.17g},{kd.trajectory['knee_active_torque_Nm'][i]:.17g}\n")
    scn = tmp_path / "replay.yaml"
    scn.write_text(f"extends: {SCEN / 'sprinter.yaml'}\nname: replay\n"
                   f"strategies: [{{name: replay, torque_table: {tab.name}}}]\n"
                   "integrator: {output_interval_s: 0.0005}\n")
    rep = legsim.simulate(scn)["replay"]
    assert rep.completed
    # linear interpolation of 1 ms torque samples: recovery time within 0.5 ms
    assert rep.metrics["recovery_time_s"] == pytest.approx(kd.metrics["recovery_time_s"], abs=5e-4)


def test_readme_python_example_runs(monkeypatch, capsys):
    """The README's Python example is executed as written (from the repository root)."""
    text = (ROOT / "README.md").read_text()
    block = text.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    exec(compile(block, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "knee_drive" in out and "butt_kick" in out


def _scenario(tmp_path, text, name="s.yaml"):
    p = tmp_path / name
    p.write_text(f"extends: {SCEN / 'sprinter.yaml'}\n" + text)
    return p


def test_thigh_peak_is_a_crossing_in_front_of_the_vertical(tmp_path):
    """A thigh still moving back at toe-off has not peaked; a hold turning the thigh back
    (butt kick, phase 1) is not the recovery's maximal thigh flexion."""
    scn = _scenario(tmp_path, "strategies: [knee_drive, butt_kick]\n"
                              "initial: {thigh_velocity_deg_s: -50}\n"
                              "end: {thigh_peak: true, max_time_s: 2.0}\n")
    res = legsim.simulate(scn)
    for r in res.strategies.values():
        assert r.completed, r.reason
        tr = r.trajectory
        assert r.metrics["recovery_time_s"] > 0.05
        assert tr["thigh_angle_deg"][-1] > 0
        assert abs(tr["thigh_velocity_deg_s"][-1]) < 1e-6
        assert tr["thigh_angle_deg"][-1] == pytest.approx(tr["thigh_angle_deg"].max(), abs=1e-9)
    assert [p[0] for p in res["butt_kick"].phases] == ["heel_to_buttock", "knee_forward"]


def test_ankle_passes_knee_only_with_the_shank_pointing_down(tmp_path):
    """ψ = θ − φ crossing 0 upward, not the ankle's x passing the knee's with the shank
    upside down (ψ = −180°) in deep flexion."""
    scn = _scenario(tmp_path, "strategies: [butt_kick]\n"
                              "initial: {thigh_angle_deg: -35, knee_velocity_deg_s: 1000}\n"
                              "end: {ankle_passes_knee: true, max_time_s: 0.8}\n")
    r = legsim.simulate(scn)["butt_kick"]
    tr = r.trajectory
    if r.completed:
        assert tr["shank_angle_deg"][-1] == pytest.approx(0.0, abs=1e-6)
        assert tr["ankle_x_m"][-1] == pytest.approx(tr["knee_x_m"][-1], abs=1e-6)
        assert tr["ankle_y_m"][-1] < tr["knee_y_m"][-1]
    assert tr["shank_angle_deg"].min() < -150   # the shank did fold up past horizontal


def test_core_cache_stamp_tracks_sources():
    """The numba cache of legsim.core is emptied when the core sources change (see
    legsim/core/__init__.py); the stamp holds the hash of the current sources."""
    import hashlib

    import legsim.core as core

    here = Path(core.__file__).parent
    digest = hashlib.sha256()
    for src in sorted(here.glob("*.py")):
        digest.update(src.name.encode())
        digest.update(src.read_bytes())
    stamp = here / "__pycache__" / "legsim-core-sources.sha256"
    assert stamp.read_text() == digest.hexdigest()
