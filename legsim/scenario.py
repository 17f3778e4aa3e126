"""Scenario files: YAML -> a validated `Scenario` with every default filled in.

The file format is documented key by key in docs/scenarios.md; the normalised data layout the
rest of legsim consumes is in docs/architecture.md ("Scenario data"). This module is the only
place where scenario values are checked. It imports nothing heavy (only PyYAML, the standard
library and legsim's pure-Python preset tables), so `legsim validate` is fast.

Every default, accepted range and unit is in `SCHEMA` just below; the reference tables of
docs/scenarios.md are generated from it (``python -m legsim.scenario`` prints them).
"""
from __future__ import annotations

import copy
import difflib
import math
import numbers
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import MISSING, ScenarioError, describe
from .model.actuators import (ACTIVATION_TIME_S, ACTUATOR_PRESETS, DEACTIVATION_TIME_S,
                              GENERATOR_KEYS, GENERATORS, preset_generators)
from .strategies import (CONDITION_QUANTITIES, HOLD_DAMPING_NMS_PER_RAD,
                         HOLD_STIFFNESS_NM_PER_RAD, JOINTS, PRESETS)

__all__ = ["Scenario", "load_scenario", "validate_data", "read_table", "SCHEMA",
           "TORQUE_TABLE_COLUMNS", "HIP_ACCELERATION_COLUMNS", "END_EVENTS", "reference_markdown"]


class Key:
    """One scenario key: its kind, default, accepted values, unit and meaning.

    kinds: ``number``, ``integer`` (a whole number), ``bool``, ``flag`` (only ``true``), ``choice``, ``text``, ``name``
    (text usable in a file name), ``path`` (a CSV table, relative to the file naming it),
    ``angle_or_start`` (a number or the word ``start``).
    """

    def __init__(self, kind, default=None, doc="", *, unit="", lo=None, hi=None, lo_open=False,
                 hi_open=False, choices=(), required=False, null=None, columns=(),
                 default_doc=None, accepted_doc=None):
        self.kind, self.default, self.doc, self.unit = kind, default, doc, unit
        self.lo, self.hi, self.lo_open, self.hi_open = lo, hi, lo_open, hi_open
        self.choices, self.required, self.null = tuple(choices), required, null
        self.columns, self.default_doc = tuple(columns), default_doc
        self.accepted_doc = accepted_doc

    def accepted(self) -> str:
        if self.accepted_doc:
            return self.accepted_doc
        k = self.kind
        if k == "integer":
            text = _range_text(self.lo, self.hi, self.lo_open, self.hi_open, self.unit)
            text = text.replace("a number", "a whole number", 1)
        elif k in ("number", "angle_or_start"):
            text = _range_text(self.lo, self.hi, self.lo_open, self.hi_open, self.unit)
            if k == "angle_or_start":
                text += ', or "start" (the angle when the phase starts)'
        elif k == "bool":
            text = "true or false"
        elif k == "flag":
            text = "true (leave the key out otherwise)"
        elif k == "choice":
            text = "one of: " + ", ".join(self.choices)
        elif k == "name":
            text = "a name (text of at most 100 characters, no slashes)"
        elif k == "path":
            text = (f"the path of a CSV file with the header {','.join(self.columns)}, "
                    "relative to the scenario file that names it")
        else:
            text = "text"
        if self.null and not self.required:
            text += f", or null ({self.null})"
        return text


def _num(default, lo=None, hi=None, unit="", doc="", **kw):
    return Key("number", None if default is None else float(default), doc, unit=unit, lo=lo,
               hi=hi, **kw)


def _choice(default, choices, doc=""):
    return Key("choice", default, doc, choices=choices)


def _bool(default, doc=""):
    return Key("bool", default, doc)


_TABLE = "table value"

#: Modes of a `sweep:` block (the same as `legsim.sweeps.MODES`).
SWEEP_MODES = ("grid", "zip", "random")

