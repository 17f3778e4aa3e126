"""Inverse dynamics (legsim.core.inverse, legsim.inverse) and joint centres
(legsim.kinematics.joint_centres), checked against independent truths:

- round trip: the forward simulator's own net torques, recovered from its angles (1 ms samples),
  with and without a moving hip; the error shrinks as h^2 (it is differentiation error);
- a leg held still: the gravitational torques written by hand;
- a second derivation: Newton-Euler free-body diagrams of the two segments, by hand;
- work: the simulator's integrated work, and an analytic integral;
- joint centres: known rigid motions, a synthetic pelvis, simulated 2-D markers.
"""
from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import legsim
from legsim.errors import LegsimError
from legsim.inverse import INVERSE_COLUMNS, inverse_dynamics

ROOT = Path(__file__).resolve().parents[1]
KNEE_DRIVE = ROOT / "scenarios" / "knee_drive.yaml"

# explicit segments (round numbers of a 75 kg leg) for the hand checks
SEGMENTS = {"thigh": {"mass_kg": 10.0, "length_m": 0.45, "com_m": 0.19, "inertia_kgm2": 0.20},
            "shank": {"mass_kg": 4.5, "length_m": 0.44, "com_m": 0.24, "com_offset_m": 0.02,
                      "inertia_kgm2": 0.08}}
G = 9.81


@pytest.fixture(scope="module")
def knee_drive():
    scn = legsim.load_scenario(KNEE_DRIVE)
    tr = legsim.simulate(scn)["knee_drive"]
    return scn, tr


def _angles(tr, step=1):
    return {"t_s": tr.trajectory["t_s"][::step],
            "thigh_angle_deg": tr.trajectory["thigh_angle_deg"][::step],
            "knee_flexion_deg": tr.trajectory["knee_flexion_deg"][::step]}


def _interior_error(inv, tr, joint, step=1):
    """Inverse minus simulated torque, without the first and last 2 samples (one-sided ends)."""
    err = getattr(inv, f"{joint}_torque_Nm") - tr.trajectory[f"{joint}_torque_Nm"][::step]
    return err[2:-2]


# --------------------------------------------------------------------------------------------
# (a) round trip with the forward simulator
# --------------------------------------------------------------------------------------------

def test_round_trip_recovers_the_simulated_net_torques(knee_drive):
    scn, tr = knee_drive
    traj = tr.trajectory
    # the simulated net torques are the whole generalised force only without external loads
    assert np.all(traj["heel_contact_force_N"] == 0.0) and np.all(traj["cord_force_N"] == 0.0)
    inv = inverse_dynamics(_angles(tr), scenario=scn, filtered=False)
    assert inv.meta["filter"] is None
    for joint in ("hip", "knee"):
        ref = traj[f"{joint}_torque_Nm"]
        err = _interior_error(inv, tr, joint)
        # docs/inverse_dynamics.md "Checks": second differences at h = 1 ms err by h^2/12 q'''',
        # ~0.1 N m at the hip where the flexors switch on; tolerance 0.3 % of the range
        assert np.max(np.abs(err)) < 3e-3 * np.ptp(ref), joint
        assert np.sqrt(np.mean(err ** 2)) < 1e-3 * np.ptp(ref), joint
    assert np.ptp(traj["hip_torque_Nm"]) > 50.0   # a real test: the hip works hard


def test_round_trip_error_is_differentiation_error(knee_drive):
    """Doubling the step multiplies the error by about 4 (h^2): the equations are exact."""
    scn, tr = knee_drive
    fine = inverse_dynamics(_angles(tr, 1), scenario=scn, filtered=False)
    coarse = inverse_dynamics(_angles(tr, 2), scenario=scn, filtered=False)
    # compare on the samples where the step is exactly 1 ms (2 ms for the coarse run)
    t = tr.trajectory["t_s"]
    uniform = np.abs(np.diff(t) - 1e-3) < 1e-9
    ok_fine = np.flatnonzero(uniform[1:] & uniform[:-1]) + 1
    ok_fine = ok_fine[(ok_fine > 4) & (ok_fine < len(t) - 6)]
    ok_coarse = ok_fine[ok_fine % 2 == 0] // 2
    e_fine = np.sqrt(np.mean((fine.hip_torque_Nm - tr.trajectory["hip_torque_Nm"])[ok_fine] ** 2))
    e_coarse = np.sqrt(np.mean((coarse.hip_torque_Nm
                                - tr.trajectory["hip_torque_Nm"][::2])[ok_coarse] ** 2))
    assert 2.5 < e_coarse / e_fine < 6.0, (e_fine, e_coarse)


