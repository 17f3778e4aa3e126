"""Scenario -> Result: pack a validated scenario into the core's arrays, integrate, and compute
metrics. Units are converted here (degrees -> radians) and nowhere else.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .model.actuators import GENERATORS, preset_generators
from .model.anthropometry import leg_parameters
from .result import TRAJECTORY_COLUMNS, Result, StrategyResult
from .strategies import preset_phases

DEG = math.pi / 180.0

_QUANTITY_CODES = {
    "thigh_angle_deg": (0, DEG), "knee_flexion_deg": (1, DEG), "thigh_velocity_deg_s": (2, DEG),
    "knee_velocity_deg_s": (3, DEG), "heel_buttock_distance_m": (4, 1.0),
    "time_in_phase_s": (5, 1.0), "time_s": (6, 1.0),
}
_QUANTITY_TEXT = {
    "thigh_angle_deg": ("thigh angle", "°"), "knee_flexion_deg": ("knee flexion", "°"),
    "thigh_velocity_deg_s": ("thigh angular velocity", "°/s"),
    "knee_velocity_deg_s": ("knee angular velocity", "°/s"),
    "heel_buttock_distance_m": ("heel–buttock distance", " m"),
    "time_in_phase_s": ("time in phase", " s"), "time_s": ("time", " s"),
}


@dataclass
class Packed:
    """The arrays of one strategy of a scenario, ready for `legsim.core.integrate.integrate`."""

    name: str
    y0: np.ndarray
    mp: np.ndarray
    phases: np.ndarray
    phase_names: list
    phase_conditions: list
    end: np.ndarray
    integ: np.ndarray
    acc_tab: np.ndarray
    tq_tab: np.ndarray
    end_text: str
    geometry: dict


def _read_table(path: str, columns: tuple[str, ...]) -> np.ndarray:
    """A validated CSV table (header checked by the scenario loader) as a (ncol, n) array."""
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return np.ascontiguousarray(data.T[: len(columns)], dtype=np.float64)


def generator_parameters(scn) -> dict[str, dict[str, float]]:
    """The four generators of a scenario (preset merged with overrides), user units."""
    d = scn.data
    subj = d["subject"]
    act = d["actuators"]
    gens = preset_generators(act["preset"], subj["sex"], subj["mass_kg"], subj["height_m"],
                             d["model"]["gravity_m_s2"])
    for gen, over in (act.get("overrides") or {}).items():
        gens[gen].update(over)
    return gens


def leg_of(scn):
    """Segment parameters (`legsim.model.anthropometry.LegParameters`) of a scenario's subject."""
    d = scn.data
    s = d["subject"]

    def given(block):  # keys left unset (None) take the table values
        if not block:
            return None
        if all(not isinstance(v, dict) for v in block.values()):
            out = {k: v for k, v in block.items() if v is not None}
            return out or None
        out = {k: given(v) for k, v in block.items()}
        out = {k: v for k, v in out.items() if v}
        return out or None

    try:
        return leg_parameters(s["mass_kg"], s["height_m"], s["sex"], s["anthropometry"],
                              s["ankle_angle_deg"], given(d.get("segments")),
                              given(d.get("buttock")))
    except ValueError as exc:       # e.g. a given CoM beyond the thigh length of this stature
        from .errors import LegsimError

        where = f"{scn.path}: " if getattr(scn, "path", None) else ""
        raise LegsimError(f"{where}{exc}") from None


#: `LegParameters` field of each parameter of the generated equations of motion, by its
#: `legsim.core.layout` constant; the last one, P_G, is gravity (the scenario's model block).
EOM_PARAMETER_FIELDS = {
    "P_M_THIGH": "thigh_mass_kg", "P_L_THIGH": "thigh_length_m", "P_C_THIGH": "thigh_com_m",
    "P_I_THIGH": "thigh_inertia_kgm2", "P_M_SHANK": "shank_mass_kg", "P_C_SHANK": "shank_com_m",
    "P_D_SHANK": "shank_com_offset_m", "P_I_SHANK": "shank_inertia_kgm2",
    "P_G": "gravity_m_s2",
}


def eom_parameters(leg, gravity_m_s2: float, out: np.ndarray | None = None) -> np.ndarray:
    """The 9 parameters of the generated equations of motion (`legsim.core.layout` order) of a
    `LegParameters` and gravity, written into ``out[:9]`` (the start of the core's
    model-parameter vector) or into a new array. The one packing of these values: the
    simulator and `legsim.inverse` both use it."""
    from .core import layout as lay

    p = np.zeros(lay.N_PARAMS) if out is None else out
    for const, name in EOM_PARAMETER_FIELDS.items():
        p[getattr(lay, const)] = gravity_m_s2 if const == "P_G" else getattr(leg, name)
    return p


