"""Smoothing and differentiating measured trajectories: zero-lag Butterworth low-pass filter,
Winter's residual analysis to choose its cut-off, finite-difference derivatives and resampling
of unevenly timed samples onto a uniform grid.

Every formula, default and source is in ``docs/processing.md`` (sections "Filter", "Residual
analysis", "Derivatives", "Resampling"). Arrays in, arrays out: time along ``axis`` (0 by
default), SI units, sample rate in Hz. Errors a user can cause (a cut-off above the Nyquist
frequency, too few samples, long gaps of missing samples) raise `KinematicsError`, whose
one-line message names the signal, the times, what was found and what is accepted.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import LegsimError

__all__ = [
    "KinematicsError",
    "MAX_GAP_SAMPLES",
    "DEFAULT_CUTOFF_HZ",
    "lowpass",
    "single_pass_cutoff_hz",
    "fill_gaps",
    "ResidualAnalysis",
    "CutoffChoice",
    "residual_analysis",
    "choose_cutoff",
    "derivative",
    "resample_uniform",
]

#: Longest run of missing (NaN) samples inside a signal that `lowpass` fills by cubic
#: interpolation; longer gaps raise `KinematicsError` (docs/processing.md, "Missing samples").
MAX_GAP_SAMPLES = 10

#: Default cut-off of the marker low-pass filter for running, Hz: just below the median
#: per-coordinate choices of the residual analysis on the two shipped running trials (14.6 and
#: 14.9 Hz; ``python -m legsim.kinematics.events --residuals``; docs/processing.md, "Default
#: cut-off").
DEFAULT_CUTOFF_HZ = 14.0

#: Fraction of the sample rate where the default residual-analysis grid of cut-offs ends.
_GRID_TOP = 0.4
#: Default fit range of the noise line, as fractions of the sample rate (fs/8 to fs/4).
_FIT_RANGE = (0.125, 0.25)
_AXIS_LABELS = ("x", "y", "z")


class KinematicsError(LegsimError):
    """A measured signal that cannot be processed as asked.

    The message is one line: ``[source: ]signal: problem; accepted: ...``. The attributes keep
    the parts for programs.

    Attributes
    ----------
    signal : str
        The signal's name as the user knows it (a marker, a column, ``"hip.x"``).
    problem : str
        What was found, with the times where that applies.
    accepted : str or None
        What would have been accepted.
    source : str or None
        The file the signal came from, when known.
    times_s : tuple of float
        The times (s) the problem concerns (empty when it concerns no time).
    """

    def __init__(self, signal: str, problem: str, accepted: str | None = None, *,
                 source: str | None = None, times_s=()):
        self.signal = signal
        self.problem = problem
        self.accepted = accepted
        self.source = None if source is None else str(source)
        self.times_s = tuple(float(t) for t in times_s)
        super().__init__(str(self))

    def __str__(self) -> str:
        head = ": ".join(p for p in (self.source, self.signal) if p)
        text = f"{head}: {self.problem}" if head else self.problem
        if self.accepted:
            text += f"; accepted: {self.accepted}"
        return text

    def __reduce__(self):
        return (_rebuild_error, (self.signal, self.problem, self.accepted, self.source,
                                 self.times_s))


def _rebuild_error(signal, problem, accepted, source, times_s):
    return KinematicsError(signal, problem, accepted, source=source, times_s=times_s)


# --------------------------------------------------------------------------- arguments

def _check_rate(rate_hz, signal: str, source=None) -> float:
    try:
        rate = float(rate_hz)
    except (TypeError, ValueError):
        raise KinematicsError(signal, f"sample rate {rate_hz!r} is not a number",
                              "a sample rate in Hz above 0", source=source) from None
    if not math.isfinite(rate) or rate <= 0.0:
        raise KinematicsError(signal, f"sample rate {rate_hz!r} Hz", "a sample rate in Hz above 0",
                              source=source)
    return rate


def _check_order(order, signal: str, source=None) -> int:
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 2 \
            or order % 2:
        raise KinematicsError(
            signal, f"filter order {order!r}",
            "an even whole number >= 2 (the order of the zero-lag filter: a forward and a "
            "backward pass of a filter of half that order; 4 is Winter's)", source=source)
    return int(order)


def _check_cutoff(cutoff_hz, rate: float, signal: str, source=None) -> float:
    try:
        fc = float(cutoff_hz)
    except (TypeError, ValueError):
        fc = float("nan")
    nyquist = rate / 2.0
    if not math.isfinite(fc) or fc <= 0.0 or fc >= nyquist:
        raise KinematicsError(
            signal, f"cut-off {cutoff_hz!r} Hz at a sample rate of {rate:g} Hz",
            f"a cut-off above 0 and below the Nyquist frequency ({nyquist:g} Hz)", source=source)
    return fc


def _times(n: int, rate: float, time_s) -> np.ndarray:
    if time_s is None:
        return np.arange(n) / rate
    t = np.asarray(time_s, dtype=float).reshape(-1)
    if t.size != n:
        raise ValueError(f"time_s has {t.size} samples, the signal {n}")
    return t


def _column_names(name: str, shape: tuple) -> list[str]:
    """Names of the 1-D series of an array with time on axis 0 (``hip.x``, ``hip.y`` ...)."""
    if len(shape) == 1:
        return [name]
    k = int(np.prod(shape[1:]))
    if len(shape) == 2 and k <= 3:
        return [f"{name}.{_AXIS_LABELS[j]}" for j in range(k)]
    return [f"{name}[{j}]" for j in range(k)]


# --------------------------------------------------------------------------- missing samples

def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index pairs of the runs of True in a 1-D boolean array."""
    if not mask.any():
        return []
    m = np.concatenate(([False], mask, [False])).astype(np.int8)
    d = np.diff(m)
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))