# ---------------------------------------------------------------------------------------------
# Every scenario key with its default and accepted values (docs/scenarios.md is generated from
# this). Strategies are checked by `_strategies` (phase keys in PHASE_SCHEMA, preset parameters
# in legsim.strategies.PRESETS); generator blocks of `actuators` take GENERATOR_KEYS.
# ---------------------------------------------------------------------------------------------
SCHEMA: dict = {
    "name": Key("name", None, "Scenario name; names the results folder `results/<name>/`. "
                "Not inherited through `extends`.", default_doc="file stem"),
    "description": Key("text", "", "Free text. Not inherited through `extends`."),
    "extends": Key("text", None, "Base scenario file, relative to this file: the base is loaded "
                   "first and this file's mappings are merged over it (lists replace).",
                   null="no base", accepted_doc="the path of a scenario file, relative to this "
                   "file"),
    "subject": {
        "mass_kg": _num(75, 20, 300, "kg", "body mass"),
        "height_m": _num(1.80, 1.0, 2.5, "m", "standing height"),
        "sex": _choice("male", ("male", "female"),
                       "selects the anthropometric table and the strength scaling"),
        "anthropometry": _choice("de_leva_1996", ("de_leva_1996", "winter_2009"),
                                 "table the segment parameters are scaled from"),
        "ankle_angle_deg": _num(90, 45, 180, "deg",
                                "fixed angle between shank and foot (90 = dorsiflexed foot)"),
    },
    "segments": {
        "thigh": {
            "mass_kg": _num(None, 0, 50, "kg", "thigh mass", lo_open=True, null=_TABLE),
            "length_m": _num(None, 0, 1.0, "m", "hip to knee", lo_open=True, null=_TABLE),
            "com_m": _num(None, 0, 1.0, "m", "centre of mass from the hip along hip->knee; "
                          "less than length_m", lo_open=True, null=_TABLE),
            "inertia_kgm2": _num(None, 0, 5, "kg m^2", "about the centre of mass",
                                 lo_open=True, null=_TABLE),
        },
        "shank": {
            "mass_kg": _num(None, 0, 30, "kg", "shank+foot mass", lo_open=True, null=_TABLE),
            "length_m": _num(None, 0, 1.0, "m", "knee to ankle", lo_open=True, null=_TABLE),
            "com_m": _num(None, 0, 1.0, "m", "shank+foot centre of mass from the knee along "
                          "knee->ankle; less than length_m", lo_open=True, null=_TABLE),
            "com_offset_m": _num(None, -0.3, 0.3, "m", "centre of mass offset perpendicular to "
                                 "knee->ankle, anterior +", null=_TABLE),
            "inertia_kgm2": _num(None, 0, 5, "kg m^2", "about the centre of mass",
                                 lo_open=True, null=_TABLE),
        },
    },
    "buttock": {
        "x_m": _num(None, -0.5, 0.5, "m", "buttock centre in the hip frame, + forward",
                    null="anthropometric estimate"),
        "y_m": _num(None, -0.5, 0.5, "m", "buttock centre in the hip frame, + up",
                    null="anthropometric estimate"),
        "radius_m": _num(None, 0, 0.3, "m", "radius of the buttock circle",
                         null="anthropometric estimate"),
    },
    "actuators": {
        "preset": _choice("sprinter", ACTUATOR_PRESETS,
                          "torque-generator preset (legsim.model.actuators)"),
        "activation_time_s": _num(ACTIVATION_TIME_S, 0.001, 0.5, "s",
                                  "activation time constant"),
        "deactivation_time_s": _num(DEACTIVATION_TIME_S, 0.001, 1.0, "s",
                                    "deactivation time constant"),
    },
    "initial": {
        "thigh_angle_deg": _num(-25, -90, 90, "deg", "thigh angle at toe-off (+ forward)"),
        "knee_flexion_deg": _num(35, -10, 180, "deg", "knee flexion at toe-off"),
        "thigh_velocity_deg_s": _num(100, -3000, 3000, "deg/s", "thigh angular velocity"),
        "knee_velocity_deg_s": _num(600, -3000, 3000, "deg/s", "knee flexion velocity"),
        "activations": {g: _num(0, 0, 1, "", f"activation of the {g.replace('_', ' ')}")
                        for g in GENERATORS},
    },
    "end": {
        "thigh_angle_deg": _num(60, -90, 180, "deg", "end when the thigh angle reaches this "
                                "value", default_doc="60 when no end event is given"),
        "thigh_peak": Key("flag", None, "end at maximal thigh flexion (thigh angular velocity "
                          "crosses zero)", default_doc="-"),
        "ankle_passes_knee": Key("flag", None, "end when the ankle passes in front of the knee",
                                 default_doc="-"),
        "time_s": _num(None, 0, 10, "s", "end at this time; less than max_time_s",
                       lo_open=True, default_doc="-"),
        "max_time_s": _num(0.6, 0, 10, "s", "a recovery not ended by then is reported as not "
                           "completed", lo_open=True),
    },
    "integrator": {
        "method": _choice("dopri5", ("dopri5", "rk4"),
                          "adaptive Dormand-Prince 5(4) or fixed-step RK4"),
        "rtol": _num(1e-8, 1e-14, 1e-2, "", "relative tolerance (dopri5)"),
        "atol": _num(1e-10, 1e-16, 1e-2, "", "absolute tolerance (dopri5)"),
        "step_s": _num(1e-4, 1e-6, 1e-2, "s", "step (rk4)"),
        "max_step_s": _num(0.01, 1e-6, 1.0, "s", "largest step (dopri5)"),
        "output_interval_s": _num(0.001, 1e-5, 0.05, "s", "spacing of trajectory.csv rows"),
    },
    "model": {
        "passive": _bool(True, "false: no passive moments, no knee limits, no joint damping, "
                         "no heel contact (the cord stays)"),
        "gravity_m_s2": _num(9.81, 0, 30, "m/s^2", "gravitational acceleration"),
        "passive_moments": _choice("riener_edrich_1999", ("riener_edrich_1999", "none"),
                                   "passive joint moments of hip and knee"),
        "damping_Nms_per_rad": _num(0.1, 0, 100, "N m s/rad", "viscous damping, hip and knee"),
        "knee_limits": {
            "hyperextension_deg": _num(0, -30, 30, "deg", "knee flexion below which the "
                                       "hyperextension limit acts (0 = straight knee; -5 allows "
                                       "5 deg of hyperextension)"),
            "flexion_deg": _num(165, 90, 180, "deg", "knee flexion where the flexion limit "
                                "engages"),
            "stiffness_Nm_per_rad": _num(500, 0, 1e6, "N m/rad", "limit stiffness"),
            "damping_Nms_per_rad": _num(5, 0, 1e4, "N m s/rad", "limit damping"),
        },
        "hip_limits": {
            "extension_deg": _num(-45, -90, 0, "deg", "thigh angle below which the hip "
                                  "extension limit acts"),
            "flexion_deg": _num(130, 60, 180, "deg", "thigh angle where the hip flexion limit "
                                "engages"),
            "stiffness_Nm_per_rad": _num(500, 0, 1e6, "N m/rad", "limit stiffness"),
            "damping_Nms_per_rad": _num(5, 0, 1e4, "N m s/rad", "limit damping"),
        },
        "heel_contact": {
            "stiffness_N_per_m": _num(20000, 0, 1e7, "N/m^1.5", "k of the heel-buttock "
                                      "contact force k d^1.5 (1 + c d'), d = indentation"),
            "damping_s_per_m": _num(1.0, 0, 100, "s/m", "c of the same law (Hunt-Crossley "
                                    "type)"),
        },
        "hip_acceleration": {
            "x_m_s2": _num(0, -200, 200, "m/s^2", "constant hip acceleration, + forward"),
            "y_m_s2": _num(0, -200, 200, "m/s^2", "constant hip acceleration, + up"),
            "table": Key("path", None, "hip acceleration over time (replaces the constants, "
                         "which must then be 0)", null="constant acceleration",
                         columns=("t_s", "acc_x_m_s2", "acc_y_m_s2")),
        },
    },
    "cord": {
        "anchor_x_m": _num(None, -5, 5, "m", "cord anchor in the hip frame, + forward",
                           required=True),
        "anchor_y_m": _num(None, -5, 5, "m", "cord anchor in the hip frame, + up",
                           required=True),
        "attachment_m": _num(None, 0, 1.0, "m", "attachment on the thigh, distance from the "
                             "hip along hip->knee (at most the thigh length)", required=True),
        "stiffness_N_per_m": _num(None, 0, 1e5, "N/m", "cord stiffness (pulls only when "
                                  "stretched)", required=True),
        "rest_length_m": _num(0, 0, 10, "m", "unstretched length"),
    },
    "output": {
        "svg": _bool(False, "also write figures as SVG"),
    },
    "sweep": {
        "mode": _choice("grid", SWEEP_MODES, "grid: every combination of the values; zip: the "
                        "i-th values of every path together; random: `n` variants drawn "
                        "uniformly from the ranges"),
        "n": Key("integer", None, "number of variants (random only; a grid or zip has as many "
                 "as its values give)", lo=1, default_doc="- (required for random)"),
        "seed": Key("integer", None, "seed of the random draws (random only)", lo=0,
                    null="seed 0"),
        "params": Key("params", None, "the swept values by dotted scenario path (checked "
                      "against the schema when the sweep is planned)", required=True,
                      accepted_doc="a mapping `PATH: VALUES` with VALUES a list, "
                      "`{start: A, stop: B, n: N}` (N evenly spaced values, ends included) or, "
                      "for random, `{low: A, high: B}`"),
    },
}

#: Keys of one phase of a `phases:` strategy ("until" is checked by `_until`).
PHASE_SCHEMA: dict = {
    "name": Key("name", None, "phase name (unique within the strategy)",
                default_doc='"phase N"'),
    "excite": {g: _num(0, 0, 1, "", f"excitation of the {g.replace('_', ' ')}")
               for g in GENERATORS},
    "hold": {
        "hip": {
            "angle_deg": Key("angle_or_start", None, "thigh angle to hold", unit="deg", lo=-90,
                             hi=180, required=True),
            "stiffness_Nm_per_rad": _num(HOLD_STIFFNESS_NM_PER_RAD, 0, 1e6, "N m/rad",
                                         "PD stiffness", lo_open=True),
            "damping_Nms_per_rad": _num(HOLD_DAMPING_NMS_PER_RAD, 0, 1e5, "N m s/rad",
                                        "PD damping"),
        },
        "knee": {
            "angle_deg": Key("angle_or_start", None, "knee flexion to hold", unit="deg",
                             lo=-10, hi=180, required=True),
            "stiffness_Nm_per_rad": _num(HOLD_STIFFNESS_NM_PER_RAD, 0, 1e6, "N m/rad",
                                         "PD stiffness", lo_open=True),
            "damping_Nms_per_rad": _num(HOLD_DAMPING_NMS_PER_RAD, 0, 1e5, "N m s/rad",
                                        "PD damping"),
        },
    },
}

#: CSV headers, exactly (the `t_s` column must increase strictly).
TORQUE_TABLE_COLUMNS = ("t_s", "hip_torque_Nm", "knee_torque_Nm")
HIP_ACCELERATION_COLUMNS = ("t_s", "acc_x_m_s2", "acc_y_m_s2")

#: `end:` keys selecting the end event -> normalised event name.
END_EVENTS = {"thigh_angle_deg": "thigh_angle", "thigh_peak": "thigh_peak",
              "ankle_passes_knee": "ankle_passes_knee", "time_s": "time"}
_EVENT_KEYS = {v: k for k, v in END_EVENTS.items()}

_STRATEGY_FORMS = ("preset", "phases", "torque_table")
_STRATEGY_KEYS = ("name", "kind", "preset", "params", "phases", "torque_table")
_TOP_KEYS = ("name", "description", "extends", "subject", "segments", "buttock", "actuators",
             "initial", "strategies", "end", "integrator", "model", "cord", "output", "sweep")

_GENERATOR_UNITS = {"peak_torque_Nm": "N m", "optimal_angle_deg": "deg",
                    "angle_width_factor": "1/rad", "max_velocity_deg_s": "deg/s",
                    "curvature_velocity_deg_s": "deg/s", "eccentric_ratio": "",
                    "eccentric_slope_ratio": ""}
