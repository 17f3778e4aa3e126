"""Metrics of one recovery (keys of design.md; SI units, angles in degrees).

Peaks and minima are taken over the output samples (every ``integrator.output_interval_s`` plus
every event time); impulses and work are integrated by the ODE solver itself as quadrature
states, so their accuracy is the integrator's.
"""
from __future__ import annotations

import numpy as np

#: The metric keys fixed by design.md, in report order.
METRIC_KEYS = (
    "recovery_time_s", "completed",
    "peak_hip_flexion_torque_Nm", "peak_hip_extension_torque_Nm",
    "peak_knee_flexion_torque_Nm", "peak_knee_extension_torque_Nm",
    "hip_flexion_impulse_Nms", "hip_positive_work_J", "hip_negative_work_J",
    "knee_positive_work_J", "knee_negative_work_J",
    "peak_thigh_angular_velocity_deg_s", "max_knee_flexion_deg",
    "min_heel_buttock_distance_m", "thigh_angle_at_min_heel_buttock_distance_deg",
    "min_hip_moment_of_inertia_kgm2", "heel_contact_impulse_Ns",
)

UNITS = {
    "recovery_time_s": "s", "peak_hip_flexion_torque_Nm": "N m", "peak_hip_extension_torque_Nm": "N m",
    "peak_knee_flexion_torque_Nm": "N m", "peak_knee_extension_torque_Nm": "N m",
    "hip_flexion_impulse_Nms": "N m s", "hip_positive_work_J": "J", "hip_negative_work_J": "J",
    "knee_positive_work_J": "J", "knee_negative_work_J": "J",
    "peak_thigh_angular_velocity_deg_s": "deg/s", "max_knee_flexion_deg": "deg",
    "min_heel_buttock_distance_m": "m", "thigh_angle_at_min_heel_buttock_distance_deg": "deg",
    "min_hip_moment_of_inertia_kgm2": "kg m^2", "heel_contact_impulse_Ns": "N s",
}


def compute_metrics(traj: dict[str, np.ndarray], final_quadrature: dict[str, float],
                    completed: bool, t_end: float) -> dict:
    """Metrics from a trajectory (columns of `legsim.result.TRAJECTORY_COLUMNS`).

    Extension peaks are reported as positive magnitudes (the largest extensor torque);
    negative work is reported as a negative number of joules.
    """
    hip = traj["hip_torque_Nm"]
    knee = traj["knee_torque_Nm"]
    gap = traj["heel_buttock_distance_m"]
    i_min = int(np.argmin(gap))
    m = {
        "recovery_time_s": float(t_end) if completed else None,
        "completed": bool(completed),
        "peak_hip_flexion_torque_Nm": float(max(hip.max(), 0.0)),
        "peak_hip_extension_torque_Nm": float(max(-hip.min(), 0.0)),
        "peak_knee_flexion_torque_Nm": float(max(knee.max(), 0.0)),
        "peak_knee_extension_torque_Nm": float(max(-knee.min(), 0.0)),
        "hip_flexion_impulse_Nms": final_quadrature["hip_flexion_impulse"],
        "hip_positive_work_J": final_quadrature["hip_positive_work"],
        "hip_negative_work_J": final_quadrature["hip_negative_work"],
        "knee_positive_work_J": final_quadrature["knee_positive_work"],
        "knee_negative_work_J": final_quadrature["knee_negative_work"],
        "peak_thigh_angular_velocity_deg_s": float(traj["thigh_velocity_deg_s"].max()),
        "max_knee_flexion_deg": float(traj["knee_flexion_deg"].max()),
        "min_heel_buttock_distance_m": float(gap[i_min]),
        "thigh_angle_at_min_heel_buttock_distance_deg": float(traj["thigh_angle_deg"][i_min]),
        "min_hip_moment_of_inertia_kgm2": float(traj["hip_moment_of_inertia_kgm2"].min()),
        "heel_contact_impulse_Ns": final_quadrature["heel_contact_impulse"],
    }
    # extras (more may be added; the keys above never change)
    m["simulated_time_s"] = float(t_end)
    m["peak_heel_contact_force_N"] = float(traj["heel_contact_force_N"].max())
    m["time_of_min_heel_buttock_distance_s"] = float(traj["t_s"][i_min])
    m["peak_hip_active_torque_Nm"] = float(traj["hip_active_torque_Nm"].max())
    return m
