"""Technique analysis of a measured swing: is it a butt-kick or a knee-drive recovery, and what
would the same athlete gain with the other technique?

    from legsim.analysis import analyze
    a = analyze("athlete.csv", mass_kg=75, height_m=1.80, sex="male")
    a.swings[0].technique          # 'butt-kick' | 'knee-drive' | 'in between'
    a.what_if[0].table()           # measured vs simulated recovery times

Steps (docs/analysis.md): read the file (`legsim.io`), joint centres and swing events from
kinematics (`legsim.kinematics`), inverse dynamics (`legsim.inverse`), then for every swing whose
toe-off was seen: the technique features and the classification, and two simulations — the
`knee_drive` and `butt_kick` presets — from the athlete's own toe-off state, with the athlete's
segment parameters, the same actuators, the athlete's measured hip acceleration and the same
end event as the measured recovery. Units are converted at this boundary only.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .errors import LegsimError

__all__ = ["SwingFeatures", "WhatIf", "Analysis", "classify", "swing_features", "what_if",
           "analyze", "BUTT_KICK_MAX_DEG", "KNEE_DRIVE_MIN_DEG", "BUTT_KICK_MAX_DISTANCE_M", "DEFAULT_END_THIGH_ANGLE_DEG",
           "END_MARGIN_DEG"]

#: Classification by the thigh angle at the closest heel-buttock approach of the swing
#: (docs/analysis.md): below this the heel comes closest with the thigh near vertical.
BUTT_KICK_MAX_DEG = 20.0
#: ... at or above this the thigh is well forward when the heel comes closest.
KNEE_DRIVE_MIN_DEG = 35.0
#: End of a recovery: the thigh reaching this angle, as in the shipped scenarios ...
DEFAULT_END_THIGH_ANGLE_DEG = 60.0
#: ... or, when the athlete's thigh does not get there, this far below its peak in the swing.
END_MARGIN_DEG = 5.0
#: A swing whose touchdown is not in the record is analysed only if the thigh's peak came at
#: least this long (s) before the record ends (else the recovery was cut short).
MIN_AFTER_PEAK_S = 0.02
#: Techniques simulated in the "what if" (strategy presets of legsim.strategies).
WHAT_IF_STRATEGIES = ("knee_drive", "butt_kick")


#: ... and a butt kick brings the heel up to the buttock: within this distance (m) of its surface.
BUTT_KICK_MAX_DISTANCE_M = 0.15


def classify(thigh_angle_at_closest_deg: float,
             min_heel_buttock_distance_m: float = 0.0) -> tuple[str, str]:
    """Technique label and the reason (docs/analysis.md, "Classification").

    ``knee-drive`` when the heel comes closest to the buttock with the thigh at or above
    `KNEE_DRIVE_MIN_DEG`; ``butt-kick`` when it comes closest with the thigh below
    `BUTT_KICK_MAX_DEG` *and* within `BUTT_KICK_MAX_DISTANCE_M` of the buttock; ``in between``
    otherwise (the reason says which criterion was not met).
    """
    a = float(thigh_angle_at_closest_deg)
    d = float(min_heel_buttock_distance_m)
    if not (math.isfinite(a) and math.isfinite(d)):
        return "unknown", "the closest heel-buttock approach could not be located"
    where = f"the heel came closest to the buttock ({d * 100:.0f} cm) with the thigh at {a:.1f}°"
    if a >= KNEE_DRIVE_MIN_DEG:
        return "knee-drive", f"{where}: at least {KNEE_DRIVE_MIN_DEG:.0f}°, already driven forward"
    if a < BUTT_KICK_MAX_DEG:
        if d <= BUTT_KICK_MAX_DISTANCE_M:
            return "butt-kick", (f"{where}: below {BUTT_KICK_MAX_DEG:.0f}° (near vertical) and "
                                 f"within {BUTT_KICK_MAX_DISTANCE_M * 100:.0f} cm")
        return "in between", (f"{where}: near vertical (below {BUTT_KICK_MAX_DEG:.0f}°) but the "
                              f"heel stayed more than {BUTT_KICK_MAX_DISTANCE_M * 100:.0f} cm "
                              "from the buttock, a low heel recovery rather than a butt kick")
    return "in between", (f"{where}: between {BUTT_KICK_MAX_DEG:.0f}° and "
                          f"{KNEE_DRIVE_MIN_DEG:.0f}°")


# --------------------------------------------------------------------------------------------
# Features of one swing
# --------------------------------------------------------------------------------------------

@dataclass
class SwingFeatures:
    """Technique features of one measured swing (times from toe-off unless named ``_at_s``).

    Attributes
    ----------
    toe_off_at_s, end_at_s : toe-off and the end of the analysed window (touchdown, or the end
        of the record when the touchdown was not seen), s in the record's clock
    touchdown_seen : whether ``end_at_s`` is a detected touchdown
    toe_off_state : thigh_angle_deg, knee_flexion_deg, thigh_velocity_deg_s, knee_velocity_deg_s
        at toe-off (filtered)
    min_heel_buttock_distance_m : closest approach of the model heel to the buttock circle,
        computed from the measured angles and the athlete's segment geometry
    time_of_min_heel_buttock_distance_s, thigh_angle_at_min_heel_buttock_distance_deg
    max_knee_flexion_deg, thigh_angle_at_max_knee_flexion_deg, time_of_max_knee_flexion_s
    peak_thigh_angle_deg, time_of_peak_thigh_angle_s
    knee_half_time_s : when the knee had done half its flexion from toe-off to its maximum
    thigh_half_time_s : when the thigh had done half its swing from toe-off to its peak
    knee_lead_s : thigh_half_time_s - knee_half_time_s (> 0: the knee folds ahead of the hip
        drive)
    technique, reason : `classify` of the thigh angle at the closest approach
    """

    toe_off_at_s: float
    end_at_s: float
    touchdown_seen: bool
    toe_off_state: dict
    min_heel_buttock_distance_m: float
    time_of_min_heel_buttock_distance_s: float
    thigh_angle_at_min_heel_buttock_distance_deg: float
    max_knee_flexion_deg: float
    thigh_angle_at_max_knee_flexion_deg: float
    time_of_max_knee_flexion_s: float
    peak_thigh_angle_deg: float
    time_of_peak_thigh_angle_s: float
    knee_half_time_s: float
    thigh_half_time_s: float
    knee_lead_s: float
    technique: str
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


def _interp_at(t, x, at):
    return float(np.interp(at, t, x))


def _half_time(t, x, i_peak):
    """First time (from t[0]) at which x reaches half-way from x[0] to x[i_peak]."""
    level = x[0] + 0.5 * (x[i_peak] - x[0])
    rising = x[i_peak] >= x[0]
    for i in range(1, i_peak + 1):
        if (x[i] >= level) if rising else (x[i] <= level):
            a, b = x[i - 1], x[i]
            f = 0.0 if b == a else (level - a) / (b - a)
            return float(t[i - 1] + f * (t[i] - t[i - 1]) - t[0])
    return float("nan")


def _window(inv, start_s, stop_s):
    t = inv.t_s
    keep = (t >= start_s - 1e-12) & (t <= stop_s + 1e-12)
    if keep.sum() < 5:
        raise LegsimError(f"swing {start_s:.3f}-{stop_s:.3f} s: fewer than 5 samples; accepted: "
                          "a record that covers the swing")
    return keep


def heel_buttock_distance_m(leg, thigh_angle_deg, knee_flexion_deg):
    """Heel to buttock-surface distance (m) of the model leg at the given angles."""
    from .model.anthropometry import heel_buttock_clearance

    return heel_buttock_clearance(leg, np.radians(thigh_angle_deg), np.radians(knee_flexion_deg))


def swing_features(inv, toe_off_s: float, end_s: float, touchdown_seen: bool = True) -> SwingFeatures:
    """Technique features of the swing from ``toe_off_s`` to ``end_s`` of an `InverseResult`."""
    keep = _window(inv, toe_off_s, end_s)
    t = inv.t_s[keep]
    th = inv.thigh_angle_deg[keep]
    ph = inv.knee_flexion_deg[keep]
    state = {
        "thigh_angle_deg": _interp_at(inv.t_s, inv.thigh_angle_deg, toe_off_s),
        "knee_flexion_deg": _interp_at(inv.t_s, inv.knee_flexion_deg, toe_off_s),
        "thigh_velocity_deg_s": _interp_at(inv.t_s, inv.thigh_velocity_deg_s, toe_off_s),
        "knee_velocity_deg_s": _interp_at(inv.t_s, inv.knee_velocity_deg_s, toe_off_s),
    }
    d = np.asarray(heel_buttock_distance_m(inv.leg, th, ph))
    i_d = int(np.argmin(d))
    i_k = int(np.argmax(ph))
    i_t = int(np.argmax(th))
    t0 = float(t[0])
    knee_half = _half_time(t, ph, i_k)
    thigh_half = _half_time(t, th, i_t)
    label, reason = classify(th[i_d], d[i_d])
    return SwingFeatures(
        toe_off_at_s=float(toe_off_s), end_at_s=float(end_s), touchdown_seen=bool(touchdown_seen),
        toe_off_state=state,
        min_heel_buttock_distance_m=float(d[i_d]),
        time_of_min_heel_buttock_distance_s=float(t[i_d] - t0),
        thigh_angle_at_min_heel_buttock_distance_deg=float(th[i_d]),
        max_knee_flexion_deg=float(ph[i_k]),
        thigh_angle_at_max_knee_flexion_deg=float(th[i_k]),
        time_of_max_knee_flexion_s=float(t[i_k] - t0),
        peak_thigh_angle_deg=float(th[i_t]), time_of_peak_thigh_angle_s=float(t[i_t] - t0),
        knee_half_time_s=knee_half, thigh_half_time_s=thigh_half,
        knee_lead_s=float(thigh_half - knee_half),
        technique=label, reason=reason)


def recovery_time_s(t, thigh_angle_deg, toe_off_s, end_thigh_angle_deg, stop_s=None):
    """Time from toe-off until the thigh angle first reaches ``end_thigh_angle_deg`` (linear
    interpolation between samples), searched up to ``stop_s`` (the end of the swing; default
    the end of the record); NaN if it does not get there."""
    t = np.asarray(t, dtype=float)
    th = np.asarray(thigh_angle_deg, dtype=float)
    i0 = int(np.searchsorted(t, toe_off_s))
    i1 = len(t) if stop_s is None else int(np.searchsorted(t, stop_s, side="right"))
    for i in range(max(i0, 1), i1):
        if th[i] >= end_thigh_angle_deg:
            a, b = th[i - 1], th[i]
            f = 1.0 if b == a else (end_thigh_angle_deg - a) / (b - a)
            at = t[i - 1] + min(max(f, 0.0), 1.0) * (t[i] - t[i - 1])
            return float(max(at, toe_off_s) - toe_off_s)
    return float("nan")


# --------------------------------------------------------------------------------------------
# What if: the presets from the athlete's own toe-off
# --------------------------------------------------------------------------------------------

@dataclass
class WhatIf:
    """Measured recovery against the two simulated techniques from the same toe-off.

    Attributes
    ----------
    end_thigh_angle_deg : the common end event (thigh angle reached)
    measured : recovery_time_s, peak_hip_flexion_torque_Nm, hip_flexion_impulse_Nms of the
        measured swing (inverse dynamics) up to the end event
    result : the `legsim.result.Result` of the simulation (strategies knee_drive, butt_kick)
    scenario : the `Scenario` that was simulated
    notes : how the end event and the inputs were chosen
    """

    end_thigh_angle_deg: float
    measured: dict
    result: object
    scenario: object
    notes: list = field(default_factory=list)

    @property
    def predicted(self) -> dict:
        """Strategy name -> its metrics."""
        return {name: r.metrics for name, r in self.result.strategies.items()}

    def table(self) -> list[dict]:
        """Rows: measured, then each simulated technique, with recovery time and hip effort."""
        rows = [{"recovery": "measured", **self.measured}]
        for name, r in self.result.strategies.items():
            m = r.metrics
            rows.append({"recovery": f"simulated {name}",
                         "not_completed": None if r.completed else r.reason,
                         "recovery_time_s": m.get("recovery_time_s"),
                         "peak_hip_flexion_torque_Nm": m.get("peak_hip_flexion_torque_Nm"),
                         "hip_flexion_impulse_Nms": m.get("hip_flexion_impulse_Nms"),
                         "thigh_angle_at_min_heel_buttock_distance_deg":
                             m.get("thigh_angle_at_min_heel_buttock_distance_deg")})
        return rows


def _segments_block(leg) -> dict:
    return {"thigh": {"mass_kg": leg.thigh_mass_kg, "length_m": leg.thigh_length_m,
                      "com_m": leg.thigh_com_m, "inertia_kgm2": leg.thigh_inertia_kgm2},
            "shank": {"mass_kg": leg.shank_mass_kg, "length_m": leg.shank_length_m,
                      "com_m": leg.shank_com_m, "com_offset_m": leg.shank_com_offset_m,
                      "inertia_kgm2": leg.shank_inertia_kgm2}}


def choose_end_angle(features: SwingFeatures, end_thigh_angle_deg: float | None = None):
    """The common end event and a note on how it was chosen."""
    if end_thigh_angle_deg is not None:
        return float(end_thigh_angle_deg), f"end: thigh at {end_thigh_angle_deg:g}° (given)"
    peak = features.peak_thigh_angle_deg
    if peak >= DEFAULT_END_THIGH_ANGLE_DEG:
        return DEFAULT_END_THIGH_ANGLE_DEG, (
            f"end: thigh at {DEFAULT_END_THIGH_ANGLE_DEG:g}° (as the shipped scenarios; the "
            f"athlete's thigh reached {peak:.0f}°)")
    end = float(math.floor(peak - END_MARGIN_DEG))
    return end, (f"end: thigh at {end:g}° — the athlete's thigh peaked at {peak:.1f}° in this "
                 f"swing, below the shipped scenarios' {DEFAULT_END_THIGH_ANGLE_DEG:g}°, so the "
                 f"end is {END_MARGIN_DEG:g}° below that peak, rounded down")


def what_if(inv, features: SwingFeatures, *, subject: dict, actuators="sprinter",
            end_thigh_angle_deg: float | None = None, moving_hip: bool = True,
            max_time_s: float = 1.0, workdir=None) -> WhatIf:
    """Simulate the `WHAT_IF_STRATEGIES` from the athlete's measured toe-off state.

    Same athlete (the segment parameters the inverse dynamics used), same actuators for both
    techniques (``actuators``: a preset name or an actuators mapping as in a scenario), the
    athlete's toe-off state, the measured hip acceleration from toe-off on (``moving_hip``), and
    the same end event as the measured recovery (`choose_end_angle`).
    """
    import tempfile

    from .scenario import validate_data
    from .simulation import simulate

    end, note = choose_end_angle(features, end_thigh_angle_deg)
    notes = [note]
    start = features.toe_off_state["thigh_angle_deg"]
    if end <= start:
        raise LegsimError(f"end thigh angle: found {end:g}°, not above the thigh angle at toe-off "
                          f"({start:.1f}°); accepted: an end angle the thigh reaches after "
                          "toe-off (--end-thigh-angle)")
    if end > features.peak_thigh_angle_deg:
        notes.append(f"the athlete's thigh did not reach {end:g}° in this swing (peak "
                     f"{features.peak_thigh_angle_deg:.1f}°): no measured recovery time")
    st = features.toe_off_state
    if math.isnan(features.thigh_angle_at_min_heel_buttock_distance_deg):
        notes.append("the closest heel-buttock approach was not located")
    leg = inv.leg
    data = {
        "name": "what_if",
        "description": "The athlete's toe-off, simulated with both technique presets.",
        "subject": dict(subject, ankle_angle_deg=float(leg.ankle_angle_deg)),
        "segments": _segments_block(leg),
        "actuators": actuators,
        "initial": {k: round(float(v), 6) for k, v in st.items()},
        "strategies": list(WHAT_IF_STRATEGIES),
        "end": {"thigh_angle_deg": end, "max_time_s": float(max_time_s)},
    }
    tmp = None
    if moving_hip:
        keep = inv.t_s >= features.toe_off_at_s - 1e-12
        t = inv.t_s[keep] - features.toe_off_at_s
        ax, ay = inv.hip_acc_x_m_s2[keep], inv.hip_acc_y_m_s2[keep]
        if len(t) >= 2 and (np.any(ax != 0) or np.any(ay != 0)):
            tmp = tempfile.TemporaryDirectory(dir=workdir)
            table = Path(tmp.name) / "hip_acceleration.csv"
            t = np.maximum(t, 0.0)
            t[0] = 0.0
            np.savetxt(table, np.column_stack([t, np.clip(ax, -200, 200), np.clip(ay, -200, 200)]),
                       delimiter=",", header="t_s,acc_x_m_s2,acc_y_m_s2", comments="", fmt="%.9g")
            data["model"] = {"hip_acceleration": {"table": str(table)}}
            notes.append("the hip moves as measured from toe-off on (hip acceleration table); "
                         "after the record ends it holds the last value")
        else:
            notes.append("the hip is held still (no hip acceleration measured)")
    else:
        notes.append("the hip is held still (moving_hip=False)")
    try:
        scn = validate_data(data, path=None)
        result = simulate(scn)
    finally:
        if tmp is not None:
            tmp.cleanup()
    measured = measured_recovery(inv, features, end)
    return WhatIf(end_thigh_angle_deg=end, measured=measured, result=result, scenario=scn,
                  notes=notes)


def measured_recovery(inv, features: SwingFeatures, end_thigh_angle_deg: float) -> dict:
    """The measured swing up to the end event: its time and the hip effort (inverse dynamics)."""
    rt = recovery_time_s(inv.t_s, inv.thigh_angle_deg, features.toe_off_at_s, end_thigh_angle_deg,
                         stop_s=features.end_at_s)
    out = {"recovery_time_s": rt, "peak_hip_flexion_torque_Nm": float("nan"),
           "hip_flexion_impulse_Nms": float("nan"),
           "thigh_angle_at_min_heel_buttock_distance_deg":
               features.thigh_angle_at_min_heel_buttock_distance_deg}
    if math.isfinite(rt):
        stop = features.toe_off_at_s + rt
        keep = (inv.t_s >= features.toe_off_at_s) & (inv.t_s <= stop)
        if keep.sum() >= 2:
            tau = inv.hip_torque_Nm[keep]
            out["peak_hip_flexion_torque_Nm"] = float(max(np.max(tau), 0.0))
            out["hip_flexion_impulse_Nms"] = float(np.trapezoid(np.maximum(tau, 0.0), inv.t_s[keep])
                                                   if hasattr(np, "trapezoid") else
                                                   np.trapz(np.maximum(tau, 0.0), inv.t_s[keep]))
    return out


# --------------------------------------------------------------------------------------------
# The whole analysis
# --------------------------------------------------------------------------------------------

@dataclass
class Analysis:
    """Everything `analyze` found: the inverse dynamics, the swings, their features and the
    what-if simulations (one per swing whose toe-off was seen)."""

    source: str
    inverse: object
    swings: list
    what_if: list
    subject: dict
    actuators: object
    notes: list = field(default_factory=list)

    def verdict(self) -> dict:
        """The athlete's technique over all analysed swings: the median closest heel-buttock
        distance and thigh angle there, classified with the same thresholds."""
        a = float(np.median([f.thigh_angle_at_min_heel_buttock_distance_deg for f in self.swings]))
        d = float(np.median([f.min_heel_buttock_distance_m for f in self.swings]))
        lead = float(np.median([f.knee_lead_s for f in self.swings]))
        label, reason = classify(a, d)
        counts = {}
        for f in self.swings:
            counts[f.technique] = counts.get(f.technique, 0) + 1
        return {"technique": label, "reason": reason.replace("the heel came", "over "
                                                             f"{len(self.swings)} swing(s), the "
                                                             "heel came (median)", 1),
                "swings": len(self.swings), "per_swing": counts,
                "median_thigh_angle_at_min_heel_buttock_distance_deg": a,
                "median_min_heel_buttock_distance_m": d, "median_knee_lead_s": lead}

    def summary(self) -> dict:
        """A JSON-ready document (analysis.json)."""
        out = {"source": self.source, "subject": self.subject,
               "actuators": self.actuators if isinstance(self.actuators, str) else "custom",
               "thresholds": {"butt_kick_below_deg": BUTT_KICK_MAX_DEG,
                              "butt_kick_within_m": BUTT_KICK_MAX_DISTANCE_M,
                              "knee_drive_from_deg": KNEE_DRIVE_MIN_DEG,
                              "feature": "thigh_angle_at_min_heel_buttock_distance_deg"},
               "verdict": self.verdict(), "swings": [], "notes": list(self.notes)}
        for f, w in zip(self.swings, self.what_if):
            item = {"features": f.to_dict()}
            if w is not None:
                item["what_if"] = {"end_thigh_angle_deg": w.end_thigh_angle_deg,
                                   "measured": w.measured,
                                   "simulated": {k: {key: m.get(key) for key in
                                                     ("recovery_time_s", "completed",
                                                      "peak_hip_flexion_torque_Nm",
                                                      "hip_flexion_impulse_Nms",
                                                      "min_heel_buttock_distance_m",
                                                      "thigh_angle_at_min_heel_buttock_distance_deg")}
                                                 for k, m in w.predicted.items()},
                                   "notes": w.notes}
            out["swings"].append(item)
        return out


def analyze(motion, *, mass_kg=None, height_m=None, sex=None, scenario=None, side="right",
            cutoff_hz=None, static=None, actuators="sprinter", end_thigh_angle_deg=None,
            moving_hip=True, swings=None, read_options=None) -> Analysis:
    """Read a motion file (or take a `Motion`), compute the inverse dynamics, find the swings,
    classify each and simulate the what-if. See the module docstring and docs/analysis.md.

    ``swings``: optional list of (toe_off_s, touchdown_s) that replaces the detection (e.g.
    from a force plate). ``read_options``: keyword arguments for `legsim.io.read_motion`.
    """
    from .inverse import inverse_dynamics
    from .io import read_motion

    notes: list[str] = []
    if isinstance(motion, (str, Path)):
        source = str(motion)
        motion = read_motion(motion, **(read_options or {}))
    else:
        source = getattr(motion, "source", "motion")
    if scenario is not None:
        from .scenario import load_scenario

        scn = load_scenario(scenario) if not hasattr(scenario, "data") else scenario
        subj = dict(scn.data["subject"])
        subject = {k: subj[k] for k in ("mass_kg", "height_m", "sex", "anthropometry")}
        if actuators is None:
            actuators = scn.data["actuators"]
    else:
        if mass_kg is None or height_m is None:
            raise LegsimError(f"{source}: the athlete's mass and height are needed; accepted: "
                              "--mass-kg and --height-m (and --sex), or --scenario FILE")
        subject = {"mass_kg": float(mass_kg), "height_m": float(height_m),
                   "sex": sex or "male", "anthropometry": "de_leva_1996"}
    centres = centres_of(motion, side=side, static=static)
    inv = inverse_dynamics(centres if centres is not None else motion,
                           mass_kg=None if scenario is not None else subject["mass_kg"],
                           height_m=None if scenario is not None else subject["height_m"],
                           sex=None if scenario is not None else subject["sex"],
                           scenario=scenario, side=side, cutoff_hz=cutoff_hz, static=static)
    check_plausible(inv, source)
    found = swings
    if found is not None:
        t0, t1 = float(inv.t_s[0]), float(inv.t_s[-1])
        for s in found:
            if not t0 <= float(s[0]) < t1:
                raise LegsimError(f"{source}: swing {s[0]:g}-{s[1]:g} s: the toe-off is outside "
                                  f"the record ({t0:.3f}-{t1:.3f} s); accepted: toe-off times "
                                  "inside the record (--swing TOE_OFF:TOUCHDOWN)")
    if found is None:
        found = find_swings(centres, cutoff_hz=_cutoff_used(inv), side=side, notes=notes,
                            source=source)
    windows = _windows_of(found, float(inv.t_s[-1]))
    if not windows:
        raise LegsimError(f"{source}: no toe-off found in the record; accepted: a record that "
                          "contains the start of at least one swing (or swings given as "
                          "toe-off and touchdown times)")
    feats, ifs, skipped = [], [], []
    for to, end, seen in windows:
        try:
            f = swing_features(inv, to, end, seen)
        except LegsimError as exc:
            notes.append(f"swing from toe-off at {to:.3f} s: not analysed ({exc})")
            skipped.append(f"toe-off at {to:.3f} s: {str(exc).split('; accepted')[0]}")
            continue
        if not seen and f.time_of_peak_thigh_angle_s >= (end - to) - MIN_AFTER_PEAK_S:
            notes.append(f"swing from toe-off at {to:.3f} s: cut by the end of the record "
                         f"before the thigh's forward swing peaked; not analysed")
            skipped.append(f"toe-off at {to:.3f} s: cut by the end of the record")
            continue
        feats.append(f)
        try:
            ifs.append(what_if(inv, f, subject=subject, actuators=actuators,
                               end_thigh_angle_deg=end_thigh_angle_deg, moving_hip=moving_hip))
        except LegsimError as exc:
            if end_thigh_angle_deg is not None:    # the user's end angle does not fit: say so
                raise LegsimError(f"{source}: swing from toe-off at {to:.3f} s: {exc}") from None
            notes.append(f"swing at {to:.3f} s: no what-if ({exc})")
            ifs.append(None)
    if not feats:
        raise LegsimError(f"{source}: no swing could be analysed (" + "; ".join(skipped)
                          + "); accepted: a record that covers at least one recovery from "
                          "toe-off until the thigh's forward swing peaks")
    return Analysis(source=source, inverse=inv, swings=feats, what_if=ifs, subject=subject,
                    actuators=actuators, notes=notes + list(inv.meta.get("notes", [])))


def _windows_of(found, t_end: float):
    """(toe_off_s, end_s, touchdown_seen) for each swing whose toe-off is in the record; a
    swing whose touchdown was not seen ends with the record."""
    out = []
    for s in found:
        if isinstance(s, (tuple, list)):          # given by the user: taken as they are
            to, td = float(s[0]), float(s[1])
            if to < t_end:
                out.append((to, min(td, t_end), True))
            continue
        to, td = float(s.toe_off_s), float(s.touchdown_s)
        if not math.isfinite(to) or to >= t_end:
            continue
        seen = math.isfinite(td) and td <= t_end
        if not seen:
            # the touchdown was not found: the window ends at the next toe-off of this leg
            # (it then holds the next contact too) or at the end of the record
            later = [float(x.toe_off_s) for x in found if not isinstance(x, (tuple, list))
                     and math.isfinite(x.toe_off_s) and x.toe_off_s > to]
            td = min(later) if later else t_end
        out.append((to, td, seen))
    return out


#: Largest gap (s) between frames that is bridged by resampling (dropped video frames).
MAX_FRAME_GAP_S = 0.1


def _uniform(jc, source):
    """Joint centres on a uniform time grid at the median step when frames are missing
    (linear interpolation across gaps of at most `MAX_FRAME_GAP_S`)."""
    from dataclasses import replace

    t = np.asarray(jc.time_s, dtype=float)
    steps = np.diff(t)
    step = float(np.median(steps))
    if step <= 0 or np.max(np.abs(steps - step)) <= 0.05 * step:
        return jc
    big = float(np.max(steps))
    if big > MAX_FRAME_GAP_S:
        at = float(t[int(np.argmax(steps))])
        raise LegsimError(f"{source}: time: a gap of {big:.3g} s after t = {at:.3f} s; accepted: "
                          f"gaps of at most {MAX_FRAME_GAP_S:g} s (split the record there)")
    n = int(round((t[-1] - t[0]) / step)) + 1
    grid = t[0] + step * np.arange(n)
    grid = grid[grid <= t[-1] + 1e-9]
    pts = {k: np.column_stack([np.interp(grid, t, v[:, j]) for j in range(v.shape[1])])
           for k, v in jc.points.items()}
    missing = n - len(t)
    return replace(jc, time_s=grid, points=pts, notes=list(jc.notes) + [
        f"uneven frame times ({len(t)} frames, about {max(missing, 0)} missing): resampled at "
        f"{1 / step:.4g} frames/s by linear interpolation"])


def centres_of(motion, *, side="right", static=None):
    """Joint centres of a marker motion (`legsim.kinematics.joint_centres`); None for joint
    angles or OpenSim coordinates."""
    from dataclasses import replace

    from .kinematics.joint_centres import joint_centres

    if not motion.markers:
        return None
    jc = joint_centres(motion, side=side, static=static)
    # frames at either end where a point was not tracked (tracks of different lengths, e.g. a
    # Kinovea export) are dropped: a filter needs data at both ends of its window
    ok = np.ones(len(jc.time_s), dtype=bool)
    for xy in jc.points.values():
        ok &= np.all(np.isfinite(xy), axis=1)
    if not ok.any():
        raise LegsimError(f"{motion.source}: no frame in which every point "
                          f"({', '.join(jc.points)}) was tracked; accepted: a record with the "
                          "points tracked together")
    first, last = int(np.argmax(ok)), len(ok) - 1 - int(np.argmax(ok[::-1]))
    jc = _uniform(jc, motion.source) if last - first >= 2 else jc
    lo, hi = SEGMENT_RANGE_M
    for name, v in jc.segment_lengths().items():
        if np.isfinite(v) and not lo <= v <= hi:
            raise LegsimError(f"{motion.source}: measured {name[:-2].replace('_', ' ')}: found "
                              f"{v:.4g} m; accepted: {lo:g} to {hi:g} m — the positions are "
                              "probably in another unit (name it in the columns, e.g. hip_x_mm, "
                              "or give --length-unit)")
    if first > 0 or last < len(ok) - 1:
        keep = slice(first, last + 1)
        dropped = first + len(ok) - 1 - last
        jc = replace(jc, time_s=jc.time_s[keep],
                     points={k: v[keep] for k, v in jc.points.items()},
                     notes=list(jc.notes) + [
                         f"{dropped} frame(s) at the ends of the record dropped: not every point "
                         f"was tracked there (kept {jc.time_s[first]:.3f}–{jc.time_s[last]:.3f} s)"])
    return jc


#: Plausible ranges that catch a wrong unit (docs/analysis.md): frame rate (Hz), segment
#: length (m), joint angle magnitude (deg).
RATE_RANGE_HZ = (10.0, 10000.0)
SEGMENT_RANGE_M = (0.15, 0.8)
MAX_ANGLE_DEG = 270.0


def check_plausible(inv, source) -> None:
    """Stop with a message when the numbers cannot be a human leg in the stated units (a time
    column in ms read as s, millimetres read as metres, degrees read as radians)."""
    t = np.asarray(inv.t_s, dtype=float)
    if len(t) > 1:
        rate = 1.0 / float(np.median(np.diff(t)))
        lo, hi = RATE_RANGE_HZ
        if not lo <= rate <= hi:
            raise LegsimError(f"{source}: time: found {rate:.4g} frames per second (median step "
                              f"{1 / rate:.4g} s); accepted: {lo:g} to {hi:g} frames/s — a time "
                              "column in ms must be named t_ms (or give --rate-hz)")
    lengths = (inv.meta.get("measured_lengths") or {})
    lo, hi = SEGMENT_RANGE_M
    for name, v in lengths.items():
        if v is not None and not lo <= float(v) <= hi:
            raise LegsimError(f"{source}: measured {name.replace('_m', '').replace('_', ' ')}: "
                              f"found {float(v):.4g} m; accepted: {lo:g} to {hi:g} m — the "
                              "positions are probably in another unit (name it in the columns, "
                              "e.g. hip_x_mm, or give --length-unit)")
    for name, arr in (("thigh angle", inv.thigh_angle_deg), ("knee flexion", inv.knee_flexion_deg)):
        big = float(np.nanmax(np.abs(arr))) if len(arr) else 0.0
        if big > MAX_ANGLE_DEG:
            raise LegsimError(f"{source}: {name}: found {big:.4g}°; accepted: at most "
                              f"{MAX_ANGLE_DEG:g}° — the angles are probably in another unit "
                              "(check inDegrees / the column names, or give --angle-unit)")


def find_swings(centres, *, cutoff_hz=None, side="right", notes=None, source="motion"):
    """Swings found from the kinematics of the joint centres (`legsim.kinematics.events`),
    filtered at ``cutoff_hz`` (the inverse dynamics' cut-off, so both see the same signals)."""
    from .kinematics.events import detect_swings

    if centres is None:
        raise LegsimError(f"{source}: joint angles alone do not show the toe-off; "
                          "accepted: a marker file (hip, knee, ankle, ideally heel and toe), or "
                          "the swings given as toe-off and touchdown times (--swing)")
    pts = centres.points
    found = detect_swings(centres.time_s, pts["hip"], pts.get("heel"), pts.get("toe"),
                          knee=pts.get("knee"), ankle=pts.get("ankle"), side=side,
                          cutoff_hz=cutoff_hz)
    if notes is not None:
        for s in found:
            notes.extend(getattr(s, "notes", []) or [])
    return found


def _cutoff_used(inv):
    """Cut-off (Hz) for the swing detection of an `InverseResult`'s record
    (`legsim.kinematics.events.detection_cutoff_hz`)."""
    from .kinematics.events import detection_cutoff_hz

    filt = inv.meta.get("filter")
    own = filt.get("cutoff_hz") if isinstance(filt, dict) and filt.get("cutoff_hz") else None
    return detection_cutoff_hz(inv.meta.get("sample_rate_hz"), own)