_GENERATOR_SCHEMA = {k: _num(None, lo, hi, _GENERATOR_UNITS.get(k, ""), null="preset value")
                     for k, (lo, hi) in GENERATOR_KEYS.items()}


def _unit_of(name: str) -> str:
    for suffix, unit in (("_deg_s", "deg/s"), ("_deg", "deg"), ("_Nm_per_rad", "N m/rad"),
                         ("_Nms_per_rad", "N m s/rad"), ("_m", "m"), ("_s", "s")):
        if name.endswith(suffix):
            return unit
    return ""


def _condition_key(quantity: str) -> Key:
    lo = 0.0 if quantity.startswith("time") else None
    return _num(None, lo, None, _unit_of(quantity))


def _param_key(name: str, default: float) -> Key:
    """Accepted values of a strategy-preset parameter, from its name."""
    if name.endswith("_excitation"):
        return _num(default, 0, 1, "")
    if name.endswith("_deg"):
        return _num(default, -180, 180, "deg")
    if name.endswith("_Nm_per_rad"):
        return _num(default, 0, 1e6, "N m/rad", lo_open=True)
    if name.endswith("_Nms_per_rad"):
        return _num(default, 0, 1e5, "N m s/rad")
    if name.endswith("_m"):
        return _num(default, -0.5, 1.0, "m")
    return _num(default, None, None, _unit_of(name))


# =============================================================================================
# Public API
# =============================================================================================
@dataclass(frozen=True)
class Scenario:
    """A validated scenario.

    Attributes
    ----------
    name : scenario name (``data["name"]``)
    path : the scenario file (absolute), or None for data built in Python without a path
    data : plain nested dict, every default filled in, `extends` resolved and removed, user
        units (degrees); layout in docs/architecture.md, "Scenario data"
    files : every file the scenario was read from: the scenario file, its `extends` bases,
        then the CSV tables it names
    """

    name: str
    path: Path | None
    data: dict
    files: tuple[Path, ...] = ()
    _sources: tuple[Path, ...] = field(default=(), repr=False, compare=False)

    def get(self, dotted: str, default=MISSING):
        """Value at a dotted key path, e.g. ``"subject.mass_kg"`` or ``"strategies[1].name"``.

        Paths as written in a scenario file also work where the normalised layout differs:
        ``actuators.<generator>.<key>`` gives the override or else the preset's value,
        ``end.thigh_angle_deg`` (etc.) the end value when that is the end event.
        """
        keys = _parse_dotted(dotted)
        try:
            return _lookup(self.data, keys)
        except (KeyError, IndexError, TypeError):
            pass
        if len(keys) == 3 and keys[0] == "actuators" and keys[1] in GENERATORS \
                and keys[2] in GENERATOR_KEYS:
            act, subj = self.data["actuators"], self.data["subject"]
            over = act["overrides"].get(keys[1], {})
            if keys[2] in over:
                return over[keys[2]]
            gens = preset_generators(act["preset"], subj["sex"], subj["mass_kg"],
                                     subj["height_m"], self.data["model"]["gravity_m_s2"])
            return gens[keys[1]][keys[2]]
        if len(keys) == 2 and keys[0] == "end" and keys[1] in END_EVENTS \
                and self.data["end"]["event"] == END_EVENTS[keys[1]]:
            value = self.data["end"]["value"]
            return True if value is None else value
        if default is not MISSING:
            return default
        raise KeyError(f"{dotted}: no such key in scenario {self.name!r}")

    def replace(self, updates: dict) -> "Scenario":
        """A re-validated copy with values replaced at dotted key paths.

        ``scenario.replace({"subject.mass_kg": 80, "strategies[0].params.hip_flexor_excitation":
        0.8})``. Setting a mapping replaces it whole. File-layout paths work too:
        ``actuators.hip_flexors.peak_torque_Nm`` sets an override, ``end.time_s`` switches the
        end event, ``strategies[i].phases[j].until.<quantity>.<above|below>`` sets or adds a
        condition. Raises `ScenarioError` when the result is not valid.
        """
        data = copy.deepcopy(self.data)
        for dotted, value in updates.items():
            _assign(data, _parse_dotted(dotted), copy.deepcopy(value), dotted, self)
        try:
            return _make(data, {}, self.path, list(self._sources))
        except ScenarioError as err:
            err.note = ((err.note + "; ") if err.note else "") + \
                "after replace(" + ", ".join(map(str, updates)) + ")"
            raise


def load_scenario(path) -> Scenario:
    """Read, merge (`extends`) and validate a scenario file; raises `ScenarioError`."""
    given = Path(path)
    if not given.exists():
        raise ScenarioError("no such file", file=given, found=str(path),
                            accepted="the path of an existing scenario file",
                            note=f"looked for {given.resolve()}")
    if given.is_dir():
        raise ScenarioError("is a directory, not a scenario file", file=given,
                            accepted="the path of a scenario file (.yaml)")
    top = given.resolve()
    data, marks, files = _load_file(top, ())
    return _make(data, marks, top, files)


def validate_data(data: dict, path=None) -> Scenario:
    """Validate a scenario given as a Python dict (same keys as a file; `extends` allowed).

    `path`, when given, is where the data nominally lives: relative paths (`extends`, CSV
    tables) are resolved against its folder (else the working directory), its stem is the
    default name, and errors name it. The data dict is not modified. Normalised data (the
    `data` of a `Scenario`) validates to itself.
    """
    top = Path(path).resolve() if path is not None else None
    if not isinstance(data, dict):
        raise ScenarioError(file=_display(top) if top else None, found=data,
                            accepted="a mapping of scenario keys (" + ", ".join(_TOP_KEYS) + ")")
    data = copy.deepcopy(data)
    merged, marks, bases = _apply_extends(data, {}, top, (top,) if top else ())
    return _make(merged, marks, top, ([top] if top else []) + bases)


def read_table(path, columns, *, key: str | None = None, named_at: str | None = None
               ) -> dict[str, list[float]]:
    """Read a small numeric CSV table and check it; returns column name -> list of floats.

    Rules (docs/scenarios.md, "CSV tables"): UTF-8; the first line is the header and must be
    exactly `columns` (spaces around names are ignored); then at least 2 rows of finite numbers,
    one per column, comma-separated (blank lines and lines starting with ``#`` are skipped);
    the first column (time) strictly increasing. A table that passes can also be read with
    ``numpy.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)``. Errors name the CSV file,
    line and column; `key` (the scenario key path) and `named_at` (where the scenario names the
    table) are added to them.
    """
    path = Path(path)
    shown = _display(path)
    columns = tuple(columns)
    header_text = ",".join(columns)
    note = f"table named at {named_at}" if named_at else None

    def fail(line, problem, accepted, found=MISSING):
        raise ScenarioError(problem, file=shown, line=line, key=key, found=found,
                            accepted=accepted, note=note)

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        fail(None, "not a UTF-8 text file", "a CSV text file in UTF-8")
    except OSError as exc:
        fail(None, f"cannot read the table ({exc.strerror})", "a readable CSV file")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        fail(1 if lines else None, "the first line is not the header" if lines else
             "the table is empty", f"the header line {header_text}, then at least 2 rows")
    header = tuple(c.strip() for c in lines[0].split(","))
    if header != columns:
        fail(1, f"header {lines[0].strip()!r} is not the expected one",
             f"the header line {header_text}", found=lines[0].strip())
    rows: list[list[float]] = []
    for number, line in enumerate(lines[1:], 2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != len(columns):
            fail(number, f"found {len(cells)} values in the row",
                 f"{len(columns)} comma-separated numbers ({header_text})", found=line)
        values = []
        for j, (name, cell) in enumerate(zip(columns, cells), 1):
            try:
                value = float(cell) if "_" not in cell else math.nan
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                fail(number, f"column {j} ({name}): found {describe(cell)}", "a finite number",
                     found=cell)
            values.append(value)
        if rows and values[0] <= rows[-1][0]:
            fail(number, f"column 1 ({columns[0]}): found {values[0]!r}, not greater than the "
                 f"previous row's {rows[-1][0]!r}", f"strictly increasing {columns[0]}",
                 found=values[0])
        rows.append(values)
    if len(rows) < 2:
        fail(None, f"found {len(rows)} data row{'s' if len(rows) != 1 else ''}",
             f"at least 2 rows of numbers below the header {header_text}", found=len(rows))
    return {name: [r[j] for r in rows] for j, name in enumerate(columns)}


# =============================================================================================
# YAML with line numbers
# =============================================================================================
class _Loader(yaml.SafeLoader):
    """SafeLoader that reads scalars as YAML 1.2 does where 1.1 surprises people:
    ``1e-8`` is a number (not text), ``yes``/``no``/``on``/``off`` are text (not booleans)."""


_Loader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                              re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float",
                              re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
                              list("-+0123456789"))