def test_round_trip_with_a_moving_hip(tmp_path):
    """A running-like hip acceleration (table in the scenario) enters both directions alike."""
    omega = 2.0 * math.pi * 3.0                      # about a step frequency
    ax, ay = 8.0, 15.0                               # m/s^2 amplitudes (about 1.5 g vertical)
    t_tab = np.arange(0.0, 0.6 + 1e-9, 5e-4)
    table = tmp_path / "hip_acceleration.csv"
    np.savetxt(table, np.column_stack([t_tab, ax * np.sin(omega * t_tab),
                                       ay * np.cos(omega * t_tab)]),
               delimiter=",", header="t_s,acc_x_m_s2,acc_y_m_s2", comments="", fmt="%.10g")
    from legsim.scenario import validate_data

    scn = validate_data({"extends": str(KNEE_DRIVE),
                         "model": {"hip_acceleration": {"table": table.name}}},
                        path=tmp_path / "moving_hip.yaml")
    tr = legsim.simulate(scn)["knee_drive"]
    t = tr.trajectory["t_s"]
    # hip positions whose second derivative is the table (the API differentiates them)
    data = dict(_angles(tr), hip_x_m=-ax / omega ** 2 * np.sin(omega * t),
                hip_y_m=-ay / omega ** 2 * np.cos(omega * t))
    inv = inverse_dynamics(data, scenario=scn, filtered=False)
    assert np.allclose(inv.hip_acc_y_m_s2[2:-2], ay * np.cos(omega * t[2:-2]), atol=0.05)
    # the same acceleration given directly
    given = inverse_dynamics(dict(_angles(tr), hip_acc_x_m_s2=ax * np.sin(omega * t),
                                  hip_acc_y_m_s2=ay * np.cos(omega * t)),
                             scenario=scn, filtered=False)
    assert given.meta["hip_acceleration"] == "given hip acceleration"
    still = inverse_dynamics(_angles(tr), scenario=scn, filtered=False)
    for joint in ("hip", "knee"):
        ref = tr.trajectory[f"{joint}_torque_Nm"]
        err = _interior_error(inv, tr, joint)
        assert np.max(np.abs(err)) < 3e-3 * np.ptp(ref) + 0.05, joint
        assert np.max(np.abs(_interior_error(given, tr, joint))) < 3e-3 * np.ptp(ref), joint
        # and the hip acceleration matters: ignoring it is visibly wrong
        wrong = _interior_error(still, tr, joint)
        assert np.max(np.abs(wrong)) > 20 * np.max(np.abs(err)), joint


def test_work_matches_the_simulators_integrated_work(knee_drive):
    scn, tr = knee_drive
    inv = inverse_dynamics(_angles(tr), scenario=scn, filtered=False)
    w = inv.work()
    m = tr.metrics
    # the simulator integrates the power with its adaptive steps; we use 1 ms trapezoids
    for key in ("hip_positive_work_J", "hip_negative_work_J", "knee_positive_work_J",
                "knee_negative_work_J"):
        assert w[key] == pytest.approx(m[key], abs=0.02 + 5e-3 * abs(m[key])), key
    assert w["hip_net_work_J"] == pytest.approx(w["hip_positive_work_J"]
                                                + w["hip_negative_work_J"])


# --------------------------------------------------------------------------------------------
# (b) a leg held still
# --------------------------------------------------------------------------------------------

