"""Validation of legsim's inverse dynamics against published swing-phase joint moments.

Two measured runs (tests/data/README.md has their sources and licences):

- **Fukuchi et al. (2017), subject RBDS001, 2.5 m/s treadmill**: markers (first 5 s) and the
  static trial -> joint centres -> legsim inverse dynamics; right strides cut at force-plate
  foot strikes, time-normalised to the gait cycle like ``RBDS001processed.txt``, averaged, and
  compared over the swing with ``RhipMomZ25`` and ``RkneeMomZ25`` (x 62 kg; knee sign flipped).
- **BMClab overground run processed in OpenSim**: the TRC markers (and, as further inputs, the
  OpenSim IK angles with the marker hip centre, and the IK file alone) with the scaled model's
  segment values -> hip and knee torques over the right swing (0.297-0.72 s), compared with
  ``hip_flexion_r_moment`` and ``knee_angle_r_moment`` of ``inverse_dynamics.sto``.

Usage::

    python docs/validate_inverse.py            # print the table
    python docs/validate_inverse.py --write    # also refresh the table in docs/validation.md
    python docs/validate_inverse.py --figures  # also draw docs/validation/*.png

The numbers, their reasons and the test tolerances are discussed in docs/validation.md; the
tests (tests/test_validation.py) import this file.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from legsim.inverse import inverse_dynamics  # noqa: E402
from legsim.io import read_forces, read_motion  # noqa: E402
from legsim.kinematics.events import assign_contacts, force_events  # noqa: E402
from legsim.kinematics.filtering import lowpass  # noqa: E402
from legsim.kinematics.joint_centres import joint_centres  # noqa: E402

DATA = ROOT / "tests" / "data"
FUKUCHI = DATA / "fukuchi_2017_RBDS001"
BMCLAB = DATA / "bmclab_opensim_running"
DOC = ROOT / "docs" / "validation.md"
FIG_DIR = ROOT / "docs" / "validation"
TABLE_BEGIN = "<!-- BEGIN GENERATED TABLE (python docs/validate_inverse.py --write) -->"
SENSITIVITY_BEGIN = "<!-- BEGIN GENERATED SENSITIVITY (python docs/validate_inverse.py --write) -->"
TABLE_END = "<!-- END GENERATED -->"

#: Fukuchi RBDS001 (RBDSinfo.txt): male, 1.81 m, 62 kg.
FUKUCHI_SUBJECT = {"mass_kg": 62.0, "height_m": 1.81, "sex": "male"}
#: Cut-off used for the Fukuchi markers, Hz (the value the authors used, docs/validation.md).
FUKUCHI_CUTOFF_HZ = 10.0
#: Force threshold for foot contact, N, after a 10 Hz low-pass of the vertical force.
CONTACT_THRESHOLD_N = 20.0
#: Shortest accepted contact or flight, s (shorter ones are threshold chatter).
MIN_PHASE_S = 0.05

#: BMClab scaled Rajagopal model, 70.0 kg (SOURCE.md of the data): femur_r and tibia_r; the
#: foot's 1.455 kg is added to the tibia as legsim's rigid foot (see `bmclab_segments`).
BMCLAB_MASS_KG = 70.0
BMCLAB_HEIGHT_M = 1.80
BMCLAB_FEMUR = {"mass_kg": 8.642, "length_m": 0.387, "com_m": 0.161, "inertia_kgm2": 0.1178}
BMCLAB_TIBIA = {"mass_kg": 3.445, "length_m": 0.392, "com_m": 0.183, "inertia_kgm2": 0.0457}
BMCLAB_FOOT_MASS_KG = 1.455
#: OpenSim's ID used IK angles low-passed at 6 Hz (id_setup.xml); the same cut-off here.
BMCLAB_CUTOFF_HZ = 6.0
#: Right swing: toe-off (GRF < 20 N) and the end of the ID output, s.
BMCLAB_SWING_S = (0.297, 0.72)


# --------------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------------

def compare(ours, reference) -> dict:
    """RMS difference (N m and % of the reference's peak-to-peak), Pearson r, peaks."""
    ours = np.asarray(ours, float)
    reference = np.asarray(reference, float)
    diff = ours - reference
    rms = float(np.sqrt(np.mean(diff ** 2)))
    ptp = float(np.ptp(reference))
    return {
        "rms_Nm": rms,
        "rms_pct_ptp": 100.0 * rms / ptp,
        "r": float(np.corrcoef(ours, reference)[0, 1]),
        "mean_diff_Nm": float(np.mean(diff)),
        "ref_min_Nm": float(reference.min()), "ref_max_Nm": float(reference.max()),
        "ours_min_Nm": float(ours.min()), "ours_max_Nm": float(ours.max()),
        "n": int(len(ours)),
    }


@dataclass
class Comparison:
    """One data set: curves on a common axis and the statistics of each joint."""

    name: str
    axis: np.ndarray                 # % gait cycle or time s
    axis_label: str
    ours: dict                       # joint -> curve, N m (+ flexion)
    reference: dict                  # joint -> curve, N m (+ flexion)
    stats: dict                      # joint -> compare()
    info: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Fukuchi RBDS001
# --------------------------------------------------------------------------------------------

def fukuchi_events(forces, motion) -> list:
    """Right-foot contacts (touchdown, toe-off) from the treadmill force plate.

    As Fukuchi et al. (2017): vertical force low-passed at 10 Hz, contact above 20 N
    (`legsim.kinematics.events.force_events`). Both feet land on the same plate, so each
    contact goes to the foot whose MT5 marker is lower (`assign_contacts`).
    """
    t = forces.time_s
    fy = lowpass(forces.vertical("Fy"), forces.rate_hz, 10.0)
    contacts = force_events(t, fy, CONTACT_THRESHOLD_N, min_duration_s=MIN_PHASE_S)
    feet = {"right": motion.markers["R.MT5"][:, 1], "left": motion.markers["L.MT5"][:, 1]}
    contacts = assign_contacts(contacts, motion.time_s, feet)
    return [(c.touchdown_s, c.toe_off_s) for c in contacts
            if c.side == "right" and np.isfinite(c.touchdown_s) and np.isfinite(c.toe_off_s)]


@lru_cache(maxsize=None)
def _fukuchi_data():
    run = read_motion(str(FUKUCHI / "RBDS001runT25markers_first5s.txt"))
    static = read_motion(str(FUKUCHI / "RBDS001static.txt"))
    forces = read_forces(str(FUKUCHI / "RBDS001runT25forces_first5s.txt"), rate_hz=300.0)
    jc = joint_centres(run, side="right", static=static)
    return jc, fukuchi_events(forces, run)


def fukuchi_comparison(cutoff_hz: float = FUKUCHI_CUTOFF_HZ, **options) -> Comparison:
    """legsim vs RBDS001processed.txt, right leg, 2.5 m/s, swing phase. ``options`` go to
    `inverse_dynamics` (for the sensitivity runs)."""
    import pandas as pd

    jc, right = _fukuchi_data()
    res = inverse_dynamics(jc, cutoff_hz=cutoff_hz, **{**FUKUCHI_SUBJECT, **options})
    pct = np.linspace(0.0, 100.0, 101)
    hip_cycles, knee_cycles, toe_off_pct = [], [], []
    for (fs0, to0), (fs1, _to1) in zip(right[:-1], right[1:]):
        tt = fs0 + (fs1 - fs0) * pct / 100.0
        if tt[-1] > res.t_s[-1] or tt[0] < res.t_s[0]:
            continue
        hip_cycles.append(np.interp(tt, res.t_s, res.hip_torque_Nm))
        knee_cycles.append(np.interp(tt, res.t_s, res.knee_torque_Nm))
        toe_off_pct.append(100.0 * (to0 - fs0) / (fs1 - fs0))
    ref = pd.read_csv(FUKUCHI / "RBDS001processed.txt", sep="\t")
    mass = FUKUCHI_SUBJECT["mass_kg"]
    ref_hip = ref["RhipMomZ25"].to_numpy(float) * mass           # + flexor
    ref_knee = -ref["RkneeMomZ25"].to_numpy(float) * mass        # file: + extensor
    stance_end = int(np.flatnonzero(np.isnan(ref["RgrfY25"].to_numpy(float)))[0])
    swing = pct >= stance_end
    ours_hip = np.mean(hip_cycles, axis=0)
    ours_knee = np.mean(knee_cycles, axis=0)
    stats = {"hip": compare(ours_hip[swing], ref_hip[swing]),
             "knee": compare(ours_knee[swing], ref_knee[swing])}
    info = {
        "strides": len(hip_cycles),
        "toe_off_pct_mean": float(np.mean(toe_off_pct)),
        "reference_swing_start_pct": stance_end,
        "cutoff_hz": cutoff_hz,
        "lengths": res.meta["measured_lengths"],
        "parameters": res.meta["parameters"],
        "joint_centres": res.meta["joint_centres"],
        "hip_cycles": np.array(hip_cycles), "knee_cycles": np.array(knee_cycles),
    }
    return Comparison("Fukuchi et al. (2017) RBDS001, 2.5 m/s", pct[swing], "% of gait cycle",
                      {"hip": ours_hip[swing], "knee": ours_knee[swing]},
                      {"hip": ref_hip[swing], "knee": ref_knee[swing]}, stats, info)


# --------------------------------------------------------------------------------------------
# BMClab OpenSim run
# --------------------------------------------------------------------------------------------

def bmclab_segments() -> dict:
    """legsim ``segments`` for the scaled Rajagopal model (70 kg): femur as the thigh; tibia +
    a rigid foot as the shank+foot composite.

    The foot's mass (talus + calcaneus + toes, 1.455 kg) is placed at legsim's foot centre of
    mass for a neutral (90 deg) ankle, with de Leva's foot radius of gyration, because the data
    notes give the foot's mass but not its centre of mass or inertia.
    """
    from legsim.model.anthropometry import combine_bodies, foot_geometry

    geo = foot_geometry("de_leva_1996", "male", BMCLAB_HEIGHT_M, BMCLAB_TIBIA["length_m"], 90.0)
    m_foot = BMCLAB_FOOT_MASS_KG
    i_foot = m_foot * (geo["foot_gyration"] * geo["foot_inertia_length_m"]) ** 2
    m, along, perp, inertia = combine_bodies([
        (BMCLAB_TIBIA["mass_kg"], BMCLAB_TIBIA["com_m"], 0.0, BMCLAB_TIBIA["inertia_kgm2"]),
        (m_foot, geo["com"][0], geo["com"][1], i_foot),
    ])
    return {
        "thigh": dict(BMCLAB_FEMUR),
        "shank": {"mass_kg": m, "length_m": BMCLAB_TIBIA["length_m"], "com_m": along,
                  "com_offset_m": perp, "inertia_kgm2": inertia},
    }


@lru_cache(maxsize=None)
def _bmclab_data():
    trc = read_motion(str(BMCLAB / "motion_capture_run.trc"))
    return (joint_centres(trc, side="right"), read_motion(str(BMCLAB / "ik_output_run.mot")),
            read_motion(str(BMCLAB / "inverse_dynamics.sto")))


def bmclab_comparison(source: str = "markers", cutoff_hz: float = BMCLAB_CUTOFF_HZ,
                      model_segments: bool = True, **options) -> Comparison:
    """legsim vs OpenSim ID over the right swing. ``source``: 'markers' (TRC -> joint
    centres -> angles), 'ik' (OpenSim IK angles: thigh = pelvis_tilt + hip_flexion_r, knee =
    knee_angle_r; hip acceleration still from the TRC hip centre) or 'ik-file' (the IK .mot
    given to `inverse_dynamics` as it is: hip acceleration from pelvis_tx, pelvis_ty). ``model_segments=False``
    uses de Leva's table for 70 kg, 1.80 m instead of the OpenSim model's segments; ``options``
    go to `inverse_dynamics`."""
    jc, ik_motion, id_motion = _bmclab_data()
    subject = {"mass_kg": BMCLAB_MASS_KG, "height_m": BMCLAB_HEIGHT_M, "sex": "male",
               "cutoff_hz": cutoff_hz, **options}
    if model_segments:
        subject["segments"] = bmclab_segments()
    if source == "markers":
        res = inverse_dynamics(jc, **subject)
    elif source == "ik-file":
        res = inverse_dynamics(ik_motion, **subject)
    elif source == "ik":
        ik = ik_motion.columns
        t = ik_motion.time_s
        hip = jc.points["hip"]
        data = {"t_s": t,
                "thigh_angle_deg": ik["pelvis_tilt"] + ik["hip_flexion_r"],
                "knee_flexion_deg": ik["knee_angle_r"],
                "hip_x_m": np.interp(t, jc.time_s, hip[:, 0]),
                "hip_y_m": np.interp(t, jc.time_s, hip[:, 1])}
        res = inverse_dynamics(data, **subject)
    else:
        raise ValueError(f"source: found {source!r}; accepted: 'markers', 'ik' or 'ik-file'")
    idr = id_motion.columns
    t_ref = id_motion.time_s
    keep = (t_ref >= BMCLAB_SWING_S[0]) & (t_ref <= BMCLAB_SWING_S[1] + 1e-6)
    t_cmp = t_ref[keep]
    ours = {"hip": np.interp(t_cmp, res.t_s, res.hip_torque_Nm),
            "knee": np.interp(t_cmp, res.t_s, res.knee_torque_Nm)}
    ref = {"hip": idr["hip_flexion_r_moment"][keep],     # + flexor
           "knee": idr["knee_angle_r_moment"][keep]}      # knee_angle_r is flexion +: + flexor
    stats = {j: compare(ours[j], ref[j]) for j in ("hip", "knee")}
    info = {"cutoff_hz": cutoff_hz, "source": source, "lengths": res.meta["measured_lengths"],
            "parameters": res.meta["parameters"], "joint_centres": res.meta["joint_centres"],
            "swing_s": BMCLAB_SWING_S}
    label = "BMClab run (OpenSim ID), " + {
        "markers": "TRC markers", "ik": "IK angles",
        "ik-file": "IK file alone (pelvis-origin acceleration)"}[source]
    return Comparison(label, t_cmp, "time (s)", ours, ref, stats, info)


# --------------------------------------------------------------------------------------------
# Winter (2009) Appendix A walking data: an optional spot check (not shipped: licence unclear)
# --------------------------------------------------------------------------------------------

#: Winter's subject: 56.7 kg (from his tables); the height is not confirmed (1.56-1.62 m).
WINTER_MASS_KG = 56.7
WINTER_HEIGHT_M = 1.62
#: Frame rate of Winter's tables (106 frames over 1.501 s).
WINTER_RATE_HZ = 69.95
#: Right swings: frames 1-27 and 70-96 (1-based); the first two frames are left out (ends of
#: the record, where derivatives are one-sided).
WINTER_SWINGS = ((3, 27), (70, 96))


def winter_comparison(data_dir: Path, filtered_markers: bool = False) -> Comparison:
    """legsim vs Winter's Table A.5 hip and knee moments over the two right swings.

    ``filtered_markers=False``: the raw markers of Table A.1 (cm; greater trochanter, lateral
    epicondyle and malleolus as hip, knee, ankle), low-passed at 6 Hz like Winter's.
    ``True``: Winter's own filtered markers of Table A.2, not filtered again (inverse dynamics
    alone). Winter's table of segment parameters, measured lengths; knee sign flipped (Winter's
    knee moment is + extensor, his hip moment + flexor).
    """
    import pandas as pd

    table = "winter_A2_filtered_marker_kinematics.csv" if filtered_markers else \
        "winter_A1_raw_coordinates.csv"
    kin = pd.read_csv(Path(data_dir) / table)
    moments = pd.read_csv(Path(data_dir) / "winter_A5_reaction_forces_moments.csv")
    scale, unit = (1.0, "m") if filtered_markers else (0.01, "cm")
    data = {"t_s": (kin["frame"].to_numpy(float) - 1.0) / WINTER_RATE_HZ}
    for point in ("hip", "knee", "ankle"):
        for axis in "xy":
            data[f"{point}_{axis}_m"] = kin[f"{point}_{axis}_{unit}"].to_numpy(float) * scale
    res = inverse_dynamics(data, mass_kg=WINTER_MASS_KG, height_m=WINTER_HEIGHT_M, sex="female",
                           anthropometry="winter_2009", cutoff_hz=6.0, filtered=not filtered_markers)
    rows = np.concatenate([np.arange(a - 1, b) for a, b in WINTER_SWINGS])
    ours = {"hip": res.hip_torque_Nm[rows], "knee": res.knee_torque_Nm[rows]}
    ref = {"hip": moments["thigh_hip_moment_Nm"].to_numpy(float)[rows],
           "knee": -moments["leg_knee_moment_Nm"].to_numpy(float)[rows]}
    stats = {j: compare(ours[j], ref[j]) for j in ("hip", "knee")}
    label = "Winter (2009) walking, " + ("Table A.2 markers" if filtered_markers
                                          else "Table A.1 raw markers, 6 Hz")
    return Comparison(label, rows + 1.0, "frame", ours, ref, stats,
                      {"lengths": res.meta["measured_lengths"]})


# --------------------------------------------------------------------------------------------
# Table and figures
# --------------------------------------------------------------------------------------------

def all_comparisons() -> list[Comparison]:
    return [fukuchi_comparison(), bmclab_comparison("markers"), bmclab_comparison("ik"),
            bmclab_comparison("ik-file")]


def sensitivity() -> list[tuple[str, Comparison]]:
    """The comparisons again with one processing choice changed at a time."""
    return [
        ("Fukuchi: as in the table (10 Hz, measured lengths, moving hip)", fukuchi_comparison()),
        ("Fukuchi: cut-off 6 Hz", fukuchi_comparison(6.0)),
        ("Fukuchi: cut-off 15 Hz", fukuchi_comparison(15.0)),
        ("Fukuchi: hip held still (no hip acceleration)",
         fukuchi_comparison(hip_acceleration=False)),
        ("Fukuchi: stature-scaled segment lengths", fukuchi_comparison(use_measured_lengths=False)),
        ("Fukuchi: Winter (2009) table instead of de Leva (1996)",
         fukuchi_comparison(anthropometry="winter_2009")),
        ("Fukuchi: rigid foot plantarflexed 30 deg (ankle 120 deg) instead of 90 deg",
         fukuchi_comparison(ankle_angle_deg=120.0)),
        ("BMClab markers: as in the table (6 Hz, model segments, moving hip)",
         bmclab_comparison("markers")),
        ("BMClab markers: cut-off 10 Hz", bmclab_comparison("markers", 10.0)),
        ("BMClab markers: hip held still", bmclab_comparison("markers", hip_acceleration=False)),
        ("BMClab markers: de Leva segments for 70 kg, 1.80 m instead of the model's",
         bmclab_comparison("markers", model_segments=False)),
    ]


def sensitivity_markdown(rows) -> str:
    out = ["| variant | hip RMS (N m) | hip r | knee RMS (N m) | knee r |", "|---|---|---|---|---|"]
    for label, c in rows:
        h, k = c.stats["hip"], c.stats["knee"]
        out.append(f"| {label} | {h['rms_Nm']:.1f} | {h['r']:.2f} | {k['rms_Nm']:.1f} "
                   f"| {k['r']:.2f} |")
    return "\n".join(out) + "\n"


def stride_spread(c: Comparison) -> dict:
    """Mean over the swing of the between-stride standard deviation of our curves, N m."""
    swing = c.axis
    first = int(round(swing[0]))
    return {j: float(np.mean(np.std(c.info[f"{j}_cycles"][:, first:], axis=0, ddof=1)))
            for j in ("hip", "knee")}


def table_markdown(results: list[Comparison]) -> str:
    """The validation table (markdown) of docs/validation.md."""
    rows = ["| data set | joint | reference range (N m) | legsim range (N m) | RMS difference (N m) "
            "| RMS / reference peak-to-peak | r |",
            "|---|---|---|---|---|---|---|"]
    for c in results:
        for joint in ("hip", "knee"):
            s = c.stats[joint]
            rows.append(
                f"| {c.name} | {joint} | {s['ref_min_Nm']:.0f} to {s['ref_max_Nm']:.0f} "
                f"| {s['ours_min_Nm']:.0f} to {s['ours_max_Nm']:.0f} | {s['rms_Nm']:.1f} "
                f"| {s['rms_pct_ptp']:.0f} % | {s['r']:.2f} |")
    return "\n".join(rows) + "\n"


def write_table(text: str, path: Path = DOC, begin: str = TABLE_BEGIN) -> None:
    """Replace the generated block that starts with ``begin`` in ``path``."""
    doc = path.read_text()
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(TABLE_END), re.S)
    if not pattern.search(doc):
        raise SystemExit(f"{path}: markers {begin!r} ... {TABLE_END!r} not found")
    path.write_text(pattern.sub(lambda _m: f"{begin}\n{text}{TABLE_END}", doc, count=1))