class _Builder:
    """Turns composed YAML nodes into plain values, recording the line of every key and item
    in `marks` (key path tuple -> (file, line)) and rejecting duplicate keys."""

    def __init__(self, loader, file: Path):
        self.loader, self.file = loader, file
        self.marks: dict[tuple, tuple[Path, int]] = {}
        self._active: set[int] = set()

    def fail(self, node, path, problem, accepted=None):
        line = self.marks[path][1] if path in self.marks else node.start_mark.line + 1
        raise ScenarioError(problem, file=_display(self.file), key=_fmt_path(path) or None,
                            line=line, accepted=accepted)

    def build(self, node, path):
        if isinstance(node, yaml.ScalarNode):
            return self.loader.construct_object(node, deep=True)
        if id(node) in self._active:
            self.fail(node, path, "an alias refers to the mapping or list that contains it",
                      "aliases of other nodes")
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                out = []
                for i, item in enumerate(node.value):
                    self.marks[path + (i,)] = (self.file, item.start_mark.line + 1)
                    out.append(self.build(item, path + (i,)))
                return out
            return self._mapping(node, path)
        finally:
            self._active.discard(id(node))

    def _mapping(self, node, path):
        own: dict[str, int] = {}
        merges = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merges.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, path, "a key must be a plain name, not a list or mapping",
                          "key: value pairs with names as keys")
            key, line = key_node.value, key_node.start_mark.line + 1
            if key in own:
                self.fail(key_node, path + (key,), f"duplicate key (first given on line "
                          f"{own[key]})", "each key once in a mapping")
            own[key] = line
        out: dict = {}
        for value_node in merges:   # YAML merge keys: `<<: *anchor` (own keys win)
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) \
                else [value_node]
            for src in reversed(sources):   # earlier sources take precedence
                if not isinstance(src, yaml.MappingNode):
                    self.fail(src, path, "`<<` merges a mapping into a mapping",
                              "an alias of a mapping, or a list of them")
                out.update(self.build(src, path))
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = key_node.value
            self.marks[path + (key,)] = (self.file, own[key])
            out[key] = self.build(value_node, path + (key,))
        return out


def _parse_yaml(file: Path):
    shown = _display(file)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"not a UTF-8 text file (byte {exc.start})", file=shown,
                            accepted="a YAML text file in UTF-8") from None
    except OSError as exc:
        raise ScenarioError(f"cannot read the file ({exc.strerror})", file=shown,
                            accepted="a readable scenario file") from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        builder = _Builder(loader, file)
        data = builder.build(node, ()) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = "invalid YAML: " + (exc.problem or "syntax error")
        if exc.context:
            problem += f" ({exc.context}"
            if exc.context_mark is not None and mark is not exc.context_mark:
                problem += f", line {exc.context_mark.line + 1}"
            problem += ")"
        raise ScenarioError(problem, file=shown, line=None if mark is None else mark.line + 1,
                            column=None if mark is None else mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"invalid YAML: {exc}", file=shown) from None
    finally:
        loader.dispose()
    return data, builder.marks


# =============================================================================================
# extends
# =============================================================================================
def _load_file(file: Path, chain: tuple):
    """Parse `file` and resolve its `extends` chain: (merged data, marks, [file, bases...])."""
    data, marks = _parse_yaml(file)
    if not isinstance(data, dict):
        raise ScenarioError(
            "the file is empty" if data is None else f"the top level is not a mapping: found "
            f"{describe(data)}", file=_display(file), line=1 if data is not None else None,
            found=MISSING if data is None else data,
            accepted="a mapping of scenario keys (" + ", ".join(_TOP_KEYS) + ")")
    merged, marks, bases = _apply_extends(data, marks, file, chain + (file,))
    return merged, marks, [file] + bases


def _apply_extends(data: dict, marks: dict, file: Path | None, chain: tuple):
    ext = data.pop("extends", None)
    if ext is None:
        return data, marks, []
    ctx = _Ctx(file, marks)
    path = ("extends",)
    if not isinstance(ext, str) or not ext.strip():
        ctx.fail(path, found=ext, accepted="the path of a base scenario file, relative to "
                 "this file")
    base = ((file.parent if file else Path.cwd()) / ext).resolve()
    chain_text = " -> ".join(_display(p) for p in chain + (base,))
    if base in chain:
        ctx.fail(path, found=ext, problem=f"extends cycle: {chain_text}",
                 accepted="a chain of base files that ends in a file without `extends`")
    if not base.is_file():
        ctx.fail(path, found=ext, problem=f"base file {_display(base)} not found "
                 f"(chain: {chain_text})",
                 accepted="the path of an existing scenario file, relative to the file "
                 "that names it")
    base_data, base_marks, base_files = _load_file(base, chain)
    dropped: list[tuple] = []
    for key in ("name", "description"):   # not inherited
        if base_data.pop(key, None) is not None:
            dropped.append((key,))
    merged = _merge(base_data, data, (), dropped)
    kept = {p: m for p, m in base_marks.items()
            if not any(p[:len(d)] == d for d in dropped)}
    kept.update(marks)
    return merged, kept, base_files


def _merge(base, child, path, dropped):
    """Deep merge: mappings merge key by key; anything else in `child` replaces."""
    if not (isinstance(base, dict) and isinstance(child, dict)):
        dropped.append(path)
        return child
    out = dict(base)
    if path == ("end",) and any(child.get(k) is not None for k in (*END_EVENTS, "event")):
        for k in (*END_EVENTS, "event", "value"):   # a new end event replaces the base's
            if out.pop(k, MISSING) is not MISSING:
                dropped.append(path + (k,))
    for k, v in child.items():
        out[k] = _merge(out[k], v, path + (k,), dropped) if k in out else v
    return out


# =============================================================================================
# Validation and normalisation
# =============================================================================================
class _Ctx:
    """Where values came from (for error messages) and which tables were read."""

    def __init__(self, top: Path | None, marks: dict):
        self.top, self.marks = top, marks
        self.tables: list[Path] = []

    def locate(self, path):
        p = tuple(path)
        while True:
            if p in self.marks:
                return self.marks[p]
            if not p:
                return self.top, None
            p = p[:-1]

    def fail(self, path, *, found=MISSING, accepted=None, problem=None, note=None):
        file, line = self.locate(path)
        raise ScenarioError(problem, file=_display(file) if file else None,
                            key=_fmt_path(path) or None, line=line, found=found,
                            accepted=accepted, note=note)

    def where(self, path) -> str:
        file, line = self.locate(path)
        text = _display(file) if file else "<scenario>"
        return f"{text}:{line}" if line else text

    def base_dir(self, path) -> Path:
        file, _ = self.locate(path)
        return file.parent if file else Path.cwd()


def _make(raw: dict, marks: dict, top: Path | None, sources: list) -> Scenario:
    ctx = _Ctx(top, marks)
    data = _normalise(raw, ctx)
    sources = tuple(dict.fromkeys(Path(p) for p in sources))
    files = tuple(dict.fromkeys(sources + tuple(ctx.tables)))
    return Scenario(name=data["name"], path=top, data=data, files=files, _sources=sources)


