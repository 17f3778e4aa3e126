"""Toe-off and touchdown of running strides from kinematics alone, contacts from a force plate
for comparison, and the accuracy of the first against the second.

Kinematic rules (docs/processing.md, "Events", with sources and measured accuracy):

- stride windows: the foot's forward position relative to the hip, whose maxima come just
  before touchdown and whose minima come just after toe-off (Zeni et al. 2008);
- toe-off: peak knee extension in late stance (Fellin et al. 2010), needs hip, knee, ankle;
  without a knee: the toe rising 20 mm above its stance level;
- touchdown: the first vertical-acceleration peak of the heel or toe (Handsaker et al. 2016),
  needs heel and/or toe; with an ankle only: the foot's forward extreme itself (Zeni et al.
  2008), which comes early in running.

Positions are sagittal (n, 2) arrays, x forward, y up, m (see `legsim.kinematics.angles`
`sagittal_frame` to get there from lab data), on a uniform time grid (`resample_uniform`).

``python -m legsim.kinematics.events`` measures the accuracy of these rules against the
force-plate events of the two running data sets in tests/data and prints the table of
docs/processing.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .angles import sagittal_angles
from .filtering import DEFAULT_CUTOFF_HZ, CutoffChoice, KinematicsError, derivative, lowpass

__all__ = [
    "Swing",
    "Contact",
    "EventAccuracy",
    "detect_swings",
    "force_events",
    "assign_contacts",
    "event_accuracy",
    "TOE_RISE_M",
    "FORCE_THRESHOLD_N",
    "measure_accuracy",
    "shipped_residuals",
]

#: Height (m) the toe must rise above its stance level for the toe-height toe-off rule.
TOE_RISE_M = 0.02
#: Default vertical-force threshold (N) of a contact on a force plate.
FORCE_THRESHOLD_N = 20.0
#: Shortest stride half-period accepted between two foot extremes, s.
_MIN_EXTREME_SPACING_S = 0.2
#: Prominence of a foot extreme, as a fraction of the 5-95 % range of the foot's position.
_PROMINENCE = 0.3
#: Touchdown search window around the foot's forward extreme, s (before, after): in running
#: the foot is retracted before it lands, so touchdown follows the extreme.
_TD_WINDOW_S = (0.0, 0.12)
#: Start of the toe-off search window, as a fraction of forward->backward extreme interval.
_TO_WINDOW_START = 0.5
#: Largest distance of a sample time from the uniform grid, as a fraction of the step.
_GRID_TOLERANCE = 0.25

_TO_RULES = ("auto", "knee_extension", "toe_height")
_TD_RULES = ("auto", "foot_acceleration", "foot_forward")
_RULE_TEXT = {
    "knee_extension": "toe-off at peak knee extension (Fellin et al. 2010)",
    "toe_height": f"toe-off when the toe rises {1000 * TOE_RISE_M:.0f} mm above its stance level",
    "foot_acceleration": "touchdown at the first vertical-acceleration peak of heel or toe "
                         "(Handsaker et al. 2016)",
    "foot_forward": "touchdown at the foot's forward extreme relative to the hip (Zeni et al. "
                    "2008), early in running",
}


@dataclass
class Swing:
    """One swing of one leg, from toe-off to the next touchdown.

    Attributes
    ----------
    toe_off_s : float
        Time of toe-off, s.
    touchdown_s : float
        Time of the next touchdown, s (NaN when the record ends first).
    side : str
        The leg ('right' or 'left', as given).
    method : str
        The rules used, in words with their sources.
    notes : list of str
        Anything a user should know about this swing.
    """

    toe_off_s: float
    touchdown_s: float
    side: str = "right"
    method: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether both events are in the record."""
        return math.isfinite(self.toe_off_s) and math.isfinite(self.touchdown_s)

    @property
    def duration_s(self) -> float:
        """Swing time, s (NaN when incomplete)."""
        return self.touchdown_s - self.toe_off_s