def _static_torques_by_hand(theta_deg, phi_deg):
    th = math.radians(theta_deg)
    psi = th - math.radians(phi_deg)
    t, s = SEGMENTS["thigh"], SEGMENTS["shank"]
    # moment arms (horizontal distance from the joint) of the weights
    shank_arm = s["com_m"] * math.sin(psi) + s["com_offset_m"] * math.cos(psi)
    hip = G * (t["mass_kg"] * t["com_m"] * math.sin(th)
               + s["mass_kg"] * (t["length_m"] * math.sin(th) + shank_arm))
    knee = -G * s["mass_kg"] * shank_arm
    return hip, knee


@pytest.mark.parametrize("theta_deg, phi_deg", [(0, 0), (90, 0), (30, 60), (-25, 35), (60, 120)])
def test_leg_held_still_needs_the_gravitational_torques(theta_deg, phi_deg):
    n = 40
    data = {"t_s": np.arange(n) * 0.01, "thigh_angle_deg": np.full(n, float(theta_deg)),
            "knee_flexion_deg": np.full(n, float(phi_deg))}
    inv = inverse_dynamics(data, mass_kg=75, height_m=1.8, sex="male", segments=SEGMENTS)
    hip, knee = _static_torques_by_hand(theta_deg, phi_deg)
    assert np.allclose(inv.hip_torque_Nm, hip, atol=1e-9)
    assert np.allclose(inv.knee_torque_Nm, knee, atol=1e-9)
    assert np.allclose(inv.hip_power_W, 0.0) and np.allclose(inv.knee_power_W, 0.0)


def test_horizontal_leg_by_hand():
    """Thigh and shank straight out in front: hip 10*0.19 + 4.5*(0.45+0.24) = 5.005 kg m times
    g = 49.10 N m of flexion; knee extension 4.5*0.24*g = 10.59 N m (the foot's offset d2 points
    up here and adds no arm)."""
    data = {"t_s": np.arange(20) * 0.01, "thigh_angle_deg": np.full(20, 90.0),
            "knee_flexion_deg": np.zeros(20)}
    inv = inverse_dynamics(data, mass_kg=75, height_m=1.8, segments=SEGMENTS, sex="male")
    assert inv.hip_torque_Nm[5] == pytest.approx(49.09905, rel=1e-6)
    assert inv.knee_torque_Nm[5] == pytest.approx(-10.5948, rel=1e-5)


# --------------------------------------------------------------------------------------------
# (c) an independent Newton-Euler derivation
# --------------------------------------------------------------------------------------------

def _cross(r, f):
    return r[0] * f[1] - r[1] * f[0]


def _newton_euler(q, p):
    """Net joint torques from free-body diagrams of thigh and shank+foot (ground frame)."""
    th, ph, wt, wp, at, ap, hx, hy = q
    m1, l1, c1, i1, m2, c2, d2, i2, g = p
    psi, wpsi, apsi = th - ph, wt - wp, at - ap
    e_t = np.array([math.sin(th), -math.cos(th)])          # hip -> knee
    n_t = np.array([math.cos(th), math.sin(th)])           # d e_t / d theta
    e_s = np.array([math.sin(psi), -math.cos(psi)])        # knee -> ankle
    n_s = np.array([math.cos(psi), math.sin(psi)])         # anterior normal of the shank
    a_hip = np.array([hx, hy])
    gravity = np.array([0.0, -g])
    a1 = a_hip + c1 * (at * n_t - wt ** 2 * e_t)
    a_knee = a_hip + l1 * (at * n_t - wt ** 2 * e_t)
    r2 = c2 * e_s + d2 * n_s                               # knee -> shank CoM
    a2 = a_knee + apsi * (c2 * n_s - d2 * e_s) - wpsi ** 2 * r2
    f_knee = m2 * (a2 - gravity)                           # on the shank, from the thigh
    tau_knee = _cross(-r2, f_knee) - i2 * apsi             # shank: -tau_knee + r x F = I2 psi''
    f_hip = m1 * (a1 - gravity) + f_knee                   # on the thigh, from the pelvis
    tau_hip = (i1 * at - tau_knee - _cross(-c1 * e_t, f_hip)
               - _cross((l1 - c1) * e_t, -f_knee))
    return tau_hip, tau_knee