def _normalise(raw: dict, ctx: _Ctx) -> dict:
    _check_keys(raw, (), _TOP_KEYS, ctx)
    out: dict = {}
    name = _check(SCHEMA["name"], raw.get("name"), ("name",), ctx)
    out["name"] = name if name is not None else (ctx.top.stem if ctx.top else "scenario")
    out["description"] = _check(SCHEMA["description"], raw.get("description"),
                                ("description",), ctx)
    out["subject"] = _block(raw.get("subject"), ("subject",), SCHEMA["subject"], ctx)
    out["segments"] = _segments(raw.get("segments"), ctx)
    out["buttock"] = _block(raw.get("buttock"), ("buttock",), SCHEMA["buttock"], ctx)
    out["actuators"] = _actuators(raw.get("actuators"), ctx)
    out["initial"] = _block(raw.get("initial"), ("initial",), SCHEMA["initial"], ctx)
    out["strategies"] = _strategies(raw.get("strategies"), ctx)
    out["end"] = _end(raw.get("end"), ctx)
    out["integrator"] = _block(raw.get("integrator"), ("integrator",), SCHEMA["integrator"], ctx)
    out["model"] = _model(raw.get("model"), ctx)
    cord = raw.get("cord")
    out["cord"] = None if cord is None else _block(cord, ("cord",), SCHEMA["cord"], ctx)
    out["output"] = _block(raw.get("output"), ("output",), SCHEMA["output"], ctx)
    out["sweep"] = _sweep(raw.get("sweep"), ctx)
    return out


def _mapping_text(keys) -> str:
    return "a mapping with keys " + ", ".join(keys)


def _check_keys(mapping: dict, path, accepted, ctx):
    for k in mapping:
        if k not in accepted:
            ctx.fail(path + (k,), found=k, problem="unknown key" + _suggest(k, accepted),
                     accepted=", ".join(accepted))


def _as_mapping(value, path, keys, ctx, what=None) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        ctx.fail(path, found=value, accepted=what or _mapping_text(keys))
    return value


def _block(value, path, spec: dict, ctx, what=None) -> dict:
    mapping = _as_mapping(value, path, spec, ctx, what)
    _check_keys(mapping, path, tuple(spec), ctx)
    out = {}
    for k, sub in spec.items():
        v = mapping.get(k)
        out[k] = _block(v, path + (k,), sub, ctx) if isinstance(sub, dict) \
            else _check(sub, v, path + (k,), ctx)
    return out


def _check(key: Key, value, path, ctx: _Ctx):
    """Check one value against `key`; returns the normalised value (default for null)."""
    if value is None:
        if key.required:
            ctx.fail(path, problem="missing (required)", accepted=key.accepted())
        return key.default
    kind = key.kind
    if kind == "angle_or_start" and value == "start":
        return "start"
    if kind == "integer":
        whole = _is_number(value) and math.isfinite(float(value)) \
            and float(value).is_integer()
        if not whole or (key.lo is not None and value < key.lo) \
                or (key.hi is not None and value > key.hi):
            note = "write numbers without quotes" if isinstance(value, str) \
                and _is_number_text(value) else None
            ctx.fail(path, found=value, accepted=key.accepted(), note=note)
        return int(value)
    if kind in ("number", "angle_or_start"):
        if not _is_number(value):
            note = None
            if isinstance(value, bool):
                note = "true/false is not a number"
            elif isinstance(value, str) and _is_number_text(value):
                note = "write numbers without quotes"
            ctx.fail(path, found=value, accepted=key.accepted(), note=note)
        try:
            x = float(value)
        except OverflowError:
            x = math.inf
        below = key.lo is not None and (x < key.lo or (key.lo_open and x == key.lo))
        above = key.hi is not None and (x > key.hi or (key.hi_open and x == key.hi))
        if not math.isfinite(x) or below or above:
            ctx.fail(path, found=value, accepted=key.accepted())
        return x
    if kind in ("bool", "flag"):
        if type(value).__name__ == "bool_":     # numpy booleans from sweeps
            value = bool(value)
        if not isinstance(value, bool):
            note = "write true or false without quotes" if isinstance(value, str) else None
            ctx.fail(path, found=value, accepted=key.accepted(), note=note)
        if kind == "flag" and not value:
            ctx.fail(path, found=value, problem="false selects nothing",
                     accepted=key.accepted())
        return value
    if kind == "choice":
        if not isinstance(value, str) or value not in key.choices:
            note = None
            if isinstance(value, str):
                hint = _suggest(value, key.choices)
                note = hint.strip()[1:-1] if hint else None
            ctx.fail(path, found=value, accepted=key.accepted(), note=note)
        return value
    if kind == "name":
        if not isinstance(value, str) or not _valid_name(value):
            note = "quote it to make it text" if isinstance(value, (int, float)) else None
            ctx.fail(path, found=value, accepted=key.accepted(), note=note)
        return value
    if kind == "text":
        if not isinstance(value, str):
            ctx.fail(path, found=value, accepted="text", note="quote it to make it text")
        return value
    if kind == "path":
        return _table_path(value, path, key.columns, key.accepted(), ctx)
    raise AssertionError(kind)


def _valid_name(text: str) -> bool:
    return (0 < len(text) <= 100 and text == text.strip() and text not in (".", "..")
            and not any(c in "/\\" or ord(c) < 32 for c in text))


