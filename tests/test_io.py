"""Motion-file readers (legsim.io): every real sample in tests/data, written layouts, every error.

Facts checked against the real files come from their SOURCE.md notes (copied into
tests/data/README.md): frame counts, rates, first/last times, stance windows, peak values.
Unit conversions are checked against the file's own text read by a plain ``split`` and against
physics (the heel on a 2.5 m/s treadmill moves back at 2.5 m/s; segment lengths of the written
files are 0.45 and 0.43 m).
"""
from __future__ import annotations

import math
import pickle
import random
import re
from pathlib import Path

import numpy as np
import pytest

import legsim.io as lio
from legsim.errors import LegsimError
from legsim.io import (ALIASES, FORMATS, Forces, Motion, MotionFileError, read_forces, read_motion,
                       read_table, standard_marker_names)
from legsim.io.kinovea import parse_timecode

DATA = Path(__file__).resolve().parent / "data"
BMC = DATA / "bmclab_opensim_running"
FUK = DATA / "fukuchi_2017_RBDS001"
KIN = DATA / "kinovea" / "box_jump.xml"
W = DATA / "written"
DOC = Path(__file__).resolve().parents[1] / "docs" / "motion_files.md"


def error_of(*args, **kwargs) -> MotionFileError:
    with pytest.raises(MotionFileError) as info:
        read_motion(*args, **kwargs)
    return info.value


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def leg(t):
    """The analytic swing encoded by tests/data/written/make_written.py."""
    th, ph = -20 + 300 * t, 30 + 400 * t
    hip = np.stack([3.0 * t, np.full_like(t, 0.95)], axis=-1)
    knee = hip + 0.45 * np.stack([np.sin(np.radians(th)), -np.cos(np.radians(th))], axis=-1)
    sh = np.radians(th - ph)
    ankle = knee + 0.43 * np.stack([np.sin(sh), -np.cos(sh)], axis=-1)
    return th, ph, hip, knee, ankle


# =========================================================================== the data model
def test_motion_conveniences_and_errors_list_names():
    m = read_motion(W / "markers.csv")
    assert isinstance(m, Motion) and m.n_frames == 21
    assert m.duration_s == pytest.approx(0.2)
    assert m.marker_names == ["hip", "knee", "ankle", "heel", "toe"]
    assert m.marker("knee").shape == (21, 2)
    with pytest.raises(MotionFileError) as info:
        m.marker("elbow")
    msg = str(info.value)
    assert "elbow" in msg and "hip, knee, ankle, heel, toe" in msg
    with pytest.raises(MotionFileError, match="no such column"):
        m.column("nothing")
    df = m.to_dataframe()
    assert list(df.columns[:2]) == ["hip_x_m", "hip_y_m"] and df.index.name == "time_s"
    assert "markers-csv" in repr(m)


def test_error_type_message_and_pickling():
    err = MotionFileError("data/run.trc", line=7, column=14, column_name="RKNEE Y",
                          found="'abc'", accepted="a number (or an empty cell for a missing value)")
    assert isinstance(err, LegsimError) and err.exit_status == 2
    assert str(err) == ("data/run.trc:7: column 14 (RKNEE Y): found 'abc'; accepted: a number "
                        "(or an empty cell for a missing value)")
    assert (err.path, err.line, err.column) == ("data/run.trc", 7, 14)
    back = pickle.loads(pickle.dumps(err))
    assert str(back) == str(err) and back.line == 7


# =========================================================================== TRC
def test_trc_bmclab_facts_units_and_empty_markers():
    m = read_motion(BMC / "motion_capture_run.trc")
    assert m.format == "trc"
    assert m.n_frames == 123 and m.rate_hz == 150.0          # SOURCE.md: 150 Hz, 123 frames
    assert len(m.markers) == 78 and m.meta["Units"] == "mm"
    assert m.time_s[0] == 0.0 and m.time_s[-1] == pytest.approx(0.813, abs=1e-3)
    # the file's times are rounded to 1 ms; the reader rebuilds k/150 Hz and says so
    np.testing.assert_allclose(np.diff(m.time_s), 1 / 150, rtol=1e-12)
    assert any("rounded to 0.001 s" in n for n in m.notes)
    # SOURCE.md: 20 entirely empty markers, kept as all-NaN and listed in the notes
    empty = [n for n, v in m.markers.items() if not np.isfinite(v).any()]
    assert len(empty) == 20 and {"RASH", "RKJC", "LAJC", "RLMAL"} <= set(empty)
    assert any(n.startswith("20 of 78 markers are empty") for n in m.notes)
    assert not m.has_marker("RKJC") and m.has_marker("RLFCv")
    # mm -> m against the file read by a plain split (line 70, marker RLFCv)
    lines = (BMC / "motion_capture_run.trc").read_text().splitlines()
    names = lines[3].split("\t")
    col = names.index("RLFCv")
    cells = lines[69].split("\t")
    frame = int(cells[0])
    for axis in range(3):
        assert m.markers["RLFCv"][frame - 1, axis] * 1000 == pytest.approx(float(cells[col + axis]),
                                                                          abs=1e-9)
    # +X is the running direction: the pelvis moves forward at about 2.7 m/s (SOURCE.md)
    sacrum = m.marker("RPSI")[:, 0]
    speed = (sacrum[-1] - sacrum[0]) / m.duration_s
    assert 2.4 < speed < 3.0