def test_core_matches_hand_written_newton_euler():
    from legsim.core.inverse import net_joint_torques

    rng = np.random.default_rng(7)
    n = 300
    q = np.column_stack([
        rng.uniform(-1.0, 2.2, n), rng.uniform(0.0, 2.6, n),        # angles
        rng.uniform(-20, 20, n), rng.uniform(-30, 30, n),           # velocities
        rng.uniform(-400, 400, n), rng.uniform(-600, 600, n),       # accelerations
        rng.uniform(-30, 30, n), rng.uniform(-30, 30, n)])          # hip acceleration
    hip = np.empty(n)
    knee = np.empty(n)
    for k in range(5):                                              # several subjects
        p = np.array([rng.uniform(5, 15), rng.uniform(0.35, 0.5), rng.uniform(0.15, 0.25),
                      rng.uniform(0.1, 0.3), rng.uniform(2, 6), rng.uniform(0.15, 0.3),
                      rng.uniform(-0.03, 0.05), rng.uniform(0.03, 0.12), 9.81])
        net_joint_torques(*(np.ascontiguousarray(c) for c in q.T), p, hip, knee)
        for i in range(n):
            h, kn = _newton_euler(q[i], p)
            assert hip[i] == pytest.approx(h, rel=1e-10, abs=1e-9)
            assert knee[i] == pytest.approx(kn, rel=1e-10, abs=1e-9)


# --------------------------------------------------------------------------------------------
# Powers and work
# --------------------------------------------------------------------------------------------

def test_work_of_a_sine_power_is_exact_in_the_limit():
    from legsim.core.inverse import work_over_window

    t = np.linspace(0.0, 2.0 * math.pi, 20001)
    pos, neg, net = work_over_window(t, np.sin(t), 0, len(t) - 1)
    assert pos == pytest.approx(2.0, abs=1e-6) and neg == pytest.approx(-2.0, abs=1e-6)
    assert net == pytest.approx(0.0, abs=1e-9)
    # coarse samples: the parts still add up to the plain trapezoidal integral
    tc = np.array([0.0, 0.3, 1.0, 1.7, 2.5])
    pc = np.array([1.0, -2.0, 0.5, 0.0, -1.0])
    pos, neg, net = work_over_window(tc, pc, 0, 4)
    assert net == pytest.approx(np.trapz(pc, tc) if hasattr(np, "trapz") else
                                np.trapezoid(pc, tc))
    assert pos > 0 > neg
    # first interval: +1 to -2 over 0.3 s crosses zero at 0.1 s: +0.05 J, then -0.2 J
    pos1, neg1, _ = work_over_window(tc, pc, 0, 1)
    assert pos1 == pytest.approx(0.05) and neg1 == pytest.approx(-0.2)


def test_powers_are_torque_times_joint_velocity(knee_drive):
    scn, tr = knee_drive
    inv = inverse_dynamics(_angles(tr), scenario=scn, filtered=False)
    d2r = math.pi / 180
    assert np.allclose(inv.hip_power_W, inv.hip_torque_Nm * inv.thigh_velocity_deg_s * d2r)
    assert np.allclose(inv.knee_power_W, inv.knee_torque_Nm * inv.knee_velocity_deg_s * d2r)
    # the derived velocities are the simulated ones
    v = tr.trajectory["thigh_velocity_deg_s"]
    assert np.max(np.abs(inv.thigh_velocity_deg_s - v)[2:-2]) < 1e-3 * np.ptp(v)