def _is_number(value) -> bool:
    """int or float (numpy scalars included), but not a boolean."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) \
        and type(value).__name__ != "bool_"


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _table_path(value, path, columns, accepted, ctx: _Ctx) -> str:
    if not isinstance(value, str) or not value.strip():
        ctx.fail(path, found=value, accepted=accepted)
    file = (ctx.base_dir(path) / value).resolve()
    if not file.is_file():
        ctx.fail(path, found=value, problem=f"table {_display(file)} not found",
                 accepted=accepted)
    read_table(file, columns, key=_fmt_path(path), named_at=ctx.where(path))
    ctx.tables.append(file)
    return str(file)


def _segments(value, ctx) -> dict:
    out = _block(value, ("segments",), SCHEMA["segments"], ctx)
    for seg, block in out.items():
        if block["com_m"] is not None and block["length_m"] is not None \
                and block["com_m"] >= block["length_m"]:
            ctx.fail(("segments", seg, "com_m"), found=block["com_m"],
                     accepted=f"a number greater than 0 and less than "
                     f"segments.{seg}.length_m ({_fmt(block['length_m'])}) (m)")
    return out


def _actuators(value, ctx) -> dict:
    path = ("actuators",)
    spec = SCHEMA["actuators"]
    keys = (*spec, *GENERATORS, "overrides")
    if isinstance(value, str):
        if value not in ACTUATOR_PRESETS:
            hint = _suggest(value, ACTUATOR_PRESETS)
            ctx.fail(path, found=value, accepted="a preset name (" + ", ".join(ACTUATOR_PRESETS)
                     + ") or " + _mapping_text(keys), note=hint.strip()[1:-1] if hint else None)
        value = {"preset": value}
    mapping = _as_mapping(value, path, keys, ctx, "a preset name (" + ", ".join(ACTUATOR_PRESETS)
                          + ") or " + _mapping_text(keys))
    _check_keys(mapping, path, keys, ctx)
    out = {k: _check(key, mapping.get(k), path + (k,), ctx) for k, key in spec.items()}
    overrides: dict = {g: {} for g in GENERATORS}
    given = _as_mapping(mapping.get("overrides"), path + ("overrides",), GENERATORS, ctx)
    _check_keys(given, path + ("overrides",), GENERATORS, ctx)
    for where, blocks in ((path + ("overrides",), given),
                          (path, {g: mapping.get(g) for g in GENERATORS})):
        for gen, block in blocks.items():
            checked = _block(block, where + (gen,), _GENERATOR_SCHEMA, ctx)
            overrides[gen].update({k: v for k, v in checked.items() if v is not None})
    out["overrides"] = overrides
    return out


def _model(value, ctx) -> dict:
    out = _block(value, ("model",), SCHEMA["model"], ctx)
    acc = out["hip_acceleration"]
    if acc["table"] is not None:
        for k in ("x_m_s2", "y_m_s2"):
            if acc[k] != 0.0:
                ctx.fail(("model", "hip_acceleration", k), found=acc[k],
                         problem=f"found {describe(acc[k])} together with a table",
                         accepted="0 or null when hip_acceleration.table is given")
    return out


def _end(value, ctx) -> dict:
    path = ("end",)
    spec = SCHEMA["end"]
    one_of = ("exactly one end event: thigh_angle_deg, thigh_peak: true, "
              "ankle_passes_knee: true or time_s (plus max_time_s)")
    mapping = _as_mapping(value, path, spec, ctx)
    if "event" in mapping or "value" in mapping:        # the normalised form
        _check_keys(mapping, path, ("event", "value", "max_time_s"), ctx)
        event = _check(Key("choice", None, choices=tuple(_EVENT_KEYS), required=True),
                       mapping.get("event"), path + ("event",), ctx)
        key, value_path = _EVENT_KEYS[event], path + ("value",)
        value_ = mapping.get("value")
        if spec[key].kind == "flag":
            if value_ is not None:
                ctx.fail(value_path, found=value_, accepted=f"null for the event {event}")
        else:
            value_ = _check(Key("number", None, unit=spec[key].unit, lo=spec[key].lo,
                                hi=spec[key].hi, lo_open=spec[key].lo_open, required=True),
                            value_, value_path, ctx)
    else:
        _check_keys(mapping, path, tuple(spec), ctx)
        given = [k for k in END_EVENTS if mapping.get(k) is not None]
        if len(given) > 1:
            ctx.fail(path + (given[1],), problem=f"both {given[0]} and {given[1]} are given",
                     accepted=one_of)
        key = given[0] if given else "thigh_angle_deg"
        event, value_path = END_EVENTS[key], path + (key,)
        value_ = _check(spec[key], mapping.get(key), value_path, ctx)
        if spec[key].kind == "flag":
            value_ = None
    max_time = _check(spec["max_time_s"], mapping.get("max_time_s"), path + ("max_time_s",), ctx)
    if event == "time" and value_ >= max_time:
        ctx.fail(value_path, found=value_,
                 accepted=f"a time less than end.max_time_s ({_fmt(max_time)} s)")
    return {"event": event, "value": value_, "max_time_s": max_time}


# ------------------------------------------------------------------------------ sweep
_SWEEP_VALUES = ("a list of values, {start: A, stop: B, n: N} (N evenly spaced values, ends "
                 "included)")
_SWEEP_RANGE = "{low: A, high: B} (or {start: A, stop: B, n: N}, or a list [A, B])"


def _sweep(value, ctx):
    """The optional `sweep:` block (what `legsim sweep FILE` runs without --param).

    Checked here: structure, kinds and the mode; the swept paths and their values are checked
    against the schema when the sweep is planned (`legsim.sweeps.plan_sweep`, also run by
    `legsim validate`)."""
    path = ("sweep",)
    if value is None:
        return None
    spec = SCHEMA["sweep"]
    mapping = _as_mapping(value, path, spec, ctx)
    _check_keys(mapping, path, tuple(spec), ctx)
    mode = _check(spec["mode"], mapping.get("mode"), path + ("mode",), ctx)
    n = _check(spec["n"], mapping.get("n"), path + ("n",), ctx)
    seed = _check(spec["seed"], mapping.get("seed"), path + ("seed",), ctx)
    if mode == "random" and n is None:
        ctx.fail(path + ("n",), problem="missing (required for mode random)",
                 accepted=spec["n"].accepted())
    if mode != "random" and n is not None:
        ctx.fail(path + ("n",), found=n, problem=f"`n` goes with mode random only (found "
                 f"{describe(n)} with mode {mode})", accepted=f"no n for mode {mode}: it "
                 "has as many variants as its values give")
    ppath = path + ("params",)
    raw = mapping.get("params")
    if raw is None:
        ctx.fail(ppath, problem="missing (required)", accepted=spec["params"].accepted())
    if not isinstance(raw, dict) or not raw:
        ctx.fail(ppath, found=raw, accepted=spec["params"].accepted())
    params, counts = {}, {}
    for dotted, values in raw.items():
        p = ppath + (dotted,)
        if not isinstance(dotted, str):
            ctx.fail(p, found=dotted, problem=f"found the key {describe(dotted)}",
                     accepted="a dotted scenario path such as initial.knee_velocity_deg_s")
        try:
            keys = _parse_dotted(dotted)
        except ScenarioError as err:
            ctx.fail(p, found=dotted, problem=err.message, accepted=err.accepted)
        if keys[0] == "sweep":
            ctx.fail(p, found=dotted, problem="the sweep block cannot sweep itself",
                     accepted="a path of the scenario outside `sweep`")
        params[dotted], counts[dotted] = _sweep_values(values, p, mode, ctx)
    if mode == "zip" and len(set(counts.values())) > 1:
        ctx.fail(ppath, problem="mode zip takes the i-th value of every path together, but the "
                 "paths have different numbers of values (" + ", ".join(
                     f"{k}: {c}" for k, c in counts.items()) + ")",
                 accepted="the same number of values for every path")
    return {"mode": mode, "n": n, "seed": seed, "params": params}


def _sweep_values(values, path, mode, ctx):
    """One swept path's values, normalised: (values, count; count None for a random range)."""
    accepted = _SWEEP_RANGE if mode == "random" else _SWEEP_VALUES

    def number(v, p):
        if not _is_number(v) or not math.isfinite(float(v)):
            ctx.fail(p, found=v, accepted="a finite number")
        return float(v)

    if isinstance(values, list):
        if not values:
            ctx.fail(path, found=values, accepted=accepted)
        out = []
        for i, v in enumerate(values):
            if isinstance(v, (dict, list)) or v is None:
                ctx.fail(path + (i,), found=v, accepted="a number, true/false or text")
            out.append(float(v) if _is_number(v) else v)
        if mode == "random":
            if len(out) != 2 or not all(isinstance(v, float) for v in out):
                ctx.fail(path, found=values, accepted=accepted)
            if out[0] > out[1]:
                ctx.fail(path, found=values, problem=f"low {_fmt(out[0])} is greater than high "
                         f"{_fmt(out[1])}", accepted="low <= high")
        return out, len(out)
    if isinstance(values, dict):
        keys = set(values)
        if keys == {"start", "stop", "n"}:
            n = _check(Key("integer", None, lo=1), values["n"], path + ("n",), ctx)
            out = {"start": number(values["start"], path + ("start",)),
                   "stop": number(values["stop"], path + ("stop",)), "n": n}
            if mode == "random" and out["start"] > out["stop"]:
                ctx.fail(path, found=values, problem=f"start {_fmt(out['start'])} is greater "
                         f"than stop {_fmt(out['stop'])}", accepted="a range with low <= high")
            return out, n
        if keys == {"low", "high"}:
            if mode != "random":
                ctx.fail(path, found=values, problem=f"a range {{low, high}} is for mode random "
                         f"(this sweep is {mode})", accepted=_SWEEP_VALUES)
            out = {"low": number(values["low"], path + ("low",)),
                   "high": number(values["high"], path + ("high",))}
            if out["low"] > out["high"]:
                ctx.fail(path, found=values, problem=f"low {_fmt(out['low'])} is greater than "
                         f"high {_fmt(out['high'])}", accepted="low <= high")
            return out, None
        ctx.fail(path, found=values, accepted=accepted)
    ctx.fail(path, found=values, accepted=accepted,
             note="write one value as a list [V]" if mode != "random" else None)


# ------------------------------------------------------------------------------ strategies
def _strategies(value, ctx) -> list:
    path = ("strategies",)
    accepted = ("a non-empty list of strategies; each a preset name (" + ", ".join(PRESETS)
                + ") or a mapping with `name` and one of preset, phases, torque_table")
    if value is None:
        ctx.fail(path, problem="missing (required)", accepted=accepted)
    if not isinstance(value, list) or not value:
        note = f"write [{value}]" if isinstance(value, str) else None
        ctx.fail(path, found=value, accepted=accepted, note=note)
    out, seen = [], {}
    for i, item in enumerate(value):
        strategy = _strategy(item, path + (i,), ctx)
        name = strategy["name"]
        if name in seen:
            where = path + (i,) if isinstance(item, str) else path + (i, "name")
            ctx.fail(where, found=name, problem=f"duplicate strategy name {name!r} (also "
                     f"strategies[{seen[name]}])", accepted="a name used once in strategies")
        seen[name] = i
        out.append(strategy)
    return out