def _fill_series(y: np.ndarray, t: np.ndarray, name: str, max_gap: int, source,
                 notes) -> np.ndarray:
    bad = ~np.isfinite(y)
    if not bad.any():
        return y
    n = y.size
    if bad.all():
        raise KinematicsError(name, f"every sample is missing (t = {t[0]:.3f}–{t[-1]:.3f} s)",
                              "a signal with data", source=source, times_s=(t[0], t[-1]))
    runs = _runs(bad)
    for start, stop in runs:
        if start == 0 or stop == n:
            where = "start" if start == 0 else "end"
            raise KinematicsError(
                name, f"{stop - start} missing sample(s) at the {where} of the analysed window "
                f"(t = {t[start]:.3f}–{t[stop - 1]:.3f} s)",
                "data at both ends (choose a window that starts and ends with data)",
                source=source, times_s=(t[start], t[stop - 1]))
        if stop - start > max_gap:
            raise KinematicsError(
                name, f"a gap of {stop - start} missing samples (t = {t[start]:.3f}–"
                f"{t[stop - 1]:.3f} s)",
                f"gaps of at most {max_gap} samples, which are filled by cubic interpolation "
                "(fill longer gaps before, or analyse a window without them)",
                source=source, times_s=(t[start], t[stop - 1]))
    from scipy.interpolate import CubicSpline

    good = ~bad
    spline = CubicSpline(t[good], y[good])
    out = y.copy()
    out[bad] = spline(t[bad])
    if notes is not None:
        spans = ", ".join(f"{t[a]:.3f}–{t[b - 1]:.3f} s" for a, b in runs)
        notes.append(f"{name}: filled {int(bad.sum())} missing sample(s) by cubic interpolation "
                     f"({spans})")
    return out