def test_trc_length_unit_option_overrides_header():
    mm = read_motion(BMC / "motion_capture_run.trc")
    cm = read_motion(BMC / "motion_capture_run.trc", length_unit="cm")
    np.testing.assert_allclose(cm.markers["C7"], 10 * mm.markers["C7"])
    assert any("length_unit option (the header says Units mm)" in n for n in cm.notes)


# =========================================================================== MOT / STO
def test_mot_ik_new_style_header_degrees_and_translations():
    m = read_motion(BMC / "ik_output_run.mot")
    assert m.format == "mot" and m.n_frames == 122 and len(m.columns) == 39   # nRows, nColumns-1
    assert m.rate_hz == 150.0
    assert m.meta["title"] == "Coordinates" and m.meta["inDegrees"] == "yes"
    assert "Angles are in degrees." in m.meta["text"]
    assert m.units["knee_angle_r"] == "deg" and m.units["pelvis_tx"] == "m"
    knee = m.column("knee_angle_r")
    i = int(np.argmax(knee))
    assert 90 < knee[i] < 96 and m.time_s[i] == pytest.approx(0.53, abs=0.02)  # ~93 deg at 0.53 s
    tx = m.column("pelvis_tx")
    assert tx[0] == pytest.approx(0.005, abs=1e-3) and tx[-1] == pytest.approx(2.204, abs=1e-3)


def test_mot_in_radians_converts_angles_not_translations(tmp_path):
    text = (BMC / "ik_output_run.mot").read_text().replace("inDegrees=yes", "inDegrees=no")
    rad = read_motion(write(tmp_path, "ik_rad.mot", text))
    deg = read_motion(BMC / "ik_output_run.mot")
    np.testing.assert_allclose(rad.column("knee_angle_r"), np.degrees(deg.column("knee_angle_r")))
    np.testing.assert_allclose(rad.column("pelvis_tx"), deg.column("pelvis_tx"))
    assert any("converted from radians to degrees" in n for n in rad.notes)


def test_mot_without_indegrees_follows_documented_defaults(tmp_path):
    base = (BMC / "ik_output_run.mot").read_text()
    text = base.replace("inDegrees=yes\n", "").replace("Angles are in degrees.\n", "")
    assert "inDegrees" not in text and "Angles are" not in text
    as_mot = read_motion(write(tmp_path, "a.mot", text))
    as_sto = read_motion(write(tmp_path, "a.sto", text))
    ref = read_motion(BMC / "ik_output_run.mot").column("hip_flexion_r")
    np.testing.assert_allclose(as_mot.column("hip_flexion_r"), ref)              # .mot: degrees
    np.testing.assert_allclose(as_sto.column("hip_flexion_r"), np.degrees(ref))  # .sto: radians
    assert any("assumed" in n for n in as_sto.notes)
    forced = read_motion(write(tmp_path, "b.sto", text), angle_unit="deg")
    np.testing.assert_allclose(forced.column("hip_flexion_r"), ref)


def test_sto_inverse_dynamics_moments_stay_newton_metres():
    m = read_motion(BMC / "inverse_dynamics.sto")
    assert m.format == "sto" and m.n_frames == 109 and len(m.columns) == 39
    assert m.time_s[-1] == pytest.approx(0.72, abs=1e-5) and m.rate_hz == 150.0
    assert m.meta["inDegrees"] == "no"
    assert m.units["hip_flexion_r_moment"] == "N m" and m.units["pelvis_tx_force"] == "N"
    hip, knee, t = m.column("hip_flexion_r_moment"), m.column("knee_angle_r_moment"), m.time_s
    swing = (t > 0.30) & (t < 0.72)
    # SOURCE.md: +83 N m at 0.43 s, -131 N m at 0.69 s, knee +63 N m at 0.69 s (not x 57.3)
    i = np.flatnonzero(swing)[np.argmax(hip[swing])]
    assert hip[i] == pytest.approx(83, abs=3) and t[i] == pytest.approx(0.43, abs=0.02)
    i = np.flatnonzero(swing)[np.argmin(hip[swing])]
    assert hip[i] == pytest.approx(-131, abs=3) and t[i] == pytest.approx(0.69, abs=0.02)
    assert knee[swing].max() == pytest.approx(63, abs=3)