@dataclass
class Contact:
    """One foot contact on a force plate (made by `force_events`).

    Attributes
    ----------
    touchdown_s : float
        Time the force rose through the threshold, s (NaN if the record starts in contact).
    toe_off_s : float
        Time the force fell through the threshold, s (NaN if the record ends in contact).
    peak_force_N : float
        Largest vertical force during the contact.
    side : str or None
        The foot, when known (`assign_contacts`).
    """

    touchdown_s: float
    toe_off_s: float
    peak_force_N: float
    side: str | None = None


@dataclass
class EventAccuracy:
    """Kinematic events against force-plate events (made by `event_accuracy`).

    Errors are signed, kinematic − force, in ms. Each force event is paired with the nearest
    kinematic event of the same kind within the matching window; unpaired events are counted.

    Attributes
    ----------
    toe_off_errors_ms, touchdown_errors_ms : numpy.ndarray
        Signed errors of the paired events.
    toe_off_pairs, touchdown_pairs : list of (float, float)
        (force time, kinematic time) of each pair, s.
    missed_toe_offs, missed_touchdowns : int
        Force events with no kinematic event within the window.
    """

    toe_off_errors_ms: np.ndarray
    touchdown_errors_ms: np.ndarray
    toe_off_pairs: list[tuple[float, float]]
    touchdown_pairs: list[tuple[float, float]]
    missed_toe_offs: int
    missed_touchdowns: int

    @staticmethod
    def _stats(err: np.ndarray) -> dict[str, float]:
        if err.size == 0:
            return {"n": 0, "mean_ms": math.nan, "sd_ms": math.nan, "max_abs_ms": math.nan}
        return {"n": int(err.size), "mean_ms": float(err.mean()),
                "sd_ms": float(err.std(ddof=1)) if err.size > 1 else 0.0,
                "max_abs_ms": float(np.abs(err).max())}

    def summary(self) -> dict[str, dict[str, float]]:
        """{'toe_off': {...}, 'touchdown': {...}} with n, mean_ms, sd_ms, max_abs_ms."""
        return {"toe_off": self._stats(self.toe_off_errors_ms),
                "touchdown": self._stats(self.touchdown_errors_ms)}


# --------------------------------------------------------------------------- helpers

def _points(arr, name: str, n: int) -> np.ndarray | None:
    if arr is None:
        return None
    a = np.asarray(arr, dtype=float)
    if a.ndim != 2 or a.shape != (n, 2):
        raise KinematicsError(name, f"positions of shape {a.shape}",
                              f"an ({n}, 2) array of sagittal positions (x forward, y up), m")
    return a


def _uniform_rate(t: np.ndarray) -> float:
    """Sample rate of a uniform grid; times rounded in the file (e.g. to 1 ms) are accepted,
    dropped or repeated frames are not (every time within a quarter step of t0 + k h)."""
    if t.size < 4 or not np.isfinite(t).all():
        raise KinematicsError("time", f"{t.size} samples or missing times",
                              "at least 4 finite sample times")
    k = np.arange(t.size, dtype=float)
    h, t0 = np.polyfit(k, t, 1)
    off = np.abs(t - (t0 + h * k))
    if h <= 0 or off.max() > _GRID_TOLERANCE * h:
        i = int(np.argmax(off))
        raise KinematicsError("time", f"uneven time steps (sample {i + 1} at t = {t[i]:.4f} s is "
                              f"{1000 * off[i]:.1f} ms off a uniform grid of step "
                              f"{1000 * h:.2f} ms)",
                              "a uniform grid (use legsim.kinematics.resample_uniform first)",
                              times_s=(t[i],))
    return 1.0 / h


def _crossing(t: np.ndarray, y: np.ndarray, i: int, level: float) -> float:
    """Time between samples i and i+1 where y crosses `level` (linear interpolation)."""
    y0, y1 = y[i], y[i + 1]
    if y1 == y0:
        return float(t[i])
    w = (level - y0) / (y1 - y0)
    return float(t[i] + min(max(w, 0.0), 1.0) * (t[i + 1] - t[i]))