def test_parameters_are_packed_as_the_simulator_packs_them(knee_drive):
    from legsim.inverse import parameter_vector
    from legsim.simulation import leg_of, pack

    scn, _tr = knee_drive
    mp = pack(scn, scn.data["strategies"][0]).mp
    assert np.array_equal(parameter_vector(leg_of(scn), scn.data["model"]["gravity_m_s2"]),
                          mp[:9])


# --------------------------------------------------------------------------------------------
# Input routes, filtering, result
# --------------------------------------------------------------------------------------------

def test_2d_marker_points_give_the_simulated_angles_and_torques(knee_drive):
    """Simulated knee and ankle positions (hip at the origin) as 2-D markers."""
    from legsim.io import Motion

    scn, tr = knee_drive
    traj = tr.trajectory
    n = len(traj["t_s"])
    markers = {"hip": np.zeros((n, 2)),
               "knee": np.column_stack([traj["knee_x_m"], traj["knee_y_m"]]),
               "ankle": np.column_stack([traj["ankle_x_m"], traj["ankle_y_m"]])}
    motion = Motion("simulated.csv", "markers-csv", traj["t_s"], markers, {}, {}, 1000.0)
    inv = inverse_dynamics(motion, scenario=scn, filtered=False)
    assert np.allclose(inv.thigh_angle_deg, traj["thigh_angle_deg"], atol=1e-9)
    assert np.allclose(inv.knee_flexion_deg, traj["knee_flexion_deg"], atol=1e-9)
    # the measured lengths equal the scenario's and replace nothing visibly
    assert inv.meta["measured_lengths"]["thigh_length_m"] == pytest.approx(
        inv.leg.thigh_length_m, rel=1e-9)
    err = _interior_error(inv, tr, "hip")
    assert np.max(np.abs(err)) < 3e-3 * np.ptp(traj["hip_torque_Nm"])


def test_design_csv_files_read_back(tmp_path, knee_drive):
    """The design.md CSV layouts (angles; 2-D markers), written from a simulation and read with
    legsim.io.read_motion, give the simulated torques."""
    from legsim.io import read_motion

    scn, tr = knee_drive
    traj = tr.trajectory
    angles = tmp_path / "angles.csv"
    np.savetxt(angles, np.column_stack([traj["t_s"], traj["thigh_angle_deg"],
                                        traj["knee_flexion_deg"]]), delimiter=",", fmt="%.12g",
               header="t_s,thigh_angle_deg,knee_flexion_deg", comments="")
    markers = tmp_path / "markers.csv"
    zeros = np.zeros_like(traj["t_s"])
    np.savetxt(markers, np.column_stack([traj["t_s"], zeros, zeros, traj["knee_x_m"],
                                         traj["knee_y_m"], traj["ankle_x_m"], traj["ankle_y_m"]]),
               delimiter=",", fmt="%.12g", comments="",
               header="t_s,hip_x_m,hip_y_m,knee_x_m,knee_y_m,ankle_x_m,ankle_y_m")
    for path, kind in ((angles, "joint angles"), (markers, "joint centres")):
        inv = inverse_dynamics(read_motion(str(path)), scenario=scn, filtered=False)
        assert inv.meta["input"].startswith(kind)
        err = _interior_error(inv, tr, "hip")
        assert np.max(np.abs(err)) < 3e-3 * np.ptp(traj["hip_torque_Nm"]), path.name


def test_measured_lengths_replace_the_stature_scaled_ones():
    n = 200
    t = np.arange(n) / 100.0
    th = np.radians(20 * np.sin(2 * np.pi * t))
    hip = np.zeros((n, 2))
    knee = 0.40 * np.column_stack([np.sin(th), -np.cos(th)])
    ankle = knee + 0.47 * np.column_stack([np.sin(th), -np.cos(th)])
    data = {"t_s": t, **{f"{p}_{c}_m": v[:, k] for p, v in
                         (("hip", hip), ("knee", knee), ("ankle", ankle)) for k, c in enumerate("xy")}}
    inv = inverse_dynamics(data, mass_kg=70, height_m=1.75, sex="female")
    assert inv.leg.thigh_length_m == pytest.approx(0.40, abs=1e-6)
    assert inv.leg.shank_length_m == pytest.approx(0.47, abs=1e-6)
    assert inv.meta["subject"]["measured_lengths_used"] == pytest.approx(
        {"thigh_length_m": 0.40, "shank_length_m": 0.47}, abs=1e-6)
    fixed = inverse_dynamics(data, mass_kg=70, height_m=1.75, sex="female",
                             use_measured_lengths=False)
    assert fixed.leg.thigh_length_m != pytest.approx(0.40, abs=0.01)
    # explicit segments win over measured lengths
    given = inverse_dynamics(data, mass_kg=70, height_m=1.75, sex="female",
                             segments={"thigh": {"length_m": 0.42}})
    assert given.leg.thigh_length_m == pytest.approx(0.42)