def test_mot_grf_old_style_header():
    m = read_motion(BMC / "grf_run.mot")
    assert m.format == "mot" and m.n_frames == 246 and m.rate_hz == 300.0
    assert m.meta["datacolumns"] == "19" and m.meta["range"] == "0 8.166667e-01"
    assert m.units["R_ground_force_vy"] == "N" and m.units["R_ground_force_px"] == "m"
    assert m.units["R_ground_torque_y"] == "N m"
    assert m.time_s[-1] == pytest.approx(0.8166667, abs=1e-7)


@pytest.mark.parametrize("name,key,bad,line", [
    ("ik_output_run.mot", "nRows=122", "nRows=121", 3),
    ("ik_output_run.mot", "nColumns=40", "nColumns=41", 4),
    ("grf_run.mot", "datarows 246", "datarows 245", 3),
    ("grf_run.mot", "datacolumns 19", "datacolumns 18", 2),
])
def test_header_count_mismatch_names_the_line(tmp_path, name, key, bad, line):
    text = (BMC / name).read_text().replace(key, bad)
    err = error_of(write(tmp_path, name, text))
    assert err.line == line and "header count mismatch" in str(err)
    assert str(err).startswith(f"{tmp_path / name}:{line}: {bad.split('=')[0].split()[0]}")


def test_trc_header_count_mismatch(tmp_path):
    lines = (BMC / "motion_capture_run.trc").read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace("       123\t78", "       124\t78")
    err = error_of(write(tmp_path, "run.trc", "".join(lines)))
    assert err.line == 3 and "NumFrames is 124 but the file has 123 rows" in str(err)
    lines = (BMC / "motion_capture_run.trc").read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace("\t78\t", "\t77\t")
    err = error_of(write(tmp_path, "run2.trc", "".join(lines)))
    assert err.line == 3 and "NumMarkers is 77" in str(err)


# =========================================================================== Fukuchi
def test_marker_table_fukuchi_running_trial():
    m = read_motion(FUK / "RBDS001runT25markers_first5s.txt")
    assert m.format == "marker-table" and m.n_frames == 750 and m.rate_hz == 150.0
    assert len(m.markers) == 32 and m.markers["R.ASIS"].shape == (750, 3)
    assert int(sum(np.isnan(v).sum() for v in m.markers.values())) == 3    # SOURCE.md: 3 NaN
    assert m.time_s[-1] == pytest.approx(4.993, abs=1e-3)
    assert any("mm recognised from the size of the marker set" in n for n in m.notes)
    # mm -> m against a plain split of line 2
    lines = (FUK / "RBDS001runT25markers_first5s.txt").read_text().splitlines()
    cells = lines[1].split("\t")
    assert m.markers["R.ASIS"][0, 0] * 1000 == pytest.approx(float(cells[1]), abs=1e-9)
    # physics: on a 2.5 m/s treadmill the heel moves back at belt speed in stance (+X forward)
    heel_vx = np.gradient(m.marker("R.Heel.Top")[:, 0], m.time_s)
    assert np.nanpercentile(heel_vx, 5) == pytest.approx(-2.5, abs=0.15)
    # the length_unit option wins over the recognised unit
    m2 = read_motion(FUK / "RBDS001runT25markers_first5s.txt", length_unit="m")
    assert m2.markers["R.ASIS"][0, 0] == pytest.approx(float(cells[1]))


def test_marker_table_static_trial_and_side_aliases():
    s = read_motion(FUK / "RBDS001static.txt")
    assert s.n_frames == 150 and len(s.markers) == 48 and s.rate_hz == 150.0
    assert standard_marker_names(s, side="right") == {"hip": "R.GTR", "knee": "R.Knee",
                                                       "ankle": "R.Ankle"}
    assert standard_marker_names(s, side="left")["knee"] == "L.Knee"
    knee, ankle = s.marker("R.Knee"), s.marker("R.Ankle")
    shank = np.linalg.norm(knee - ankle, axis=1)
    assert 0.35 < np.median(shank) < 0.50       # a 181 cm runner's shank, in metres


def test_marker_table_ambiguous_size_needs_the_option(tmp_path):
    rows = ["Time\tAX\tAY\tAZ\tBX\tBY\tBZ"]
    rows += [f"{k / 100:.2f}\t0\t0\t0\t10\t20\t{k}" for k in range(5)]   # a 22-unit marker set
    err = error_of(write(tmp_path, "small.txt", "\n".join(rows) + "\n"))
    assert "length_unit" in str(err) and "does not tell m from mm" in str(err)
    m = read_motion(tmp_path / "small.txt", length_unit="cm")
    assert m.markers["B"][0, 1] == pytest.approx(0.2)