def _extremes(rel: np.ndarray, rate: float):
    from scipy.signal import find_peaks

    lo, hi = np.percentile(rel, [5.0, 95.0])
    prom = _PROMINENCE * max(hi - lo, 1e-9)
    dist = max(1, int(round(_MIN_EXTREME_SPACING_S * rate)))
    forward, _ = find_peaks(rel, prominence=prom, distance=dist)
    backward, _ = find_peaks(-rel, prominence=prom, distance=dist)
    return forward, backward


def _peak_index(signal: np.ndarray, a: int, b: int) -> int | None:
    """Index of the largest local maximum of signal[a:b] that is not at the window's edge."""
    seg = signal[a:b]
    if seg.size < 3:
        return None
    inner = np.flatnonzero((seg[1:-1] >= seg[:-2]) & (seg[1:-1] > seg[2:])) + 1
    if inner.size == 0:
        return None
    return a + int(inner[np.argmax(seg[inner])])


# --------------------------------------------------------------------------- detection

#: Swings are detected at `DEFAULT_CUTOFF_HZ` (the cut-off their accuracy was measured with,
#: docs/processing.md) when it is below this fraction of the frame rate.
DETECTION_BELOW = 0.4


def detection_cutoff_hz(rate_hz, fallback_hz=None):
    """Cut-off for `detect_swings` on a record of ``rate_hz`` frames/s: the default when the
    frame rate allows it, else ``fallback_hz`` (e.g. the inverse dynamics' own cut-off)."""
    if rate_hz and DEFAULT_CUTOFF_HZ < DETECTION_BELOW * float(rate_hz):
        return DEFAULT_CUTOFF_HZ
    return fallback_hz


