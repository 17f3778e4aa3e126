"""Inverse dynamics of measured (or prescribed) swing-leg kinematics: net hip and knee torques,
joint powers and work, with the same generated equations of motion as the simulator.

    from legsim.inverse import inverse_dynamics
    res = inverse_dynamics(motion, mass_kg=62, height_m=1.81, sex="male")
    res.to_frame()            # t_s, thigh_angle_deg, knee_flexion_deg, hip_torque_Nm, ...
    res.work(0.30, 0.72)      # positive / negative / net work of each joint over a window

Input: a `legsim.io.Motion` (joint angles, 2-D or 3-D markers, OpenSim coordinates), a
`legsim.kinematics.joint_centres.JointCentres`, or plain arrays. Steps (docs/inverse_dynamics.md):
joint centres -> low-pass filter (zero-lag Butterworth) -> thigh angle and knee flexion ->
derivatives -> hip-centre acceleration -> segment parameters -> the compiled core
(`legsim.core.inverse`). Units are converted here (degrees <-> radians) and nowhere else.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import LegsimError

__all__ = [
    "InverseResult", "inverse_dynamics", "INVERSE_COLUMNS", "EXTRA_COLUMNS", "FILTER_ORDER",
    "derivatives", "parameter_vector",
]

#: Columns of ``inverse.csv`` (design.md), in order.
INVERSE_COLUMNS = ("t_s", "thigh_angle_deg", "knee_flexion_deg", "hip_torque_Nm",
                   "knee_torque_Nm", "hip_power_W", "knee_power_W")
#: Further columns of `InverseResult.to_frame`.
EXTRA_COLUMNS = ("thigh_velocity_deg_s", "knee_velocity_deg_s", "thigh_acceleration_deg_s2",
                 "knee_acceleration_deg_s2", "hip_acc_x_m_s2", "hip_acc_y_m_s2")

#: Order of the zero-lag filter: a 2nd-order Butterworth run forward and backward
#: (`legsim.kinematics.filtering.lowpass`; its default cut-off is used when none is given).
FILTER_ORDER = 4
#: Without a given cut-off, the default one is used when it is below this fraction of the
#: sample rate; above it (e.g. 14 Hz for 25 Hz video) Winter's residual analysis chooses.
RESIDUAL_BELOW = 0.25
#: Largest relative deviation of a time step from the median for the samples to be filtered as
#: uniformly spaced (rounded time stamps); beyond it the data are resampled first.
UNIFORM_TOLERANCE = 0.05
#: Longest gap (s) of missing samples filled (by `legsim.kinematics.filtering.fill_gaps`, cubic
#: interpolation), measured between the samples before and after it.
MAX_GAP_S = 0.1

_DEG = math.pi / 180.0


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------

@dataclass
class InverseResult:
    """Net joint torques and powers over time (signs of design.md: + flexion).

    Attributes
    ----------
    t_s : (n,) time, s
    thigh_angle_deg, knee_flexion_deg : (n,) filtered angles
    thigh_velocity_deg_s, knee_velocity_deg_s : (n,)
    thigh_acceleration_deg_s2, knee_acceleration_deg_s2 : (n,)
    hip_acc_x_m_s2, hip_acc_y_m_s2 : (n,) hip joint centre acceleration (zero when unknown)
    hip_torque_Nm, knee_torque_Nm : (n,) net joint torques (muscles + passive structures)
    hip_power_W, knee_power_W : (n,) torque x relative angular velocity
    leg : legsim.model.anthropometry.LegParameters
        The segment parameters used.
    meta : dict
        ``source``, ``input`` (what the torques were computed from), ``filter`` (cut-off Hz,
        order, or None), ``sample_rate_hz``, ``subject`` (mass, height, sex, table, how the
        parameters were chosen), ``parameters`` (the 9 values with names), ``measured_lengths``,
        ``joint_centres`` (method per point), ``swings`` (list of (start_s, end_s)), ``work``
        (per swing), ``notes`` (list of sentences).
    """

    t_s: np.ndarray
    thigh_angle_deg: np.ndarray
    knee_flexion_deg: np.ndarray
    thigh_velocity_deg_s: np.ndarray
    knee_velocity_deg_s: np.ndarray
    thigh_acceleration_deg_s2: np.ndarray
    knee_acceleration_deg_s2: np.ndarray
    hip_acc_x_m_s2: np.ndarray
    hip_acc_y_m_s2: np.ndarray
    hip_torque_Nm: np.ndarray
    knee_torque_Nm: np.ndarray
    hip_power_W: np.ndarray
    knee_power_W: np.ndarray
    leg: object = None
    meta: dict = field(default_factory=dict)

    def columns(self, all_columns: bool = True) -> dict:
        """Column name -> array: `INVERSE_COLUMNS`, then `EXTRA_COLUMNS` if ``all_columns``."""
        names = INVERSE_COLUMNS + (EXTRA_COLUMNS if all_columns else ())
        return {name: getattr(self, name) for name in names}

    def to_frame(self, all_columns: bool = True):
        """The result as a pandas DataFrame (`INVERSE_COLUMNS` first)."""
        import pandas as pd

        return pd.DataFrame(self.columns(all_columns))

    def write_csv(self, path, all_columns: bool = False) -> Path:
        """Write ``inverse.csv`` (the design.md columns; all columns on request)."""
        cols = self.columns(all_columns)
        path = Path(path)
        data = np.column_stack(list(cols.values()))
        np.savetxt(path, data, delimiter=",", header=",".join(cols), comments="", fmt="%.6g")
        return path

    def summary(self) -> str:
        """A few lines for a terminal: input, filter, parameters, peak torques, work."""
        m = self.meta
        filt = m.get("filter")
        ftext = ("none" if not filt else
                 f"{filt['cutoff_hz']:.3g} Hz, order {filt['order']} ({filt['cutoff_from']})")
        subj = m.get("subject", {})
        lines = [
            f"{m.get('source')}: {m.get('input')}, {len(self.t_s)} samples at "
            f"{m.get('sample_rate_hz', float('nan')):.4g} Hz; low-pass {ftext}",
            f"subject: {subj.get('mass_kg', float('nan')):g} kg, {subj.get('height_m', float('nan')):g} m, "
            f"{subj.get('sex')}, {subj.get('anthropometry')} (from {subj.get('source')}); "
            f"thigh {self.leg.thigh_length_m:.3f} m, shank {self.leg.shank_length_m:.3f} m",
            f"hip torque {self.hip_torque_Nm.min():.1f} to {self.hip_torque_Nm.max():.1f} N m, "
            f"knee torque {self.knee_torque_Nm.min():.1f} to {self.knee_torque_Nm.max():.1f} N m "
            f"(+ flexion)",
        ]
        for (start, stop), w in zip(m.get("swings", []), m.get("work", [])):
            lines.append(f"swing {start:.3f}-{stop:.3f} s: hip work +{w['hip_positive_work_J']:.1f}"
                         f" / {w['hip_negative_work_J']:.1f} J, knee work "
                         f"+{w['knee_positive_work_J']:.1f} / {w['knee_negative_work_J']:.1f} J")
        return "\n".join(lines)

    def window(self, start_s: float, stop_s: float) -> "InverseResult":
        """The samples with ``start_s <= t_s <= stop_s`` (same meta)."""
        keep = (self.t_s >= start_s) & (self.t_s <= stop_s)
        arrays = {name: getattr(self, name)[keep] for name in INVERSE_COLUMNS + EXTRA_COLUMNS}
        return InverseResult(**arrays, leg=self.leg, meta=dict(self.meta))

    def work(self, start_s: float | None = None, stop_s: float | None = None) -> dict:
        """Positive, negative and net work of each joint (J) from ``start_s`` to ``stop_s``
        (default: the whole record), trapezoidal rule split at sign changes of the power.

        Keys: ``hip_positive_work_J``, ``hip_negative_work_J``, ``hip_net_work_J`` and the
        same for the knee, plus ``start_s``, ``stop_s`` (the samples actually used).
        """
        from .core.inverse import work_over_window

        t = self.t_s
        i0 = 0 if start_s is None else int(np.searchsorted(t, start_s, side="left"))
        i1 = len(t) - 1 if stop_s is None else int(np.searchsorted(t, stop_s, side="right")) - 1
        if not 0 <= i0 < i1 <= len(t) - 1:
            raise LegsimError(f"work window {start_s}..{stop_s} s: fewer than 2 samples of the "
                              f"record ({t[0]:.4g}..{t[-1]:.4g} s); accepted: a window inside it")
        out = {"start_s": float(t[i0]), "stop_s": float(t[i1])}
        for joint, power in (("hip", self.hip_power_W), ("knee", self.knee_power_W)):
            pos, neg, net = work_over_window(t, np.ascontiguousarray(power, dtype=np.float64),
                                             i0, i1)
            out[f"{joint}_positive_work_J"] = pos
            out[f"{joint}_negative_work_J"] = neg
            out[f"{joint}_net_work_J"] = net
        return out


# --------------------------------------------------------------------------------------------
# Signal helpers
# --------------------------------------------------------------------------------------------

def derivatives(t, x):
    """First and second time derivatives of ``x`` (n,) or (n, k) at the sample times ``t``.

    Three-point formulas valid for unequal steps (second order for the first derivative,
    the standard second difference for the second); at the two ends the first derivative is
    one-sided second order and the second derivative is extrapolated linearly from the
    interior.

    Kept apart from `legsim.kinematics.filtering.derivative` on purpose: that one assumes equal
    steps (h = 1 / rate), while the times here may be uneven (``filtered=False`` input is not
    resampled, and steps within `UNIFORM_TOLERANCE` of the median are filtered as they are).
    """
    t = np.asarray(t, dtype=float)
    x = np.asarray(x, dtype=float)
    d1 = np.gradient(x, t, axis=0, edge_order=2)
    d2 = np.empty_like(x)
    h1 = (t[1:-1] - t[:-2])
    h2 = (t[2:] - t[1:-1])
    if x.ndim == 2:
        h1 = h1[:, None]
        h2 = h2[:, None]
    d2[1:-1] = 2.0 * (x[:-2] / (h1 * (h1 + h2)) - x[1:-1] / (h1 * h2) + x[2:] / (h2 * (h1 + h2)))
    d2[0] = 2.0 * d2[1] - d2[2]
    d2[-1] = 2.0 * d2[-2] - d2[-3]
    return d1, d2


def parameter_vector(leg, gravity_m_s2: float = 9.81) -> np.ndarray:
    """The 9 equation parameters (legsim.core.layout order) of a `LegParameters`, packed as the
    simulator packs them (`legsim.simulation.eom_parameters`)."""
    from .simulation import eom_parameters

    return eom_parameters(leg, gravity_m_s2)


def _fill_gaps(t, x, name, source, notes):
    """Drop the samples without data at the ends and fill interior gaps up to `MAX_GAP_S` by
    cubic-spline interpolation (`legsim.kinematics.filtering.fill_gaps`, at the sample times,
    so uneven steps are fine); returns (x, keep-mask)."""
    from .kinematics.filtering import fill_gaps

    x = np.array(x, dtype=float)
    bad = ~np.isfinite(x) if x.ndim == 1 else ~np.all(np.isfinite(x), axis=1)
    if not bad.any():
        return x, np.ones(len(t), dtype=bool)
    good = np.flatnonzero(~bad)
    if good.size < 4:
        raise LegsimError(f"{source}: {name}: fewer than 4 valid samples; accepted: a "
                          f"trajectory with data")
    keep = np.zeros(len(t), dtype=bool)
    keep[good[0]:good[-1] + 1] = True
    inner = bad & keep
    if inner.any():
        # the limit is a duration (from the samples before and after the gap), whatever the rate
        idx = np.flatnonzero(inner)
        runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
        longest = max(t[min(r[-1] + 1, len(t) - 1)] - t[max(r[0] - 1, 0)] for r in runs)
        if longest > MAX_GAP_S:
            r = max(runs, key=len)
            raise LegsimError(f"{source}: {name}: {len(r)} missing samples from t = "
                              f"{t[r[0]]:.4g} s (a gap of {longest:.3g} s); accepted: gaps up to "
                              f"{MAX_GAP_S} s, which are filled by cubic interpolation")
        tk = t[keep]
        x[keep] = fill_gaps(x[keep], 1.0 / float(np.median(np.diff(tk))), name=name, time_s=tk,
                            max_gap_samples=max(len(r) for r in runs), notes=notes,
                            source=source)
    if not keep.all():
        notes.append(f"{name}: {int((~keep).sum())} samples without data at the ends dropped")
    return x, keep


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------

@dataclass
class _Kinematics:
    t: np.ndarray
    points: dict | None = None          # sagittal joint centres (n, 2), m
    thigh: np.ndarray | None = None     # rad
    knee: np.ndarray | None = None      # rad
    hip_pos: np.ndarray | None = None   # (n, 2) m, to differentiate
    hip_acc: np.ndarray | None = None   # (n, 2) m/s^2, given
    source: str = "<arrays>"
    kind: str = "arrays"
    method: dict | None = None
    notes: list = field(default_factory=list)


def _as_kinematics(data, side, static) -> _Kinematics:
    if hasattr(data, "points") and hasattr(data, "time_s"):      # JointCentres
        return _Kinematics(np.asarray(data.time_s, float), points=data.points, source=data.source,
                           kind="joint centres", method=dict(data.method), notes=list(data.notes))
    if hasattr(data, "markers") and hasattr(data, "columns"):    # Motion
        return _from_motion(data, side, static)
    if isinstance(data, (tuple, list)):
        if len(data) not in (3, 4):
            raise LegsimError(f"inverse_dynamics: found a sequence of {len(data)} arrays; "
                              f"accepted: (t_s, thigh_angle_deg, knee_flexion_deg[, hip_xy_m])")
        data = dict(zip(("t_s", "thigh_angle_deg", "knee_flexion_deg", "hip_xy_m"), data))
    if hasattr(data, "keys"):
        return _from_mapping(data)
    raise LegsimError(f"inverse_dynamics: found {type(data).__name__}; accepted: a Motion, "
                      f"JointCentres, a mapping of columns or (t_s, thigh_angle_deg, "
                      f"knee_flexion_deg[, hip_xy_m])")


def _col(data, name):
    return None if name not in data.keys() else np.asarray(data[name], dtype=float)


def _from_mapping(data) -> _Kinematics:
    t = _col(data, "t_s")
    if t is None:
        raise LegsimError("inverse_dynamics: column t_s missing; accepted columns: t_s with "
                          "thigh_angle_deg and knee_flexion_deg, or hip_x_m, hip_y_m, knee_x_m, "
                          "knee_y_m, ankle_x_m, ankle_y_m")
    kin = _Kinematics(t, source="<arrays>")
    if _col(data, "thigh_angle_deg") is not None and _col(data, "knee_flexion_deg") is not None:
        kin.thigh = _col(data, "thigh_angle_deg") * _DEG
        kin.knee = _col(data, "knee_flexion_deg") * _DEG
        kin.kind = "joint angles"
    elif all(_col(data, f"{p}_{c}_m") is not None for p in ("hip", "knee", "ankle") for c in "xy"):
        kin.points = {p: np.column_stack([_col(data, f"{p}_x_m"), _col(data, f"{p}_y_m")])
                      for p in ("hip", "knee", "ankle")}
        kin.kind = "joint centres"
    else:
        raise LegsimError("inverse_dynamics: found columns " + ", ".join(map(str, data.keys()))
                          + "; accepted: t_s with thigh_angle_deg and knee_flexion_deg, or "
                          "hip_x_m, hip_y_m, knee_x_m, knee_y_m, ankle_x_m, ankle_y_m")
    if _col(data, "hip_xy_m") is not None:
        kin.hip_pos = _col(data, "hip_xy_m")
    elif _col(data, "hip_x_m") is not None and _col(data, "hip_y_m") is not None:
        kin.hip_pos = np.column_stack([_col(data, "hip_x_m"), _col(data, "hip_y_m")])
    if _col(data, "hip_acc_x_m_s2") is not None and _col(data, "hip_acc_y_m_s2") is not None:
        kin.hip_acc = np.column_stack([_col(data, "hip_acc_x_m_s2"), _col(data, "hip_acc_y_m_s2")])
    return kin


def _from_motion(motion, side, static) -> _Kinematics:
    t = np.asarray(motion.time_s, dtype=float)
    source = str(getattr(motion, "source", "<motion>"))
    cols = getattr(motion, "columns", {}) or {}
    markers = getattr(motion, "markers", {}) or {}
    notes: list = []   # the reader's own notes stay in the Motion
    if "thigh_angle_deg" in cols and "knee_flexion_deg" in cols:
        kin = _Kinematics(t, thigh=np.asarray(cols["thigh_angle_deg"], float) * _DEG,
                          knee=np.asarray(cols["knee_flexion_deg"], float) * _DEG,
                          source=source, kind="joint angles", notes=notes)
        hip = markers.get("hip")
        if hip is not None and np.asarray(hip).shape[1] == 2:
            kin.hip_pos = np.asarray(hip, dtype=float)
        elif "hip_x_m" in cols and "hip_y_m" in cols:
            kin.hip_pos = np.column_stack([cols["hip_x_m"], cols["hip_y_m"]]).astype(float)
        return kin
    s = "r" if side == "right" else "l"
    if f"hip_flexion_{s}" in cols and f"knee_angle_{s}" in cols:
        return _from_opensim_coordinates(motion, t, cols, s, source)
    if markers:
        from .kinematics.joint_centres import joint_centres

        jc = joint_centres(motion, side=side, static=static)
        return _Kinematics(t, points=jc.points, source=source, kind=f"joint centres ({side} leg)",
                           method=dict(jc.method), notes=list(jc.notes))
    raise LegsimError(f"{source}: no joint angles, OpenSim coordinates or markers found; "
                      f"accepted: columns thigh_angle_deg and knee_flexion_deg, hip_flexion_{s} "
                      f"and knee_angle_{s} (OpenSim), or marker trajectories")


def _from_opensim_coordinates(motion, t, cols, s, source) -> _Kinematics:
    notes = []
    hip_flex = np.asarray(cols[f"hip_flexion_{s}"], float)
    if "pelvis_tilt" in cols:
        thigh = hip_flex + np.asarray(cols["pelvis_tilt"], float)
        notes.append(f"thigh angle = pelvis_tilt + hip_flexion_{s} (sagittal rotations only; "
                     f"pelvis list and rotation and hip adduction are ignored)")
    else:
        thigh = hip_flex
        notes.append(f"no pelvis_tilt column: thigh angle = hip_flexion_{s} (pelvis upright)")
    kin = _Kinematics(t, thigh=thigh * _DEG, knee=np.asarray(cols[f"knee_angle_{s}"], float) * _DEG,
                      source=source, kind="OpenSim coordinates", notes=notes)
    if "pelvis_tx" in cols and "pelvis_ty" in cols:
        kin.hip_pos = np.column_stack([cols["pelvis_tx"], cols["pelvis_ty"]]).astype(float)
        notes.append("hip acceleration approximated by that of the pelvis origin (pelvis_tx, "
                     "pelvis_ty); OpenSim's +X taken as the direction of travel")
    return kin


# --------------------------------------------------------------------------------------------
# Subject parameters
# --------------------------------------------------------------------------------------------

def _leg(mass_kg, height_m, sex, scenario, anthropometry, segments, measured, notes,
         ankle_angle_deg=None):
    """(LegParameters, gravity, subject meta) from a scenario or mass/height/sex."""
    from .model.anthropometry import leg_parameters

    gravity = 9.81
    ankle = 90.0
    buttock = None
    given_segments: dict = {}
    if scenario is not None:
        from .scenario import Scenario, load_scenario

        scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        subj = scn.data["subject"]
        mass_kg = subj["mass_kg"] if mass_kg is None else mass_kg
        height_m = subj["height_m"] if height_m is None else height_m
        sex = subj["sex"] if sex is None else sex
        anthropometry = subj["anthropometry"]
        ankle = subj["ankle_angle_deg"]
        gravity = scn.data["model"]["gravity_m_s2"]
        for seg, block in (scn.data.get("segments") or {}).items():
            vals = {k: v for k, v in (block or {}).items() if v is not None}
            if vals:
                given_segments[seg] = vals
        source = f"scenario {scn.name!r}" + (f" ({scn.path})" if scn.path else "")
    else:
        if mass_kg is None or height_m is None:
            raise LegsimError("inverse_dynamics: subject parameters missing: found mass_kg="
                              f"{mass_kg}, height_m={height_m}; accepted: mass_kg and height_m "
                              "(with sex), or scenario=FILE")
        source = "mass, height and sex"
        if sex is None:
            sex = "male"
            notes.append("sex not given: the male tables are used")
    if ankle_angle_deg is not None:
        ankle = float(ankle_angle_deg)
    for seg, block in (segments or {}).items():
        given_segments.setdefault(seg, {}).update(block)
    used_measured = {}
    for seg, key in (("thigh", "thigh_length_m"), ("shank", "shank_length_m")):
        if measured and key in measured and "length_m" not in given_segments.get(seg, {}):
            given_segments.setdefault(seg, {})["length_m"] = measured[key]
            used_measured[key] = measured[key]
    try:
        leg = leg_parameters(mass_kg, height_m, sex, anthropometry, ankle,
                             given_segments or None, buttock)
    except ValueError as err:
        raise LegsimError(f"inverse_dynamics: {err}") from None
    subject = {"mass_kg": float(mass_kg), "height_m": float(height_m), "sex": sex,
               "anthropometry": anthropometry, "ankle_angle_deg": ankle, "source": source,
               "segments_given": given_segments, "measured_lengths_used": used_measured}
    return leg, gravity, subject


def _signals(kin: _Kinematics, hip_acceleration: bool, notes: list):
    """Checked times and the signals to filter: joint centres (m) or angles (rad), the hip
    position, and a given hip acceleration (not filtered); gaps filled, empty ends dropped."""
    t = np.asarray(kin.t, dtype=float)
    if t.ndim != 1 or len(t) < 8:
        raise LegsimError(f"{kin.source}: {t.size} samples; accepted: at least 8")
    if not np.all(np.isfinite(t)):
        bad = int(np.flatnonzero(~np.isfinite(t))[0])
        raise LegsimError(f"{kin.source}: time column: found {t[bad]!r} at sample {bad + 1}; "
                          f"accepted: finite times")
    if np.any(np.diff(t) <= 0):
        bad = int(np.flatnonzero(np.diff(t) <= 0)[0]) + 1
        raise LegsimError(f"{kin.source}: time column: not strictly increasing at sample "
                          f"{bad + 1} (t = {t[bad]!r} after {t[bad - 1]!r}); accepted: "
                          f"increasing times")
    if kin.points is not None:
        signals = {k: np.asarray(kin.points[k], dtype=float) for k in ("hip", "knee", "ankle")}
    else:
        signals = {"thigh_angle": kin.thigh, "knee_flexion": kin.knee}
        if kin.hip_pos is not None and hip_acceleration:
            signals["hip"] = np.asarray(kin.hip_pos, dtype=float)
    if kin.hip_acc is not None and hip_acceleration:
        signals["hip_acc"] = np.asarray(kin.hip_acc, dtype=float)
    for name, v in signals.items():
        if v.shape[0] != len(t):
            raise LegsimError(f"{kin.source}: {name}: {v.shape[0]} rows for {len(t)} times; "
                              f"accepted: one row per time")
    keep = np.ones(len(t), dtype=bool)
    for name in list(signals):
        signals[name], k = _fill_gaps(t, signals[name], name, kin.source, notes)
        keep &= k
    if not keep.all():
        t = t[keep]
        signals = {k: v[keep] for k, v in signals.items()}
    return t, signals


def _filter(t, signals, rate, cutoff_hz, kin, notes):
    """Low-pass every signal but a given hip acceleration; returns (t, signals, filter meta)."""
    from .kinematics.filtering import DEFAULT_CUTOFF_HZ, choose_cutoff, lowpass

    to_filter = {k: v for k, v in signals.items() if k != "hip_acc"}
    if cutoff_hz == "residual" or (cutoff_hz is None and DEFAULT_CUTOFF_HZ > RESIDUAL_BELOW * rate):
        if cutoff_hz is None:
            notes.append(f"the default cut-off ({DEFAULT_CUTOFF_HZ:g} Hz) is too close to the "
                         f"Nyquist frequency of this {rate:.4g} Hz record: the cut-off is chosen "
                         f"by Winter's residual analysis")
        cutoff = choose_cutoff(to_filter, rate, order=FILTER_ORDER, notes=notes,
                               source=kin.source).cutoff_hz
        how = "Winter's residual analysis"
    elif cutoff_hz is None:
        cutoff, how = DEFAULT_CUTOFF_HZ, "default"
    else:
        try:
            cutoff, how = float(cutoff_hz), "given"
        except (TypeError, ValueError):
            raise LegsimError(f"{kin.source}: cutoff_hz: found {cutoff_hz!r}; accepted: a "
                              f"number of Hz or 'residual'") from None
    if not 0.0 < cutoff < 0.5 * rate:
        raise LegsimError(f"{kin.source}: cutoff_hz: found {cutoff:g}; accepted: a number "
                          f"between 0 and {0.5 * rate:.4g} Hz (the Nyquist frequency of this "
                          f"{rate:.4g} Hz record)")
    step = 1.0 / rate
    if np.max(np.abs(np.diff(t) - step)) > UNIFORM_TOLERANCE * step:
        grid = t[0] + step * np.arange(int(math.floor((t[-1] - t[0]) / step + 1e-9)) + 1)
        signals = {k: (np.interp(grid, t, v) if v.ndim == 1 else
                       np.column_stack([np.interp(grid, t, c) for c in v.T]))
                   for k, v in signals.items()}
        notes.append(f"time steps not uniform: resampled at {rate:.4g} Hz before filtering")
        t = grid
    out = {k: (v if k == "hip_acc" else
               lowpass(v, rate, cutoff, FILTER_ORDER, name=k, time_s=t, source=kin.source))
           for k, v in signals.items()}
    meta = {"cutoff_hz": cutoff, "order": FILTER_ORDER, "cutoff_from": how,
            "kind": "zero-lag Butterworth (2nd order forward and backward, cut-off corrected "
                    "as in Winter 2009; legsim.kinematics.filtering.lowpass)"}
    return t, out, meta


def _detect_swings(kin: _Kinematics, side: str, filt, notes: list) -> list:
    """Complete swings (toe-off, touchdown) found from the joint centres by
    `legsim.kinematics.events.detect_swings`."""
    from .kinematics.events import detect_swings, detection_cutoff_hz

    if kin.points is None:
        raise LegsimError(f"{kin.source}: swings='detect' needs joint centres (markers); "
                          f"accepted for angles: a list of (start_s, end_s)")
    pts = kin.points
    found = detect_swings(kin.t, pts["hip"], pts.get("heel"), pts.get("toe"),
                          knee=pts["knee"], ankle=pts["ankle"], side=side,
                          cutoff_hz=detection_cutoff_hz(1.0 / float(np.median(np.diff(kin.t))),
                                                        filt["cutoff_hz"] if filt else None))
    complete = [(sw.toe_off_s, sw.touchdown_s) for sw in found if sw.complete]
    method = f" ({found[0].method})" if found else ""
    notes.append(f"swings detected from kinematics{method}: {len(complete)} complete of "
                 f"{len(found)} found")
    return complete


# --------------------------------------------------------------------------------------------
# Main entry
# --------------------------------------------------------------------------------------------

def inverse_dynamics(motion_or_arrays, *, mass_kg: float | None = None,
                     height_m: float | None = None, sex: str | None = None, scenario=None,
                     side: str = "right", cutoff_hz: float | str | None = None, filtered: bool = True,
                     anthropometry: str = "de_leva_1996", segments: dict | None = None,
                     use_measured_lengths: bool = True, hip_acceleration: bool = True,
                     static=None, swings=None,
                     ankle_angle_deg: float | None = None) -> InverseResult:
    """Net hip and knee torques, powers and work of a measured swing leg.

    Parameters
    ----------
    motion_or_arrays : path, Motion, JointCentres, mapping or tuple
        A motion file (read with `legsim.io.read_motion`), a `legsim.io.Motion` (angles CSV, 2-D/3-D markers, OpenSim coordinates), a
        `JointCentres`, a mapping with ``t_s`` and either ``thigh_angle_deg``,
        ``knee_flexion_deg`` or ``hip_x_m ... ankle_y_m`` (optionally ``hip_x_m, hip_y_m`` with
        the angles, or a known ``hip_acc_x_m_s2, hip_acc_y_m_s2``), or a tuple
        ``(t_s, thigh_angle_deg, knee_flexion_deg[, hip_xy_m])``.
    mass_kg, height_m, sex : subject, for the anthropometric table ``anthropometry``
    scenario : path or Scenario, optional
        Subject, segments, ankle angle and gravity from a scenario instead.
    side : 'right' or 'left'
        The leg of a 3-D marker set or OpenSim coordinates.
    cutoff_hz : float or 'residual', optional
        Low-pass cut-off, Hz. Default: `legsim.kinematics.filtering.DEFAULT_CUTOFF_HZ`, or
        Winter's residual analysis when that default is above `RESIDUAL_BELOW` x the sample
        rate; ``'residual'`` always uses the residual analysis. ``filtered=False`` skips
        filtering (already smooth data, e.g. a simulation).
    segments : dict, optional
        Explicit segment values, as the scenario ``segments:`` block (they win over everything).
    use_measured_lengths : bool
        Replace the stature-scaled thigh and shank lengths by the median measured joint-centre
        distances when the input has joint centres.
    hip_acceleration : bool
        Use the measured hip-centre acceleration (moving hip); False holds the hip still.
    static : Motion, optional
        Static trial for cluster marker sets (`legsim.kinematics.joint_centres`).
    swings : list of (start_s, end_s) or 'detect', optional
        Swing windows (toe-off to touchdown); their work is put in ``meta["work"]``.
        ``'detect'`` finds them from the joint centres (`legsim.kinematics.events.
        detect_swings`, docs/processing.md "Events").
    ankle_angle_deg : float, optional
        Angle of the rigid foot to the shank (90 = neutral, the default; larger =
        plantarflexed), for the shank+foot composite; a scenario's value otherwise.

    Returns
    -------
    InverseResult

    Raises
    ------
    LegsimError
        For bad input; the message names the file (or argument), what was found and what is
        accepted.
    """
    from .core.inverse import joint_powers, net_joint_torques

    notes: list[str] = []
    if isinstance(motion_or_arrays, (str, Path)):          # a file: read it (legsim.io)
        from .io import read_motion

        motion_or_arrays = read_motion(motion_or_arrays)
    if isinstance(static, (str, Path)):
        from .io import read_motion

        static = read_motion(static)
    kin = _as_kinematics(motion_or_arrays, side, static)
    notes.extend(kin.notes)
    t, signals = _signals(kin, hip_acceleration, notes)
    rate = 1.0 / float(np.median(np.diff(t)))
    filt = None
    if filtered:
        t, signals, filt = _filter(t, signals, rate, cutoff_hz, kin, notes)
        filt["applied_to"] = "joint centres" if kin.points is not None else "joint angles"
    # --- angles, derivatives, hip acceleration ----------------------------------------------
    measured = None
    if kin.points is not None:
        from .kinematics.angles import sagittal_angles

        thigh_deg, knee_deg = sagittal_angles(signals["hip"], signals["knee"], signals["ankle"])
        thigh, knee = thigh_deg * _DEG, knee_deg * _DEG
        hip_pos = signals["hip"] if hip_acceleration else None
        measured = {
            "thigh_length_m": float(np.median(np.hypot(*(signals["knee"] - signals["hip"]).T))),
            "shank_length_m": float(np.median(np.hypot(*(signals["ankle"] - signals["knee"]).T))),
        }
    else:
        thigh, knee = signals["thigh_angle"], signals["knee_flexion"]
        hip_pos = signals.get("hip")
    d_thigh, dd_thigh = derivatives(t, thigh)
    d_knee, dd_knee = derivatives(t, knee)
    if "hip_acc" in signals:
        acc = signals.pop("hip_acc")
        hip_note = "given hip acceleration"
    elif hip_pos is not None:
        acc = derivatives(t, hip_pos)[1]
        hip_note = "second derivative of the (filtered) hip joint centre position"
    else:
        acc = np.zeros((len(t), 2))
        hip_note = "none (hip held still)"
        notes.append("no hip position: the hip is taken as fixed (zero hip acceleration)")

    # --- subject parameters, core --------------------------------------------------------
    leg, gravity, subject = _leg(mass_kg, height_m, sex, scenario, anthropometry, segments,
                                 measured if use_measured_lengths else None, notes,
                                 ankle_angle_deg)
    p = parameter_vector(leg, gravity)
    arrays = [np.ascontiguousarray(a, dtype=np.float64) for a in
              (thigh, knee, d_thigh, d_knee, dd_thigh, dd_knee, acc[:, 0], acc[:, 1])]
    hip_tq = np.empty(len(t))
    knee_tq = np.empty(len(t))
    net_joint_torques(*arrays, p, hip_tq, knee_tq)
    hip_pw = np.empty(len(t))
    knee_pw = np.empty(len(t))
    joint_powers(hip_tq, knee_tq, arrays[2], arrays[3], hip_pw, knee_pw)

    r2d = 180.0 / math.pi
    from .simulation import eom_parameter_names

    param_names = eom_parameter_names()
    meta = {
        "source": kin.source,
        "input": kin.kind,
        "side": side,
        "filter": filt,
        "sample_rate_hz": rate,
        "subject": subject,
        "parameters": {name: float(p[i]) for i, name in sorted(param_names.items())},
        "measured_lengths": measured,
        "joint_centres": kin.method,
        "hip_acceleration": hip_note,
        "swings": [],
        "work": [],
        "notes": notes + list(leg.notes),
    }
    res = InverseResult(
        t_s=t, thigh_angle_deg=thigh * r2d, knee_flexion_deg=knee * r2d,
        thigh_velocity_deg_s=d_thigh * r2d, knee_velocity_deg_s=d_knee * r2d,
        thigh_acceleration_deg_s2=dd_thigh * r2d, knee_acceleration_deg_s2=dd_knee * r2d,
        hip_acc_x_m_s2=np.ascontiguousarray(acc[:, 0]), hip_acc_y_m_s2=np.ascontiguousarray(acc[:, 1]),
        hip_torque_Nm=hip_tq, knee_torque_Nm=knee_tq, hip_power_W=hip_pw, knee_power_W=knee_pw,
        leg=leg, meta=meta)
    if isinstance(swings, str):
        if swings != "detect":
            raise LegsimError(f"{kin.source}: swings: found {swings!r}; accepted: 'detect' or a "
                              f"list of (start_s, end_s)")
        swings = _detect_swings(kin, side, filt, meta["notes"])
    for start, stop in (swings or []):
        meta["swings"].append((float(start), float(stop)))
        meta["work"].append(res.work(start, stop))
    return res