def _strategy(item, path, ctx) -> dict:
    if isinstance(item, str):
        if item in PRESETS:
            return {"name": item, "kind": "preset", "preset": item,
                    "params": {k: float(v) for k, v in PRESETS[item].items()}}
        if item == "torque_table":
            ctx.fail(path, found=item, problem="`torque_table` needs a mapping with a path",
                     accepted="{name: NAME, torque_table: PATH.csv}")
        ctx.fail(path, found=item, problem=f"unknown strategy preset {item!r}"
                 + _suggest(item, PRESETS),
                 accepted="a preset name (" + ", ".join(PRESETS) + ") or a mapping with "
                 "`name` and one of preset, phases, torque_table")
    what = ("a preset name (" + ", ".join(PRESETS) + ") or a mapping with `name` and one "
            "of preset, phases, torque_table")
    if item is None:
        ctx.fail(path, found=None, accepted=what)
    mapping = _as_mapping(item, path, _STRATEGY_KEYS, ctx, what)
    _check_keys(mapping, path, _STRATEGY_KEYS, ctx)
    name = _check(Key("name", None, required=True), mapping.get("name"), path + ("name",), ctx)
    forms = [k for k in _STRATEGY_FORMS if mapping.get(k) is not None]
    if len(forms) != 1:
        ctx.fail(path, found=mapping, problem="needs exactly one of preset, phases, "
                 "torque_table; found " + (" and ".join(forms) if forms else "none"),
                 accepted="{name: NAME, preset: PRESET} or {name: NAME, phases: [...]} or "
                 "{name: NAME, torque_table: PATH.csv}")
    form = forms[0]
    kind = mapping.get("kind")
    if kind is not None and kind != form:
        ctx.fail(path + ("kind",), found=kind, accepted=f"{form} (or leave `kind` out)")
    if mapping.get("params") is not None and form != "preset":
        ctx.fail(path + ("params",), problem="`params` only goes with `preset`",
                 accepted=f"no params with {form}")
    if form == "preset":
        preset = mapping["preset"]
        if not isinstance(preset, str) or preset not in PRESETS:
            hint = _suggest(preset, PRESETS) if isinstance(preset, str) else ""
            note = "a table replay is written `torque_table: PATH`" \
                if preset == "torque_table" else (hint.strip()[1:-1] if hint else None)
            ctx.fail(path + ("preset",), found=preset, accepted="one of: " + ", ".join(PRESETS),
                     note=note)
        spec = {k: _param_key(k, v) for k, v in PRESETS[preset].items()}
        what = (_mapping_text(spec) if spec else f"no params (the {preset} preset has none)")
        params = _as_mapping(mapping.get("params"), path + ("params",), spec, ctx, what)
        for k in params:
            if k not in spec:
                ctx.fail(path + ("params", k), found=k, problem="unknown parameter of the "
                         f"{preset} preset" + _suggest(k, spec),
                         accepted=", ".join(spec) if spec else "none")
        return {"name": name, "kind": "preset", "preset": preset,
                "params": {k: _check(key, params.get(k), path + ("params", k), ctx)
                           for k, key in spec.items()}}
    if form == "torque_table":
        key = Key("path", None, columns=TORQUE_TABLE_COLUMNS)
        return {"name": name, "kind": "torque_table",
                "torque_table": _check(key, mapping["torque_table"], path + ("torque_table",),
                                       ctx)}
    return {"name": name, "kind": "phases", "phases": _phases(mapping["phases"],
                                                              path + ("phases",), ctx)}


def _phases(value, path, ctx) -> list:
    keys = (*PHASE_SCHEMA, "until")
    if not isinstance(value, list) or not value:
        ctx.fail(path, found=value, accepted="a non-empty list of phases, each "
                 + _mapping_text(keys))
    out, seen = [], {}
    for j, item in enumerate(value):
        p = path + (j,)
        if not isinstance(item, dict):
            ctx.fail(p, found=item, accepted="a phase: " + _mapping_text(keys))
        mapping = item
        _check_keys(mapping, p, keys, ctx)
        name = _check(PHASE_SCHEMA["name"], mapping.get("name"), p + ("name",), ctx)
        name = name if name is not None else f"phase {j + 1}"
        if name in seen:
            ctx.fail(p + ("name",), found=name, problem=f"duplicate phase name {name!r} (also "
                     f"phase {seen[name] + 1})", accepted="a phase name used once per strategy")
        seen[name] = j
        excite = _block(mapping.get("excite"), p + ("excite",), PHASE_SCHEMA["excite"], ctx)
        hold_spec = PHASE_SCHEMA["hold"]
        hold_map = _as_mapping(mapping.get("hold"), p + ("hold",), JOINTS, ctx)
        _check_keys(hold_map, p + ("hold",), JOINTS, ctx)
        hold = {joint: None if hold_map.get(joint) is None else
                _block(hold_map[joint], p + ("hold", joint), hold_spec[joint], ctx)
                for joint in JOINTS}
        until = _until(mapping.get("until"), p + ("until",), ctx)
        out.append({"name": name, "excite": excite, "hold": hold, "until": until})
    endless = [j for j, ph in enumerate(out[:-1]) if not ph["until"]]
    if endless:
        j = endless[0]
        later = ", ".join(repr(ph["name"]) for ph in out[j + 1:])
        ctx.fail(path + (j,), problem=f"phase {out[j]['name']!r} has no `until`, so it lasts "
                 f"until the end event and the phases after it ({later}) are never reached",
                 accepted="an `until` on every phase but the last")
    return out


def _until(value, path, ctx) -> list:
    quantities = tuple(CONDITION_QUANTITIES)
    accepted = ("a mapping {QUANTITY: {above: V} or {below: V}} with QUANTITY one of "
                + ", ".join(quantities))
    if value is None:
        return []
    items = []
    if isinstance(value, dict):
        for q, cond in value.items():
            if q not in CONDITION_QUANTITIES:
                ctx.fail(path + (q,), found=q, problem="unknown quantity" + _suggest(q, quantities),
                         accepted=", ".join(quantities))
            directions = CONDITION_QUANTITIES[q]
            if not isinstance(cond, dict) or not cond:
                note = f"write {{{directions[0]}: {cond}}}" if _is_number(cond) else None
                ctx.fail(path + (q,), found=cond, accepted=f"a mapping with "
                         f"{' and/or '.join(directions)}: a number", note=note)
            for d, v in cond.items():
                if d not in directions:
                    problem = f"{q} cannot be tested {d}" if d in ("above", "below") \
                        else "unknown key" + _suggest(d, directions)
                    ctx.fail(path + (q, d), found=d, problem=problem,
                             accepted=", ".join(directions))
                items.append((q, d, v, path + (q, d)))
    elif isinstance(value, list):      # the normalised form
        for i, cond in enumerate(value):
            p = path + (i,)
            if not isinstance(cond, dict):
                ctx.fail(p, found=cond, accepted="{quantity: Q, above: V} or {quantity: Q, "
                         "below: V}")
            _check_keys(cond, p, ("quantity", "above", "below"), ctx)
            q = _check(Key("choice", None, choices=quantities, required=True),
                       cond.get("quantity"), p + ("quantity",), ctx)
            dirs = [d for d in ("above", "below") if d in cond]
            if len(dirs) != 1 or dirs[0] not in CONDITION_QUANTITIES[q]:
                ctx.fail(p, found=cond, accepted="exactly one of "
                         + ", ".join(CONDITION_QUANTITIES[q]) + f" for {q}")
            items.append((q, dirs[0], cond[dirs[0]], p + (dirs[0],)))
    else:
        ctx.fail(path, found=value, accepted=accepted)
    out = []
    for q, d, v, p in items:
        if v is None:
            ctx.fail(p, problem="missing (required)", accepted=_condition_key(q).accepted())
        out.append({"quantity": q, d: _check(_condition_key(q), v, p, ctx)})
    return out


# =============================================================================================
# Dotted key paths
# =============================================================================================
_PART = re.compile(r"([^\[\]]*)((?:\[\d+\])*)")