def detect_swings(time_s, hip, heel=None, toe=None, *, knee=None, ankle=None,
                  side: str = "right", cutoff_hz: float | None = DEFAULT_CUTOFF_HZ,
                  toe_off_rule: str = "auto", touchdown_rule: str = "auto") -> list[Swing]:
    """Toe-offs and touchdowns of one leg from kinematics only, as a list of swings.

    Which points each rule needs (docs/processing.md, "Events"):

    ==================  ==========================  =======================================
    rule                points                      role
    ==================  ==========================  =======================================
    stride windows      hip + one foot point         foot x − hip x: maxima just before
                        (ankle, else heel, else toe)  touchdown, minima just after toe-off
    knee_extension      hip, knee, ankle             toe-off = knee-flexion minimum in the
                                                     second half of stance
    toe_height          toe (else heel)              toe-off = toe rises `TOE_RISE_M` above
                                                     its stance level (fallback, no knee)
    foot_acceleration   heel and/or toe              touchdown = first vertical-acceleration
                                                     peak of heel or toe
    foot_forward        the window's foot point      touchdown = the forward extreme itself
                                                     (fallback, no heel/toe)
    ==================  ==========================  =======================================

    With ``'auto'`` the first rule whose points are given is used.

    Parameters
    ----------
    time_s : array_like
        (n,) uniform sample times, s.
    hip : array_like
        (n, 2) hip joint centre (or pelvis), sagittal, m.
    heel, toe, knee, ankle : array_like, optional
        (n, 2) sagittal positions of that leg's points, m.
    side : str
        Label of the leg, copied into the swings.
    cutoff_hz : float or None
        Low-pass cut-off applied to every point first (`lowpass`); None when the positions
        are already filtered.
    toe_off_rule : {'auto', 'knee_extension', 'toe_height'}
    touchdown_rule : {'auto', 'foot_acceleration', 'foot_forward'}

    Returns
    -------
    list of Swing
        One per toe-off found, in time order; a swing whose touchdown is past the end of the
        record has ``touchdown_s = nan`` and a note.

    Raises
    ------
    KinematicsError
        Uneven time steps, missing points for the rule asked, or no stride found.
    """
    t = np.asarray(time_s, dtype=float).reshape(-1)
    n = t.size
    rate = _uniform_rate(t)
    if toe_off_rule not in _TO_RULES:
        raise KinematicsError("toe_off_rule", repr(toe_off_rule), ", ".join(_TO_RULES))
    if touchdown_rule not in _TD_RULES:
        raise KinematicsError("touchdown_rule", repr(touchdown_rule), ", ".join(_TD_RULES))
    pts = {name: _points(p, name, n) for name, p in
           (("hip", hip), ("heel", heel), ("toe", toe), ("knee", knee), ("ankle", ankle))}
    if pts["hip"] is None:
        raise KinematicsError("hip", "not given", "(n, 2) hip positions")
    if cutoff_hz is not None:
        pts = {k: None if v is None else lowpass(v, rate, cutoff_hz, name=k, time_s=t)
               for k, v in pts.items()}
    foot_name = next((k for k in ("ankle", "heel", "toe") if pts[k] is not None), None)
    if foot_name is None:
        raise KinematicsError("foot", "no foot point given", "an ankle, heel or toe (n, 2)")

    if toe_off_rule == "auto":
        if pts["knee"] is not None and pts["ankle"] is not None:
            toe_off_rule = "knee_extension"
        elif pts["toe"] is not None or pts["heel"] is not None:
            toe_off_rule = "toe_height"
        else:
            raise KinematicsError("toe-off", "no knee and no toe or heel given",
                                  "hip, knee and ankle, or a toe (or heel) point")
    if toe_off_rule == "knee_extension" and (pts["knee"] is None or pts["ankle"] is None):
        raise KinematicsError("toe-off", "rule knee_extension without knee and ankle",
                              "knee and ankle positions")
    if toe_off_rule == "toe_height" and pts["toe"] is None and pts["heel"] is None:
        raise KinematicsError("toe-off", "rule toe_height without toe or heel",
                              "a toe (or heel) position")
    if touchdown_rule == "auto":
        touchdown_rule = ("foot_acceleration" if pts["heel"] is not None or pts["toe"] is not None
                          else "foot_forward")
    if touchdown_rule == "foot_acceleration" and pts["heel"] is None and pts["toe"] is None:
        raise KinematicsError("touchdown", "rule foot_acceleration without heel or toe",
                              "a heel and/or toe position")

    rel = pts[foot_name][:, 0] - pts["hip"][:, 0]
    forward, backward = _extremes(rel, rate)
    if forward.size and (backward.size == 0 or backward[-1] < forward[-1]) \
            and rel[-1] < rel[forward[-1]]:
        # the record ends while the foot moves back (late stance): its backward extreme is
        # past the end; the end bounds the last toe-off window (a toe-off is accepted only
        # at a true knee-flexion minimum or toe rise inside it)
        backward = np.append(backward, n - 1)
    if backward.size == 0:
        raise KinematicsError("strides", f"no backward extreme of the {foot_name} relative to "
                              f"the hip in {t[-1] - t[0]:.2f} s", "a record of running with at "
                              "least one toe-off")

    # ---- toe-offs
    typical = (float(np.median([b - forward[forward < b][-1] for b in backward
                                if (forward < b).any()]))
               if any((forward < b).any() for b in backward) else 0.3 * rate)
    knee_flexion = None
    if toe_off_rule == "knee_extension":
        _, knee_flexion = sagittal_angles(pts["hip"], pts["knee"], pts["ankle"])
    toe_y = (pts["toe"] if pts["toe"] is not None else pts["heel"])[:, 1] \
        if toe_off_rule == "toe_height" else None
    toe_offs: list[tuple[float, list[str]]] = []
    for b in backward:
        prev = forward[forward < b]
        f = int(prev[-1]) if prev.size else max(0, int(b - typical))
        notes: list[str] = []
        if toe_off_rule == "knee_extension":
            a = f + int(_TO_WINDOW_START * (b - f))
            j = _peak_index(-knee_flexion, a, b + 1)
            if j is None:
                continue
            toe_offs.append((float(t[j]), notes))
        else:
            level = float(np.min(toe_y[f:b + 1]))
            above = toe_y[f:b + 1] > level + TOE_RISE_M
            low = np.flatnonzero(~above)
            last_low = f + int(low[-1])
            if last_low >= b:
                continue
            toe_offs.append((_crossing(t, toe_y, last_low, level + TOE_RISE_M), notes))

    # ---- touchdowns
    touchdowns: list[float] = []
    if touchdown_rule == "foot_acceleration":
        accs = [derivative(pts[k][:, 1], rate, 2) for k in ("heel", "toe") if pts[k] is not None]
        before, after = (int(round(s * rate)) for s in _TD_WINDOW_S)
        for f in forward:
            nxt = backward[backward > f]
            a = max(0, f - before)
            b = min(n, f + after + 1, int(nxt[0]) if nxt.size else n)
            found = [j for j in (_peak_index(acc, a, b) for acc in accs) if j is not None]
            if found:
                touchdowns.append(float(t[min(found)]))
    else:
        touchdowns = [float(t[f]) for f in forward]
    touchdowns_arr = np.array(touchdowns)

    method = f"{_RULE_TEXT[toe_off_rule]}; {_RULE_TEXT[touchdown_rule]}"
    swings: list[Swing] = []
    first_to = toe_offs[0][0] if toe_offs else math.inf
    early = touchdowns_arr[touchdowns_arr < first_to]
    if early.size:  # the swing that was under way when the record started
        swings.append(Swing(toe_off_s=math.nan, touchdown_s=float(early[-1]), side=side,
                            method=method, notes=["toe-off before the start of the record"]))
    to_times = [x for x, _ in toe_offs]
    for k, (to, notes) in enumerate(toe_offs):
        limit = to_times[k + 1] if k + 1 < len(to_times) else math.inf
        later = touchdowns_arr[(touchdowns_arr > to) & (touchdowns_arr < limit)]
        if later.size:
            td = float(later[0])
        else:
            td = math.nan
            notes = notes + ["no touchdown found before the next toe-off or the end of the "
                             "record"]
        swings.append(Swing(toe_off_s=to, touchdown_s=td, side=side, method=method,
                            notes=notes))
    if not toe_offs:
        raise KinematicsError("strides", f"no toe-off found in {t[-1] - t[0]:.2f} s",
                              "a record of running with at least one toe-off")
    return swings


