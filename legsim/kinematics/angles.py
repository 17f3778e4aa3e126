"""Joint centres to the model's angles, and measured lab data put into the model's sagittal
plane: which lab axis is forward (and whether to mirror), whether y points up, the projection,
and the hip's acceleration (the moving-hip input of inverse dynamics).

Conventions (design.md, "The model"): x forward (direction of travel), y up. Thigh angle θ: the
hip→knee line from the downward vertical, + forward (flexion). Knee flexion φ: the angle
between the thigh and shank lines, 0 straight, + heel toward buttock. Shank angle = θ − φ.
The rules for direction, mirroring and the y axis are in docs/processing.md ("Sagittal plane").
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .filtering import KinematicsError, derivative, lowpass

__all__ = [
    "segment_angle_deg",
    "sagittal_angles",
    "sagittal_projection",
    "TravelDirection",
    "direction_of_travel",
    "check_y_up",
    "SagittalFrame",
    "sagittal_frame",
    "hip_acceleration",
    "OVERGROUND_SPEED_M_S",
]

#: Mean horizontal hip speed (m/s) above which a trial counts as overground and the direction
#: of travel is the hip's displacement (docs/processing.md, "Direction of travel").
OVERGROUND_SPEED_M_S = 0.5
#: Angle (deg) between the direction of travel and the chosen lab axis above which a note warns
#: that the sagittal projection shortens the segments.
_OBLIQUE_NOTE_DEG = 15.0
_AXES = {"x": 0, "y": 1, "z": 2}


def _xy(points, what: str) -> np.ndarray:
    arr = np.asarray(points, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise KinematicsError(what, f"positions of shape {arr.shape}",
                              "an (n, 2) array of sagittal positions (x forward, y up), m")
    return arr


def _wrap_median(angle_rad: np.ndarray) -> np.ndarray:
    """Shift a continuous angle by whole turns so that its median lies in (−π, π]."""
    finite = angle_rad[np.isfinite(angle_rad)]
    if finite.size == 0:
        return angle_rad
    turns = np.round(np.median(finite) / (2.0 * math.pi))
    return angle_rad - turns * 2.0 * math.pi


def _unwrap(angle_rad: np.ndarray) -> np.ndarray:
    """np.unwrap that tolerates NaN (each finite run is unwrapped; runs are joined)."""
    out = angle_rad.copy()
    ok = np.isfinite(out)
    if ok.any():
        out[ok] = np.unwrap(out[ok])
    return out


def segment_angle_deg(proximal, distal) -> np.ndarray:
    """Angle of the proximal→distal line from the downward vertical, + forward, unwrapped.

    ``atan2(dx, −dy)`` with d = distal − proximal in the sagittal plane (x forward, y up):
    0 when the distal point hangs straight below, +90° when it is straight in front.

    Parameters
    ----------
    proximal, distal : array_like
        (n, 2) positions, m.

    Returns
    -------
    numpy.ndarray
        (n,) angle in degrees, continuous (no jumps of 360°), median within (−180, 180].
    """
    p = _xy(proximal, "proximal point")
    d = _xy(distal, "distal point")
    if p.shape != d.shape:
        raise KinematicsError("segment", f"{p.shape[0]} and {d.shape[0]} samples",
                              "the same number of samples for both points")
    delta = d - p
    ang = np.arctan2(delta[:, 0], -delta[:, 1])
    return np.degrees(_wrap_median(_unwrap(ang)))


def sagittal_angles(hip, knee, ankle, *, include_shank: bool = False):
    """Thigh angle and knee flexion from hip, knee and ankle joint centres.

    Parameters
    ----------
    hip, knee, ankle : array_like
        (n, 2) sagittal positions (x forward, y up), m.
    include_shank : bool
        Also return the shank angle (θ − φ, knee→ankle line from the downward vertical).

    Returns
    -------
    thigh_angle_deg : numpy.ndarray
        (n,) θ, hip→knee line from the downward vertical, + forward (flexion).
    knee_flexion_deg : numpy.ndarray
        (n,) φ = θ − shank angle: 0 straight, + heel toward buttock.
    shank_angle_deg : numpy.ndarray
        (n,) only with ``include_shank=True``.

    Notes
    -----
    Each segment angle is unwrapped over time and shifted by whole turns so that its median
    lies in (−180°, 180°]; the knee flexion is shifted the same way. Rows with NaN give NaN.
    """
    thigh = segment_angle_deg(hip, knee)
    shank = segment_angle_deg(knee, ankle)
    knee_flex = np.degrees(_wrap_median(np.radians(thigh - shank)))
    shank = thigh - knee_flex
    if include_shank:
        return thigh, knee_flex, shank
    return thigh, knee_flex


# --------------------------------------------------------------------------- lab axes

def _parse_axis(axis, ndim: int, what: str) -> tuple[int, float]:
    """'x', '-z', '+y', 0, 2 ... -> (index, sign)."""
    if isinstance(axis, (tuple, list)) and len(axis) == 2:
        idx, sign = int(axis[0]), float(axis[1])
    elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
        idx, sign = int(axis), 1.0
    elif isinstance(axis, str) and axis.strip().lower().lstrip("+-") in _AXES:
        text = axis.strip().lower()
        sign = -1.0 if text.startswith("-") else 1.0
        idx = _AXES[text.lstrip("+-")]
    else:
        raise KinematicsError(what, f"axis {axis!r}", "'x', 'y', 'z' (optionally with a sign, "
                              "e.g. '-z') or an index 0, 1, 2")
    if not 0 <= idx < ndim or sign not in (1.0, -1.0):
        names = ", ".join("xyz"[:ndim])
        raise KinematicsError(what, f"axis {axis!r} for {ndim}-D positions",
                              f"one of {names}, optionally with a sign")
    return idx, sign


def sagittal_projection(points, forward_axis="x", up_axis="y") -> np.ndarray:
    """Lab positions to the model's sagittal plane: (forward, up) columns.

    Parameters
    ----------
    points : array_like
        (n, 3) or (n, 2) lab positions, m.
    forward_axis : str or int or (int, sign)
        The lab axis of the direction of travel, with its sign: ``'x'``, ``'-x'``, ``'z'``,
        ... A negative sign mirrors the motion (the subject ran toward −axis).
    up_axis : str or int or (int, sign)
        The vertical lab axis, ``'-y'`` when it points down (image coordinates).

    Returns
    -------
    numpy.ndarray
        (n, 2): column 0 = sign·forward coordinate, column 1 = sign·up coordinate. The third
        (mediolateral) coordinate is dropped.
    """
    arr = np.asarray(points, dtype=float)
    if arr.ndim != 2 or arr.shape[1] not in (2, 3):
        raise KinematicsError("points", f"positions of shape {arr.shape}",
                              "an (n, 2) or (n, 3) array of lab positions")
    fi, fs = _parse_axis(forward_axis, arr.shape[1], "forward_axis")
    ui, us = _parse_axis(up_axis, arr.shape[1], "up_axis")
    if fi == ui:
        raise KinematicsError("forward_axis", f"the same lab axis as up_axis ({'xyz'[fi]})",
                              "two different axes")
    return np.column_stack((fs * arr[:, fi], us * arr[:, ui]))


def check_y_up(hip, ankle, up_axis="y") -> tuple[float, str]:
    """Whether the vertical axis points up: the hip must be above the ankle on average.

    Parameters
    ----------
    hip, ankle : array_like
        (n, 2) or (n, 3) positions.
    up_axis : str or int
        The axis believed vertical (default ``'y'``; its sign is ignored here).

    Returns
    -------
    sign : float
        +1 when the axis points up, −1 when it points down (as image coordinates do): multiply
        that coordinate of every point by `sign`.
    note : str
        '' when it points up, else a sentence saying the axis was flipped.
    """
    h = np.asarray(hip, dtype=float)
    a = np.asarray(ankle, dtype=float)
    idx, _ = _parse_axis(up_axis, h.shape[1], "up_axis")
    height = np.nanmean(h[:, idx] - a[:, idx])
    if not np.isfinite(height):
        raise KinematicsError("hip/ankle", "no sample with both points", "tracked hip and ankle")
    if height >= 0:
        return 1.0, ""
    name = "xyz"[idx]
    return -1.0, (f"the {name} axis points down (the hip is {abs(height):.3g} below the ankle "
                  f"on average, as in image coordinates): {name} was flipped so that it points up")


@dataclass
class TravelDirection:
    """Which horizontal lab axis is the direction of travel (see `direction_of_travel`).

    Attributes
    ----------
    axis : int
        Index of the lab axis (0 x, 1 y, 2 z).
    sign : float
        +1 when the subject moves toward +axis, −1 toward −axis (then x is mirrored).
    method : str
        'hip displacement (overground)', 'foot direction (toe ahead of heel while the foot is
        low)' or
        'foot backward in stance (treadmill)'.
    hip_speed_m_s : float
        Mean horizontal hip speed over the record.
    off_axis_deg : float
        Angle between the detected direction and the chosen lab axis.
    notes : list of str
        Sentences for the user.
    """

    axis: int
    sign: float
    method: str
    hip_speed_m_s: float
    off_axis_deg: float
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The axis as text, e.g. ``'+x'`` or ``'-z'``."""
        return ("+" if self.sign > 0 else "-") + "xyz"[self.axis]


