"""Joint centres of one leg from marker data, in the sagittal plane: hip, knee, ankle (and heel,
toe when the markers allow), +x the direction of travel, +y up, metres.

Four marker sets are recognised (docs/inverse_dynamics.md, "Joint centres", lists every name):

- **2-D points** (design CSV markers, Kinovea): the tracked points *are* the joint centres
  (``hip``, ``knee``, ``ankle``, optional ``heel``, ``toe``, or any alias of
  `legsim.io.standard_marker_names`, such as Kinovea's French ``Hanche``, ``Genou``,
  ``Malleole``).
- **Joint-centre markers** (3-D): ``RHJC``, ``RKJC``, ``RAJC`` (OpenSim / Vicon style) when they
  hold data.
- **Rajagopal et al. (2016) full-body set** (BMClab TRC): knee = midpoint of the femoral condyles
  ``RLFCv``/``RMFCv``, ankle = midpoint of the malleoli ``RLMALv``/``RMMALv``, hip from the pelvis
  markers ``RASI``, ``LASI``, ``RPSI``, ``LPSI`` with the regression of Harrington et al. (2007).
- **Cluster set with a static trial** (Fukuchi et al. 2017, Running Injury Clinic style): knee
  and ankle are placed in the static trial (midpoints of ``R.Knee``/``R.Knee.Medial`` and
  ``R.Ankle``/``R.Ankle.Medial``), expressed in the thigh and shank cluster frames by a
  least-squares rigid fit (Soderkvist & Wedin 1993), and rebuilt in every frame of the motion;
  hip from ``R.ASIS``, ``L.ASIS``, ``R.PSIS``, ``L.PSIS`` with Harrington et al. (2007).

Points are put in the model's sagittal plane by `legsim.kinematics.angles.sagittal_frame`
(vertical axis, direction of travel and mirroring detected and reported in
``JointCentres.notes``). A marker set that lacks markers
raises `MarkerSetError` naming the file and every missing marker.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from legsim.errors import LegsimError

__all__ = [
    "JointCentres", "MarkerSetError", "joint_centres", "harrington_hip_centre", "rigid_fit",
    "cluster_point",
]

# Harrington et al. (2007), hip joint centre in the pelvis frame (origin mid-ASIS, x anterior,
# y superior, z toward the hip's side), mm, from pelvic depth PD, pelvic width PW and leg length
# LL (all mm). Coefficients as in docs/inverse_dynamics.md (with their source).
_HARRINGTON_X = (-0.24, 0.0, 0.0, -9.9)    # (PD, PW, LL, constant)
_HARRINGTON_Y = (0.0, -0.16, -0.04, -7.1)
_HARRINGTON_Z = (0.28, 0.16, 0.0, 7.9)


class MarkerSetError(LegsimError):
    """Markers needed for the joint centres are missing (message names the file and markers)."""


@dataclass
class JointCentres:
    """Sagittal joint-centre trajectories of one leg.

    Attributes
    ----------
    time_s : (n,) float64
    points : dict name -> (n, 2) float64
        ``hip``, ``knee``, ``ankle`` always; ``heel``, ``toe`` when available. Metres in the lab
        (x along the direction of travel, y up), NaN where a marker was missing.
    source : str
        The motion's file as given.
    side : str
        ``right`` or ``left`` (``unknown`` for 2-D points, which name no side).
    method : dict name -> str
        How each point was obtained, in words.
    notes : list of str
        What was detected or assumed (axes, direction of travel, leg length used ...).
    """

    time_s: np.ndarray
    points: dict
    source: str
    side: str
    method: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    def segment_lengths(self) -> dict:
        """Median hip-knee and knee-ankle distances over the frames, m:
        ``{"thigh_length_m": ..., "shank_length_m": ...}``."""
        hip, knee, ankle = self.points["hip"], self.points["knee"], self.points["ankle"]
        return {
            "thigh_length_m": float(np.nanmedian(np.hypot(*(knee - hip).T))),
            "shank_length_m": float(np.nanmedian(np.hypot(*(ankle - knee).T))),
        }


# --------------------------------------------------------------------------------------------
# Geometry helpers (numpy, any number of frames)
# --------------------------------------------------------------------------------------------

def _unit(v):
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / n


def harrington_hip_centre(rasi, lasi, rpsi, lpsi, side="right", leg_length_m=None):
    """Hip joint centre (n, 3), metres, lab axes, by Harrington et al. (2007).

    Parameters
    ----------
    rasi, lasi, rpsi, lpsi : (n, 3) arrays, metres
        Right/left anterior and posterior superior iliac spine markers.
    side : 'right' or 'left'
    leg_length_m : float, optional
        ASIS to medial malleolus, standing. Without it the leg-length term is evaluated with
        ``LL = 2.2 PW`` (a typical adult ratio; the term is 0.04 LL, so a 10 % error in LL moves
        the centre by about 4 mm).

    Notes
    -----
    Pelvic width PW (inter-ASIS distance) and depth PD (mid-ASIS to mid-PSIS) are the medians
    over the frames (the pelvis is rigid; the medians damp skin-marker noise). The pelvis frame
    is rebuilt in every frame: origin mid-ASIS, z from the opposite ASIS toward this side's,
    x anterior (mid-PSIS to mid-ASIS, made normal to z), y = z x x for the right side.
    """
    rasi, lasi, rpsi, lpsi = (np.asarray(a, dtype=float) for a in (rasi, lasi, rpsi, lpsi))
    mid_asis = 0.5 * (rasi + lasi)
    mid_psis = 0.5 * (rpsi + lpsi)
    pw_mm = 1000.0 * float(np.nanmedian(np.linalg.norm(rasi - lasi, axis=-1)))
    pd_mm = 1000.0 * float(np.nanmedian(np.linalg.norm(mid_asis - mid_psis, axis=-1)))
    ll_mm = 2.2 * pw_mm if leg_length_m is None else 1000.0 * float(leg_length_m)
    x_mm, y_mm, z_mm = (c[0] * pd_mm + c[1] * pw_mm + c[2] * ll_mm + c[3]
                        for c in (_HARRINGTON_X, _HARRINGTON_Y, _HARRINGTON_Z))
    z_right = _unit(rasi - lasi)
    ant = mid_asis - mid_psis
    x_axis = _unit(ant - np.sum(ant * z_right, axis=-1, keepdims=True) * z_right)
    y_axis = np.cross(z_right, x_axis)
    lateral = z_right if side == "right" else -z_right
    return mid_asis + (x_mm * x_axis + y_mm * y_axis + z_mm * lateral) / 1000.0


def rigid_fit(reference, frames):
    """Least-squares rigid motion of a marker cluster (Soderkvist & Wedin 1993, SVD).

    Parameters
    ----------
    reference : (k, 3) array
        Cluster marker positions in the reference (static) pose, k >= 3.
    frames : (n, k, 3) array
        The same markers in every frame; NaN marks a missing marker (a frame needs 3).

    Returns
    -------
    rotation : (n, 3, 3), translation : (n, 3)
        ``frames[i, j] ~= rotation[i] @ reference[j] + translation[i]``; NaN in frames with
        fewer than 3 markers.
    """
    reference = np.asarray(reference, dtype=float)
    frames = np.asarray(frames, dtype=float)
    n = frames.shape[0]
    rotation = np.full((n, 3, 3), np.nan)
    translation = np.full((n, 3), np.nan)
    present = np.all(np.isfinite(frames), axis=2)          # (n, k)
    for mask in {tuple(row) for row in present}:
        mask_arr = np.array(mask, dtype=bool)
        if mask_arr.sum() < 3:
            continue
        rows = np.all(present == mask_arr, axis=1)
        a = reference[mask_arr]                             # (m, 3)
        b = frames[rows][:, mask_arr]                       # (r, m, 3)
        a_c = a.mean(axis=0)
        b_c = b.mean(axis=1)                                # (r, 3)
        h = np.einsum("mi,rmj->rij", a - a_c, b - b_c[:, None, :])
        u, _s, vt = np.linalg.svd(h)
        d = np.sign(np.linalg.det(np.einsum("rji,rkj->rik", vt, u)))   # det(V U^T)
        fix = np.ones((h.shape[0], 3))
        fix[:, 2] = d
        rot = np.einsum("rji,rj,rkj->rik", vt, fix, u)                  # V diag(1,1,d) U^T
        rotation[rows] = rot
        translation[rows] = b_c - np.einsum("rij,j->ri", rot, a_c)
    return rotation, translation


def cluster_point(static_cluster, static_point, frames):
    """Rebuild a point known in the static pose from the motion of its cluster.

    ``static_cluster`` (k, 3) and ``static_point`` (3,) are static-trial positions; ``frames``
    (n, k, 3) the cluster in the motion. Returns (n, 3).
    """
    rotation, translation = rigid_fit(static_cluster, frames)
    return np.einsum("nij,j->ni", rotation, np.asarray(static_point, dtype=float)) + translation


# --------------------------------------------------------------------------------------------
# Marker lookup
# --------------------------------------------------------------------------------------------

def _key(name: str) -> str:
    return re.sub(r"[\s._\-]", "", name).lower()


def _has_data(arr) -> bool:
    return arr is not None and bool(np.any(np.isfinite(arr)))


class _Markers:
    """Case-insensitive marker lookup of a motion (or of a static trial)."""

    def __init__(self, motion, label):
        self.motion = motion
        self.label = label
        self.by_key = {}
        for name, arr in (getattr(motion, "markers", None) or {}).items():
            self.by_key.setdefault(_key(name), (name, np.asarray(arr, dtype=float)))

    def get(self, name):
        hit = self.by_key.get(_key(name))
        return None if hit is None or not _has_data(hit[1]) else hit[1]

    def need(self, names):
        return [n for n in names if self.get(n) is None]

    @property
    def dims(self):
        for _name, arr in self.by_key.values():
            return arr.shape[1]
        return 0

    @property
    def source(self):
        return str(getattr(self.motion, "source", "<motion>"))


def _side_prefix(side: str) -> tuple[str, str]:
    if side not in ("right", "left"):
        raise LegsimError(f"side: found {side!r}; accepted: 'right' or 'left'")
    return ("R", "L") if side == "right" else ("L", "R")


def _rajagopal_names(side):
    s, o = _side_prefix(side)
    return {
        "pelvis": [f"{s}ASI", f"{o}ASI", f"{s}PSI", f"{o}PSI"],
        "knee": [f"{s}LFCv", f"{s}MFCv"], "knee_alt": [f"{s}LFC", f"{s}MFC"],
        "ankle": [f"{s}LMALv", f"{s}MMALv"], "ankle_alt": [f"{s}LMAL", f"{s}MMAL"],
        "heel": f"{s}CAL", "toe": f"{s}TOE",
    }


def _cluster_names(side):
    s, o = _side_prefix(side)
    seg = ("Top.Lateral", "Bottom.Lateral", "Top.Medial", "Bottom.Medial")
    return {
        "pelvis": [f"{s}.ASIS", f"{o}.ASIS", f"{s}.PSIS", f"{o}.PSIS"],
        "thigh": [f"{s}.Thigh.{p}" for p in seg],
        "shank": [f"{s}.Shank.{p}" for p in seg],
        "knee_static": [f"{s}.Knee", f"{s}.Knee.Medial"],
        "ankle_static": [f"{s}.Ankle", f"{s}.Ankle.Medial"],
        "heel": f"{s}.Heel.Bottom", "toe": [f"{s}.MT1", f"{s}.MT5"],
    }


def _static_mean(mk: _Markers, name):
    arr = mk.get(name)
    return None if arr is None else np.nanmean(arr, axis=0)


def _missing_error(source, set_name, missing, extra=""):
    return MarkerSetError(
        f"{source}: marker set '{set_name}': missing marker{'s' if len(missing) > 1 else ''} "
        f"{', '.join(missing)}{extra}; accepted sets are listed in docs/inverse_dynamics.md "
        f"(2-D hip/knee/ankle points, RHJC/RKJC/RAJC, the Rajagopal set, the cluster set with a "
        f"static trial)")


def _pelvis_hip(mk: _Markers, pelvis, side, leg_length):
    """Hip centre (n, 3) by `harrington_hip_centre` from the pelvis markers named
    ``[this side's ASIS, other ASIS, this side's PSIS, other PSIS]``, and its method text."""
    s_asi, o_asi, s_psi, o_psi = (mk.get(n) for n in pelvis)
    rasi, lasi = (s_asi, o_asi) if side == "right" else (o_asi, s_asi)
    rpsi, lpsi = (s_psi, o_psi) if side == "right" else (o_psi, s_psi)
    return (harrington_hip_centre(rasi, lasi, rpsi, lpsi, side, leg_length),
            f"Harrington et al. (2007) regression from {', '.join(pelvis)}")


# --------------------------------------------------------------------------------------------
# Main entry
# --------------------------------------------------------------------------------------------

def joint_centres(motion, *, side: str = "right", static=None,
                  leg_length_m: float | None = None) -> JointCentres:
    """Sagittal hip, knee, ankle (heel, toe) trajectories of one leg from a marker motion.

    Parameters
    ----------
    motion : legsim.io.Motion (or any object with ``time_s``, ``markers``, ``source``)
        Markers in metres, lab axes; 2-D (n, 2) or 3-D (n, 3).
    side : 'right' or 'left'
        The leg, for 3-D marker sets (2-D points name no side).
    static : Motion, optional
        A static standing trial with the same cluster markers plus the anatomical ones
        (needed by the cluster marker set).
    leg_length_m : float, optional
        Measured leg length (ASIS to medial malleolus, standing) for the hip regression;
        without it, it is taken from the static trial, or else from the motion (see notes).

    Raises
    ------
    MarkerSetError
        When no recognised set is complete; the message names the file and the missing markers
        of the set that came closest.
    """
    mk = _Markers(motion, "motion")
    if not mk.by_key:
        raise MarkerSetError(f"{mk.source}: no marker trajectories in this file; accepted: 2-D "
                             f"or 3-D markers (see docs/inverse_dynamics.md, 'Joint centres')")
    time_s = np.asarray(motion.time_s, dtype=float)
    _side_prefix(side)
    if mk.dims == 2:
        return _from_named_points(mk, time_s, side)
    # 3-D: joint-centre markers, then the Rajagopal set, then the cluster set (2-D aliases
    # such as 'R.Knee' or 'GTR' name lateral skin markers in 3-D sets, not joint centres)
    attempts = []     # (set name, missing markers, markers found, extra text)
    s = "R" if side == "right" else "L"
    jc = [f"{s}HJC", f"{s}KJC", f"{s}AJC"]
    if not mk.need(jc):
        return _from_jc_markers(mk, time_s, side, jc)
    attempts.append(("joint-centre markers", mk.need(jc), 3 - len(mk.need(jc)), ""))
    raj = _rajagopal_names(side)
    knee = min((raj["knee"], raj["knee_alt"]), key=lambda names: len(mk.need(names)))
    ankle = min((raj["ankle"], raj["ankle_alt"]), key=lambda names: len(mk.need(names)))
    wanted = raj["pelvis"] + knee + ankle
    miss_raj = mk.need(wanted)
    if not miss_raj:
        return _from_rajagopal(mk, time_s, side, raj, knee, ankle, leg_length_m)
    attempts.append(("Rajagopal", miss_raj, len(wanted) - len(miss_raj), ""))
    cl = _cluster_names(side)
    wanted = cl["pelvis"] + cl["thigh"] + cl["shank"]
    miss_cl = mk.need(wanted)
    found = len(wanted) - len(miss_cl)
    if static is None:
        if not miss_cl:       # the cluster set is complete: only the static trial is missing
            raise MarkerSetError(
                f"{mk.source}: found the thigh and shank marker clusters of the cluster set but "
                "no static trial to place the joint centres in them; accepted: the static "
                "standing trial of the same session with --static FILE (static= in Python)")
        attempts.append(("cluster + static trial", miss_cl + ["(static trial)"], found,
                         " and a static trial (--static FILE)"))
    else:
        st = _Markers(static, "static")
        miss_st = [f"{n} (static)" for n in
                   st.need(cl["thigh"] + cl["shank"] + cl["knee_static"] + cl["ankle_static"])]
        if not miss_cl and not miss_st:
            return _from_clusters(mk, st, time_s, side, cl, leg_length_m)
        attempts.append(("cluster + static trial", miss_cl + miss_st, found, ""))
    set_name, missing, _found, extra = min(attempts, key=lambda a: (len(a[1]), -a[2]))
    raise _missing_error(mk.source, set_name, missing, extra)


def _finish(mk, time_s, side, pts, method, notes, up_axis=None, layout_forward=False):
    """Project lab points on the sagittal plane (legsim.kinematics.angles.sagittal_frame) and
    build the result. ``up_axis``: the lab axis believed vertical; by default, for 3-D
    points, the axis along which the hip lies farthest from the ankle."""
    from .angles import sagittal_frame

    if up_axis is None:
        up_axis = int(np.nanargmax(np.abs(np.nanmean(pts["hip"] - pts["ankle"], axis=0))))
        notes.append(f"vertical axis: {'XYZ'[up_axis]} of the lab (the hip lies farthest from "
                     f"the ankle along it)")
    frame = sagittal_frame(time_s, pts["hip"], pts["ankle"], heel=pts.get("heel"),
                           toe=pts.get("toe"), up_axis=up_axis)
    if layout_forward and frame.forward_sign < 0 and not _reliable_direction(frame.notes):
        # the file's layout says +x is forward; the one-foot-point rule needs stance in the
        # record (a swing-only record fools it), so it does not overrule the layout
        from dataclasses import replace

        frame = replace(frame, forward_sign=1.0, notes=[
            n for n in frame.notes if "was mirrored" not in n] + [
            "kept +x forward as the file's layout says (the direction found from one foot point "
            "is not reliable without stance in the record)"])
    notes.extend(frame.notes)
    points = {k: frame.project(v) for k, v in pts.items()}
    return JointCentres(time_s, points, mk.source, side, method, notes)


def _reliable_direction(frame_notes) -> bool:
    """Whether the direction of travel came from the hip's displacement or the heel-to-toe
    direction (not from one foot point's motion, which assumes stance in the record)."""
    text = " ".join(frame_notes)
    return "hip displacement" in text or "toe ahead of heel" in text


def _from_named_points(mk, time_s, side):
    """2-D points: the tracked points are the joint centres (names by legsim.io aliases)."""
    from legsim.io import ALIASES, standard_marker_names

    with_data = [name for name, arr in mk.by_key.values() if _has_data(arr)]
    found = standard_marker_names(with_data)
    if not all(p in found for p in ("hip", "knee", "ankle")):
        sided = standard_marker_names(with_data, side=side)
        if len(sided) > len(found):
            found = sided
    missing = [p for p in ("hip", "knee", "ankle") if p not in found]
    if missing:
        raise _missing_error(mk.source, "2-D joint-centre points", missing,
                             f" (or an alias: {', '.join(ALIASES[missing[0]][:6])} ...; "
                             f"docs/motion_files.md)")
    method = {p: f"tracked point '{name}'" for p, name in found.items()}
    pts = {p: mk.get(name) for p, name in found.items()}
    notes = ["2-D points: the tracked points are taken as the joint centres"]
    # design.md's CSV layout says +x forward and +y up, but a file digitised from a video of a
    # runner going right to left, or in image coordinates, breaks that silently: the direction
    # of travel and the up axis are checked for every 2-D file (notes say what was found)
    jc = _finish(mk, time_s, side, pts, method, notes, up_axis="y",
                 layout_forward=getattr(mk.motion, "format", None) == "markers-csv")
    jc.side = "unknown"
    return jc


def _from_jc_markers(mk, time_s, side, names):
    pts3 = {"hip": mk.get(names[0]), "knee": mk.get(names[1]), "ankle": mk.get(names[2])}
    method = {"hip": f"marker {names[0]}", "knee": f"marker {names[1]}",
              "ankle": f"marker {names[2]}"}
    return _finish(mk, time_s, side, pts3, method, [])


def _from_rajagopal(mk, time_s, side, raj, knee, ankle, leg_length=None):
    notes = []
    knee3 = 0.5 * (mk.get(knee[0]) + mk.get(knee[1]))
    ankle3 = 0.5 * (mk.get(ankle[0]) + mk.get(ankle[1]))
    medial_mal = mk.get(ankle[1])
    asis = mk.get(raj["pelvis"][0])
    if leg_length is None:
        # leg length (ASIS to medial malleolus) from the frames where the leg is longest
        leg_length = float(np.nanpercentile(np.linalg.norm(asis - medial_mal, axis=1), 95))
        notes.append(f"leg length for the hip regression: {leg_length:.3f} m (95th percentile "
                     f"of {raj['pelvis'][0]}-{ankle[1]} over the frames; no static trial)")
    else:
        notes.append(f"leg length for the hip regression: {leg_length:.3f} m (given)")
    hip3, hip_method = _pelvis_hip(mk, raj["pelvis"], side, leg_length)
    pts3 = {"hip": hip3, "knee": knee3, "ankle": ankle3}
    method = {"hip": hip_method,
              "knee": f"midpoint of {knee[0]} and {knee[1]}",
              "ankle": f"midpoint of {ankle[0]} and {ankle[1]}"}
    for point in ("heel", "toe"):
        arr = mk.get(raj[point])
        if arr is not None:
            pts3[point] = arr
            method[point] = f"marker {raj[point]}"
    return _finish(mk, time_s, side, pts3, method, notes)


def _from_clusters(mk, st, time_s, side, cl, leg_length=None):
    notes = []
    knee_static = 0.5 * (_static_mean(st, cl["knee_static"][0]) + _static_mean(st, cl["knee_static"][1]))
    ankle_static = 0.5 * (_static_mean(st, cl["ankle_static"][0])
                          + _static_mean(st, cl["ankle_static"][1]))
    thigh_ref = np.array([_static_mean(st, n) for n in cl["thigh"]])
    shank_ref = np.array([_static_mean(st, n) for n in cl["shank"]])
    thigh_frames = np.stack([mk.get(n) for n in cl["thigh"]], axis=1)
    shank_frames = np.stack([mk.get(n) for n in cl["shank"]], axis=1)
    knee3 = cluster_point(thigh_ref, knee_static, thigh_frames)
    ankle3 = cluster_point(shank_ref, ankle_static, shank_frames)
    # leg length from the static trial: ASIS to the medial malleolus
    asis_static = _static_mean(st, cl["pelvis"][0])
    med_static = _static_mean(st, cl["ankle_static"][1])
    if leg_length is not None:
        notes.append(f"leg length for the hip regression: {leg_length:.3f} m (given)")
    elif asis_static is not None and med_static is not None:
        leg_length = float(np.linalg.norm(asis_static - med_static))
        notes.append(f"leg length for the hip regression: {leg_length:.3f} m "
                     f"({cl['pelvis'][0]} to {cl['ankle_static'][1]}, static trial)")
    hip3, hip_method = _pelvis_hip(mk, cl["pelvis"], side, leg_length)
    pts3 = {"hip": hip3, "knee": knee3, "ankle": ankle3}
    method = {
        "hip": hip_method,
        "knee": f"midpoint of {' and '.join(cl['knee_static'])} in the static trial, carried by "
                f"the thigh cluster (rigid SVD fit)",
        "ankle": f"midpoint of {' and '.join(cl['ankle_static'])} in the static trial, carried "
                 f"by the shank cluster (rigid SVD fit)",
    }
    heel = mk.get(cl["heel"])
    if heel is not None:
        pts3["heel"] = heel
        method["heel"] = f"marker {cl['heel']}"
    toes = [mk.get(n) for n in cl["toe"]]
    if all(t is not None for t in toes):
        pts3["toe"] = 0.5 * (toes[0] + toes[1])
        method["toe"] = f"midpoint of {' and '.join(cl['toe'])}"
    for name, ref, frames in (("thigh", thigh_ref, thigh_frames), ("shank", shank_ref, shank_frames)):
        rot, tr = rigid_fit(ref, frames)
        resid = np.linalg.norm(np.einsum("nij,kj->nki", rot, ref) + tr[:, None, :] - frames, axis=2)
        notes.append(f"{name} cluster fit: RMS marker residual {1000 * np.sqrt(np.nanmean(resid**2)):.1f} mm")
    return _finish(mk, time_s, side, pts3, method, notes)