# --------------------------------------------------------------------------- force plate

def force_events(time_s, vertical_force_N, threshold_N: float = FORCE_THRESHOLD_N, *,
                 min_duration_s: float = 0.02) -> list[Contact]:
    """Foot contacts from the vertical ground reaction force of a force plate.

    A contact is a run of samples above `threshold_N`. Runs shorter than `min_duration_s` are
    dropped first (noise spikes in flight), then runs separated by a dip shorter than
    `min_duration_s` are merged (noise around the threshold inside a contact). Touchdown and
    toe-off are the threshold crossings, interpolated linearly between samples. Missing
    samples (NaN) count as no force.

    Parameters
    ----------
    time_s : array_like
        (n,) times, s.
    vertical_force_N : array_like
        (n,) vertical force, N, positive up.
    threshold_N : float
        Contact threshold, N (default 20 N).
    min_duration_s : float
        Shortest contact, and longest dip inside a contact, s.

    Returns
    -------
    list of Contact
        In time order; a contact under way at the start (end) of the record has NaN touchdown
        (toe-off).
    """
    t = np.asarray(time_s, dtype=float).reshape(-1)
    fz = np.nan_to_num(np.asarray(vertical_force_N, dtype=float).reshape(-1), nan=0.0)
    if t.size != fz.size:
        raise KinematicsError("vertical force", f"{fz.size} samples for {t.size} times",
                              "one force per time")
    on = fz > threshold_N
    if not on.any():
        return []
    edges = np.diff(np.concatenate(([0], on.astype(np.int8), [0])))
    runs = [[int(a), int(b)] for a, b in zip(np.flatnonzero(edges == 1),
                                              np.flatnonzero(edges == -1))]
    # spikes (runs shorter than min_duration_s) go first, then short dips are bridged
    runs = [r for r in runs if t[r[1] - 1] - t[r[0]] >= min_duration_s]
    merged: list[list[int]] = []
    for a, b in runs:
        if merged and t[a] - t[merged[-1][1] - 1] <= min_duration_s:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    contacts = []
    for a, b in merged:
        td = math.nan if a == 0 else _crossing(t, fz, a - 1, threshold_N)
        to = math.nan if b == t.size else _crossing(t, fz, b - 1, threshold_N)
        contacts.append(Contact(touchdown_s=td, toe_off_s=to, peak_force_N=float(fz[a:b].max())))
    return contacts


