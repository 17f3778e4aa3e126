"""Torque-generator presets (sources in docs/model.md, section "Torque generators").

Each generator: torque = activation * T0 * f_angle(angle) * f_velocity(omega), with

- ``f_angle = max(cos(width_factor * (angle - optimal_angle)), 0)`` (the angle shape of
  Anderson, Madigan & Nussbaum 2007; angle = hip flexion or knee flexion, radians);
- ``f_velocity`` a Hill hyperbola for concentric speeds, ``(1 - w/w_max) / (1 + w/w_c)``,
  zero beyond ``w_max``, and a bounded eccentric hyperbola that rises from 1 towards
  ``eccentric_ratio`` with a slope at w = 0 that is ``eccentric_slope_ratio`` times the
  concentric one (Yeadon, King & Wilson 2006).

Values here are in user units (degrees); `legsim.simulate` converts them.
"""
from __future__ import annotations

import math

GENERATORS = ("hip_flexors", "hip_extensors", "knee_flexors", "knee_extensors")

#: Keys of one generator block in a scenario, with units and accepted ranges.
GENERATOR_KEYS = {
    "peak_torque_Nm": (0.0, 2000.0),
    "optimal_angle_deg": (-180.0, 180.0),
    "angle_width_factor": (0.0, 5.0),          # c2 of Anderson et al. (1/rad); 0 = no angle dependence
    "max_velocity_deg_s": (1.0, 10000.0),
    "curvature_velocity_deg_s": (1.0, 1.0e6),
    "eccentric_ratio": (1.0, 3.0),
    "eccentric_slope_ratio": (0.1, 20.0),
}

#: Anderson, Madigan & Nussbaum (2007) Table 3, age 18-25 (transcribed in references.md §5).
#: c1 (peak torque / (m g h)), c2 (1/rad), c3 (rad), c4, c5 (rad/s at 75 % and 50 % of isometric).
ANDERSON_2007 = {
    "male": {
        "hip_extensors": (0.161, 0.958, 0.932, 1.578, 3.190),
        "hip_flexors": (0.113, 0.738, -0.214, 2.095, 4.267),
        "knee_extensors": (0.163, 1.258, 1.133, 1.517, 3.952),
        "knee_flexors": (0.087, 0.869, 0.522, 2.008, 5.233),
    },
    "female": {
        "hip_extensors": (0.181, 0.697, 1.242, 1.567, 3.164),
        "hip_flexors": (0.127, 0.650, -0.350, 2.136, 4.349),
        "knee_extensors": (0.159, 1.187, 1.274, 1.393, 3.623),
        "knee_flexors": (0.080, 0.873, 0.635, 1.698, 4.412),
    },
}

#: Sprinter torque generators: T0, Tmax, w_max (rad/s), w_c (rad/s), from the data file of a
#: torque-driven sprinting model (TomRottier/SprintingModel_julia,
#: data/torque_generator_parameters.csv; references.md §5). Absolute values for the athlete of
#: that model; not scaled by body mass.
SPRINTER_YEADON = {
    "hip_extensors": (645.0, 838.2, 26.0, 7.94),
    "hip_flexors": (302.4, 392.8, 28.0, 4.2),
    "knee_extensors": (522.0, 677.6, 36.0, 5.44),
    "knee_flexors": (453.0, 720.3, 34.1, 5.18),
}

#: Ratio of eccentric to concentric slope of torque-velocity at w = 0 (Yeadon, King & Wilson 2006).
ECCENTRIC_SLOPE_RATIO = 4.3
#: Eccentric plateau / isometric torque for the untrained preset (the sprinter table gives
#: Tmax/T0 = 1.30 for three of its four generators; assumed here).
UNTRAINED_ECCENTRIC_RATIO = 1.3
#: First-order activation dynamics (defaults of OpenSim's Thelen2003Muscle).
ACTIVATION_TIME_S = 0.015
DEACTIVATION_TIME_S = 0.050

ACTUATOR_PRESETS = ("sprinter", "untrained")


def hill_from_anderson(c4: float, c5: float) -> tuple[float, float]:
    """Return (w_max, w_c) of ``(1 - w/w_max)/(1 + w/w_c)`` through Anderson's 75 % and 50 % points.

    Solves ``c4/w_max + 0.75 c4/w_c = 0.25`` and ``c5/w_max + 0.5 c5/w_c = 0.5``.
    """
    # linear system in a = 1/w_max, b = 1/w_c
    a11, a12, r1 = c4, 0.75 * c4, 0.25
    a21, a22, r2 = c5, 0.5 * c5, 0.5
    det = a11 * a22 - a12 * a21
    a = (r1 * a22 - a12 * r2) / det
    b = (a11 * r2 - a21 * r1) / det
    w_max = 1.0 / a
    w_c = 1.0 / b if b > 0 else 1.0e6
    return w_max, w_c


def preset_generators(preset: str, sex: str, mass_kg: float, height_m: float,
                      gravity_m_s2: float = 9.81) -> dict[str, dict[str, float]]:
    """Generator blocks (user units) of an actuator preset for one subject."""
    if preset not in ACTUATOR_PRESETS:
        raise ValueError(f"unknown actuator preset {preset!r}; accepted: {', '.join(ACTUATOR_PRESETS)}")
    anderson = ANDERSON_2007["female" if sex == "female" else "male"]
    out: dict[str, dict[str, float]] = {}
    for gen in GENERATORS:
        c1, c2, c3, c4, c5 = anderson[gen]
        block = {
            "optimal_angle_deg": math.degrees(c3),
            "angle_width_factor": c2,
            "eccentric_slope_ratio": ECCENTRIC_SLOPE_RATIO,
        }
        if preset == "untrained":
            w_max, w_c = hill_from_anderson(c4, c5)
            block.update(
                peak_torque_Nm=c1 * mass_kg * gravity_m_s2 * height_m,
                max_velocity_deg_s=math.degrees(w_max),
                curvature_velocity_deg_s=math.degrees(w_c),
                eccentric_ratio=UNTRAINED_ECCENTRIC_RATIO,
            )
        else:
            t0, tmax, w_max, w_c = SPRINTER_YEADON[gen]
            block.update(
                peak_torque_Nm=t0,
                max_velocity_deg_s=math.degrees(w_max),
                curvature_velocity_deg_s=math.degrees(w_c),
                eccentric_ratio=tmax / t0,
            )
        out[gen] = {k: float(block[k]) for k in GENERATOR_KEYS}
    return out