def fill_gaps(x, rate_hz, *, axis: int = 0, name: str = "signal", time_s=None,
              max_gap_samples: int = MAX_GAP_SAMPLES, notes: list | None = None,
              source: str | None = None) -> np.ndarray:
    """Fill short interior runs of missing samples (NaN) by cubic-spline interpolation.

    Parameters
    ----------
    x : array_like
        Samples, time along `axis`.
    rate_hz : float
        Sample rate (used for the times in messages when `time_s` is not given).
    axis : int
        The time axis.
    name : str
        The signal's name in messages and notes (columns get ``.x``, ``.y``, ``.z``).
    time_s : array_like, optional
        Sample times, for the spline and the messages; ``arange(n) / rate_hz`` by default.
    max_gap_samples : int
        Longest interior gap filled (default `MAX_GAP_SAMPLES`).
    notes : list of str, optional
        Receives one sentence per filled series.
    source : str, optional
        File name for messages.

    Returns
    -------
    numpy.ndarray
        A float copy of `x` without NaN.

    Raises
    ------
    KinematicsError
        Missing samples at either end, or a gap longer than `max_gap_samples`.
    """
    rate = _check_rate(rate_hz, name, source)
    arr = np.moveaxis(np.array(x, dtype=float), axis, 0)
    if np.isfinite(arr).all():
        return np.moveaxis(arr, 0, axis)
    n = arr.shape[0]
    t = _times(n, rate, time_s)
    flat = arr.reshape(n, -1)
    names = _column_names(name, arr.shape)
    for j in range(flat.shape[1]):
        flat[:, j] = _fill_series(flat[:, j], t, names[j], int(max_gap_samples), source, notes)
    return np.moveaxis(flat.reshape(arr.shape), 0, axis)


# --------------------------------------------------------------------------- filter

def single_pass_cutoff_hz(cutoff_hz: float, rate_hz: float, order: int = 4) -> float:
    """Cut-off of each pass so that the forward-backward pair is −3 dB at `cutoff_hz`.

    A digital Butterworth filter of order m (bilinear transform) has
    ``|H(f)|² = 1 / (1 + (tan(π f/fs) / tan(π f1/fs))^(2m))``; the two passes multiply the
    amplitudes, so the pair is at 1/√2 where that ratio equals ``C = (√2 − 1)^(1/(2m))``
    (0.802 for m = 2, Winter's correction factor). Hence
    ``f1 = fs/π · atan(tan(π fc/fs) / C)`` (Winter 2009 §3.4.4; docs/processing.md).

    Parameters
    ----------
    cutoff_hz : float
        Wanted −3 dB frequency of the zero-lag filter.
    rate_hz : float
        Sample rate.
    order : int
        Order of the zero-lag filter (even; each pass has order ``order // 2``).

    Returns
    -------
    float
        The cut-off of each pass, Hz (always below the Nyquist frequency).
    """
    m = order // 2
    c = (math.sqrt(2.0) - 1.0) ** (1.0 / (2.0 * m))
    return rate_hz / math.pi * math.atan(math.tan(math.pi * cutoff_hz / rate_hz) / c)


def _pad_length(n: int, rate: float, fc: float) -> int:
    """Samples added at each end: one period of the cut-off, at least 6, at most n - 1."""
    return int(min(n - 1, max(6, math.ceil(rate / fc))))


def _pad_one_end(head: np.ndarray, length: int, degree: int) -> np.ndarray:
    """Samples to put before ``head[0]`` (time reversed: element j is sample -(j+1)).

    A polynomial of `degree` is fitted by least squares to the first ``length + 1`` samples
    and extended backwards; the deviations from it are reflected point-symmetrically about
    the first sample, so the pad continues the local trend (value, slope and curvature) and
    carries noise like the data's.
    """
    w = head.shape[0]
    k = np.arange(w, dtype=float)
    vander = np.vander(k, degree + 1)
    coef, *_ = np.linalg.lstsq(vander, head.reshape(w, -1), rcond=None)
    resid = head.reshape(w, -1) - vander @ coef
    j = np.arange(1, length + 1, dtype=float)
    trend = np.vander(-j, degree + 1) @ coef
    pad = trend + 2.0 * resid[0] - resid[1:length + 1]
    return pad.reshape((length,) + head.shape[1:])