def assign_contacts(contacts: list[Contact], time_s, foot_heights: dict) -> list[Contact]:
    """Attribute each contact of a shared plate (a treadmill) to the foot that is lowest.

    During a contact of running only one foot is on the ground (there is no double support),
    and it is the lower one. For each contact the mean height of each foot (e.g. the lower of
    its heel and toe markers) over the contact is compared; the lowest foot gets it.

    Parameters
    ----------
    contacts : list of Contact
        From `force_events`.
    time_s : array_like
        (n,) times of the foot heights, s.
    foot_heights : dict
        Side -> (n,) height of that foot, m (same vertical axis for all).

    Returns
    -------
    list of Contact
        The same contacts with `side` set.
    """
    t = np.asarray(time_s, dtype=float)
    out = []
    for c in contacts:
        a = c.touchdown_s if math.isfinite(c.touchdown_s) else t[0]
        b = c.toe_off_s if math.isfinite(c.toe_off_s) else t[-1]
        inside = (t >= a) & (t <= b)
        if not inside.any():
            inside = np.abs(t - 0.5 * (a + b)) == np.abs(t - 0.5 * (a + b)).min()
        means = {s: float(np.nanmean(np.asarray(h, dtype=float)[inside]))
                 for s, h in foot_heights.items()}
        side = min(means, key=means.get)
        out.append(Contact(c.touchdown_s, c.toe_off_s, c.peak_force_N, side))
    return out


def _pair(force_times, kin_times, window_s):
    kin = np.asarray([k for k in kin_times if math.isfinite(k)], dtype=float)
    used = np.zeros(kin.size, dtype=bool)
    pairs, missed = [], 0
    for f in sorted(x for x in force_times if math.isfinite(x)):
        if kin.size == 0:
            missed += 1
            continue
        d = np.where(used, np.inf, np.abs(kin - f))
        i = int(np.argmin(d))
        if d[i] <= window_s:
            used[i] = True
            pairs.append((float(f), float(kin[i])))
        else:
            missed += 1
    return pairs, missed


def event_accuracy(kinematic: list[Swing], force: list[Contact], *,
                   window_s: float = 0.1) -> EventAccuracy:
    """Signed differences (kinematic − force) of toe-off and touchdown times.

    Parameters
    ----------
    kinematic : list of Swing
        From `detect_swings` (one leg).
    force : list of Contact
        From `force_events` / `assign_contacts`, the same leg's contacts only.
    window_s : float
        A force event is paired with the nearest unused kinematic event of the same kind
        within this window (default 0.1 s); otherwise it counts as missed.

    Returns
    -------
    EventAccuracy
    """
    to_pairs, to_missed = _pair([c.toe_off_s for c in force], [s.toe_off_s for s in kinematic],
                                window_s)
    td_pairs, td_missed = _pair([c.touchdown_s for c in force],
                                [s.touchdown_s for s in kinematic], window_s)
    return EventAccuracy(
        toe_off_errors_ms=np.array([1000.0 * (k - f) for f, k in to_pairs]),
        touchdown_errors_ms=np.array([1000.0 * (k - f) for f, k in td_pairs]),
        toe_off_pairs=to_pairs, touchdown_pairs=td_pairs, missed_toe_offs=to_missed,
        missed_touchdowns=td_missed)