def test_filter_removes_noise_and_is_reported():
    rng = np.random.default_rng(3)
    rate = 200.0
    t = np.arange(400) / rate
    true = 30.0 * np.sin(2 * np.pi * 1.5 * t)
    noisy = true + rng.normal(0.0, 0.5, t.size)
    data = {"t_s": t, "thigh_angle_deg": noisy, "knee_flexion_deg": 40 + 0.5 * noisy}
    raw = inverse_dynamics(data, mass_kg=70, height_m=1.75, filtered=False)
    smooth = inverse_dynamics(data, mass_kg=70, height_m=1.75, cutoff_hz=8.0)
    clean = inverse_dynamics({"t_s": t, "thigh_angle_deg": true,
                              "knee_flexion_deg": 40 + 0.5 * true},
                             mass_kg=70, height_m=1.75, filtered=False)
    inner = slice(40, -40)
    e_raw = np.sqrt(np.mean((raw.hip_torque_Nm - clean.hip_torque_Nm)[inner] ** 2))
    e_smooth = np.sqrt(np.mean((smooth.hip_torque_Nm - clean.hip_torque_Nm)[inner] ** 2))
    assert e_smooth < 0.05 * e_raw
    assert smooth.meta["filter"]["cutoff_hz"] == 8.0 and smooth.meta["filter"]["order"] == 4


def test_result_frame_and_csv(tmp_path, knee_drive):
    scn, tr = knee_drive
    inv = inverse_dynamics(_angles(tr), scenario=scn, filtered=False, swings=[(0.02, 0.15)])
    frame = inv.to_frame()
    assert tuple(frame.columns[:7]) == INVERSE_COLUMNS
    path = inv.write_csv(tmp_path / "inverse.csv")
    assert path.read_text().splitlines()[0] == ",".join(INVERSE_COLUMNS)
    assert inv.meta["work"][0]["start_s"] == pytest.approx(0.02)
    assert inv.meta["subject"]["source"].startswith("scenario 'knee_drive'")
    part = inv.window(0.05, 0.1)
    assert part.t_s[0] >= 0.05 and part.t_s[-1] <= 0.1


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

def test_errors_name_what_is_wrong_and_what_is_accepted():
    t = np.arange(50) / 100.0
    data = {"t_s": t, "thigh_angle_deg": np.zeros(50), "knee_flexion_deg": np.zeros(50)}
    with pytest.raises(LegsimError, match="mass_kg and height_m"):
        inverse_dynamics(data)
    with pytest.raises(LegsimError, match=r"cutoff_hz: found 60.*accepted.*50 Hz"):
        inverse_dynamics(data, mass_kg=70, height_m=1.7, cutoff_hz=60)
    with pytest.raises(LegsimError, match="mass_kg: found 5"):
        inverse_dynamics(data, mass_kg=5, height_m=1.7)
    bad = dict(data, t_s=np.r_[t[:10], t[9], t[11:]])
    with pytest.raises(LegsimError, match="not strictly increasing at sample 11"):
        inverse_dynamics(bad, mass_kg=70, height_m=1.7)
    with pytest.raises(LegsimError, match="accepted: t_s with thigh_angle_deg"):
        inverse_dynamics({"t_s": t, "foo": t}, mass_kg=70, height_m=1.7)
    gap = dict(data, thigh_angle_deg=np.r_[np.zeros(10), np.full(20, np.nan), np.zeros(20)])
    with pytest.raises(LegsimError, match=r"thigh_angle: 20 missing samples from t = 0.1 s"):
        inverse_dynamics(gap, mass_kg=70, height_m=1.7)


