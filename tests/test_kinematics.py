"""Kinematic processing: filter, residual analysis, derivatives, resampling, angles, the
lab-to-sagittal mapping and the hip's acceleration, against analytical results, Winter's
published filtered data and the shipped measured data (docs/processing.md)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from legsim.errors import LegsimError
from legsim.kinematics import (KinematicsError, check_y_up, choose_cutoff, derivative,
                               direction_of_travel, hip_acceleration, lowpass, resample_uniform,
                               residual_analysis, sagittal_angles, sagittal_frame,
                               sagittal_projection, single_pass_cutoff_hz)

FS = 150.0


# --------------------------------------------------------------------------- filter

@pytest.mark.parametrize("rate_hz, cutoff_hz", [(150.0, 6.0), (150.0, 14.0), (60.0, 20.0),
                                                (1000.0, 50.0)])
def test_lowpass_is_minus_3_db_at_the_cutoff(rate_hz, cutoff_hz):
    # Winter's correction makes the forward-backward pair exactly 1/sqrt(2) at the cut-off
    t = np.arange(4000) / rate_hz
    x = np.sin(2 * math.pi * cutoff_hz * t)
    y = lowpass(x, rate_hz, cutoff_hz)
    mid = slice(1000, 3000)
    gain = np.sqrt(np.mean(y[mid] ** 2) / np.mean(x[mid] ** 2))
    assert gain == pytest.approx(1 / math.sqrt(2), abs=2e-3)
    # zero lag: the output is the input scaled, with no phase shift
    assert np.max(np.abs(y[mid] - gain * x[mid])) < 5e-3


def test_lowpass_stopband_follows_the_butterworth_formula():
    # |H| of the pair = 1 / (1 + (tan(pi f/fs) / tan(pi f1/fs))^4), f1 the corrected cut-off
    fc, f = 10.0, 25.0
    f1 = single_pass_cutoff_hz(fc, FS)
    expected = 1 / (1 + (math.tan(math.pi * f / FS) / math.tan(math.pi * f1 / FS)) ** 4)
    t = np.arange(6000) / FS
    y = lowpass(np.sin(2 * math.pi * f * t), FS, fc)
    gain = np.sqrt(2 * np.mean(y[1000:5000] ** 2))
    assert gain == pytest.approx(expected, rel=1e-2)


def test_winter_correction_factor_is_0_802():
    # Winter (2009) §3.4.4: C = (2^(1/2) - 1)^(1/4) = 0.802 on the warped frequency
    fc = 6.0
    f1 = single_pass_cutoff_hz(fc, FS)
    ratio = math.tan(math.pi * fc / FS) / math.tan(math.pi * f1 / FS)
    assert ratio == pytest.approx(0.8022, abs=1e-4)
    assert f1 > fc / 0.8022 * 0.99  # about fc / 0.802 at low fc / fs


def test_lowpass_leaves_a_quadratic_unchanged():
    # a zero-lag Butterworth pair has no omega^2 term, so quadratics pass unchanged inside;
    # the line removal and polynomial-trend padding keep the ends close (plain odd reflection
    # would turn the end accelerations toward zero)
    t = np.arange(200) / FS
    x = 0.3 + 2.5 * t - 4.0 * t ** 2
    y = lowpass(x, FS, 8.0)
    period = int(FS / 8.0)
    assert np.max(np.abs(y - x)[period:-period]) < 1e-5
    assert np.max(np.abs(y - x)) < 1e-3
    acc = derivative(y, FS, 2)
    assert np.max(np.abs(acc + 8.0)[2 * period:-2 * period]) < 0.01
    assert np.max(np.abs(acc + 8.0)) < 0.15 * 8.0


def test_lowpass_end_accelerations_of_a_sine_stay_close():
    t = np.arange(300) / FS
    w = 2 * math.pi * 1.3
    x = 0.3 * np.sin(w * t + 0.7) + 0.5 * t
    acc = derivative(lowpass(x, FS, 10.0), FS, 2)
    truth = -0.3 * w ** 2 * np.sin(w * t + 0.7)
    # interior: filter attenuation only; ends: within 25 % of the peak acceleration
    assert np.max(np.abs(acc - truth)[50:-50]) < 0.01
    assert np.max(np.abs(acc - truth)) < 0.25 * np.max(np.abs(truth))


def test_lowpass_works_along_an_axis_and_on_columns():
    t = np.arange(300) / FS
    x = np.column_stack((np.sin(2 * t), np.cos(3 * t), t))
    y0 = lowpass(x, FS, 6.0)
    y1 = lowpass(x.T, FS, 6.0, axis=1)
    assert np.allclose(y0, y1.T)
    assert np.allclose(y0[:, 0], lowpass(x[:, 0], FS, 6.0))


@pytest.mark.parametrize("kwargs, text", [
    ({"cutoff_hz": 75.0}, "Nyquist"),
    ({"cutoff_hz": -1.0}, "Nyquist"),
    ({"cutoff_hz": 6.0, "order": 3}, "even whole number"),
    ({"cutoff_hz": 6.0, "rate_hz": 0.0}, "above 0"),
])
def test_lowpass_rejects_bad_arguments(kwargs, text):
    args = {"x": np.zeros(100), "rate_hz": FS, **kwargs}
    with pytest.raises(KinematicsError) as err:
        lowpass(name="hip.x", **args)
    assert text in str(err.value)
    assert str(err.value).startswith("hip.x: ")
    assert isinstance(err.value, LegsimError)


def test_lowpass_needs_enough_samples():
    with pytest.raises(KinematicsError, match="at least 12 samples"):
        lowpass(np.zeros(8), FS, 6.0)


def test_short_gap_is_filled_and_noted():
    t = np.arange(300) / FS
    x = np.sin(2 * math.pi * 1.5 * t)
    gappy = x.copy()
    gappy[100:108] = np.nan
    notes: list[str] = []
    y = lowpass(gappy, FS, 8.0, name="knee.y", notes=notes)
    assert np.max(np.abs(y - lowpass(x, FS, 8.0))) < 1e-3
    assert len(notes) == 1 and "knee.y" in notes[0] and "8 missing" in notes[0]
    assert "0.667–0.713 s" in notes[0]


def test_long_gap_and_end_gap_are_errors_naming_signal_and_times():
    x = np.sin(np.arange(300) / 20.0)
    long = x.copy()
    long[100:120] = np.nan
    with pytest.raises(KinematicsError) as err:
        lowpass(long, FS, 8.0, name="ankle.x", source="run.trc")
    msg = str(err.value)
    assert msg.startswith("run.trc: ankle.x: a gap of 20 missing samples (t = 0.667–0.793 s)")
    assert "at most 10 samples" in msg
    assert err.value.times_s == pytest.approx((100 / FS, 119 / FS))
    start = x.copy()
    start[:3] = np.nan
    with pytest.raises(KinematicsError, match=r"at the start of the analysed window \(t = "
                                              r"0.000–0.013 s\)"):
        lowpass(start, FS, 8.0)


# --------------------------------------------------------------------------- residual analysis

def _harmonic_signal(t):
    # harmonics at 1.4 ... 5.6 Hz, like the fundamental and harmonics of a running stride
    return sum(a * np.sin(2 * math.pi * f * t + p)
               for a, f, p in [(0.2, 1.4, 0.3), (0.08, 2.8, 1.0), (0.03, 4.2, 2.0),
                               (0.012, 5.6, 0.5)])


@pytest.mark.parametrize("seed, noise_m", [(1, 0.0005), (2, 0.001), (3, 0.002)])
def test_residual_analysis_recovers_the_noise_and_a_cutoff_above_the_signal(seed, noise_m):
    t = np.arange(750) / FS
    x = _harmonic_signal(t) + noise_m * np.random.default_rng(seed).standard_normal(t.size)
    ra = residual_analysis(x, FS, name="toe.y")
    # the intercept of the noise line estimates the noise RMS (docs: within 15 %)
    assert ra.noise_rms == pytest.approx(noise_m, rel=0.15)
    # the cut-off lies between the highest harmonic and the start of the noise-only band
    assert 5.6 < ra.chosen_cutoff_hz < ra.fit_range_hz[0] == FS / 8
    assert ra.fit_range_hz == (FS / 8, FS / 4)
    assert ra.residuals[0] > ra.residuals[-1]  # R falls with the cut-off
    assert ra.notes == []


def test_choose_cutoff_takes_the_highest_and_analyses_columns():
    t = np.arange(750) / FS
    rng = np.random.default_rng(5)
    slow = 0.2 * np.sin(2 * math.pi * 1.0 * t) + 0.001 * rng.standard_normal(t.size)
    fast = _harmonic_signal(t) + 0.0005 * rng.standard_normal(t.size)
    two = np.column_stack((slow, fast))
    notes: list[str] = []
    choice = choose_cutoff({"hip": two, "slow": slow}, FS, notes=notes)
    assert set(choice.per_signal) == {"hip.x", "hip.y", "slow"}
    per = {k: v.chosen_cutoff_hz for k, v in choice.per_signal.items()}
    assert choice.cutoff_hz == max(per.values()) == per["hip.y"]
    assert per["hip.x"] == pytest.approx(per["slow"])
    assert "highest" in notes[-1]
    median = choose_cutoff({"hip": two, "slow": slow}, FS, rule="median")
    assert median.cutoff_hz == pytest.approx(np.median(list(per.values())))
    assert "hip.y" in choice.table()


# --------------------------------------------------------------------------- derivatives

@pytest.mark.parametrize("order", [1, 2])
def test_derivative_errors_fall_as_h_squared(order):
    # d/dt sin(3t) = 3 cos(3t); d2/dt2 = -9 sin(3t). Halving h divides the error by 4, at
    # the interior and at the one-sided ends alike.
    def errors(rate):
        t = np.arange(0, 2.0 + 1e-12, 1 / rate)
        d = derivative(np.sin(3 * t), rate, order)
        truth = 3 * np.cos(3 * t) if order == 1 else -9 * np.sin(3 * t)
        e = np.abs(d - truth)
        return e[1:-1].max(), max(e[0], e[-1])
    coarse, fine = errors(50.0), errors(100.0)
    for c, f in zip(coarse, fine):
        assert 3.6 < c / f < 4.4


def test_derivative_is_exact_for_low_polynomials_and_checks_order():
    t = np.arange(20) / 10.0
    assert np.allclose(derivative(t ** 2, 10.0, 1), 2 * t)
    assert np.allclose(derivative(t ** 3, 10.0, 2)[1:-1], 6 * t[1:-1])
    with pytest.raises(KinematicsError, match="1 or 2"):
        derivative(t, 10.0, 3)


# --------------------------------------------------------------------------- resampling

def test_resample_uniform_puts_uneven_times_on_a_grid():
    rng = np.random.default_rng(0)
    t = np.cumsum(rng.uniform(0.03, 0.05, 60))  # video frames at ~25 fps, jittered
    t[10] = t[9]  # a repeated timestamp (as in the Kinovea example)
    x = np.column_stack((np.sin(2 * t), np.cos(2 * t)))
    x[10] = x[9] + 0.002
    notes: list[str] = []
    grid, values, rate = resample_uniform(t, x, notes=notes, name="Hanche")
    steps = np.diff(np.unique(t))
    assert rate == pytest.approx(1 / np.median(steps))
    assert np.allclose(np.diff(grid), 1 / rate)
    assert np.max(np.abs(values[:, 0] - np.sin(2 * grid))) < 2e-3
    assert any("repeated" in n for n in notes) and any("median time step" in n for n in notes)


def test_resample_keeps_gaps_missing_and_rejects_time_going_back():
    t = np.arange(40) * 0.04
    x = np.sin(t)
    x[10:14] = np.nan
    grid, values, _ = resample_uniform(t, x, rate_hz=50.0)
    inside = (grid > t[9]) & (grid < t[14])
    assert np.isnan(values[inside]).all() and np.isfinite(values[~inside]).all()
    back = t.copy()
    back[5] = back[3]
    with pytest.raises(KinematicsError, match="time goes back"):
        resample_uniform(back, np.sin(back))


# --------------------------------------------------------------------------- angles

def _leg(theta_deg, phi_deg, hip=(0.0, 0.0), thigh_m=0.43, shank_m=0.44):
    th, sh = np.radians(theta_deg), np.radians(theta_deg - phi_deg)
    hip = np.broadcast_to(np.asarray(hip, dtype=float), (th.size, 2))
    knee = hip + thigh_m * np.column_stack((np.sin(th), -np.cos(th)))
    ankle = knee + shank_m * np.column_stack((np.sin(sh), -np.cos(sh)))
    return hip, knee, ankle


def test_sagittal_angles_of_a_synthetic_leg():
    t = np.linspace(0, 0.4, 61)
    theta = -25 + 85 * np.sin(np.pi * t / 0.8)      # toe-off -25 deg to 60 deg
    phi = 35 + 90 * np.sin(np.pi * t / 0.4)         # 35 -> 125 -> 35 deg
    hip, knee, ankle = _leg(theta, phi)
    th, kf, sh = sagittal_angles(hip, knee, ankle, include_shank=True)
    assert np.allclose(th, theta) and np.allclose(kf, phi) and np.allclose(sh, theta - phi)
    # straight leg hanging: 0, 0; thigh forward horizontal: +90
    h, k, a = _leg(np.array([0.0, 90.0]), np.array([0.0, 0.0]))
    assert np.allclose(sagittal_angles(h, k, a), [[0, 90], [0, 0]])


def test_angles_are_unwrapped_through_180_degrees():
    theta = np.linspace(150, 210, 31)  # the thigh swings through straight up
    hip, knee, ankle = _leg(theta, np.full(31, 20.0))
    th, kf = sagittal_angles(hip, knee, ankle)
    assert np.allclose(np.diff(th), 2.0) and np.allclose(kf, 20.0)


def test_mirrored_and_y_down_copies_give_identical_angles():
    t = np.linspace(0, 0.6, 91)
    theta = -25 + 85 * np.sin(np.pi * t / 1.2)
    phi = 35 + 90 * np.sin(np.pi * t / 0.6)
    speed = 3.0
    hip, knee, ankle = _leg(theta, phi, hip=(0.0, 0.9))
    shift = np.column_stack((speed * t, np.zeros_like(t)))
    hip, knee, ankle = hip + shift, knee + shift, ankle + shift
    reference = sagittal_angles(hip, knee, ankle)
    # the same run filmed from the other side (toward -x) with image axes (y down)
    mirror = np.array([-1.0, -1.0])
    frame = sagittal_frame(t, hip * mirror, ankle * mirror)
    assert (frame.forward_sign, frame.up_sign) == (-1.0, -1.0)
    assert any("mirrored" in n for n in frame.notes)
    assert any("points down" in n for n in frame.notes)
    again = sagittal_angles(*(frame.project(p * mirror) for p in (hip, knee, ankle)))
    assert np.allclose(again, reference)


def test_3d_lab_data_running_toward_minus_z():
    t = np.linspace(0, 0.6, 91)
    hip2, knee2, ankle2 = _leg(-20 + 60 * t, 30 + 100 * t, hip=(0.0, 0.95))
    move = 2.5 * t

    def lab(p):  # lab x lateral, y up, z backward (the subject runs toward -z)
        return np.column_stack((np.full_like(t, 0.2), p[:, 1], -(p[:, 0] + move)))
    frame = sagittal_frame(t, lab(hip2), lab(ankle2))
    assert (frame.forward_axis, frame.forward_sign, frame.up_axis) == (2, -1.0, 1)
    th, kf = sagittal_angles(*(frame.project(lab(p)) for p in (hip2, knee2, ankle2)))
    assert np.allclose(th, -20 + 60 * t) and np.allclose(kf, 30 + 100 * t)
    assert np.allclose(sagittal_projection(lab(hip2), "-z", "y")[:, 0], hip2[:, 0] + move)


def test_direction_on_the_treadmill_from_the_foot():
    from legsim.kinematics.events import _default_data_dir, _fukuchi_trial

    trial = _fukuchi_trial(_default_data_dir())
    pts, t = trial["legs"]["right"], trial["time_s"]
    # the points are already sagittal (+x forward): every rule must find +x
    by_foot = direction_of_travel(t, pts["hip"], heel=pts["heel"], toe=pts["toe"])
    assert (by_foot.axis, by_foot.sign, by_foot.method) == (0, 1.0,
                                                            "foot direction (toe ahead of heel while the foot is low)")
    by_swing = direction_of_travel(t, pts["hip"], ankle=pts["ankle"])
    assert (by_swing.axis, by_swing.sign) == (0, 1.0)
    assert by_swing.method == "foot backward in stance (treadmill)"
    assert by_swing.hip_speed_m_s < 0.1
    mirrored = direction_of_travel(t, pts["hip"] * [-1, 1], ankle=pts["ankle"] * [-1, 1])
    assert mirrored.sign == -1.0
    with pytest.raises(KinematicsError, match="no foot point"):
        direction_of_travel(t, pts["hip"])


def test_check_y_up():
    hip = np.array([[0.0, 0.9], [0.1, 0.92]])
    ankle = np.array([[0.2, 0.1], [0.3, 0.12]])
    assert check_y_up(hip, ankle) == (1.0, "")
    sign, note = check_y_up(hip * [1, -1], ankle * [1, -1])
    assert sign == -1.0 and "y was flipped" in note


# --------------------------------------------------------------------------- hip acceleration

def test_hip_acceleration_of_a_bouncing_runner():
    # forward speed 3 m/s plus a vertical bounce of 3 cm at the step frequency 2.8 Hz
    t = np.arange(450) / FS
    w = 2 * math.pi * 2.8
    hip = np.column_stack((3.0 * t + 0.1 * t ** 2, 0.9 + 0.03 * np.sin(w * t)))
    acc = hip_acceleration(hip, FS, 14.0)
    assert acc.shape == (450, 2)
    assert np.max(np.abs(acc[:, 0] - 0.2)) < 0.1
    truth_y = -0.03 * w ** 2 * np.sin(w * t)
    assert np.max(np.abs(acc[20:-20, 1] - truth_y[20:-20])) < 0.01 * np.max(np.abs(truth_y))


# --------------------------------------------------------------------------- Winter's data

def _winter_dir():
    root = Path(__file__).resolve().parents[1]
    for cand in (root.parent / "shared" / "data" / "winter_2009_appendix_walking",
                 Path("/work/shared/data/winter_2009_appendix_walking")):
        if (cand / "winter_A1_raw_coordinates.csv").exists():
            return cand
    return None


@pytest.mark.skipif(_winter_dir() is None, reason="Winter's appendix data (shared/data) absent")
def test_filter_and_derivatives_reproduce_winters_table_a2():
    # Winter (2009) Appendix A: A1 raw marker coordinates (cm), A2 the same markers filtered,
    # with accelerations. A2 matches two passes of a 2nd-order Butterworth at 6 Hz each
    # (no two-pass correction), i.e. a zero-lag pair whose -3 dB point is
    # fs/pi * atan(0.802 tan(pi 6/fs)) = 4.86 Hz. Tolerances: docs/processing.md, "Checks
    # against Winter's data".
    d = _winter_dir()
    a1 = np.genfromtxt(d / "winter_A1_raw_coordinates.csv", delimiter=",", names=True)
    a2 = np.genfromtxt(d / "winter_A2_filtered_marker_kinematics.csv", delimiter=",",
                       names=True, dtype=None, encoding="utf-8")
    rate = 69.95
    c = (math.sqrt(2) - 1) ** 0.25
    pair_cutoff = rate / math.pi * math.atan(c * math.tan(math.pi * 6.0 / rate))
    assert single_pass_cutoff_hz(pair_cutoff, rate) == pytest.approx(6.0)
    for marker in ("hip", "knee", "ankle", "heel"):
        for ax in "xy":
            raw = a1[f"{marker}_{ax}_cm"] / 100.0
            pos = lowpass(raw, rate, pair_cutoff)
            acc = derivative(pos, rate, 2)
            ref_pos, ref_acc = a2[f"{marker}_{ax}_m"], a2[f"{marker}_a{ax}_m_s2"]
            assert np.sqrt(np.mean((pos - ref_pos) ** 2)) < 0.0012, (marker, ax)
            inner = slice(5, -5)
            rms_err = np.sqrt(np.mean((acc[inner] - ref_acc[inner]) ** 2))
            assert rms_err < 0.08 * np.sqrt(np.mean(ref_acc ** 2)), (marker, ax)