def _padded(arr: np.ndarray, length: int) -> np.ndarray:
    """`arr` (time on axis 0) with `length` extrapolated samples at each end."""
    n = arr.shape[0]
    w = min(n, length + 1)
    degree = 2 if w >= 5 else 1
    before = _pad_one_end(arr[:w], w - 1, degree)
    after = _pad_one_end(arr[::-1][:w], w - 1, degree)
    return np.concatenate((before[::-1], arr, after), axis=0), w - 1


def _min_samples(order: int) -> int:
    return 3 * order


def lowpass(x, rate_hz, cutoff_hz, order: int = 4, axis: int = 0, *, name: str = "signal",
            time_s=None, max_gap_samples: int = MAX_GAP_SAMPLES, notes: list | None = None,
            source: str | None = None) -> np.ndarray:
    """Zero-lag Butterworth low-pass filter with Winter's cut-off correction.

    A Butterworth filter of order ``order // 2`` runs forward and then backward over the
    signal (no phase lag; the amplitude responses multiply, so the result is of order
    `order`). Each pass's cut-off is raised by `single_pass_cutoff_hz` so that the pair has
    its −3 dB point at `cutoff_hz` (Winter 2009 §3.4.4). The ends are padded by odd
    (point-symmetric) reflection about the first and last samples, ``ceil(rate/cutoff)``
    samples long (one period of the cut-off; at most n − 2), which keeps the value and the
    slope continuous at the ends. Interior gaps of NaN up to `max_gap_samples` long are
    filled by cubic interpolation first (and a note is added).

    Parameters
    ----------
    x : array_like
        Samples, time along `axis` (e.g. (n,), (n, 2) or (n, 3) positions in m).
    rate_hz : float
        Sample rate, Hz.
    cutoff_hz : float
        −3 dB frequency of the zero-lag filter, Hz (above 0, below rate_hz / 2).
    order : int
        Order of the zero-lag filter, even (default 4 = two passes of a 2nd-order filter).
    axis : int
        Time axis.
    name : str
        The signal's name in messages and notes.
    time_s : array_like, optional
        Sample times, used for gap filling and for the times in messages.
    max_gap_samples : int
        Longest interior gap of NaN that is filled.
    notes : list of str, optional
        Receives a sentence for each filled gap.
    source : str, optional
        File the signal came from, named in error messages.

    Returns
    -------
    numpy.ndarray
        Filtered samples, same shape as `x`, float64.

    Raises
    ------
    KinematicsError
        Cut-off not between 0 and the Nyquist frequency, an odd order, fewer than
        ``3 * order`` samples, NaN at the ends of the window or in a gap longer than
        `max_gap_samples`.
    """
    from scipy.signal import butter, sosfiltfilt

    rate = _check_rate(rate_hz, name, source)
    order = _check_order(order, name, source)
    fc = _check_cutoff(cutoff_hz, rate, name, source)
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0:
        raise KinematicsError(name, "a single number", "an array of samples", source=source)
    n = arr.shape[axis]
    need = _min_samples(order)
    if n < need:
        raise KinematicsError(name, f"{n} samples",
                              f"at least {need} samples for a filter of order {order}",
                              source=source)
    arr = fill_gaps(arr, rate, axis=axis, name=name, time_s=time_s,
                    max_gap_samples=max_gap_samples, notes=notes, source=source)
    sos = butter(order // 2, single_pass_cutoff_hz(fc, rate, order), btype="low", fs=rate,
                 output="sos")
    moved = np.moveaxis(arr, axis, 0)
    # the straight line through the end samples passes the filter unchanged; removing it
    # first starts both passes from rest (no start-up transient from a slope)
    ramp = np.linspace(0.0, 1.0, n).reshape((n,) + (1,) * (moved.ndim - 1))
    line = moved[:1] + ramp * (moved[-1:] - moved[:1])
    padded, length = _padded(moved - line, _pad_length(n, rate, fc))
    out = sosfiltfilt(sos, padded, axis=0, padtype=None)[length:length + n] + line
    return np.moveaxis(out, 0, axis)