def figures(results: list[Comparison], out_dir: Path = FIG_DIR) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, c in enumerate(results):
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), constrained_layout=True)
        for ax, joint in zip(axes, ("hip", "knee")):
            ax.axhline(0.0, color="0.8", lw=0.8)
            ax.plot(c.axis, c.reference[joint], color="k", lw=2, label="reference")
            ax.plot(c.axis, c.ours[joint], color="tab:red", lw=1.5, label="legsim")
            s = c.stats[joint]
            ax.set_title(f"{joint} torque (+ flexion): RMS {s['rms_Nm']:.1f} N m, "
                         f"r = {s['r']:.2f}", fontsize=9)
            ax.set_xlabel(c.axis_label)
            ax.set_ylabel("N m")
        axes[0].legend(fontsize=8)
        fig.suptitle(c.name, fontsize=10)
        path = out_dir / f"validation_{k + 1}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="refresh the table in docs/validation.md")
    parser.add_argument("--figures", action="store_true", help="draw docs/validation/*.png")
    parser.add_argument("--winter", metavar="DIR", help="also compare with Winter's Appendix A "
                        "tables in DIR (winter_A1_raw_coordinates.csv, ...; not shipped)")
    args = parser.parse_args(argv)
    if args.winter:
        print(table_markdown([winter_comparison(Path(args.winter)),
                              winter_comparison(Path(args.winter), filtered_markers=True)]))
    results = all_comparisons()
    text = table_markdown(results)
    rows = sensitivity()
    sens = sensitivity_markdown(rows)
    print(text)
    print(sens)
    spread = stride_spread(results[0])
    print(f"Fukuchi: {results[0].info['strides']} strides, toe-off at "
          f"{results[0].info['toe_off_pct_mean']:.1f} % of the cycle; between-stride SD over "
          f"the swing: hip {spread['hip']:.1f} N m, knee {spread['knee']:.1f} N m")
    for c in results:
        extra = {k: v for k, v in c.info.items() if not isinstance(v, np.ndarray)}
        print(c.name, extra)
    if args.write:
        write_table(text)
        write_table(sens, begin=SENSITIVITY_BEGIN)
    if args.figures:
        for p in figures(results):
            print("wrote", p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