def test_fukuchi_forces_need_rate_and_give_treadmill_fy():
    with pytest.raises(MotionFileError) as info:
        read_forces(FUK / "RBDS001runT25forces_first5s.txt")
    msg = str(info.value)
    assert "sample index" in msg and "rate_hz" in msg and info.value.line == 2
    f = read_forces(FUK / "RBDS001runT25forces_first5s.txt", rate_hz=300)
    assert isinstance(f, Forces) and f.format == "force-table" and list(f.vertical_N) == ["Fy"]
    assert f.time_s.size == 1500 and f.time_s[-1] == pytest.approx(1499 / 300)
    assert f.units["Fy"] == "N" and 1300 < f.vertical().max() < 1430  # 30 s peak is 1429 N
    assert len(f.contact_intervals(threshold_N=50)) >= 6              # ~7 steps in 5 s


def test_fukuchi_processed_curves_as_a_table():
    t = read_table(FUK / "RBDS001processed.txt")
    assert t.n_rows == 101 and len(t.names) == 145 and t.names[0] == "PercGcycle"
    np.testing.assert_array_equal(t.column("PercGcycle"), np.arange(101))
    assert sum(int(np.isnan(v).sum()) for v in t.columns.values()) == 1161   # SOURCE.md
    # stance ends (first NaN of the GRF) R/L: 41/40 % at 2.5 m/s, 35/36 % at 3.5, 33/34 % at 4.5
    for speed, (r, l) in {"25": (41, 40), "35": (35, 36), "45": (33, 34)}.items():
        assert int(np.flatnonzero(np.isnan(t.column(f"RgrfY{speed}")))[0]) == r
        assert int(np.flatnonzero(np.isnan(t.column(f"LgrfY{speed}")))[0]) == l
    with pytest.raises(MotionFileError, match="RhipMomZ25"):
        t.column("RhipMomZ")


# =========================================================================== OpenSim GRF forces
def test_opensim_grf_stance_windows():
    f = read_forces(BMC / "grf_run.mot")
    assert f.format == "opensim-grf" and set(f.vertical_N) == {"R", "L"} and f.rate_hz == 300.0
    # SOURCE.md: right stance 0.057-0.297 s, left 0.403-0.663 s (vertical force > 20 N)
    (on, off), = f.contact_intervals("right")
    assert on == pytest.approx(0.057, abs=0.0017) and off == pytest.approx(0.297, abs=0.0017)
    (on, off), = f.contact_intervals("L")
    assert on == pytest.approx(0.403, abs=0.0017) and off == pytest.approx(0.663, abs=0.0017)
    assert f.vertical("R").max() == pytest.approx(1751, abs=1)     # 2.55 body weights
    assert f.units["R_ground_force_px"] == "m"
    with pytest.raises(MotionFileError, match="several feet"):
        f.vertical()
    with pytest.raises(MotionFileError, match="one of R, L"):
        f.vertical("middle")


# =========================================================================== Kinovea XML
def test_kinovea_xml_box_jump():
    m = read_motion(KIN)
    assert m.format == "kinovea-xml"
    assert m.marker_names == ["Hanche", "Genou", "Malleole", "Orteil", "Epaule", "Poignet",
                              "Tete", "Coude", "Doigt"]
    # every track repeats one timestamp; the repeat is dropped and listed with its line
    assert any("were dropped" in n and "Hanche at 0:00:00:12 (line 202)" in n for n in m.notes)
    # Coude has one sample more (to 0:00:01:17): 29 common times, NaN where a track has none
    assert m.n_frames == 29
    assert np.isnan(m.marker("Hanche")[-1]).all() and np.isfinite(m.marker("Coude")[-1]).all()
    assert int(np.isfinite(m.marker("Hanche")[:, 0]).sum()) == 28
    assert any("different sample times" in n for n in m.notes)
    # cm -> m; first Hanche sample is (209.34, 64.55) cm
    np.testing.assert_allclose(m.marker("Hanche")[0], [2.0934, 0.6455])
    # centisecond timecodes rebuilt on 24 fps (the key image 0:00:06:46 is frame 155: 24.0 fps)
    assert m.rate_hz == 24.0 and 155 / 6.46 == pytest.approx(24.0, abs=0.05)
    np.testing.assert_allclose(m.time_s, np.arange(29) / 24)
    assert m.meta["calibration_lines"] == "35.00 cm"
    assert any("y axis may point up or down" in n for n in m.notes)
    assert standard_marker_names(m) == {"hip": "Hanche", "knee": "Genou", "ankle": "Malleole",
                                        "toe": "Orteil"}