# --------------------------------------------------------------------------- residual analysis

@dataclass
class ResidualAnalysis:
    """Winter's residual analysis of one signal (docs/processing.md, "Residual analysis").

    Attributes
    ----------
    name : str
        The signal analysed.
    cutoffs_hz : numpy.ndarray
        The cut-offs tried, Hz.
    residuals : numpy.ndarray
        R(fc) = RMS of (signal − filtered signal) at each cut-off, in the signal's unit.
    noise_line : tuple of float
        (slope per Hz, intercept) of the straight line fitted to R over `fit_range_hz`; the
        intercept estimates the RMS of the noise.
    fit_range_hz : tuple of float
        The cut-offs (low, high) over which the line was fitted.
    chosen_cutoff_hz : float
        The cut-off where R(fc) falls to the intercept (linear interpolation between grid
        points).
    notes : list of str
        Anything unusual (e.g. the residual never fell to the intercept).
    """

    name: str
    cutoffs_hz: np.ndarray
    residuals: np.ndarray
    noise_line: tuple[float, float]
    fit_range_hz: tuple[float, float]
    chosen_cutoff_hz: float
    notes: list[str] = field(default_factory=list)

    @property
    def noise_rms(self) -> float:
        """Estimated RMS of the noise: the intercept of the noise line."""
        return self.noise_line[1]


@dataclass
class CutoffChoice:
    """The cut-off chosen for a set of signals by `choose_cutoff`.

    Attributes
    ----------
    cutoff_hz : float
        The overall choice (by `rule`).
    per_signal : dict
        Name -> `ResidualAnalysis` (columns of 2-D signals are analysed separately).
    rule : str
        How the overall choice was made.
    """

    cutoff_hz: float
    per_signal: dict[str, ResidualAnalysis]
    rule: str

    def table(self) -> str:
        """A plain-text table: signal, chosen cut-off, noise RMS."""
        lines = [f"{'signal':<28} {'cut-off Hz':>10} {'noise RMS':>11}"]
        for name, ra in self.per_signal.items():
            lines.append(f"{name:<28} {ra.chosen_cutoff_hz:>10.2f} {ra.noise_rms:>11.3g}")
        lines.append(f"{'overall (' + self.rule + ')':<28} {self.cutoff_hz:>10.2f}")
        return "\n".join(lines)