def eom_parameter_names() -> dict[int, str]:
    """Index -> name (`EOM_PARAMETER_FIELDS`) of the 9 parameters of `eom_parameters`."""
    from .core import layout as lay

    return {getattr(lay, const): name for const, name in EOM_PARAMETER_FIELDS.items()}


def _model_vector(scn, leg, torque_table: bool) -> np.ndarray:
    from .core import indices as ix

    d = scn.data
    model = d["model"]
    mp = np.zeros(ix.N_MP)
    eom_parameters(leg, model["gravity_m_s2"], out=mp)
    mp[ix.M_L_SHANK] = leg.shank_length_m
    mp[ix.M_HEEL_ALONG] = leg.heel_along_m
    mp[ix.M_HEEL_PERP] = leg.heel_perp_m
    mp[ix.M_TOE_ALONG] = leg.toe_along_m
    mp[ix.M_TOE_PERP] = leg.toe_perp_m
    mp[ix.M_BUTT_X] = leg.buttock_x_m
    mp[ix.M_BUTT_Y] = leg.buttock_y_m
    mp[ix.M_BUTT_R] = leg.buttock_radius_m
    mp[ix.M_PASSIVE] = 1.0 if model["passive"] else 0.0
    mp[ix.M_RIENER] = 1.0 if model["passive_moments"] == "riener_edrich_1999" else 0.0
    mp[ix.M_ANKLE_DORSI_DEG] = 90.0 - d["subject"]["ankle_angle_deg"]
    mp[ix.M_DAMPING] = model["damping_Nms_per_rad"]
    lim = model["knee_limits"]
    mp[ix.M_KNEE_LO] = lim["hyperextension_deg"] * DEG
    mp[ix.M_KNEE_HI] = lim["flexion_deg"] * DEG
    mp[ix.M_LIM_K] = lim["stiffness_Nm_per_rad"]
    mp[ix.M_LIM_D] = lim["damping_Nms_per_rad"]
    hip = model["hip_limits"]
    mp[ix.M_HIP_LO] = hip["extension_deg"] * DEG
    mp[ix.M_HIP_HI] = hip["flexion_deg"] * DEG
    mp[ix.M_HIP_LIM_K] = hip["stiffness_Nm_per_rad"]
    mp[ix.M_HIP_LIM_D] = hip["damping_Nms_per_rad"]
    mp[ix.M_CONTACT_K] = model["heel_contact"]["stiffness_N_per_m"]
    mp[ix.M_CONTACT_C] = model["heel_contact"]["damping_s_per_m"]
    cord = d.get("cord")
    if cord:
        mp[ix.M_CORD_ON] = 1.0
        mp[ix.M_CORD_AX] = cord["anchor_x_m"]
        mp[ix.M_CORD_AY] = cord["anchor_y_m"]
        mp[ix.M_CORD_S] = cord["attachment_m"]
        mp[ix.M_CORD_K] = cord["stiffness_N_per_m"]
        mp[ix.M_CORD_REST] = cord["rest_length_m"]
    act = d["actuators"]
    mp[ix.M_TAU_ACT] = act["activation_time_s"]
    mp[ix.M_TAU_DEACT] = act["deactivation_time_s"]
    gens = generator_parameters(scn)
    for g, name in enumerate(GENERATORS):
        p = gens[name]
        b = ix.M_GEN + g * ix.GEN_W
        wmax = p["max_velocity_deg_s"] * DEG
        wc = p["curvature_velocity_deg_s"] * DEG
        ecc = p["eccentric_ratio"]
        mp[b + ix.GEN_T0] = p["peak_torque_Nm"]
        mp[b + ix.GEN_OPT] = p["optimal_angle_deg"] * DEG
        mp[b + ix.GEN_WIDTH] = p["angle_width_factor"]
        mp[b + ix.GEN_WMAX] = wmax
        mp[b + ix.GEN_WC] = wc
        mp[b + ix.GEN_ECC] = ecc
        mp[b + ix.GEN_SLOPE] = p["eccentric_slope_ratio"]
    mp[ix.M_TORQUE_TABLE] = 1.0 if torque_table else 0.0
    return mp