def test_kinovea_xml_pixels_units_and_broken_xml(tmp_path):
    text = KIN.read_text(encoding="utf-8-sig")
    err = error_of(write(tmp_path, "px.xml", text.replace("x,y:cm", "x,y:px")))
    assert "not calibrated" in str(err) and err.line is not None
    m = read_motion(tmp_path / "px.xml", length_unit="cm")          # the option overrides
    np.testing.assert_allclose(m.marker("Hanche")[0], [2.0934, 0.6455])
    err = error_of(write(tmp_path, "furlong.xml", text.replace("x,y:cm", "x,y:furlong")))
    assert "unknown unit 'furlong'" in str(err)
    err = error_of(write(tmp_path, "cut.xml", text[: len(text) // 2]))
    assert "not well-formed XML" in str(err) and err.line > 100
    lines = text.splitlines(keepends=True)
    k = next(i for i, ln in enumerate(lines) if ">209.34<" in ln)
    lines[k] = lines[k].replace("209.34", "2O9.34")
    err = error_of(write(tmp_path, "bad.xml", "".join(lines)))
    assert err.column == 1 and err.column_name == "Hanche x" and "'2O9.34'" in str(err)


@pytest.mark.parametrize("text,seconds,res", [
    ("0:00:01:13", 1.13, 0.01), ("0:00:06:46 (155)", 6.46, 0.01), ("0:01:02:345", 62.345, 0.001),
    ("01:02.50", 62.5, 0.01), ("1.25", 1.25, 0.01), ("- 0:00:00:50", -0.5, 0.01), ("2,5", 2.5, 0.1),
])
def test_kinovea_timecodes(text, seconds, res):
    t, r = parse_timecode(text)
    assert t == pytest.approx(seconds) and r == pytest.approx(res)


@pytest.mark.parametrize("text", ["abc", "1:2:3", "", "0:00:xx:10"])
def test_kinovea_bad_timecodes(text):
    with pytest.raises(ValueError):
        parse_timecode(text)


# =========================================================================== Kinovea CSV / text
def _kinovea_truth():
    t = np.arange(8) / 25
    _, _, hip, knee, ankle = leg(t)
    return t, {"Hanche": hip, "Genou": knee, "Malleole": ankle}


@pytest.mark.parametrize("name", ["kinovea_trajectories_point.csv",
                                  "kinovea_trajectories_comma.csv",
                                  "kinovea_gnuplot.txt", "kinovea_gnuplot_comma.txt"])
def test_kinovea_csv_and_text_variants_agree_with_the_written_motion(name):
    m = read_motion(W / name, length_unit="cm")
    t, truth = _kinovea_truth()
    assert m.format == ("kinovea-csv" if name.endswith(".csv") else "kinovea-text")
    np.testing.assert_allclose(m.time_s, t, atol=1e-12)
    assert m.rate_hz == 25.0
    names = list(truth) if "comma.txt" not in name else ["track 1", "track 2", "track 3"]
    assert m.marker_names == names
    for file_name, (std, xy) in zip(names, truth.items()):
        got = m.marker(file_name)
        ok = np.isfinite(got[:, 0])
        np.testing.assert_allclose(got[ok], xy[ok], atol=5.1e-5)    # written to 0.01 cm
    if "trajectories" in name:      # the written CSVs leave Malleole untracked at sample 5
        assert np.isnan(m.marker("Malleole")[5]).all() and np.isfinite(m.marker("Genou")[5]).all()


def test_kinovea_decimal_styles_give_identical_motions():
    a = read_motion(W / "kinovea_trajectories_point.csv", length_unit="cm")
    b = read_motion(W / "kinovea_trajectories_comma.csv", length_unit="cm")
    for name in a.markers:
        np.testing.assert_array_equal(a.markers[name], b.markers[name])
    assert any("decimal commas" in n for n in b.notes)


def test_kinovea_csv_needs_the_length_unit():
    err = error_of(W / "kinovea_trajectories_point.csv")
    assert "length_unit" in str(err) and "does not say in which unit" in str(err)
    err = error_of(W / "kinovea_gnuplot.txt")
    assert "length_unit" in str(err)


def test_kinovea_single_track_and_kinematics_dialog():
    m = read_motion(W / "kinovea_single_track.csv")            # units in "X (cm)"
    t, truth = _kinovea_truth()
    assert m.marker_names == ["kinovea_single_track"]
    np.testing.assert_allclose(m.marker("kinovea_single_track"), truth["Genou"], atol=5.1e-5)
    k = read_motion(W / "kinovea_kinematics.csv")
    assert k.markers == {} and list(k.columns) == ["Hanche", "Genou"]
    np.testing.assert_allclose(k.time_s, t, atol=1e-12)        # "Time (ms)" -> s
    np.testing.assert_allclose(k.column("Genou"), 100 * truth["Genou"][:, 0], atol=0.0051)


# =========================================================================== design.md CSVs
def test_angles_csv_and_its_radian_semicolon_twin():
    a = read_motion(W / "angles.csv")
    t = np.arange(21) / 100
    th, ph, *_ = leg(t)
    assert a.format == "angles-csv" and a.rate_hz == 100.0
    np.testing.assert_allclose(a.time_s, t, atol=1e-12)
    np.testing.assert_allclose(a.column("thigh_angle_deg"), th, atol=1e-4)
    np.testing.assert_allclose(a.column("knee_flexion_deg"), ph, atol=1e-4)
    assert a.units["hip_torque_Nm"] == "N m" and a.units["thigh_angle_deg"] == "deg"
    r = read_motion(W / "angles_rad_semicolon.csv")
    np.testing.assert_allclose(r.time_s, a.time_s, atol=1e-12)
    np.testing.assert_allclose(r.column("thigh_angle_deg"), th, atol=1e-5)   # 7 decimals of rad
    assert r.meta["comments"].startswith("written by")
    assert any("converted from radians" in n for n in r.notes)
    assert any("semicolons with decimal commas" in n for n in r.notes)


def test_markers_csv_lengths_and_mm_twin():
    m = read_motion(W / "markers.csv")
    t = np.arange(21) / 100
    th, _, hip, knee, ankle = leg(t)
    assert m.format == "markers-csv" and m.marker_names == ["hip", "knee", "ankle", "heel", "toe"]
    np.testing.assert_allclose(np.linalg.norm(m.marker("knee") - m.marker("hip"), axis=1), 0.45,
                               atol=2e-5)
    np.testing.assert_allclose(np.linalg.norm(m.marker("ankle") - m.marker("knee"), axis=1), 0.43,
                               atol=2e-5)
    d = m.marker("knee") - m.marker("hip")        # thigh angle from the markers (design.md signs)
    np.testing.assert_allclose(np.degrees(np.arctan2(d[:, 0], -d[:, 1])), th, atol=0.01)
    mm = read_motion(W / "markers_mm_tab.csv")
    for name in ("hip", "knee", "ankle"):
        np.testing.assert_allclose(mm.marker(name), m.marker(name), atol=1e-5)
    assert any("converted from mm to m" in n for n in mm.notes)


def test_csv_options_supply_missing_units(tmp_path):
    p = write(tmp_path, "bare.csv", "time,thigh_angle,knee_flexion\n0,0.1,0.2\n0.01,0.2,0.3\n")
    m = read_motion(p)
    assert m.column("thigh_angle_deg")[0] == pytest.approx(0.1)
    assert any("seconds assumed" in n for n in m.notes) and any("degrees assumed" in n
                                                                for n in m.notes)
    r = read_motion(p, angle_unit="rad")
    assert r.column("thigh_angle_deg")[0] == pytest.approx(math.degrees(0.1))
    p = write(tmp_path, "bare_markers.csv",
              "t_s,hip_x,hip_y,knee_x,knee_y,ankle_x,ankle_y\n0,1,2,3,4,5,6\n0.1,1,2,3,4,5,6\n")
    assert read_motion(p).marker("knee")[0, 0] == pytest.approx(3)          # default m
    assert read_motion(p, length_unit="mm").marker("knee")[0, 0] == pytest.approx(0.003)


def test_format_option_forces_a_layout(tmp_path):
    p = write(tmp_path, "both.csv", "t_s,thigh_angle_deg,knee_flexion_deg,hip_x_m,hip_y_m\n"
                                    "0,1,2,3,4\n0.1,1,2,3,4\n")
    assert read_motion(p).format == "angles-csv"
    err = error_of(p, format="markers-csv")
    assert "missing column knee_x_m" in str(err) and "found: t_s, thigh_angle_deg" in str(err)


# =========================================================================== errors
def test_error_file_not_found_and_empty(tmp_path):
    err = error_of(tmp_path / "nope.csv")
    assert str(err) == f"{tmp_path / 'nope.csv'}: file not found; accepted: the path of an " \
                       "existing motion file"
    err = error_of(write(tmp_path, "empty.trc", ""))
    assert "the file is empty" in str(err)
    err = error_of(write(tmp_path, "blank.csv", "\n  \n"))
    assert "the file is empty" in str(err)
    err = error_of(tmp_path)
    assert "is a directory" in str(err)


def test_error_unknown_format_lists_accepted(tmp_path):
    err = error_of(write(tmp_path, "run.dat", "hello world\n1 2\n"))
    msg = str(err)
    assert "unknown motion format (extension .dat" in msg
    assert all(f in msg for f in FORMATS)
    err = error_of(W / "angles.csv", format="c3d")
    assert "option format: found 'c3d'" in str(err) and "kinovea-xml" in str(err)


def test_error_missing_required_column(tmp_path):
    err = error_of(write(tmp_path, "a.csv", "t_s,thigh_angle_deg\n0,1\n0.1,2\n"))
    assert err.line == 1
    assert "missing column knee_flexion_deg (or knee_flexion_rad); found: t_s, thigh_angle_deg" \
        in str(err)
    err = error_of(write(tmp_path, "m.csv", "t_s,hip_x_m,hip_y_m,knee_x_m,knee_y_m,ankle_x_m\n"
                                            "0,1,2,3,4,5\n"))
    assert "missing column ankle_y_m" in str(err)    # a lone ankle_x_m is not a marker
    err = error_of(write(tmp_path, "n.csv", "thigh_angle_deg,knee_flexion_deg\n1,2\n"))
    assert "missing column t_s" in str(err)
    err = error_of(write(tmp_path, "x.csv", "a,b\n1,2\n"))
    assert "not a recognised CSV layout; found columns: a, b" in str(err)


def test_error_non_numeric_cell_names_line_column_and_name(tmp_path):
    lines = (BMC / "motion_capture_run.trc").read_text().splitlines(keepends=True)
    cells = lines[6].split("\t")
    cells[13] = "abc"
    lines[6] = "\t".join(cells)
    p = write(tmp_path, "run.trc", "".join(lines))
    err = error_of(p)
    assert str(err) == (f"{p}:7: column 14 (CLAV Z): found 'abc'; accepted: a number (or an "
                        "empty cell for a missing value)")
    p = write(tmp_path, "a.csv", "t_s,thigh_angle_deg,knee_flexion_deg\n0,1,2\n0.1,x1,2\n")
    err = error_of(p)
    assert (err.line, err.column, err.column_name) == (3, 2, "thigh_angle_deg")
    text = (FUK / "RBDS001static.txt").read_text().replace("854.787", "85a.787", 1)
    err = error_of(write(tmp_path, "static.txt", text), length_unit="mm")
    assert (err.line, err.column, err.column_name) == (2, 2, "R.ASISX")
    p = write(tmp_path, "inf.csv", "t_s,thigh_angle_deg,knee_flexion_deg\n0,1,inf\n")
    assert error_of(p).column == 3


def test_error_rows_of_the_wrong_length(tmp_path):
    p = write(tmp_path, "a.csv", "t_s,thigh_angle_deg,knee_flexion_deg\n0,1,2\n0.1,2\n")
    err = error_of(p)
    assert err.line == 3 and "found 2 cells" in str(err)


def test_error_time_not_increasing(tmp_path):
    p = write(tmp_path, "a.csv", "t_s,thigh_angle_deg,knee_flexion_deg\n0,1,2\n0.1,1,2\n"
                                 "0.1,1,2\n")
    err = error_of(p)
    assert err.line == 4 and "time not increasing: found 0.1 after 0.1 (line 3)" in str(err)
    text = (BMC / "ik_output_run.mot").read_text()
    lines = text.splitlines(keepends=True)
    lines[20], lines[21] = lines[21], lines[20]
    err = error_of(write(tmp_path, "ik.mot", "".join(lines)))
    assert err.line == 22 and err.column_name == "time"


def test_error_unknown_units(tmp_path):
    lines = (BMC / "motion_capture_run.trc").read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace("\tmm\t", "\tfurlong\t")
    err = error_of(write(tmp_path, "run.trc", "".join(lines)))
    assert err.line == 3 and err.column_name == "Units" and "'furlong'" in str(err)
    err = error_of(write(tmp_path, "a.csv", "t_s,hip_x_km,hip_y_km\n0,1,2\n"))
    assert "unknown unit 'km'" in str(err) and err.column == 2
    err = error_of(write(tmp_path, "b.csv", "t_s,thigh_angle_grad,knee_flexion_deg\n0,1,2\n"))
    assert "unknown unit 'grad'" in str(err)
    err = error_of(W / "angles.csv", length_unit="furlong")
    assert "option length_unit: found 'furlong'" in str(err)
    err = error_of(W / "angles.csv", angle_unit="gon")
    assert "option angle_unit" in str(err)
    err = error_of(W / "angles.csv", rate_hz=-5)
    assert "option rate_hz" in str(err)
    text = (BMC / "ik_output_run.mot").read_text().replace("inDegrees=yes", "inDegrees=maybe")
    err = error_of(write(tmp_path, "ik.mot", text))
    assert err.line == 5 and "inDegrees" in str(err)


def test_rate_option_rebuilds_rounded_times(tmp_path):
    rows = ["t_s,thigh_angle_deg,knee_flexion_deg"]
    rows += [f"{k / 60:.3f},{k},{k}" for k in range(30)]      # 60 Hz rounded to 1 ms
    p = write(tmp_path, "r.csv", "\n".join(rows) + "\n")
    m = read_motion(p)
    assert m.rate_hz == 60.0
    np.testing.assert_allclose(m.time_s, np.arange(30) / 60, atol=1e-12)
    wrong = read_motion(p, rate_hz=50)
    assert wrong.rate_hz == 50 and any("do not follow 50 Hz" in n for n in wrong.notes)
    assert wrong.time_s[1] == pytest.approx(0.017)


def test_every_error_is_a_motion_file_error_never_a_traceback(tmp_path):
    """Mutated copies of every sample: read_motion either succeeds or raises MotionFileError."""
    rng = random.Random(7)
    sources = [BMC / "motion_capture_run.trc", BMC / "ik_output_run.mot", BMC / "grf_run.mot",
               FUK / "RBDS001static.txt", KIN] + sorted(W.glob("*.csv")) + sorted(W.glob("*.txt"))
    for src in sources:
        text = src.read_text(encoding="utf-8-sig")
        lines = text.splitlines(keepends=True)
        for trial in range(12):
            mutated = list(lines)
            kind = trial % 3
            i = rng.randrange(len(mutated))
            if kind == 0:
                del mutated[i]
            elif kind == 1 and mutated[i].strip():
                j = rng.randrange(len(mutated[i]))
                mutated[i] = mutated[i][:j] + rng.choice("x;\t\",<>") + mutated[i][j + 1:]
            else:
                mutated = mutated[: max(1, i)]
            p = write(tmp_path, f"m{trial}{src.suffix}", "".join(mutated))
            try:
                read_motion(p, length_unit="cm" if "kinovea" in src.name else None)
            except MotionFileError as exc:
                assert str(exc).startswith(str(p))


# =========================================================================== aliases
def test_alias_table_covers_languages():
    for std, words in {"hip": ("Hanche", "Hüfte", "Cadera"), "knee": ("Genou", "Knie", "Rodilla"),
                       "ankle": ("Malleole", "Cheville", "Knöchel", "Tobillo"),
                       "heel": ("Talon", "Ferse", "Talón"), "toe": ("Orteil", "Zehe", "Dedo")
                       }.items():
        for w in words:
            assert standard_marker_names([w]) == {std: w}
    assert set(ALIASES) == {"hip", "knee", "ankle", "heel", "toe"}
    assert standard_marker_names(["RKJC", "LKJC", "knee_r"], side="right") == {"knee": "RKJC"}
    assert standard_marker_names(["Genou droite", "Genou gauche"], side="left") == \
        {"knee": "Genou gauche"}
    assert standard_marker_names(["R.Knee"]) == {}             # a side needs side=
    with pytest.raises(ValueError):
        standard_marker_names(["knee"], side="middle")


def test_docs_describe_the_formats_and_aliases():
    text = DOC.read_text(encoding="utf-8")
    for fmt in FORMATS:
        assert f"`{fmt}`" in text, fmt
    for word in ("Hanche", "Hüfte", "Cadera", "length_unit", "angle_unit", "rate_hz",
                 "MotionFileError", "inDegrees"):
        assert word in text
    # the error example in the docs is what the code prints
    example = re.search(r"`(data/run\.trc:7: column 14[^`]*)`", text).group(1)
    err = MotionFileError("data/run.trc", line=7, column=14, column_name="RKNEE Y",
                          found="'abc'", accepted="a number (or an empty cell for a missing value)")
    assert str(err) == example


def test_public_api():
    for name in ("read_motion", "read_forces", "read_table", "standard_marker_names", "ALIASES",
                 "Motion", "Forces", "MotionFileError", "FORMATS"):
        assert hasattr(lio, name)
    assert not any(m.startswith(("sympy", "matplotlib")) for m in _imported_by_legsim_io())


def _imported_by_legsim_io():
    import subprocess
    import sys

    code = ("import sys, legsim.io; print('\\n'.join(m for m in sys.modules "
            "if m.startswith(('sympy', 'matplotlib'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(Path(__file__).resolve().parents[1]), check=True)
    return [ln for ln in out.stdout.splitlines() if ln]


def test_docstring_examples_run():
    import doctest

    from legsim.io import aliases, opensim

    for module in (aliases, opensim):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__