def residual_analysis(x, rate_hz, cutoffs_hz=None, *, fit_range_hz=None, order: int = 4,
                      name: str = "signal", time_s=None, notes: list | None = None,
                      source: str | None = None) -> ResidualAnalysis:
    """Winter's residual analysis of a 1-D signal (Winter 2009 §3.4.4.3).

    For each cut-off fc the residual ``R(fc) = sqrt(mean((x − lowpass(x, fc))²))`` is
    computed. Above the signal's bandwidth R falls along a straight line (only noise is being
    removed); that line is fitted by least squares over `fit_range_hz` and extended to
    fc = 0, where its intercept estimates the RMS of the noise. The chosen cut-off is the
    lowest fc where R has fallen to the intercept, so that the signal distortion left in the
    residual equals the noise passed through the filter.

    Parameters
    ----------
    x : array_like
        Samples of one signal, (n,).
    rate_hz : float
        Sample rate, Hz.
    cutoffs_hz : array_like, optional
        Cut-offs to try; default: steps of ``rate_hz / 300`` from ``rate_hz / 300`` to
        ``0.4 × rate_hz``.
    fit_range_hz : (float, float), optional
        Cut-offs over which the noise line is fitted; default ``(rate_hz / 8, rate_hz / 4)``
        (the rule and its assumptions: docs/processing.md).
    order : int
        Order of the zero-lag filter (default 4).
    name, time_s, notes, source
        As in `lowpass` (missing samples are filled with the same rules).

    Returns
    -------
    ResidualAnalysis
    """
    rate = _check_rate(rate_hz, name, source)
    y = np.asarray(x, dtype=float)
    if y.ndim != 1:
        raise ValueError("residual_analysis takes one signal (n,); use choose_cutoff for several")
    y = fill_gaps(y, rate, name=name, time_s=time_s, notes=notes, source=source)
    if cutoffs_hz is None:
        step = rate / 300.0
        grid = np.arange(step, _GRID_TOP * rate + step / 2, step)
    else:
        grid = np.sort(np.asarray(cutoffs_hz, dtype=float).reshape(-1))
        for fc in (grid[0], grid[-1]):
            _check_cutoff(fc, rate, name, source)
    if fit_range_hz is None:
        lo, hi = _FIT_RANGE[0] * rate, _FIT_RANGE[1] * rate
    else:
        lo, hi = (float(v) for v in fit_range_hz)
    in_fit = (grid >= lo - 1e-9) & (grid <= hi + 1e-9)
    if in_fit.sum() < 3:
        raise KinematicsError(name, f"fit range {lo:g}–{hi:g} Hz holds {int(in_fit.sum())} "
                              "of the cut-offs tried", "a range that holds at least 3 cut-offs",
                              source=source)
    residuals = np.array([
        math.sqrt(float(np.mean((y - lowpass(y, rate, fc, order, name=name)) ** 2)))
        for fc in grid])
    slope, intercept = np.polyfit(grid[in_fit], residuals[in_fit], 1)
    out_notes: list[str] = []
    below = np.flatnonzero(residuals <= intercept)
    if below.size == 0:
        chosen = lo
        out_notes.append(f"{name}: the residual never fell to the noise intercept "
                         f"({intercept:.3g}); the start of the fit range ({lo:g} Hz) is used")
    elif below[0] == 0:
        chosen = float(grid[0])
        out_notes.append(f"{name}: the residual is at the noise level already at the lowest "
                         f"cut-off tried ({grid[0]:g} Hz): the signal is mostly noise")
    else:
        i = below[0]
        r0, r1 = residuals[i - 1], residuals[i]
        w = (r0 - intercept) / (r0 - r1) if r0 != r1 else 1.0
        chosen = float(grid[i - 1] + w * (grid[i] - grid[i - 1]))
    if chosen >= lo and below.size:
        out_notes.append(f"{name}: the chosen cut-off ({chosen:.2f} Hz) is inside the noise fit "
                         f"range ({lo:g}–{hi:g} Hz): the signal has content there, so the "
                         "noise estimate is too high; give a higher fit_range_hz")
    if notes is not None:
        notes.extend(out_notes)
    return ResidualAnalysis(name=name, cutoffs_hz=grid, residuals=residuals,
                            noise_line=(float(slope), float(intercept)), fit_range_hz=(lo, hi),
                            chosen_cutoff_hz=chosen, notes=out_notes)