def _phase_table(phases: list[dict]):
    from .core import indices as ix

    table = np.zeros((len(phases), ix.PH_W))
    conditions = []
    for k, ph in enumerate(phases):
        row = table[k]
        for g, name in enumerate(GENERATORS):
            row[ix.PH_EXC + g] = ph["excite"].get(name, 0.0)
        for joint, base in (("hip", ix.PH_HOLD_HIP), ("knee", ix.PH_HOLD_KNEE)):
            hold = (ph.get("hold") or {}).get(joint)
            if hold is None:
                continue
            if hold["angle_deg"] == "start":
                row[base + ix.HOLD_MODE] = ix.HOLD_START
            else:
                row[base + ix.HOLD_MODE] = ix.HOLD_FIXED
                row[base + ix.HOLD_TARGET] = hold["angle_deg"] * DEG
            row[base + ix.HOLD_KP] = hold["stiffness_Nm_per_rad"]
            row[base + ix.HOLD_KD] = hold["damping_Nms_per_rad"]
        until = ph.get("until") or []
        if len(until) > ix.MAX_COND:
            raise ValueError(f"phase {ph['name']!r}: at most {ix.MAX_COND} conditions")
        row[ix.PH_NCOND] = len(until)
        for j, cond in enumerate(until):
            code, scale = _QUANTITY_CODES[cond["quantity"]]
            direction = 1.0 if "above" in cond else -1.0
            value = cond["above"] if "above" in cond else cond["below"]
            row[ix.PH_COND + 3 * j] = code
            row[ix.PH_COND + 3 * j + 1] = direction
            row[ix.PH_COND + 3 * j + 2] = value * scale
        conditions.append(until)
    return table, [ph["name"] for ph in phases], conditions


def _end_vector(end: dict):
    from .core import indices as ix

    e = np.zeros(ix.N_END)
    e[ix.E_MAX_TIME] = end["max_time_s"]
    e[ix.E_LEVEL] = 1.0
    e[ix.E_MIN_THETA] = -np.inf
    ev = end["event"]
    if ev == "thigh_angle":
        e[ix.E_Q], e[ix.E_DIR], e[ix.E_VALUE] = ix.Q_THIGH_ANGLE, 1.0, end["value"] * DEG
        text = f"thigh angle reached {end['value']:g}°"
    elif ev == "thigh_peak":
        e[ix.E_Q], e[ix.E_DIR], e[ix.E_VALUE] = ix.Q_THIGH_VEL, -1.0, 0.0
        e[ix.E_LEVEL] = 0.0       # a peak is a crossing: never "already met"
        e[ix.E_MIN_THETA] = 0.0   # and only in front of the vertical (not a hold turning back)
        text = "maximal thigh flexion (thigh angular velocity crossed zero in front of the vertical)"
    elif ev == "ankle_passes_knee":
        e[ix.E_Q], e[ix.E_DIR], e[ix.E_VALUE] = ix.Q_SHANK_ANGLE, 1.0, 0.0
        e[ix.E_LEVEL] = 0.0
        text = "ankle passed in front of the knee"
    elif ev == "time":
        e[ix.E_Q], e[ix.E_DIR], e[ix.E_VALUE] = ix.Q_TIME, 1.0, end["value"]
        text = f"time reached {end['value']:g} s"
    else:  # pragma: no cover - the scenario loader rejects anything else
        raise ValueError(f"unknown end event {ev!r}")
    return e, text


def pack(scn, strategy: dict) -> Packed:
    """Arrays of one strategy of a validated scenario."""
    from .core import indices as ix

    d = scn.data
    leg = leg_of(scn)
    kind = strategy["kind"]
    if kind == "preset":
        phases = preset_phases(strategy["preset"], strategy.get("params"))
    elif kind == "phases":
        phases = strategy["phases"]
    else:  # torque table: one phase, no excitation
        phases = [{"name": "torque_table", "excite": {}, "hold": {}, "until": []}]
    table, names, conditions = _phase_table(phases)
    mp = _model_vector(scn, leg, kind == "torque_table")
    ini = d["initial"]
    y0 = np.zeros(ix.N_STATE)
    y0[ix.S_THETA] = ini["thigh_angle_deg"] * DEG
    y0[ix.S_PHI] = ini["knee_flexion_deg"] * DEG
    y0[ix.S_THETA_DOT] = ini["thigh_velocity_deg_s"] * DEG
    y0[ix.S_PHI_DOT] = ini["knee_velocity_deg_s"] * DEG
    for g, name in enumerate(GENERATORS):
        y0[ix.S_ACT + g] = (ini.get("activations") or {}).get(name, 0.0)
    end, end_text = _end_vector(d["end"])
    it = d["integrator"]
    integ = np.zeros(ix.N_INTEG)
    integ[ix.I_METHOD] = ix.METHOD_RK4 if it["method"] == "rk4" else ix.METHOD_DOPRI5
    integ[ix.I_RTOL] = it["rtol"]
    integ[ix.I_ATOL] = it["atol"]
    integ[ix.I_STEP] = it["step_s"]
    integ[ix.I_MAX_STEP] = it["max_step_s"]
    integ[ix.I_DT_OUT] = it["output_interval_s"]
    acc = d["model"]["hip_acceleration"]
    if acc.get("table"):
        acc_tab = _read_table(acc["table"], ("t_s", "acc_x_m_s2", "acc_y_m_s2"))
    else:
        acc_tab = np.array([[0.0], [float(acc["x_m_s2"])], [float(acc["y_m_s2"])]])
    if kind == "torque_table":
        tq_tab = _read_table(strategy["torque_table"], ("t_s", "hip_torque_Nm", "knee_torque_Nm"))
    else:
        tq_tab = np.zeros((3, 1))
    geometry = {
        "buttock_x_m": leg.buttock_x_m, "buttock_y_m": leg.buttock_y_m,
        "buttock_radius_m": leg.buttock_radius_m, "thigh_length_m": leg.thigh_length_m,
        "shank_length_m": leg.shank_length_m,
    }
    return Packed(strategy["name"], y0, mp, table, names, conditions, end, integ, acc_tab, tq_tab,
                  end_text, geometry)


