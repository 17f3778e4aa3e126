"""Technique analysis and `legsim inverse` / `legsim analyze`.

The independent truth for the analysis is the simulator itself: a simulated knee drive and a
simulated butt kick, written out as 2-D marker files, must be classified as such, show the
simulator's own heel-buttock signature, and — analysed with the same athlete, actuators and end
event — predict a knee-drive recovery equal to the one that produced the file.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import legsim
from legsim.analysis import (BUTT_KICK_MAX_DEG, BUTT_KICK_MAX_DISTANCE_M, KNEE_DRIVE_MIN_DEG,
                             analyze, classify, recovery_time_s)
from legsim.cli import main
from legsim.errors import LegsimError

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial" / "side_view_2d.csv"
TRC = ROOT / "tests" / "data" / "bmclab_opensim_running" / "motion_capture_run.trc"
POINTS = ("hip", "knee", "ankle", "heel", "toe")


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """The sprinter's two recoveries as 2-D marker CSVs (hip at the origin, 1 ms samples)."""
    folder = tmp_path_factory.mktemp("sim")
    res = legsim.simulate(legsim.load_scenario(ROOT / "scenarios" / "compare_techniques.yaml"))
    files = {}
    for name, r in res.strategies.items():
        tr = r.trajectory
        n = len(tr["t_s"])
        cols, names = [tr["t_s"]], ["t_s"]
        for p in POINTS:
            xy = (np.zeros(n), np.zeros(n)) if p == "hip" else (tr[f"{p}_x_m"], tr[f"{p}_y_m"])
            cols += list(xy)
            names += [f"{p}_x_m", f"{p}_y_m"]
        path = folder / f"{name}.csv"
        np.savetxt(path, np.column_stack(cols), delimiter=",", header=",".join(names),
                   comments="", fmt="%.10g")
        files[name] = (path, r)
    return files


def _analyze_sim(path, r, **kw):
    t_end = float(r.trajectory["t_s"][-1])
    return analyze(path, mass_kg=75, height_m=1.80, sex="male", swings=[(0.0, t_end)],
                   moving_hip=False, end_thigh_angle_deg=55.0, **kw)


def test_classify_thresholds():
    assert classify(KNEE_DRIVE_MIN_DEG, 0.30)[0] == "knee-drive"
    assert classify(KNEE_DRIVE_MIN_DEG - 0.1, 0.0)[0] == "in between"
    assert classify(BUTT_KICK_MAX_DEG - 0.1, BUTT_KICK_MAX_DISTANCE_M)[0] == "butt-kick"
    label, reason = classify(5.0, BUTT_KICK_MAX_DISTANCE_M + 0.01)
    assert label == "in between" and "low heel recovery" in reason
    assert classify(float("nan"), 0.1)[0] == "unknown"


def test_recovery_time_interpolates():
    t = np.linspace(0, 1, 11)
    th = -20 + 100 * t                       # reaches 30 deg at t = 0.5
    assert recovery_time_s(t, th, 0.1, 30.0) == pytest.approx(0.4)
    assert np.isnan(recovery_time_s(t, th, 0.0, 90.0))


@pytest.mark.parametrize("name,label", [("knee_drive", "knee-drive"), ("butt_kick", "butt-kick")])
def test_simulated_techniques_are_recognised(simulated, name, label):
    path, r = simulated[name]
    a = _analyze_sim(path, r, cutoff_hz=60.0)
    f = a.swings[0]
    assert f.technique == label
    # the signature from the measured angles and the athlete's geometry equals the simulator's
    # own metric (same heel and buttock model; 1 ms samples, filtered at 60 Hz)
    assert f.thigh_angle_at_min_heel_buttock_distance_deg == pytest.approx(
        r.metrics["thigh_angle_at_min_heel_buttock_distance_deg"], abs=1.0)
    assert f.min_heel_buttock_distance_m == pytest.approx(
        r.metrics["min_heel_buttock_distance_m"], abs=0.005)
    assert f.max_knee_flexion_deg == pytest.approx(r.metrics["max_knee_flexion_deg"], abs=1.0)
    assert a.verdict()["technique"] == label


def test_what_if_reproduces_the_recovery_that_made_the_file(simulated):
    """Same athlete, actuators, toe-off and end: the simulated knee drive must take as long as
    the knee drive recorded in the file. The toe-off velocities come from filtered,
    differentiated positions at the first sample of the record (about 1 % off at 60 Hz), which
    moves the predicted time by well under 2 ms."""
    path, r = simulated["knee_drive"]
    a = _analyze_sim(path, r, cutoff_hz=60.0)
    w = a.what_if[0]
    measured = w.measured["recovery_time_s"]
    exact = recovery_time_s(r.trajectory["t_s"], r.trajectory["thigh_angle_deg"], 0.0, 55.0)
    assert measured == pytest.approx(exact, abs=1e-3)
    assert w.predicted["knee_drive"]["recovery_time_s"] == pytest.approx(exact, abs=2e-3)
    # the butt kick from the same toe-off is slower, as in the shipped comparison
    assert w.predicted["butt_kick"]["recovery_time_s"] > measured + 0.05
    st = a.swings[0].toe_off_state
    assert st["thigh_angle_deg"] == pytest.approx(-25.0, abs=0.1)
    assert st["knee_flexion_deg"] == pytest.approx(35.0, abs=0.1)
    # both simulations start from the athlete's state with the athlete's segments
    data = w.scenario.data
    assert data["strategies"][0]["name"] == "knee_drive"
    assert data["initial"]["knee_velocity_deg_s"] == pytest.approx(st["knee_velocity_deg_s"])


