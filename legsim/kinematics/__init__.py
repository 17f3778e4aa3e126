"""Processing of measured kinematics for inverse dynamics: filtering, residual analysis,
derivatives, joint centres to the model's angles, the lab-to-sagittal mapping, the hip's
acceleration, and detection of toe-off and touchdown from kinematics.

Arrays in, arrays out (SI units, sample rate in Hz, units in the names at the boundary). The
methods, formulas, defaults and their sources are in docs/processing.md.

- `lowpass`, `residual_analysis`, `choose_cutoff`, `derivative`, `resample_uniform`,
  `fill_gaps` (module `legsim.kinematics.filtering`);
- `sagittal_angles`, `segment_angle_deg`, `sagittal_projection`, `direction_of_travel`,
  `check_y_up`, `sagittal_frame`, `hip_acceleration` (`legsim.kinematics.angles`);
- `detect_swings`, `force_events`, `assign_contacts`, `event_accuracy`
  (`legsim.kinematics.events`).
"""
from __future__ import annotations

from .angles import (OVERGROUND_SPEED_M_S, SagittalFrame, TravelDirection, check_y_up,
                     direction_of_travel, hip_acceleration, sagittal_angles, sagittal_frame,
                     sagittal_projection, segment_angle_deg)
from .filtering import (DEFAULT_CUTOFF_HZ, MAX_GAP_SAMPLES, CutoffChoice, KinematicsError,
                        ResidualAnalysis, choose_cutoff, derivative, fill_gaps, lowpass,
                        resample_uniform, residual_analysis, single_pass_cutoff_hz)

__all__ = [
    "KinematicsError", "DEFAULT_CUTOFF_HZ", "MAX_GAP_SAMPLES",
    "lowpass", "single_pass_cutoff_hz", "fill_gaps", "residual_analysis", "choose_cutoff",
    "ResidualAnalysis", "CutoffChoice", "derivative", "resample_uniform",
    "segment_angle_deg", "sagittal_angles", "sagittal_projection", "direction_of_travel",
    "TravelDirection", "check_y_up", "sagittal_frame", "SagittalFrame", "hip_acceleration",
    "OVERGROUND_SPEED_M_S",
    "Swing", "Contact", "EventAccuracy", "detect_swings", "force_events", "assign_contacts",
    "event_accuracy",
]

_EVENTS = ("Swing", "Contact", "EventAccuracy", "detect_swings", "force_events",
           "assign_contacts", "event_accuracy")


def __getattr__(name):
    # events are imported on first use, so that ``python -m legsim.kinematics.events`` runs
    # the module once
    if name in _EVENTS:
        from . import events

        return getattr(events, name)
    raise AttributeError(f"module 'legsim.kinematics' has no attribute {name!r}")