def choose_cutoff(signals: dict, rate_hz, *, rule: str = "highest", cutoffs_hz=None,
                  fit_range_hz=None, order: int = 4, notes: list | None = None,
                  source: str | None = None) -> CutoffChoice:
    """Residual analysis of each signal and one cut-off for all of them.

    Parameters
    ----------
    signals : dict
        Name -> samples (n,) or (n, k); each column of a 2-D signal is analysed on its own
        (``hip.x``, ``hip.y`` ...).
    rate_hz : float
        Sample rate, Hz.
    rule : {'highest', 'median'}
        'highest' (default): the highest of the per-signal choices, so that no signal is
        over-smoothed (the others keep a little more noise). 'median': the median.
    cutoffs_hz, fit_range_hz, order
        As in `residual_analysis`.
    notes : list of str, optional
        Receives the per-signal notes and one sentence on the choice.
    source : str, optional
        File name for messages.

    Returns
    -------
    CutoffChoice
    """
    if rule not in ("highest", "median"):
        raise KinematicsError("choose_cutoff", f"rule {rule!r}", "'highest' or 'median'",
                              source=source)
    if not signals:
        raise KinematicsError("choose_cutoff", "no signals", "a dict of name -> samples",
                              source=source)
    per: dict[str, ResidualAnalysis] = {}
    for name, values in signals.items():
        arr = np.asarray(values, dtype=float)
        cols = arr.reshape(arr.shape[0], -1)
        for j, col_name in enumerate(_column_names(str(name), arr.shape)):
            per[col_name] = residual_analysis(cols[:, j], rate_hz, cutoffs_hz,
                                              fit_range_hz=fit_range_hz, order=order,
                                              name=col_name, notes=notes, source=source)
    chosen = np.array([ra.chosen_cutoff_hz for ra in per.values()])
    cutoff = float(chosen.max() if rule == "highest" else np.median(chosen))
    if notes is not None:
        which = max(per, key=lambda k: per[k].chosen_cutoff_hz)
        notes.append(f"cut-off {cutoff:.2f} Hz chosen by residual analysis ({rule} of "
                     f"{len(per)} signals; highest: {which})")
    return CutoffChoice(cutoff_hz=cutoff, per_signal=per, rule=rule)


# --------------------------------------------------------------------------- derivatives

def derivative(x, rate_hz, order: int = 1, axis: int = 0) -> np.ndarray:
    """First or second time derivative by finite differences on a uniform grid.

    Inside: central differences, ``(x[i+1] − x[i−1]) / 2h`` and
    ``(x[i+1] − 2x[i] + x[i−1]) / h²``. At the two ends: one-sided second-order formulas,
    ``(−3x0 + 4x1 − x2) / 2h`` and ``(2x0 − 5x1 + 4x2 − x3) / h²`` (mirrored at the end).
    All are exact for quadratics (first derivative) and cubics (second, inside), with errors
    proportional to h² (docs/processing.md, "Derivatives"). Filter before differentiating.

    Parameters
    ----------
    x : array_like
        Samples, time along `axis`.
    rate_hz : float
        Sample rate, Hz (h = 1 / rate_hz).
    order : {1, 2}
        Which derivative.
    axis : int
        Time axis.

    Returns
    -------
    numpy.ndarray
        Same shape as `x`, in the unit of `x` per s (order 1) or per s² (order 2).
    """
    rate = _check_rate(rate_hz, "derivative")
    if order not in (1, 2):
        raise KinematicsError("derivative", f"order {order!r}", "1 or 2")
    arr = np.moveaxis(np.asarray(x, dtype=float), axis, 0)
    n = arr.shape[0]
    if n < order + 2:
        raise KinematicsError("derivative", f"{n} samples",
                              f"at least {order + 2} samples for derivative order {order}")
    out = np.empty_like(arr)
    if order == 1:
        out[1:-1] = (arr[2:] - arr[:-2]) * (rate / 2.0)
        out[0] = (-3.0 * arr[0] + 4.0 * arr[1] - arr[2]) * (rate / 2.0)
        out[-1] = (3.0 * arr[-1] - 4.0 * arr[-2] + arr[-3]) * (rate / 2.0)
    else:
        r2 = rate * rate
        out[1:-1] = (arr[2:] - 2.0 * arr[1:-1] + arr[:-2]) * r2
        out[0] = (2.0 * arr[0] - 5.0 * arr[1] + 4.0 * arr[2] - arr[3]) * r2
        out[-1] = (2.0 * arr[-1] - 5.0 * arr[-2] + 4.0 * arr[-3] - arr[-4]) * r2
    return np.moveaxis(out, 0, axis)


# --------------------------------------------------------------------------- resampling

