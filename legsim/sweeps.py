"""Parameter sweeps: many variants of one scenario, run by the compiled batch kernel.

A sweep is planned first (`plan_sweep`): every swept path and value is validated against the
scenario schema before anything runs, and the variants are numbered 0 … N−1. Variants are then
run in chunks: each chunk is packed into arrays without Python per variant (swept values that
map straight onto packed arrays are written with numpy; values that change the anthropometry,
the strategies or the structure of the model are packed once per distinct combination) and run
by `legsim.core.batch.run_batch` across cores. Chunks stream to the output file; an interrupted
sweep resumes from it.

Output columns: ``variant``, one column per swept path, then per strategy ``<strategy>.status``
and ``<strategy>.<metric>`` for every metric key (recovery_time_s is NaN when not completed).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import LegsimError
from .metrics import METRIC_KEYS

DEG = math.pi / 180.0
MODES = ("grid", "zip", "random")
DEFAULT_CHUNK = 20000

STATUS_TEXT = {0: "completed", 1: "max_time", 2: "step_underflow", 3: "not_finite",
               4: "buffer_full", 5: "too_many_steps", 99: "invalid"}
#: Status code of a variant whose combination of values the scenario rejects (not simulated).
INVALID = 99

#: Extra per-strategy columns beyond METRIC_KEYS.
EXTRA_KEYS = ("peak_heel_contact_force_N", "time_of_min_heel_buttock_distance_s",
              "peak_hip_active_torque_Nm", "integrator_steps")


class SweepError(LegsimError):
    """A sweep specification that cannot run (bad path, value, mode or output file)."""


# ---------------------------------------------------------------------------------------------
# parameter specifications
# ---------------------------------------------------------------------------------------------

def parse_values(text: str):
    """CLI value syntax: ``START:STOP:N`` (N evenly spaced values, ends included) or ``v1,v2,…``."""
    text = text.strip()
    if text.count(":") == 2:
        a, b, n = text.split(":")
        try:
            start, stop, count = float(a), float(b), int(n)
        except ValueError:
            raise SweepError(f"found {text!r}; accepted: START:STOP:N with numbers and a whole N")
        if count < 1:
            raise SweepError(f"found N = {count} in {text!r}; accepted: N >= 1")
        return {"start": start, "stop": stop, "n": count}
    values = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            raise SweepError(f"found an empty value in {text!r}; accepted: v1,v2,... or START:STOP:N")
        try:
            values.append(float(part))
        except ValueError:
            low = part.lower()
            values.append({"true": True, "false": False, "null": None}.get(low, part))
    return values


#: Most values one swept path may list (a grid of several paths multiplies them).
MAX_VALUES_PER_PATH = 10_000_000
#: Most distinct values of one path checked one by one against the scenario; numeric values
#: beyond them lie between the smallest and largest, which are always checked (the scenario's
#: numeric limits are ranges).
MAX_CHECKED_VALUES = 50


def _values_of(path: str, spec, mode: str):
    """Normalise one parameter spec to a list of values (grid/zip) or (low, high) (random)."""
    if isinstance(spec, str):
        spec = parse_values(spec)
    if mode == "random":
        if isinstance(spec, dict) and {"low", "high"} <= set(spec):
            low, high = float(spec["low"]), float(spec["high"])
        elif isinstance(spec, dict) and {"start", "stop"} <= set(spec):
            low, high = float(spec["start"]), float(spec["stop"])
        elif isinstance(spec, (list, tuple)) and len(spec) == 2 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in spec):
            low, high = float(spec[0]), float(spec[1])
        else:
            raise SweepError(f"{path}: found {spec!r}; accepted for mode 'random': a range "
                             "(low, high), {low: .., high: ..} or START:STOP:N")
        if not low <= high:
            raise SweepError(f"{path}: found low {low:g} > high {high:g}; accepted: low <= high")
        return (low, high)
    if isinstance(spec, dict):
        if {"start", "stop", "n"} <= set(spec):
            n = int(spec["n"])
            if n < 1:
                raise SweepError(f"{path}: found n = {n}; accepted: n >= 1")
            if n > MAX_VALUES_PER_PATH:
                raise SweepError(f"{path}: found n = {n}; accepted: at most "
                                 f"{MAX_VALUES_PER_PATH:,} values per path (for more variants "
                                 "combine paths in a grid, or use mode random)")
            return list(np.linspace(float(spec["start"]), float(spec["stop"]), n))
        raise SweepError(f"{path}: found {spec!r}; accepted: a list of values or "
                         "{start: .., stop: .., n: ..}")
    if isinstance(spec, np.ndarray):
        spec = spec.tolist()
    if isinstance(spec, (list, tuple)):
        if not spec:
            raise SweepError(f"{path}: found no values; accepted: at least one value")
        return [v.item() if isinstance(v, np.generic) else v for v in spec]
    return [spec]


# ---------------------------------------------------------------------------------------------
# which swept values map straight onto packed arrays
# ---------------------------------------------------------------------------------------------

def _fast_target(path: str, scenario):
    """(array, column, scale) for a path that maps onto one packed entry, else None."""
    from .core import indices as ix
    from .model.actuators import GENERATORS

    parts = path.split(".")
    d = scenario.data
    init = {"thigh_angle_deg": (ix.S_THETA, DEG), "knee_flexion_deg": (ix.S_PHI, DEG),
            "thigh_velocity_deg_s": (ix.S_THETA_DOT, DEG), "knee_velocity_deg_s": (ix.S_PHI_DOT, DEG)}
    if parts[0] == "initial":
        if len(parts) == 2 and parts[1] in init:
            return ("y0",) + init[parts[1]]
        if len(parts) == 3 and parts[1] == "activations" and parts[2] in GENERATORS:
            return ("y0", ix.S_ACT + GENERATORS.index(parts[2]), 1.0)
        return None
    if parts[0] == "actuators":
        if len(parts) == 2 and parts[1] == "activation_time_s":
            return ("mp", ix.M_TAU_ACT, 1.0)
        if len(parts) == 2 and parts[1] == "deactivation_time_s":
            return ("mp", ix.M_TAU_DEACT, 1.0)
        gen_keys = {"peak_torque_Nm": (ix.GEN_T0, 1.0), "optimal_angle_deg": (ix.GEN_OPT, DEG),
                    "angle_width_factor": (ix.GEN_WIDTH, 1.0),
                    "max_velocity_deg_s": (ix.GEN_WMAX, DEG),
                    "curvature_velocity_deg_s": (ix.GEN_WC, DEG),
                    "eccentric_ratio": (ix.GEN_ECC, 1.0), "eccentric_slope_ratio": (ix.GEN_SLOPE, 1.0)}
        if len(parts) == 3 and parts[1] in GENERATORS and parts[2] in gen_keys:
            off, scale = gen_keys[parts[2]]
            return ("mp", ix.M_GEN + GENERATORS.index(parts[1]) * ix.GEN_W + off, scale)
        return None
    if parts[0] == "model":
        # gravity is not written straight into the arrays: a preset may scale its torques
        # with body weight when the model is built (the untrained preset does)
        simple = {"damping_Nms_per_rad": (ix.M_DAMPING, 1.0)}
        if len(parts) == 2 and parts[1] in simple:
            return ("mp",) + simple[parts[1]]
        nested = {
            ("knee_limits", "hyperextension_deg"): (ix.M_KNEE_LO, DEG),
            ("knee_limits", "flexion_deg"): (ix.M_KNEE_HI, DEG),
            ("knee_limits", "stiffness_Nm_per_rad"): (ix.M_LIM_K, 1.0),
            ("knee_limits", "damping_Nms_per_rad"): (ix.M_LIM_D, 1.0),
            ("hip_limits", "extension_deg"): (ix.M_HIP_LO, DEG),
            ("hip_limits", "flexion_deg"): (ix.M_HIP_HI, DEG),
            ("hip_limits", "stiffness_Nm_per_rad"): (ix.M_HIP_LIM_K, 1.0),
            ("hip_limits", "damping_Nms_per_rad"): (ix.M_HIP_LIM_D, 1.0),
            ("heel_contact", "stiffness_N_per_m"): (ix.M_CONTACT_K, 1.0),
            ("heel_contact", "damping_s_per_m"): (ix.M_CONTACT_C, 1.0),
        }
        if len(parts) == 3 and (parts[1], parts[2]) in nested:
            return ("mp",) + nested[(parts[1], parts[2])]
        return None
    if parts[0] == "cord" and len(parts) == 2 and d.get("cord"):
        keys = {"anchor_x_m": ix.M_CORD_AX, "anchor_y_m": ix.M_CORD_AY, "attachment_m": ix.M_CORD_S,
                "stiffness_N_per_m": ix.M_CORD_K, "rest_length_m": ix.M_CORD_REST}
        if parts[1] in keys:
            return ("mp", keys[parts[1]], 1.0)
        return None
    if parts[0] == "end" and len(parts) == 2:
        if parts[1] == "max_time_s":
            return ("end", ix.E_MAX_TIME, 1.0)
        if parts[1] == "thigh_angle_deg" and d["end"]["event"] == "thigh_angle":
            return ("end", ix.E_VALUE, DEG)
        if parts[1] == "time_s" and d["end"]["event"] == "time":
            return ("end", ix.E_VALUE, 1.0)
        return None
    if parts[0] == "integrator" and len(parts) == 2:
        keys = {"rtol": ix.I_RTOL, "atol": ix.I_ATOL, "step_s": ix.I_STEP, "max_step_s": ix.I_MAX_STEP}
        if parts[1] in keys:
            return ("integ", keys[parts[1]], 1.0)
    return None


# ---------------------------------------------------------------------------------------------
# the plan
# ---------------------------------------------------------------------------------------------

@dataclass
class SweepPlan:
    """Everything needed to run any chunk of a sweep, in any process (picklable)."""

    scenario_data: dict
    scenario_path: str | None
    scenario_name: str
    paths: list[str]
    mode: str
    values: list            # grid/zip: list of value lists; random: list of (low, high)
    n_variants: int
    seed: int | None
    chunk_size: int
    strategies: list[str]
    fast: dict = field(default_factory=dict)       # path -> (array, column, scale)

    @property
    def n_chunks(self) -> int:
        return max(1, math.ceil(self.n_variants / self.chunk_size))

    def chunk_range(self, chunk: int) -> tuple[int, int]:
        start = chunk * self.chunk_size
        return start, min(self.n_variants, start + self.chunk_size)

    def spec_hash(self) -> str:
        """Identifies the sweep: the same hash means the same rows (used to resume)."""
        doc = {"scenario": self.scenario_data, "paths": self.paths, "mode": self.mode,
               "values": self.values, "n": self.n_variants, "seed": self.seed,
               "chunk_size": self.chunk_size}
        return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()

    def variant_values(self, start: int, stop: int) -> list[np.ndarray]:
        """The swept values of variants start … stop−1, one array per path."""
        idx = np.arange(start, stop)
        if self.mode == "zip":
            return [np.asarray(v, dtype=object if _is_text(v) else float)[idx] for v in self.values]
        if self.mode == "grid":
            shape = [len(v) for v in self.values]
            subs = np.unravel_index(idx, shape) if shape else ()
            return [np.asarray(v, dtype=object if _is_text(v) else float)[s]
                    for v, s in zip(self.values, subs)]
        # random: a generator per chunk, seeded by (seed, chunk), so chunks are independent
        out = [np.empty(stop - start) for _ in self.paths]
        chunk = start // self.chunk_size
        rng = np.random.default_rng([self.seed if self.seed is not None else 0, chunk])
        draws = rng.random((self.chunk_size, len(self.paths)))
        for p, (low, high) in enumerate(self.values):
            out[p][:] = low + (high - low) * draws[: stop - start, p]
        return out

    def scenario(self):
        from .scenario import validate_data

        return validate_data(self.scenario_data, self.scenario_path)

    def variant_scenario(self, variant: int, base=None):
        """The `Scenario` of one variant (the base scenario with that variant's swept values):
        ``legsim.simulate(plan.variant_scenario(i))`` gives its full trajectories."""
        if not 0 <= int(variant) < self.n_variants:
            raise SweepError(f"variant: found {variant}; accepted: 0 to {self.n_variants - 1}")
        vals = self.variant_values(int(variant), int(variant) + 1)
        update = {}
        for p, v in zip(self.paths, vals):
            x = v[0]
            update[p] = x.item() if hasattr(x, "item") else x
        return (base if base is not None else self.scenario()).replace(update)


def _is_text(values) -> bool:
    return any(isinstance(v, (str, bool)) for v in values)


#: Up to this many distinct combinations of the structural values of a grid or zip sweep are
#: checked together before anything runs (values that are valid alone may conflict, e.g. a
#: thigh CoM beyond the thigh length); beyond it, and for random sweeps, a conflicting variant
#: is recorded with status "invalid" when its chunk runs.
MAX_CHECKED_COMBINATIONS = 2000


def _check_combinations(scenario, paths, values, mode, fast) -> None:
    from .scenario import ScenarioError

    slow = [i for i, p in enumerate(paths) if p not in fast]
    if mode == "random" or len(slow) < 2:
        return
    if mode == "grid":
        count = int(np.prod([len(values[i]) for i in slow]))
        if count > MAX_CHECKED_COMBINATIONS:
            return
        import itertools

        combos = itertools.product(*[values[i] for i in slow])
    else:
        combos = list(zip(*[values[i] for i in slow]))
        if len(combos) > MAX_CHECKED_COMBINATIONS:
            return
    seen = set()
    for combo in combos:
        key = repr(combo)
        if key in seen:
            continue
        seen.add(key)
        update = {paths[i]: v for i, v in zip(slow, combo)}
        try:
            scn = scenario.replace(update)
            _pack_combo(None, scn, {})        # the model too: limits that depend on stature
        except (ScenarioError, LegsimError) as exc:
            shown = ", ".join(f"{k} = {v!r}" for k, v in update.items())
            raise SweepError(f"sweep combination {shown}: {exc}") from None


def plan_sweep(scenario, params: dict, mode: str = "grid", n: int | None = None,
               seed: int | None = None, chunk_size: int = DEFAULT_CHUNK) -> SweepPlan:
    """Validate a sweep and number its variants; nothing is simulated.

    ``params`` maps a dotted scenario path to values: a list, ``{start, stop, n}``, a string
    ``"START:STOP:N"`` / ``"v1,v2"``; for ``mode="random"`` a range ``(low, high)``.
    """
    from .scenario import ScenarioError, load_scenario

    if isinstance(scenario, (str, os.PathLike)):
        scenario = load_scenario(scenario)
    if mode not in MODES:
        raise SweepError(f"mode: found {mode!r}; accepted: {', '.join(MODES)}")
    if not params:
        raise SweepError("params: found none; accepted: at least one dotted scenario path with values")
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise SweepError(f"chunk_size: found {chunk_size!r}; accepted: a whole number >= 1")
    paths = list(params)
    values = [_values_of(p, params[p], mode) for p in paths]
    # every value (grid/zip) or both bounds (random) must be accepted by the scenario schema
    for path, vals in zip(paths, values):
        if mode == "random":
            check = [vals[0], vals[1]]
        elif len(vals) > MAX_CHECKED_VALUES and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            arr = np.asarray(vals, dtype=float)
            check = [float(arr.min()), float(arr.max())] + list(vals[:MAX_CHECKED_VALUES])
        else:
            check = list(vals)
        seen = set()
        for v in check:
            key = repr(v)
            if key in seen:
                continue
            seen.add(key)
            try:
                scenario.replace({path: v})
            except ScenarioError as exc:
                raise SweepError(f"sweep parameter {path}: {exc}") from None
    if mode == "grid":
        n_var = int(np.prod([len(v) for v in values]))
        if n is not None and n != n_var:
            raise SweepError(f"n: found {n}; a grid of these values has {n_var} variants (leave n out)")
    elif mode == "zip":
        lengths = {len(v) for v in values}
        if len(lengths) != 1:
            raise SweepError("zip: the value lists have different lengths "
                             + ", ".join(f"{p}: {len(v)}" for p, v in zip(paths, values))
                             + "; accepted: lists of equal length")
        n_var = lengths.pop()
    else:
        if n is None or int(n) < 1:
            raise SweepError(f"n: found {n!r}; accepted for mode 'random': a whole number >= 1")
        n_var = int(n)
    fast = {}
    for p in paths:
        target = _fast_target(p, scenario)
        if target is not None:
            fast[p] = target
    _check_combinations(scenario, paths, values, mode, fast)
    return SweepPlan(scenario.data, str(scenario.path) if scenario.path else None, scenario.name,
                     paths, mode, [list(v) if mode != "random" else list(v) for v in values],
                     n_var, seed, chunk_size, [s["name"] for s in scenario.data["strategies"]], fast)


# ---------------------------------------------------------------------------------------------
# running a chunk
# ---------------------------------------------------------------------------------------------

def _pack_combo(plan: SweepPlan, base, combo: dict):
    """Packed arrays of every strategy for one combination of the structural values."""
    from .simulation import pack

    scn = base.replace(combo) if combo else base
    return [pack(scn, s) for s in scn.data["strategies"]]


def run_chunk(plan: SweepPlan, chunk: int, threads: int | None = None):
    """Simulate one chunk; returns a pandas DataFrame with the output columns."""
    import pandas as pd

    from .core import indices as ix
    from .core.batch import N_METRICS, run_batch

    start, stop = plan.chunk_range(chunk)
    n = stop - start
    vals = plan.variant_values(start, stop)
    base = plan.scenario()
    slow = [p for p in plan.paths if p not in plan.fast]
    slow_idx = [plan.paths.index(p) for p in slow]
    # distinct combinations of the structural values in this chunk
    if slow:
        keys = list(zip(*[vals[i].tolist() for i in slow_idx]))
    else:
        keys = [()] * n
    combos: dict = {}
    combo_of = np.empty(n, dtype=np.int64)
    for k, key in enumerate(keys):
        c = combos.get(key)
        if c is None:
            c = len(combos)
            combos[key] = c
        combo_of[k] = c
    from .errors import LegsimError

    packs, invalid = [], []
    for key in combos:
        try:
            packs.append(_pack_combo(plan, base, dict(zip(slow, key))))
        except (LegsimError, ValueError):   # values valid alone, rejected together: "invalid"
            packs.append(None)
            invalid.append(len(packs) - 1)
    n_strat = len(plan.strategies)
    if len(invalid) == len(packs):
        out = np.zeros((n * n_strat, N_METRICS))
        _mark_invalid(out, np.arange(n * n_strat))
        return _chunk_frame(plan, start, stop, vals, out)
    template = next(ps for ps in packs if ps is not None)
    packs = [ps if ps is not None else template for ps in packs]
    max_ph = max(pk.phases.shape[0] for ps in packs for pk in ps)
    max_tq = max(pk.tq_tab.shape[1] for ps in packs for pk in ps)
    # torque tables: one per (combo, strategy)
    tq_all = np.zeros((len(packs) * n_strat, 3, max_tq))
    tq_len = np.zeros(len(packs) * n_strat, dtype=np.int64)
    for c, ps in enumerate(packs):
        for s, pk in enumerate(ps):
            tq_all[c * n_strat + s, :, : pk.tq_tab.shape[1]] = pk.tq_tab
            tq_len[c * n_strat + s] = pk.tq_tab.shape[1]
    J = n * n_strat
    y0 = np.empty((J, ix.N_STATE))
    mp = np.empty((J, ix.N_MP))
    phases = np.zeros((J, max_ph, ix.PH_W))
    n_phases = np.empty(J, dtype=np.int64)
    end = np.empty((J, ix.N_END))
    integ = np.empty((J, ix.N_INTEG))
    table_of_job = np.empty(J, dtype=np.int64)
    for s in range(n_strat):
        rows = slice(s, J, n_strat)        # job = variant * n_strat + strategy
        for c, ps in enumerate(packs):
            pk = ps[s]
            sel = np.flatnonzero(combo_of == c) * n_strat + s
            y0[sel] = pk.y0
            mp[sel] = pk.mp
            phases[sel, : pk.phases.shape[0]] = pk.phases
            n_phases[sel] = pk.phases.shape[0]
            end[sel] = pk.end
            integ[sel] = pk.integ
            table_of_job[sel] = c * n_strat + s
        for p, (arr, col, scale) in plan.fast.items():
            v = vals[plan.paths.index(p)].astype(float) * scale
            {"y0": y0, "mp": mp, "end": end, "integ": integ}[arr][rows, col] = v
    import numba

    # every chunk sets its threads: an earlier call's `threads` must not carry over
    numba.set_num_threads(min(int(threads), numba.config.NUMBA_NUM_THREADS) if threads
                          else numba.config.NUMBA_NUM_THREADS)
    out = np.zeros((J, N_METRICS))
    # one kernel call per distinct hip-acceleration table (usually one for the whole chunk)
    tables: dict = {}
    for c, ps in enumerate(packs):
        tab = np.ascontiguousarray(ps[0].acc_tab)
        tables.setdefault((tab.shape, tab.tobytes()), (tab, []))[1].append(c)
    if len(tables) == 1:
        acc_tab = next(iter(tables.values()))[0]
        run_batch(y0, mp, phases, n_phases, end, integ, acc_tab, tq_all, tq_len, table_of_job,
                  out)
    else:
        job_combo = np.repeat(combo_of, n_strat)
        for acc_tab, members in tables.values():
            sel = np.flatnonzero(np.isin(job_combo, members))
            part = np.zeros((len(sel), N_METRICS))
            run_batch(y0[sel], mp[sel], phases[sel], n_phases[sel], end[sel], integ[sel],
                      acc_tab, tq_all, tq_len, table_of_job[sel], part)
            out[sel] = part
    if invalid:
        _mark_invalid(out, np.flatnonzero(np.isin(np.repeat(combo_of, n_strat), invalid)))
    return _chunk_frame(plan, start, stop, vals, out)


def _mark_invalid(out, rows) -> None:
    """Jobs not simulated because the scenario rejects their combination of values."""
    from .core import batch as b

    out[rows, 1:] = np.nan
    out[rows, b.K_CODE] = INVALID
    out[rows, b.K_STEPS] = 0


def _chunk_frame(plan: SweepPlan, start: int, stop: int, vals, out):
    import pandas as pd

    n_strat = len(plan.strategies)
    cols = {"variant": np.arange(start, stop)}
    for p, v in zip(plan.paths, vals):
        cols[p] = v
    for s, name in enumerate(plan.strategies):
        cols.update(_metric_columns(name, out[s::n_strat]))
    return pd.DataFrame(cols)


def _metric_columns(name: str, m: np.ndarray) -> dict:
    from .core import batch as b

    r2d = 180.0 / math.pi
    code = m[:, b.K_CODE].astype(int)
    completed = code == 0
    cols = {
        f"{name}.status": np.array([STATUS_TEXT.get(c, "failed") for c in code], dtype=object),
        f"{name}.recovery_time_s": np.where(completed, m[:, b.K_T_END], np.nan),
        f"{name}.completed": completed,
        f"{name}.peak_hip_flexion_torque_Nm": m[:, b.K_PEAK_HIP_FLEX],
        f"{name}.peak_hip_extension_torque_Nm": m[:, b.K_PEAK_HIP_EXT],
        f"{name}.peak_knee_flexion_torque_Nm": m[:, b.K_PEAK_KNEE_FLEX],
        f"{name}.peak_knee_extension_torque_Nm": m[:, b.K_PEAK_KNEE_EXT],
        f"{name}.hip_flexion_impulse_Nms": m[:, b.K_HIP_IMPULSE],
        f"{name}.hip_positive_work_J": m[:, b.K_HIP_POS],
        f"{name}.hip_negative_work_J": m[:, b.K_HIP_NEG],
        f"{name}.knee_positive_work_J": m[:, b.K_KNEE_POS],
        f"{name}.knee_negative_work_J": m[:, b.K_KNEE_NEG],
        f"{name}.peak_thigh_angular_velocity_deg_s": m[:, b.K_PEAK_THIGH_VEL] * r2d,
        f"{name}.max_knee_flexion_deg": m[:, b.K_MAX_KNEE] * r2d,
        f"{name}.min_heel_buttock_distance_m": m[:, b.K_MIN_GAP],
        f"{name}.thigh_angle_at_min_heel_buttock_distance_deg": m[:, b.K_THETA_AT_MIN_GAP] * r2d,
        f"{name}.min_hip_moment_of_inertia_kgm2": m[:, b.K_MIN_INERTIA],
        f"{name}.heel_contact_impulse_Ns": m[:, b.K_HEEL_IMPULSE],
        f"{name}.peak_heel_contact_force_N": m[:, b.K_PEAK_CONTACT],
        f"{name}.time_of_min_heel_buttock_distance_s": m[:, b.K_T_MIN_GAP],
        f"{name}.peak_hip_active_torque_Nm": m[:, b.K_PEAK_HIP_ACTIVE],
        f"{name}.integrator_steps": m[:, b.K_STEPS].astype(np.int64),
    }
    return cols


def output_columns(plan: SweepPlan) -> list[str]:
    cols = ["variant"] + list(plan.paths)
    for name in plan.strategies:
        cols.append(f"{name}.status")
        cols += [f"{name}.{k}" for k in METRIC_KEYS]
        cols += [f"{name}.{k}" for k in EXTRA_KEYS]
    return cols


# ---------------------------------------------------------------------------------------------
# streaming output with resume
# ---------------------------------------------------------------------------------------------

class ChunkWriter:
    """Appends chunks to a CSV file or to the parts of a Parquet file, with a progress record
    (``FILE.sweep.json``) so an interrupted sweep resumes without redoing finished chunks."""

    def __init__(self, path: Path, plan: SweepPlan, resume: bool = True):
        self.path = Path(path)
        self.plan = plan
        self.kind = {".csv": "csv", ".parquet": "parquet"}.get(self.path.suffix.lower())
        if self.kind is None:
            raise SweepError(f"--out {self.path}: found suffix {self.path.suffix!r}; accepted: "
                             ".csv or .parquet")
        if self.kind == "parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise SweepError(f"--out {self.path}: Parquet output needs pyarrow; accepted: a .csv "
                                 "file, or pip install 'legsim[parquet]'") from None
        self.record = self.path.with_name(self.path.name + ".sweep.json")
        self.parts = self.path.with_name(self.path.name + ".parts")
        self.done: set[int] = set()
        self.bytes = 0
        self.restarted = None
        state = None
        if resume and self.record.is_file():
            state = json.loads(self.record.read_text())
            if state.get("spec") != plan.spec_hash():
                raise SweepError(f"{self.path}: an unfinished sweep with a different specification "
                                 f"is recorded in {self.record}; accepted: the same sweep to resume "
                                 "it, --no-resume to start over, or another --out")
            self.done = set(state["chunks"])
            self.bytes = int(state.get("bytes", 0))
            if not self._output_matches_record():
                self.restarted = (f"{self.record} records {len(self.done)} finished chunk(s) but "
                                  f"{self.path} is missing or shorter than recorded: starting "
                                  "over")
                self.done, self.bytes, state = set(), 0, None
                self.record.unlink(missing_ok=True)
        if state is None:
            if self.path.exists() and self.record.exists():
                self.path.unlink()
            if self.path.exists() and self.kind == "csv":
                self.path.unlink()
            if self.parts.exists():
                import shutil

                shutil.rmtree(self.parts)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._save()
        elif self.kind == "csv" and self.path.exists():
            with open(self.path, "r+b") as fh:        # drop anything after the last finished chunk
                fh.truncate(self.bytes)

    def _output_matches_record(self) -> bool:
        """Whether the output written so far is still there as recorded."""
        if not self.done:
            return True
        if self.kind == "csv":
            return self.path.is_file() and self.path.stat().st_size >= self.bytes
        return all((self.parts / f"part-{c:06d}.parquet").is_file() for c in self.done)

    def _save(self):
        tmp = self.record.with_suffix(".tmp")
        tmp.write_text(json.dumps({"spec": self.plan.spec_hash(), "chunks": sorted(self.done),
                                   "bytes": self.bytes, "n_chunks": self.plan.n_chunks}))
        os.replace(tmp, self.record)

    def write(self, chunk: int, df) -> None:
        if chunk in self.done:
            return
        if self.kind == "csv":
            header = self.bytes == 0
            text = df.to_csv(index=False, header=header, float_format="%.10g")
            with open(self.path, "ab") as fh:
                fh.write(text.encode())
                fh.flush()
                os.fsync(fh.fileno())
                self.bytes = fh.tell()
        else:
            self.parts.mkdir(exist_ok=True)
            part = self.parts / f"part-{chunk:06d}.parquet"
            tmp = part.with_suffix(".tmp")
            df = df.copy()
            for c in df.columns:          # text columns stay text even when a chunk has only nulls
                if df[c].dtype == object:
                    df[c] = df[c].astype("string")
            df.to_parquet(tmp, index=False)
            os.replace(tmp, part)
        self.done.add(chunk)
        self._save()

    def finish(self) -> Path:
        """All chunks are written: assemble Parquet parts (in order) and drop the record."""
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            parts = sorted(self.parts.glob("part-*.parquet"))
            tmp = self.path.with_suffix(".parquet.tmp")
            writer = None
            for part in parts:
                table = pq.read_table(part)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table)
            if writer is not None:
                writer.close()
            os.replace(tmp, self.path)
            import shutil

            shutil.rmtree(self.parts)
        self.record.unlink(missing_ok=True)
        return self.path


# ---------------------------------------------------------------------------------------------
# the public entry point
# ---------------------------------------------------------------------------------------------

#: Largest sweep whose trajectories may be written (``sweep(..., trajectories=DIR)``).
MAX_TRAJECTORY_VARIANTS = 100_000


def _write_trajectories(plan: SweepPlan, base, chunk: int, folder: Path) -> None:
    """Simulate the variants of one chunk again in Python and write their trajectories."""
    from .results import file_label, write_trajectory
    from .simulation import simulate

    folder.mkdir(parents=True, exist_ok=True)
    start, stop = plan.chunk_range(chunk)
    for v in range(start, stop):
        try:
            res = simulate(plan.variant_scenario(v, base))
        except LegsimError:          # an invalid combination: no trajectory (status "invalid")
            continue
        for name, r in res.strategies.items():
            path = folder / f"variant_{v}_{file_label(name)}.csv"
            tmp = path.with_name(path.name + ".tmp")
            write_trajectory(tmp, r.trajectory)
            os.replace(tmp, path)


def sweep(scenario, params: dict, mode: str = "grid", n: int | None = None, seed: int | None = None,
          out=None, executor=None, chunk_size: int = DEFAULT_CHUNK, threads: int | None = None,
          resume: bool = True, progress=None, trajectories=None):
    """Run a parameter sweep of a scenario.

    Parameters
    ----------
    scenario : a `Scenario`, a path to a scenario file, or a `SweepPlan` from `plan_sweep`
        (then ``params``, ``mode``, ``n``, ``seed`` and ``chunk_size`` are the plan's)
    params : dotted scenario path -> values (list, ``{start, stop, n}``, ``"START:STOP:N"`` or
        ``"v1,v2"``); for ``mode="random"`` a range ``(low, high)``
    mode : ``"grid"`` (every combination), ``"zip"`` (the i-th value of every path together) or
        ``"random"`` (``n`` variants drawn uniformly from the ranges with ``seed``)
    out : a ``.csv`` or ``.parquet`` file to stream the rows to (resumed if interrupted); with
        ``out`` the function returns the path, without it a pandas DataFrame
    executor : None (this machine, all cores), or a ``dask.distributed.Client`` or scheduler
        address: chunks then run on the cluster's workers (same kernel, same rows)
    chunk_size : variants per chunk (memory and the unit of resuming)
    threads : threads of the local kernel (default: all cores)
    progress : callable ``progress(done_variants, total_variants, elapsed_s)`` or None
    trajectories : a folder, optional: also write every variant's trajectories there,
        ``variant_<i>_<strategy>.csv`` (the columns of a run's trajectory CSV). Each variant is
        simulated once more by `legsim.simulate`, in Python (about a millisecond or two per
        recovery), so this is for sweeps of at most `MAX_TRAJECTORY_VARIANTS` variants; for one
        variant of a large sweep use ``plan_sweep(...).variant_scenario(i)``.
    """
    if trajectories is not None:
        traj_dir = Path(trajectories)
        if traj_dir.exists() and not traj_dir.is_dir():
            raise SweepError(f"trajectories: found {traj_dir}, a file; accepted: a folder")
    if threads is not None and executor is not None:
        raise SweepError(f"threads: found {threads!r} together with an executor; accepted: "
                         "threads for runs on this machine only (the threads of Dask workers "
                         "are set when the workers start)")
    if isinstance(scenario, SweepPlan):          # already planned (legsim sweep does this)
        plan = scenario
    else:
        plan = plan_sweep(scenario, params, mode=mode, n=n, seed=seed, chunk_size=chunk_size)
    if trajectories is not None and plan.n_variants > MAX_TRAJECTORY_VARIANTS:
        raise SweepError(f"trajectories: asked for with {plan.n_variants} variants; accepted: at "
                         f"most {MAX_TRAJECTORY_VARIANTS} variants (a trajectory file per "
                         "variant and strategy); for single variants of a large sweep use "
                         "plan_sweep(...).variant_scenario(i) and legsim.simulate")
    writer = ChunkWriter(Path(out), plan, resume=resume) if out is not None else None
    frames = {}
    todo = [c for c in range(plan.n_chunks) if writer is None or c not in writer.done]
    done_variants = plan.n_variants - sum(np.diff(plan.chunk_range(c))[0] for c in todo)
    t0 = time.perf_counter()

    base = plan.scenario() if trajectories is not None else None

    def accept(chunk, df):
        nonlocal done_variants
        if trajectories is not None:
            _write_trajectories(plan, base, chunk, Path(trajectories))
        if writer is not None:
            writer.write(chunk, df)
        else:
            frames[chunk] = df
        done_variants += len(df)
        if progress is not None:
            progress(done_variants, plan.n_variants, time.perf_counter() - t0)

    if executor is None:
        for c in todo:
            accept(c, run_chunk(plan, c, threads))
    else:
        from .distributed import run_on_dask

        run_on_dask(plan, todo, executor, accept)
    if writer is not None:
        return writer.finish()
    import pandas as pd

    return pd.concat([frames[c] for c in sorted(frames)], ignore_index=True)