def test_tutorial_example_end_to_end(tmp_path, capsys):
    out = tmp_path / "athlete"
    assert main(["analyze", str(TUTORIAL), "--mass-kg", "62", "--height-m", "1.81", "--sex",
                 "male", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("technique: ")
    doc = json.loads((out / "analysis.json").read_text())
    assert doc["verdict"]["swings"] == len(doc["swings"]) >= 5
    for item in doc["swings"]:
        f = item["features"]
        # a 2.5 m/s treadmill run: swings of 0.4-0.56 s (docs/processing.md), knee flexion
        # peaking near 80-90 deg (Fukuchi et al. 2017 report about 90-100 deg at 3.5 m/s)
        assert 0.35 < f["end_at_s"] - f["toe_off_at_s"] < 0.6
        assert 70 < f["max_knee_flexion_deg"] < 100
        sims = item["what_if"]["simulated"]
        assert sims["knee_drive"]["recovery_time_s"] < sims["butt_kick"]["recovery_time_s"]
    header = (out / "inverse.csv").read_text().splitlines()[0]
    assert header == ("t_s,thigh_angle_deg,knee_flexion_deg,hip_torque_Nm,knee_torque_Nm,"
                      "hip_power_W,knee_power_W")
    html = (out / "report.html").read_text()
    assert "Verdict" in html and html.count("data:image/png;base64,") >= 2
    assert "<script" not in html and "http://" not in html.replace("http-equiv", "")
    for f in ("inverse.png", "what_if.png", "inverse.json"):
        assert (out / f).stat().st_size > 1000


def test_inverse_command_on_opensim_markers(tmp_path, capsys):
    out = tmp_path / "inv"
    assert main(["inverse", str(TRC), "--mass-kg", "70", "--height-m", "1.80", "--out", str(out),
                 "--format", "png,svg"]) == 0
    text = capsys.readouterr().out
    assert "filter: zero-lag Butterworth low-pass, 14 Hz" in text
    doc = json.loads((out / "inverse.json").read_text())
    assert doc["meta"]["filter"]["cutoff_hz"] == 14.0
    assert len(doc["swings"]) == 1 and doc["swings"][0]["touchdown_s"] is None
    # right toe-off of this run at 0.297 s by the force plate (data notes); kinematic within 20 ms
    assert abs(doc["swings"][0]["toe_off_s"] - 0.297) < 0.02
    rows = np.loadtxt(out / "inverse.csv", delimiter=",", skiprows=1)
    assert rows.shape[1] == 7 and rows.shape[0] > 100
    assert (out / "inverse.svg").read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize("argv,needle", [
    (["analyze", str(TUTORIAL), "--height-m", "1.81"], "--mass-kg missing"),
    (["analyze", str(TUTORIAL), "--mass-kg", "62", "--height-m", "1.81", "--cutoff-hz", "abc"],
     "--cutoff-hz: found 'abc'"),
    (["analyze", str(TUTORIAL), "--mass-kg", "62", "--height-m", "1.81", "--swing", "0.5:0.2"],
     "--swing '0.5:0.2'"),
    (["inverse", "nope.csv", "--mass-kg", "62", "--height-m", "1.81"], "nope.csv"),
    (["analyze", str(TUTORIAL), "--mass-kg", "62", "--height-m", "1.81", "--actuators", "robot"],
     "--actuators: found 'robot'"),
    (["inverse", str(TUTORIAL), "--scenario", "x.yaml", "--mass-kg", "62"], "either the subject"),
])
def test_bad_input_exits_2_without_output(argv, needle, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "legsim", *argv, "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert needle in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


def test_malformed_file_names_line_and_column(tmp_path):
    bad = tmp_path / "bad.csv"
    lines = TUTORIAL.read_text().splitlines()
    lines[10] = lines[10].replace(",", ",x", 1)
    bad.write_text("\n".join(lines) + "\n")
    proc = subprocess.run([sys.executable, "-m", "legsim", "analyze", str(bad), "--mass-kg", "62",
                           "--height-m", "1.81", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert f"{bad}:11:" in proc.stderr and "column 2" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_angles_only_needs_swings(tmp_path):
    f = tmp_path / "angles.csv"
    t = np.arange(0, 0.3, 0.005)
    np.savetxt(f, np.column_stack([t, -25 + 300 * t, 35 + 400 * t]), delimiter=",",
               header="t_s,thigh_angle_deg,knee_flexion_deg", comments="")
    with pytest.raises(LegsimError, match="joint angles alone do not show the toe-off"):
        analyze(f, mass_kg=75, height_m=1.8)
    a = analyze(f, mass_kg=75, height_m=1.8, swings=[(0.0, 0.29)], end_thigh_angle_deg=40)
    assert a.swings[0].toe_off_state["thigh_angle_deg"] == pytest.approx(-25, abs=0.5)


def test_kinovea_export_end_to_end(tmp_path, capsys):
    """The real Kinovea export (24 frames/s, tracks of different lengths): inverse dynamics runs
    (the cut-off comes from the residual analysis below the 12 Hz Nyquist frequency, frames
    where a track is missing are dropped at the ends); a box jump has no running recovery, so
    the analysis says so instead of inventing one."""
    xml = ROOT / "tests" / "data" / "kinovea" / "box_jump.xml"
    out = tmp_path / "inv"
    assert main(["inverse", str(xml), "--mass-kg", "70", "--height-m", "1.75", "--out",
                 str(out)]) == 0
    doc = json.loads((out / "inverse.json").read_text())
    assert doc["meta"]["filter"]["cutoff_hz"] < 12.0
    assert any("dropped" in n for n in doc["meta"]["notes"])
    capsys.readouterr()
    assert main(["analyze", str(xml), "--mass-kg", "70", "--height-m", "1.75", "--out",
                 str(tmp_path / "an")]) == 2
    assert "no swing could be analysed" in capsys.readouterr().err
    assert not (tmp_path / "an").exists()


def _tutorial_table():
    lines = [ln for ln in TUTORIAL.read_text().splitlines() if not ln.startswith("#")]
    return lines[0].split(","), np.array([[float(x) for x in ln.split(",")] for ln in lines[1:]])


def _write(path, cols, data, fmt="%.4f"):
    np.savetxt(path, data, delimiter=",", header=",".join(cols), comments="", fmt=fmt)
    return path


def test_mirrored_and_image_axes_give_the_same_torques(tmp_path):
    """A runner filmed going right to left, and image coordinates (y down), are detected."""
    cols, data = _tutorial_table()
    ref = legsim.inverse_dynamics(legsim.read_motion(TUTORIAL), mass_kg=62, height_m=1.81)
    for kind in ("x", "y"):
        d = data.copy()
        for i, c in enumerate(cols):
            if c.endswith(f"_{kind}_m"):
                d[:, i] = 3.0 - d[:, i]
        f = _write(tmp_path / f"flip_{kind}.csv", cols, d)
        inv = legsim.inverse_dynamics(legsim.read_motion(f), mass_kg=62, height_m=1.81)
        np.testing.assert_allclose(inv.hip_torque_Nm, ref.hip_torque_Nm, atol=1e-6)
        assert any(("mirrored" if kind == "x" else "flipped") in n for n in inv.meta["notes"])


def test_dropped_frames_are_bridged(tmp_path):
    cols, data = _tutorial_table()
    f = _write(tmp_path / "dropped.csv", cols, np.delete(data, [30, 31, 90], axis=0))
    a = analyze(f, mass_kg=62, height_m=1.81)
    full = analyze(TUTORIAL, mass_kg=62, height_m=1.81)
    assert len(a.swings) == len(full.swings)
    assert any("resampled" in n for n in a.notes)
    assert a.swings[0].toe_off_at_s == pytest.approx(full.swings[0].toe_off_at_s, abs=0.021)


@pytest.mark.parametrize("change,needle", [
    ("ms", "a time column in ms must be named t_ms"),
    ("mm", "the positions are probably in another unit"),
])
def test_wrong_units_are_caught(tmp_path, change, needle):
    cols, data = _tutorial_table()
    d = data.copy()
    if change == "ms":
        d[:, 0] *= 1000.0
    else:
        d[:, 1:] *= 1000.0
    f = _write(tmp_path / f"{change}.csv", cols, d)
    with pytest.raises(LegsimError, match=needle):
        analyze(f, mass_kg=62, height_m=1.81)


def test_measured_recovery_stays_in_its_swing(tmp_path, capsys):
    """An end angle the thigh does not reach in a swing gives no measured time (not one taken
    from a later stride), and an end angle below the toe-off angle is refused."""
    a = analyze(TUTORIAL, mass_kg=62, height_m=1.81, end_thigh_angle_deg=29.0)
    f, w = a.swings[0], a.what_if[0]
    assert f.peak_thigh_angle_deg < 29.0
    assert np.isnan(w.measured["recovery_time_s"])
    assert any("did not reach 29" in n for n in w.notes)
    with pytest.raises(LegsimError, match="not above the thigh angle at toe-off"):
        analyze(TUTORIAL, mass_kg=62, height_m=1.81, end_thigh_angle_deg=-30.0)