def direction_of_travel(time_s, hip, *, heel=None, toe=None, ankle=None,
                        up_axis="y") -> TravelDirection:
    """Decide which horizontal lab axis (and which sign) is the direction of travel.

    Rules, in order (docs/processing.md, "Direction of travel"):

    1. Overground: the hip's mean horizontal velocity, (last − first) / duration, is at least
       `OVERGROUND_SPEED_M_S`: forward is its direction.
    2. Treadmill, heel and toe tracked: the foot points forward while it is low, so forward is
       the mean heel→toe direction over the samples where the foot is lowest (the lowest 30 %).
    3. Treadmill, one foot point (toe, heel or ankle): in stance the foot is carried backward
       by the belt, so forward is opposite to the foot's mean horizontal velocity relative to
       the hip over the samples where the foot is lowest (the lowest 30 %).

    The lab axis chosen is the horizontal axis nearest to that direction (for 2-D data the
    only one); a note warns when the direction is more than 15° off that axis.

    Parameters
    ----------
    time_s : array_like
        (n,) sample times, s.
    hip : array_like
        (n, 2) or (n, 3) lab positions of the hip (or pelvis), m.
    heel, toe, ankle : array_like, optional
        Lab positions of foot points of one leg.
    up_axis : str or int
        The vertical axis of the lab positions, pointing up (see `check_y_up`).

    Returns
    -------
    TravelDirection
    """
    t = np.asarray(time_s, dtype=float).reshape(-1)
    h = np.asarray(hip, dtype=float)
    if h.ndim != 2 or h.shape[1] not in (2, 3) or h.shape[0] != t.size:
        raise KinematicsError("hip", f"positions of shape {h.shape} for {t.size} times",
                              "an (n, 2) or (n, 3) array with one row per time")
    dim = h.shape[1]
    ui, _ = _parse_axis(up_axis, dim, "up_axis")
    horizontal = [i for i in range(dim) if i != ui]
    ok = np.isfinite(h[:, horizontal]).all(axis=1)
    if ok.sum() < 2:
        raise KinematicsError("hip", "fewer than 2 tracked samples", "a tracked hip")
    first, last = np.flatnonzero(ok)[[0, -1]]
    duration = t[last] - t[first]
    disp = h[last, horizontal] - h[first, horizontal]
    speed = float(np.linalg.norm(disp) / duration) if duration > 0 else 0.0
    notes: list[str] = []
    if speed >= OVERGROUND_SPEED_M_S:
        vec, method = disp, "hip displacement (overground)"
    elif heel is not None and toe is not None:
        toe_a = np.asarray(toe, dtype=float)
        heel_a = np.asarray(heel, dtype=float)
        d = toe_a[:, horizontal] - heel_a[:, horizontal]
        # while the foot is low (stance, or toe-off in a swing-only record) it points forward;
        # in swing it turns with the folding shank and may point back or down
        height = 0.5 * (toe_a[:, ui] + heel_a[:, ui])
        good = np.isfinite(height) & np.isfinite(d).all(axis=1)
        low = good & (height <= np.nanpercentile(height[good], 30.0)) if good.any() else good
        vec = np.mean(d[low], axis=0) if low.any() else np.nanmean(d, axis=0)
        method = "foot direction (toe ahead of heel while the foot is low)"
    else:
        foot = next((p for p in (toe, heel, ankle) if p is not None), None)
        if foot is None:
            raise KinematicsError(
                "direction of travel", f"the hip moves at {speed:.2f} m/s (a treadmill?) and no "
                "foot point was given", "heel and toe, or one foot point (toe, heel or ankle), "
                "or a known forward axis")
        f = np.asarray(foot, dtype=float)
        rel = f[:, horizontal] - h[:, horizontal]
        dt = np.gradient(t)
        vel = np.gradient(rel, axis=0) / dt[:, None]
        height = f[:, ui]
        good = np.isfinite(height) & np.isfinite(vel).all(axis=1)
        low = good & (height <= np.nanpercentile(height[good], 30.0))
        vec = -np.mean(vel[low], axis=0)
        method = "foot backward in stance (treadmill)"
    norm = float(np.linalg.norm(vec))
    if not np.isfinite(norm) or norm == 0.0:
        raise KinematicsError("direction of travel", f"no horizontal motion found ({method})",
                              "a trial with locomotion")
    k = int(np.argmax(np.abs(vec)))
    axis = horizontal[k]
    sign = 1.0 if vec[k] > 0 else -1.0
    off = float(np.degrees(np.arccos(min(1.0, abs(vec[k]) / norm))))
    label = ("+" if sign > 0 else "-") + "xyz"[axis]
    notes.append(f"direction of travel: {label} (from the {method}; hip speed {speed:.2f} m/s)")
    if sign < 0:
        notes.append(f"the subject moves toward {label}: the forward coordinate was mirrored so "
                     "that +x is the direction of travel")
    if off > _OBLIQUE_NOTE_DEG:
        notes.append(f"the direction of travel is {off:.0f}° off the lab {'xyz'[axis]} axis: the "
                     "sagittal projection shortens the segments (by up to "
                     f"{100 * (1 - math.cos(math.radians(off))):.0f} %)")
    return TravelDirection(axis=axis, sign=sign, method=method, hip_speed_m_s=speed,
                           off_axis_deg=off, notes=notes)