# --------------------------------------------------------------------------- measured data
# The two running data sets in tests/data, read by `legsim.io` and turned into sagittal joint
# centres by `legsim.kinematics.joint_centres` (the same path as `legsim inverse` and
# `legsim analyze`), so the accuracy table of docs/processing.md measures the events on the
# joint centres that users get.

def _default_data_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "tests" / "data"


def _legs(motion, static=None) -> dict:
    """Sagittal points (hip, knee, ankle, heel, toe) of both legs, by `joint_centres`."""
    from .joint_centres import joint_centres

    return {side: joint_centres(motion, side=side, static=static).points
            for side in ("right", "left")}


def _fukuchi_trial(data_dir: Path) -> dict:
    """Fukuchi et al. (2017) RBDS001, treadmill 2.5 m/s, first 5 s: sagittal points per leg
    (cluster set with the static trial), force-plate contacts attributed to feet."""
    from legsim.io import read_forces, read_motion

    base = Path(data_dir) / "fukuchi_2017_RBDS001"
    run = read_motion(base / "RBDS001runT25markers_first5s.txt")
    legs = _legs(run, static=read_motion(base / "RBDS001static.txt"))
    # the treadmill's single plate; its `Time` column is the sample index at 300 Hz
    forces = read_forces(base / "RBDS001runT25forces_first5s.txt", rate_hz=300.0)
    contacts = force_events(forces.time_s, forces.vertical("Fy"))
    heights = {side: np.minimum(p["heel"][:, 1], p["toe"][:, 1]) for side, p in legs.items()}
    contacts = assign_contacts(contacts, run.time_s, heights)
    return {"name": "Fukuchi et al. 2017 RBDS001, treadmill 2.5 m/s (first 5 s)",
            "time_s": run.time_s, "rate_hz": run.rate_hz, "legs": legs, "contacts": contacts}


def _bmclab_trial(data_dir: Path) -> dict:
    """BMClab OpenSim running trial: sagittal points per leg (Rajagopal marker set) and the
    contacts of the two force plates (one per foot)."""
    from legsim.io import read_forces, read_motion

    base = Path(data_dir) / "bmclab_opensim_running"
    trc = read_motion(base / "motion_capture_run.trc")
    grf = read_forces(base / "grf_run.mot")
    contacts = [Contact(c.touchdown_s, c.toe_off_s, c.peak_force_N, side)
                for side in ("right", "left")
                for c in force_events(grf.time_s, grf.vertical(side))]
    return {"name": "BMClab OpenSim run, overground 2.7 m/s", "time_s": trc.time_s,
            "rate_hz": trc.rate_hz, "legs": _legs(trc), "contacts": contacts}


#: Point sets of the accuracy table: (label, points given to detect_swings).
MEASURED_POINT_SETS = (
    ("hip, knee, ankle, heel, toe", ("knee", "ankle", "heel", "toe")),
    ("hip, knee, ankle (video)", ("knee", "ankle")),
    ("hip, heel, toe (no knee)", ("heel", "toe")),
)


