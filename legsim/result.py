"""Result containers returned by `legsim.simulate` (plain numpy; pandas only on request)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Columns of trajectory.csv, in order (first the ones fixed by design.md).
TRAJECTORY_COLUMNS = (
    "t_s", "thigh_angle_deg", "knee_flexion_deg", "thigh_velocity_deg_s", "knee_velocity_deg_s",
    "hip_torque_Nm", "knee_torque_Nm", "heel_x_m", "heel_y_m", "heel_buttock_distance_m",
    "shank_angle_deg",
    "hip_active_torque_Nm", "knee_active_torque_Nm", "hip_passive_torque_Nm", "knee_passive_torque_Nm",
    "hip_flexor_capacity_Nm", "hip_extensor_capacity_Nm", "knee_flexor_capacity_Nm",
    "knee_extensor_capacity_Nm",
    "hip_flexors_activation", "hip_extensors_activation", "knee_flexors_activation",
    "knee_extensors_activation",
    "knee_x_m", "knee_y_m", "ankle_x_m", "ankle_y_m", "toe_x_m", "toe_y_m",
    "heel_contact_force_N", "cord_force_N", "hip_moment_of_inertia_kgm2", "phase",
)


@dataclass
class StrategyResult:
    """One simulated recovery.

    Attributes
    ----------
    name : strategy name as in the scenario
    metrics : the metric keys of design.md (SI units, angles in degrees) plus extras
    trajectory : column name -> 1-D array, columns as in `TRAJECTORY_COLUMNS`. Capacities are
        the full-activation torques of each generator at the current angle and velocity, signed
        as joint torques (flexor capacities >= 0, extensor capacities <= 0).
    phases : list of (phase name, start time s, end time s)
    completed : whether the end event was reached
    reason : why the recovery ended (end event, or why it is not completed)
    geometry : fixed points of the drawing: ``buttock_x_m, buttock_y_m, buttock_radius_m``,
        segment lengths ``thigh_length_m, shank_length_m``.
    """

    name: str
    metrics: dict
    trajectory: dict[str, np.ndarray]
    phases: list[tuple[str, float, float]]
    completed: bool
    reason: str
    geometry: dict[str, float] = field(default_factory=dict)

    def to_dataframe(self):
        """The trajectory as a pandas DataFrame (needs pandas)."""
        import pandas as pd  # optional dependency

        return pd.DataFrame({k: self.trajectory[k] for k in self.trajectory})


@dataclass
class Result:
    """All strategies of one scenario, in scenario order."""

    scenario: object
    strategies: dict[str, StrategyResult]

    def metrics(self) -> dict[str, dict]:
        return {name: r.metrics for name, r in self.strategies.items()}

    def __getitem__(self, name: str) -> StrategyResult:
        return self.strategies[name]

    def to_dataframe(self):
        """Metrics as a pandas DataFrame, one row per strategy (needs pandas)."""
        import pandas as pd

        return pd.DataFrame.from_dict(self.metrics(), orient="index")