@dataclass
class SagittalFrame:
    """The lab-to-model mapping of a trial (made by `sagittal_frame`).

    Attributes
    ----------
    forward_axis, forward_sign : int, float
        Lab axis of the direction of travel and its sign.
    up_axis, up_sign : int, float
        Lab axis of the vertical and its sign (−1 when the file's axis points down).
    notes : list of str
        What was detected and done.
    """

    forward_axis: int
    forward_sign: float
    up_axis: int
    up_sign: float
    notes: list[str] = field(default_factory=list)

    def project(self, points) -> np.ndarray:
        """(n, 2) or (n, 3) lab positions -> (n, 2) model positions (x forward, y up)."""
        return sagittal_projection(points, (self.forward_axis, self.forward_sign),
                                   (self.up_axis, self.up_sign))


def sagittal_frame(time_s, hip, ankle, *, heel=None, toe=None, up_axis="y") -> SagittalFrame:
    """Decide the mapping from lab axes to the model's sagittal plane for one trial.

    First `check_y_up` (flip the vertical if the hip is below the ankle), then
    `direction_of_travel` with the corrected vertical.

    Parameters
    ----------
    time_s : array_like
        (n,) times, s.
    hip, ankle : array_like
        (n, 2) or (n, 3) lab positions of the hip and ankle of one leg.
    heel, toe : array_like, optional
        Lab positions of that foot's heel and toe.
    up_axis : str or int
        The lab axis that is vertical (its direction is checked).

    Returns
    -------
    SagittalFrame
    """
    h = np.asarray(hip, dtype=float)
    ui, _ = _parse_axis(up_axis, h.shape[1], "up_axis")
    up_sign, note = check_y_up(h, ankle, ui)
    notes = [note] if note else []

    def upright(p):
        if p is None:
            return None
        q = np.array(p, dtype=float)
        q[:, ui] *= up_sign
        return q

    travel = direction_of_travel(time_s, upright(h), heel=upright(heel), toe=upright(toe),
                                 ankle=upright(ankle), up_axis=ui)
    notes.extend(travel.notes)
    return SagittalFrame(forward_axis=travel.axis, forward_sign=travel.sign, up_axis=ui,
                         up_sign=up_sign, notes=notes)


