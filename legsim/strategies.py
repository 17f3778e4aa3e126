"""Strategy presets and the phase vocabulary (documented in docs/model.md, "Strategies").

A strategy is an ordered list of phases. Each phase sets the excitation (0..1) of the four
torque generators, may *hold* the hip and/or the knee at a target angle with a PD law whose
torque the generators deliver within their current capacity, and ends on the first of its
``until`` conditions (any of). The recovery end event is active in every phase.
"""
from __future__ import annotations

from .model.actuators import GENERATORS

#: Quantities a phase condition may test, with the directions it accepts.
CONDITION_QUANTITIES = {
    "thigh_angle_deg": ("above", "below"),
    "knee_flexion_deg": ("above", "below"),
    "thigh_velocity_deg_s": ("above", "below"),
    "knee_velocity_deg_s": ("above", "below"),
    "heel_buttock_distance_m": ("above", "below"),
    "time_in_phase_s": ("above",),
    "time_s": ("above",),
}

JOINTS = ("hip", "knee")

#: Default PD gains of a hold (model choice, docs/model.md "Holds").
HOLD_STIFFNESS_NM_PER_RAD = 300.0
HOLD_DAMPING_NMS_PER_RAD = 30.0

#: Presets and their parameters (name -> default). `preset: NAME` blocks in a scenario may
#: override any of these under the same names.
PRESETS: dict[str, dict[str, float]] = {
    "knee_drive": {
        "hip_flexor_excitation": 1.0,
        # knee extensors brake once knee flexion exceeds this angle (late braking "if needed")
        "knee_brake_flexion_deg": 150.0,
        "knee_brake_excitation": 1.0,
    },
    "butt_kick": {
        "knee_flexor_excitation": 1.0,
        "thigh_hold_angle_deg": 0.0,
        "heel_buttock_distance_m": 0.0,   # phase 1 ends when the heel reaches the buttock ...
        "knee_flexion_deg": 150.0,        # ... or the knee has flexed this far
        "hip_flexor_excitation": 1.0,
        "hold_stiffness_Nm_per_rad": HOLD_STIFFNESS_NM_PER_RAD,
        "hold_damping_Nms_per_rad": HOLD_DAMPING_NMS_PER_RAD,
    },
    "passive": {},
    # torque_table is not a phase preset: it takes `torque_table: PATH` (see scenario docs)
}
PRESET_NAMES = tuple(PRESETS) + ("torque_table",)


def _excite(**values: float) -> dict[str, float]:
    out = {g: 0.0 for g in GENERATORS}
    out.update(values)
    return out


def _hold(angle, stiffness=HOLD_STIFFNESS_NM_PER_RAD, damping=HOLD_DAMPING_NMS_PER_RAD):
    return {"angle_deg": angle, "stiffness_Nm_per_rad": float(stiffness),
            "damping_Nms_per_rad": float(damping)}


def preset_phases(preset: str, params: dict[str, float] | None = None) -> list[dict]:
    """The phase list of a preset, in the normalised form of docs/architecture.md."""
    p = dict(PRESETS[preset])
    p.update(params or {})
    if preset == "passive":
        return [{"name": "ballistic", "excite": _excite(), "hold": {"hip": None, "knee": None},
                 "until": []}]
    if preset == "knee_drive":
        return [
            {"name": "drive", "excite": _excite(hip_flexors=p["hip_flexor_excitation"]),
             "hold": {"hip": None, "knee": None},
             "until": [{"quantity": "knee_flexion_deg", "above": p["knee_brake_flexion_deg"]}]},
            {"name": "drive_and_brake",
             "excite": _excite(hip_flexors=p["hip_flexor_excitation"],
                               knee_extensors=p["knee_brake_excitation"]),
             "hold": {"hip": None, "knee": None}, "until": []},
        ]
    if preset == "butt_kick":
        gains = (p["hold_stiffness_Nm_per_rad"], p["hold_damping_Nms_per_rad"])
        return [
            {"name": "heel_to_buttock", "excite": _excite(knee_flexors=p["knee_flexor_excitation"]),
             "hold": {"hip": _hold(p["thigh_hold_angle_deg"], *gains), "knee": None},
             "until": [{"quantity": "heel_buttock_distance_m", "below": p["heel_buttock_distance_m"]},
                       {"quantity": "knee_flexion_deg", "above": p["knee_flexion_deg"]}]},
            {"name": "knee_forward", "excite": _excite(hip_flexors=p["hip_flexor_excitation"]),
             "hold": {"hip": None, "knee": _hold("start", *gains)}, "until": []},
        ]
    raise ValueError(f"unknown preset {preset!r}")