def measure_accuracy(data_dir=None, cutoff_hz: float = DEFAULT_CUTOFF_HZ) -> list[dict]:
    """Accuracy of the kinematic rules on the two running data sets of tests/data.

    Returns
    -------
    list of dict
        One row per data set, point set and event: keys ``data``, ``points``, ``event``,
        ``method``, ``n``, ``missed``, ``mean_ms``, ``sd_ms``, ``max_abs_ms``, ``errors_ms``.
    """
    data_dir = Path(data_dir) if data_dir is not None else _default_data_dir()
    rows = []
    for trial in (_fukuchi_trial(data_dir), _bmclab_trial(data_dir)):
        for label, names in MEASURED_POINT_SETS:
            errors = {"toe_off": [], "touchdown": []}
            missed = {"toe_off": 0, "touchdown": 0}
            method = ""
            for side, pts in trial["legs"].items():
                swings = detect_swings(trial["time_s"], pts["hip"], cutoff_hz=cutoff_hz,
                                       side=side, **{k: pts[k] for k in names})
                method = swings[0].method
                acc = event_accuracy(swings, [c for c in trial["contacts"] if c.side == side])
                errors["toe_off"].extend(acc.toe_off_errors_ms)
                errors["touchdown"].extend(acc.touchdown_errors_ms)
                missed["toe_off"] += acc.missed_toe_offs
                missed["touchdown"] += acc.missed_touchdowns
            for event, text in zip(("toe_off", "touchdown"), method.split("; ")):
                err = np.array(errors[event])
                stats = EventAccuracy._stats(err)
                rows.append({"data": trial["name"], "points": label, "event": event,
                             "method": text, "missed": missed[event], "errors_ms": err,
                             **stats})
    return rows


def _format_table(rows: list[dict]) -> str:
    out = ["| data | points tracked | event | rule | n | missed | mean ms | SD ms | max abs ms |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['data']} | {r['points']} | {r['event'].replace('_', '-')} | "
                   f"{r['method']} | {r['n']} | {r['missed']} | {r['mean_ms']:+.1f} | "
                   f"{r['sd_ms']:.1f} | {r['max_abs_ms']:.1f} |")
    return "\n".join(out)


def shipped_residuals(data_dir=None) -> list[tuple[str, CutoffChoice]]:
    """Residual analysis of every sagittal point of the two running trials in tests/data
    (the source of `DEFAULT_CUTOFF_HZ`)."""
    from .filtering import choose_cutoff

    data_dir = Path(data_dir) if data_dir is not None else _default_data_dir()
    out = []
    for trial in (_fukuchi_trial(data_dir), _bmclab_trial(data_dir)):
        signals = {f"{side}.{name}": pos for side, pts in trial["legs"].items()
                   for name, pos in pts.items()}
        out.append((trial["name"], choose_cutoff(signals, trial["rate_hz"])))
    return out


def _print_residuals(data_dir) -> None:
    medians = []
    for name, choice in shipped_residuals(data_dir):
        cut = np.array([ra.chosen_cutoff_hz for ra in choice.per_signal.values()])
        medians.append(float(np.median(cut)))
        print(f"{name}: per-coordinate cut-offs {cut.min():.1f}-{cut.max():.1f} Hz, median "
              f"{medians[-1]:.1f} Hz, highest {choice.cutoff_hz:.1f} Hz")
        print(choice.table())
        print()
    print(f"median of the trials' medians: {np.median(medians):.1f} Hz "
          f"(DEFAULT_CUTOFF_HZ = {DEFAULT_CUTOFF_HZ:g})")


def main(argv=None) -> int:
    """Print the event-accuracy table of docs/processing.md, or with --residuals the residual
    analysis of the shipped data (``python -m legsim.kinematics.events``)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m legsim.kinematics.events",
                                     description=main.__doc__)
    parser.add_argument("--data", default=None, help="the tests/data folder (default: the "
                        "repository's)")
    parser.add_argument("--cutoff-hz", type=float, default=DEFAULT_CUTOFF_HZ)
    parser.add_argument("--residuals", action="store_true",
                        help="print the residual analysis of the shipped data instead")
    args = parser.parse_args(argv)
    if args.residuals:
        _print_residuals(args.data)
        return 0
    rows = measure_accuracy(args.data, args.cutoff_hz)
    print(f"Kinematic events against force-plate events (kinematic − force), markers "
          f"low-passed at {args.cutoff_hz:g} Hz")
    print(_format_table(rows))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