# --------------------------------------------------------------------------- hip acceleration

def hip_acceleration(hip_xy, rate_hz, cutoff_hz, order: int = 4, *, time_s=None,
                     notes: list | None = None, source: str | None = None) -> np.ndarray:
    """Acceleration of the hip joint centre: the moving-hip input of inverse dynamics.

    The sagittal hip position is low-pass filtered (`lowpass`, zero lag, Winter's correction)
    and differentiated twice (`derivative`, central differences). These are ``acc_x, acc_y``
    of the equations of motion (docs/equations.md), the acceleration of the hip frame.

    Parameters
    ----------
    hip_xy : array_like
        (n, 2) hip positions, x forward, y up, m.
    rate_hz : float
        Sample rate, Hz.
    cutoff_hz : float
        Cut-off of the low-pass filter, Hz.
    order : int
        Order of the zero-lag filter (default 4).
    time_s, notes, source
        As in `lowpass`.

    Returns
    -------
    numpy.ndarray
        (n, 2) columns ``acc_x, acc_y`` in m/s² (gravity not included).
    """
    hip = _xy(hip_xy, "hip")
    smooth = lowpass(hip, rate_hz, cutoff_hz, order, name="hip", time_s=time_s, notes=notes,
                     source=source)
    return derivative(smooth, rate_hz, order=2)