# --------------------------------------------------------------------------------------------
# Joint centres
# --------------------------------------------------------------------------------------------

def _rotation(ax, ay, az):
    cx, sx, cy, sy, cz, sz = (math.cos(ax), math.sin(ax), math.cos(ay), math.sin(ay),
                              math.cos(az), math.sin(az))
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rz @ ry @ rx


def test_rigid_fit_recovers_known_motions_even_with_a_missing_marker():
    from legsim.kinematics.joint_centres import cluster_point, rigid_fit

    rng = np.random.default_rng(11)
    ref = rng.normal(0, 0.05, (4, 3))
    point = np.array([0.02, -0.2, 0.04])
    rots = [_rotation(*rng.uniform(-1, 1, 3)) for _ in range(6)]
    shifts = rng.normal(0, 1, (6, 3))
    frames = np.stack([ref @ r.T + d for r, d in zip(rots, shifts)])
    frames[2, 1] = np.nan                               # one marker lost in one frame
    frames[4, :2] = np.nan                              # two lost: cannot fit
    rot, tr = rigid_fit(ref, frames)
    for i in (0, 1, 2, 3, 5):
        assert np.allclose(rot[i], rots[i], atol=1e-12) and np.allclose(tr[i], shifts[i])
    assert np.all(np.isnan(rot[4]))
    rebuilt = cluster_point(ref, point, frames)
    assert np.allclose(rebuilt[3], rots[3] @ point + shifts[3])


def test_harrington_hip_centre_on_a_synthetic_pelvis():
    """A pelvis of width 240 mm and depth 160 mm, upright and facing +X (Y up, Z right), then
    turned and moved: the centre must sit at the published offsets from mid-ASIS."""
    from legsim.kinematics.joint_centres import harrington_hip_centre

    rasi = np.array([[0.0, 1.0, 0.12]])
    lasi = np.array([[0.0, 1.0, -0.12]])
    rpsi = np.array([[-0.16, 1.0, 0.05]])
    lpsi = np.array([[-0.16, 1.0, -0.05]])
    ll = 0.90
    right = harrington_hip_centre(rasi, lasi, rpsi, lpsi, "right", ll)[0]
    pd_, pw = 160.0, 240.0
    x = -0.24 * pd_ - 9.9
    y = -0.16 * pw - 0.04 * 900 - 7.1
    z = 0.28 * pd_ + 0.16 * pw + 7.9
    assert np.allclose(right, np.array([x, 1000 + y, z]) / 1000.0)
    left = harrington_hip_centre(rasi, lasi, rpsi, lpsi, "left", ll)[0]
    assert np.allclose(left, np.array([x, 1000 + y, -z]) / 1000.0)
    rot = _rotation(0.1, 0.7, -0.2)
    move = np.array([1.0, 0.1, -2.0])
    moved = harrington_hip_centre(*(m @ rot.T + move for m in (rasi, lasi, rpsi, lpsi)),
                                  "right", ll)[0]
    assert np.allclose(moved, rot @ right + move)


def _motion(markers, t, source="synthetic.trc"):
    return SimpleNamespace(source=source, time_s=t, markers=markers, columns={})