def run_packed(pk: Packed) -> StrategyResult:
    """Integrate one packed strategy and build its `StrategyResult`."""
    from .core import indices as ix
    from .core.integrate import integrate
    from .metrics import compute_metrics

    n_buf = int(math.ceil(pk.end[ix.E_MAX_TIME] / pk.integ[ix.I_DT_OUT])) + 4 * len(pk.phases) + 16
    t_out = np.empty(n_buf)
    y_out = np.empty((n_buf, ix.N_STATE))
    o_out = np.empty((n_buf, ix.N_OUT))
    ph_out = np.empty(n_buf, dtype=np.int64)
    phase_start = np.empty(len(pk.phases))
    status = np.zeros(ix.N_STATUS)
    integrate(pk.y0, pk.mp, pk.phases, pk.end, pk.integ, pk.acc_tab, pk.tq_tab,
              t_out, y_out, o_out, ph_out, phase_start, status)
    n = int(status[ix.ST_N_OUT])
    code = int(status[ix.ST_CODE])
    t_end = float(status[ix.ST_T_END])
    t = t_out[:n]
    y = y_out[:n]
    o = o_out[:n]
    r2d = 180.0 / math.pi
    cols = {
        "t_s": t,
        "thigh_angle_deg": y[:, ix.S_THETA] * r2d,
        "knee_flexion_deg": y[:, ix.S_PHI] * r2d,
        "thigh_velocity_deg_s": y[:, ix.S_THETA_DOT] * r2d,
        "knee_velocity_deg_s": y[:, ix.S_PHI_DOT] * r2d,
        "hip_torque_Nm": o[:, ix.O_HIP_TORQUE],
        "knee_torque_Nm": o[:, ix.O_KNEE_TORQUE],
        "heel_x_m": o[:, ix.O_HEEL_X],
        "heel_y_m": o[:, ix.O_HEEL_Y],
        "heel_buttock_distance_m": o[:, ix.O_HEEL_BUTTOCK],
        "shank_angle_deg": (y[:, ix.S_THETA] - y[:, ix.S_PHI]) * r2d,
        "hip_active_torque_Nm": o[:, ix.O_HIP_ACTIVE],
        "knee_active_torque_Nm": o[:, ix.O_KNEE_ACTIVE],
        "hip_passive_torque_Nm": o[:, ix.O_HIP_PASSIVE],
        "knee_passive_torque_Nm": o[:, ix.O_KNEE_PASSIVE],
        "hip_flexor_capacity_Nm": o[:, ix.O_CAP],
        "hip_extensor_capacity_Nm": o[:, ix.O_CAP + 1],
        "knee_flexor_capacity_Nm": o[:, ix.O_CAP + 2],
        "knee_extensor_capacity_Nm": o[:, ix.O_CAP + 3],
        "hip_flexors_activation": y[:, ix.S_ACT],
        "hip_extensors_activation": y[:, ix.S_ACT + 1],
        "knee_flexors_activation": y[:, ix.S_ACT + 2],
        "knee_extensors_activation": y[:, ix.S_ACT + 3],
        "knee_x_m": o[:, ix.O_KNEE_X], "knee_y_m": o[:, ix.O_KNEE_Y],
        "ankle_x_m": o[:, ix.O_ANKLE_X], "ankle_y_m": o[:, ix.O_ANKLE_Y],
        "toe_x_m": o[:, ix.O_TOE_X], "toe_y_m": o[:, ix.O_TOE_Y],
        "heel_contact_force_N": o[:, ix.O_CONTACT_F],
        "cord_force_N": o[:, ix.O_CORD_F],
        "hip_moment_of_inertia_kgm2": o[:, ix.O_HIP_INERTIA],
        "phase": ph_out[:n].astype(np.float64),
    }
    traj = {k: np.ascontiguousarray(cols[k]) for k in TRAJECTORY_COLUMNS}
    y_end = y_out[n - 1]
    quad = {
        "hip_flexion_impulse": float(y_end[ix.S_HIP_FLEX_IMPULSE]),
        "hip_positive_work": float(y_end[ix.S_HIP_POS_WORK]),
        "hip_negative_work": float(y_end[ix.S_HIP_NEG_WORK]),
        "knee_positive_work": float(y_end[ix.S_KNEE_POS_WORK]),
        "knee_negative_work": float(y_end[ix.S_KNEE_NEG_WORK]),
        "heel_contact_impulse": float(y_end[ix.S_HEEL_IMPULSE]),
    }
    completed = code == ix.CODE_COMPLETED
    last_phase = int(status[ix.ST_PHASE])
    phases = []
    for k, name in enumerate(pk.phase_names):
        start = phase_start[k]
        if not np.isfinite(start):
            continue
        later = [phase_start[j] for j in range(k + 1, len(pk.phase_names)) if np.isfinite(phase_start[j])]
        phases.append((name, float(start), float(later[0]) if later else t_end))
    reason = _reason(pk, code, last_phase, t_end)
    metrics = compute_metrics(traj, quad, completed, t_end)
    metrics["end_reason"] = reason
    metrics["integrator_steps"] = int(status[ix.ST_N_STEPS])
    for name, start, stop in phases:
        metrics[f"phase_{name}_duration_s"] = stop - start
    return StrategyResult(pk.name, metrics, traj, phases, completed, reason, pk.geometry)