def resample_uniform(time_s, values, rate_hz=None, *, name: str = "signal",
                     notes: list | None = None, source: str | None = None):
    """Put unevenly timed samples on a uniform time grid by cubic-spline interpolation.

    For files whose time steps vary (Kinovea timecodes rounded to 1/100 s, dropped video
    frames). Samples with the same time are averaged (a note says so); decreasing times are
    an error. Missing values (NaN) are skipped by the spline, and grid points inside a run of
    missing values stay NaN, so `lowpass` later fills or rejects the gap by its own rule.

    Parameters
    ----------
    time_s : array_like
        (n,) sample times, s, non-decreasing.
    values : array_like
        (n,) or (n, k) samples.
    rate_hz : float, optional
        Rate of the new grid; default ``1 / median(time step)``.
    name : str
        The signal's name in messages and notes.
    notes : list of str, optional
        Receives what was done (duplicates averaged, rate chosen).
    source : str, optional
        File name for messages.

    Returns
    -------
    time_uniform_s : numpy.ndarray
        (m,) ``t0 + k / rate`` for k = 0 … up to the last sample time.
    values_uniform : numpy.ndarray
        (m,) or (m, k) resampled values.
    rate_hz : float
        The rate of the grid.
    """
    from scipy.interpolate import CubicSpline

    t = np.asarray(time_s, dtype=float).reshape(-1)
    v = np.asarray(values, dtype=float)
    if v.shape[0] != t.size:
        raise KinematicsError(name, f"{v.shape[0]} values for {t.size} times",
                              "one value (row) per time", source=source)
    if not np.isfinite(t).all():
        i = int(np.flatnonzero(~np.isfinite(t))[0])
        raise KinematicsError(name, f"time of sample {i + 1} is missing", "a time for every "
                              "sample", source=source)
    steps = np.diff(t)
    if (steps < 0).any():
        i = int(np.flatnonzero(steps < 0)[0])
        raise KinematicsError(name, f"time goes back from {t[i]:.4f} s to {t[i + 1]:.4f} s "
                              f"(samples {i + 1}-{i + 2})", "non-decreasing times",
                              source=source, times_s=(t[i], t[i + 1]))
    v2 = v.reshape(t.size, -1)
    if (steps == 0).any():
        uniq, inverse, counts = np.unique(t, return_inverse=True, return_counts=True)
        merged = np.full((uniq.size, v2.shape[1]), np.nan)
        for j in range(v2.shape[1]):
            ok = np.isfinite(v2[:, j])
            s = np.bincount(inverse[ok], weights=v2[ok, j], minlength=uniq.size)
            c = np.bincount(inverse[ok], minlength=uniq.size)
            with np.errstate(invalid="ignore", divide="ignore"):
                merged[:, j] = np.where(c > 0, s / np.maximum(c, 1), np.nan)
        if notes is not None:
            dup = ", ".join(f"{u:.3f} s" for u in uniq[counts > 1][:5])
            notes.append(f"{name}: {int((counts > 1).sum())} repeated time(s) ({dup}); their "
                         "samples were averaged")
        t, v2 = uniq, merged
    if t.size < 2:
        raise KinematicsError(name, f"{t.size} distinct time(s)", "at least 2", source=source)
    if rate_hz is None:
        rate = 1.0 / float(np.median(np.diff(t)))
        if notes is not None:
            notes.append(f"{name}: resampled at {rate:.4g} Hz (the median time step)")
    else:
        rate = _check_rate(rate_hz, name, source)
    m = int(math.floor((t[-1] - t[0]) * rate + 1e-9)) + 1
    grid = t[0] + np.arange(m) / rate
    out = np.full((m, v2.shape[1]), np.nan)
    for j in range(v2.shape[1]):
        ok = np.isfinite(v2[:, j])
        if ok.sum() < 2:
            continue
        out[:, j] = CubicSpline(t[ok], v2[ok, j])(grid)
        for a, b in _runs(~ok):  # grid points inside a gap (or beyond the data) stay missing
            lo = t[a - 1] if a > 0 else -np.inf
            hi = t[b] if b < t.size else np.inf
            out[(grid > lo) & (grid < hi), j] = np.nan
    out = out.reshape((m,) + v.shape[1:])
    return grid, out, rate