def test_rajagopal_set_and_projection_on_a_synthetic_leg():
    """3-D markers of a leg swinging in a vertical plane while the runner moves along -X:
    the direction of travel is found and the sagittal angles are the true ones."""
    from legsim.kinematics.angles import sagittal_angles
    from legsim.kinematics.joint_centres import harrington_hip_centre, joint_centres

    n = 60
    t = np.arange(n) / 100.0
    travel = -3.0 * t                                     # runs along -X, 1.8 m in 0.6 s
    th = np.radians(40 * np.sin(2 * np.pi * t))
    ph = np.radians(60 + 40 * np.sin(2 * np.pi * t + 1))

    def lab(x, y, z):                                      # sagittal (x fwd, y up) -> lab
        return np.column_stack([travel - x, y, z * np.ones(n)])
    pel = {"RASI": (0.0, 1.0, 0.12), "LASI": (0.0, 1.0, -0.12), "RPSI": (-0.16, 1.0, 0.05),
           "LPSI": (-0.16, 1.0, -0.05)}
    markers = {k: lab(np.full(n, v[0]), np.full(n, v[1]), v[2]) for k, v in pel.items()}
    hip = harrington_hip_centre(*(markers[k] for k in pel), "right", 0.9)
    # the hip centre in sagittal coordinates
    hx, hy, hz = -(hip[:, 0] - travel), hip[:, 1], hip[:, 2]
    kx, ky = hx + 0.42 * np.sin(th), hy - 0.42 * np.cos(th)
    psi = th - ph
    axx, ayy = kx + 0.43 * np.sin(psi), ky - 0.43 * np.cos(psi)
    markers.update({"RLFCv": lab(kx, ky, hz + 0.05), "RMFCv": lab(kx, ky, hz - 0.05),
                    "RLMALv": lab(axx, ayy, hz + 0.035), "RMMALv": lab(axx, ayy, hz - 0.035)})
    jc = joint_centres(_motion(markers, t), side="right", leg_length_m=0.9)
    assert "-x" in " ".join(jc.notes)              # detected and mirrored
    thigh, knee = sagittal_angles(jc.points["hip"], jc.points["knee"], jc.points["ankle"])
    assert np.allclose(thigh, np.degrees(th), atol=1e-7)
    assert np.allclose(knee, np.degrees(ph), atol=1e-7)
    assert jc.segment_lengths()["thigh_length_m"] == pytest.approx(0.42)
    assert jc.method["knee"] == "midpoint of RLFCv and RMFCv"


def test_missing_markers_are_listed_with_the_file():
    from legsim.kinematics.joint_centres import MarkerSetError, joint_centres

    n = 5
    markers = {name: np.zeros((n, 3)) for name in ("RASI", "LASI", "RPSI", "LPSI", "RLFCv")}
    with pytest.raises(MarkerSetError) as err:
        joint_centres(_motion(markers, np.arange(n) / 100.0, "run.trc"), side="right")
    text = str(err.value)
    assert text.startswith("run.trc: marker set 'Rajagopal': missing markers RMFCv, RLMALv, RMMALv")
    assert "\n" not in text
    flat = {name: np.zeros((n, 2)) for name in ("Hanche", "Genou")}
    with pytest.raises(MarkerSetError, match="missing marker ankle"):
        joint_centres(_motion(flat, np.arange(n) / 100.0, "box_jump.xml"))


def test_2d_points_by_alias_and_direction_of_travel():
    from legsim.kinematics.joint_centres import joint_centres

    n = 50
    t = np.arange(n) / 50.0
    x0 = -1.5 * t                                        # filmed running toward -x
    markers = {"Hanche": np.column_stack([x0, np.ones(n)]),
               "Genou": np.column_stack([x0 - 0.1, np.full(n, 0.55)]),   # knee ahead (-x)
               "Malleole": np.column_stack([x0, np.full(n, 0.1)])}
    jc = joint_centres(_motion(markers, t, "clip.xml"))
    assert jc.points["knee"][0, 0] - jc.points["hip"][0, 0] == pytest.approx(0.1)  # mirrored
    assert any("-x" in note for note in jc.notes)
    assert jc.method["hip"] == "tracked point 'Hanche'"


def test_core_module_is_light():
    import subprocess
    import sys

    code = ("import sys, legsim.core.inverse; "
            "bad = [m for m in ('sympy', 'matplotlib', 'legsim.inverse', 'legsim.scenario')"
            " if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