def _parse_dotted(dotted: str) -> tuple:
    if not isinstance(dotted, str) or not dotted:
        raise ScenarioError(found=dotted, problem=f"bad key path {dotted!r}",
                            accepted="a dotted key path such as subject.mass_kg or "
                            "strategies[0].params.hip_flexor_excitation")
    keys: list = []
    for part in dotted.split("."):
        m = _PART.fullmatch(part)
        if not m or (not m.group(1) and not m.group(2)):
            raise ScenarioError(found=dotted, problem=f"bad key path {dotted!r}",
                                accepted="a dotted key path such as subject.mass_kg or "
                                "strategies[0].name")
        if m.group(1):
            keys.append(int(m.group(1)) if m.group(1).isdigit() else m.group(1))
        keys.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return tuple(keys)


def _fmt_path(path) -> str:
    text = ""
    for k in path:
        text += f"[{k}]" if isinstance(k, int) else (f".{k}" if text else str(k))
    return text


def _lookup(data, keys):
    for k in keys:
        if isinstance(data, list) and isinstance(k, int):
            data = data[k]
        elif isinstance(data, dict):
            data = data[k]
        else:
            raise KeyError(k)
    return data


def _assign(data: dict, keys: tuple, value, dotted: str, scenario: Scenario):
    """Set `value` at `keys` in normalised `data` (see `Scenario.replace`)."""
    def bad(problem):
        raise ScenarioError(problem, file=_display(scenario.path) if scenario.path else None,
                            key=dotted, accepted="a key path of the scenario (docs/scenarios.md)")

    if len(keys) == 3 and keys[0] == "actuators" and keys[1] in GENERATORS:
        keys = ("actuators", "overrides") + keys[1:]
    if len(keys) == 2 and keys[0] == "end" and keys[1] in END_EVENTS:
        old = data.get("end")
        data["end"] = {"max_time_s": old.get("max_time_s") if isinstance(old, dict) else None,
                       keys[1]: value}
        return
    node = data
    for depth, k in enumerate(keys[:-1]):
        nxt = keys[depth + 1]
        prefix = keys[:depth + 1]
        if isinstance(node, list):
            if not isinstance(k, int) or k >= len(node):
                bad(f"{_fmt_path(prefix)} is not in the scenario (the list has {len(node)} "
                    "items)")
            child = node[k]
        elif isinstance(node, dict):
            child = node.get(k)
        else:
            bad(f"{_fmt_path(keys[:depth])} holds {describe(node)}, not a mapping or list")
        if child is None:
            child = {}
        elif isinstance(child, str) and prefix == ("actuators",):
            child = {"preset": child}
        elif isinstance(child, str) and len(prefix) == 2 and prefix[0] == "strategies":
            child = {"name": child, "preset": child}
        elif isinstance(child, list) and k == "until" and isinstance(nxt, str):
            # file layout `until.<quantity>.<direction>` on the normalised list
            if len(keys) != depth + 3 or keys[-1] not in ("above", "below"):
                bad(f"{dotted}: write until.<quantity>.<above|below>")
            for cond in child:
                if cond.get("quantity") == nxt and keys[-1] in cond:
                    cond[keys[-1]] = value
                    break
            else:
                child.append({"quantity": nxt, keys[-1]: value})
            node[k] = child
            return
        node[k] = child
        node = child
    last = keys[-1]
    if isinstance(node, list):
        if not isinstance(last, int) or last > len(node):
            bad(f"{dotted} is not in the scenario (the list has {len(node)} items)")
        if last == len(node):
            node.append(value)
        else:
            node[last] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        bad(f"{_fmt_path(keys[:-1])} holds {describe(node)}, not a mapping or list")


# =============================================================================================
# Small helpers
# =============================================================================================
def _display(path) -> str:
    """A path as shown to the user: relative to the working directory when below it."""
    if path is None:
        return ""
    path = Path(path)
    try:
        rel = os.path.relpath(path)
    except ValueError:            # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _suggest(word, options) -> str:
    word = str(word)
    options = [str(o) for o in options]
    lower = {o.lower(): o for o in options}
    best = lower.get(word.lower())
    if best is None:
        close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
        best = close[0] if close else None
    return f" (did you mean {best!r}?)" if best else ""


def _fmt(x) -> str:
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e6:
        return str(int(x))
    text = f"{x:g}"
    return text.replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")


def _range_text(lo, hi, lo_open, hi_open, unit) -> str:
    if lo is not None and hi is not None and not lo_open and not hi_open:
        text = f"a number from {_fmt(lo)} to {_fmt(hi)}"
    else:
        parts = []
        if lo is not None:
            parts.append(("greater than " if lo_open else "at least ") + _fmt(lo))
        if hi is not None:
            parts.append(("less than " if hi_open else "at most ") + _fmt(hi))
        text = "a number " + " and ".join(parts) if parts else "a number"
    return text + (f" ({unit})" if unit else "")


# =============================================================================================
# Reference tables for docs/scenarios.md
# =============================================================================================
def _default_text(key: Key) -> str:
    if key.default_doc is not None:
        return key.default_doc
    if key.required:
        return "required"
    if key.default is None:
        return f"null ({key.null})" if key.null else "-"
    if isinstance(key.default, str):
        return f"`{key.default}`" if key.default else '""'
    return f"`{_fmt(key.default)}`"


def _rows(spec: dict, prefix: str):
    for k, sub in spec.items():
        dotted = f"{prefix}.{k}" if prefix else k
        if isinstance(sub, dict):
            yield from _rows(sub, dotted)
        else:
            yield f"| `{dotted}` | {_default_text(sub)} | {sub.accepted()} | {sub.doc} |"


def reference_markdown() -> str:
    """The generated reference tables of docs/scenarios.md (from `SCHEMA` and the presets)."""
    head = "| key | default | accepted | meaning |\n|---|---|---|---|"
    parts = []
    parts.append("#### Top level\n\n" + head + "\n" + "\n".join(
        list(_rows({k: SCHEMA[k] for k in ("name", "description", "extends")}, ""))
        + ["| `strategies` | required | a non-empty list of strategies (see "
           "[Strategies](#strategies)) | what to simulate, each separately |"]))
    for block in ("subject", "segments", "buttock", "actuators", "initial", "end", "integrator",
                  "model", "cord", "output", "sweep"):
        rows = list(_rows(SCHEMA[block], block))
        if block == "actuators":
            rows.append("| `actuators.<generator>.<key>` | preset value | see "
                        "[Torque generators](#torque-generators) | override of one value |")
        parts.append(f"#### `{block}`\n\n" + head + "\n" + "\n".join(rows))
    gen_rows = [f"| `{k}` | {key.accepted()} |" for k, key in _GENERATOR_SCHEMA.items()]
    parts.append("#### Torque generators\n\nGenerators: " + ", ".join(f"`{g}`" for g in GENERATORS)
                 + ". Keys of a generator block (the preset supplies every value not given):\n\n"
                 "| key | accepted |\n|---|---|\n" + "\n".join(gen_rows))
    preset_rows = []
    for preset, params in PRESETS.items():
        if not params:
            preset_rows.append(f"| `{preset}` | (none) | | |")
        for k, v in params.items():
            preset_rows.append(f"| `{preset}` | `{k}` | `{_fmt(float(v))}` | "
                               f"{_param_key(k, v).accepted()} |")
    parts.append("#### Strategy presets and their `params`\n\n| preset | param | default | "
                 "accepted |\n|---|---|---|---|\n" + "\n".join(preset_rows))
    parts.append("#### Phase keys\n\n" + head + "\n" + "\n".join(_rows(PHASE_SCHEMA, "")) +
                 "\n| `until` | none (the phase lasts until the end event) | a mapping "
                 "`{QUANTITY: {above: V} or {below: V}, ...}` | the phase ends when any "
                 "condition is met |")
    cond_rows = [f"| `{q}` | {', '.join(d)} | {_condition_key(q).accepted()} |"
                 for q, d in CONDITION_QUANTITIES.items()]
    parts.append("#### `until` quantities\n\n| quantity | directions | value |\n|---|---|---|\n"
                 + "\n".join(cond_rows))
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":   # python -m legsim.scenario: print the generated reference tables
    print(reference_markdown(), end="")