def _describe(cond: dict) -> str:
    what, unit = _QUANTITY_TEXT[cond["quantity"]]
    if "above" in cond:
        return f"{what} above {cond['above']:g}{unit}"
    return f"{what} below {cond['below']:g}{unit}"


def _reason(pk: Packed, code: int, last_phase: int, t_end: float) -> str:
    from .core import indices as ix

    if code == ix.CODE_COMPLETED:
        return f"completed: {pk.end_text} at t = {t_end:.4f} s"
    max_t = pk.end[ix.E_MAX_TIME]
    if code == ix.CODE_MAX_TIME:
        msg = f"not completed: the end event ({pk.end_text}) was not reached within max_time_s = {max_t:g} s"
        conds = pk.phase_conditions[last_phase]
        if last_phase < len(pk.phase_names) - 1 and conds:
            msg += (f"; phase '{pk.phase_names[last_phase]}' never ended (none of its conditions was met: "
                    + ", ".join(_describe(c) for c in conds) + ")")
        return msg
    if code == ix.CODE_STEP_UNDERFLOW:
        return f"not completed: step size underflow at t = {t_end:.6f} s (the equations became too stiff)"
    if code == ix.CODE_NOT_FINITE:
        return f"not completed: the state became non-finite at t = {t_end:.6f} s"
    if code == ix.CODE_BUFFER_FULL:
        return f"not completed: output buffer full at t = {t_end:.6f} s"
    return f"not completed: too many integration steps (t = {t_end:.6f} s)"


def simulate(scenario, strategies: list[str] | None = None) -> Result:
    """Simulate every strategy of a scenario (a `Scenario`, or a path to a YAML file).

    Every strategy starts from the same toe-off state with the same subject, actuators and end
    event; only the phase list differs.
    """
    if isinstance(scenario, (str, Path)):
        from .scenario import load_scenario

        scenario = load_scenario(scenario)
    out = {}
    for strat in scenario.data["strategies"]:
        if strategies is not None and strat["name"] not in strategies:
            continue
        out[strat["name"]] = run_packed(pack(scenario, strat))
    return Result(scenario, out)


def compare(scenarios):
    """Simulate several scenarios (paths or `Scenario` objects) and compare every strategy of
    them side by side: a `legsim.comparison.Comparison` (differences against the first)."""
    from .comparison import comparison_of
    from .scenario import load_scenario

    if isinstance(scenarios, (str, Path)) or hasattr(scenarios, "data"):
        scenarios = [scenarios]
    loaded = [load_scenario(s) if isinstance(s, (str, Path)) else s for s in scenarios]
    return comparison_of([simulate(s) for s in loaded])
