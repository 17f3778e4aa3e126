"""Stick-figure animation of one or several simulated recoveries (GIF, or MP4 with ffmpeg).

Every strategy is played on one common clock that starts at toe-off (t = 0) and runs to the
latest end of all recoveries; a strategy whose recovery ended earlier stays frozen at its last
pose and is marked "done at X ms". Playback is slowed down `slow_motion` times: the frame shown
at playback time k / fps is the recovery at time k / (fps * slow_motion), with the trajectory
columns interpolated linearly (the last frame is always the latest end).

Each frame shows, per strategy, the leg (hip -> knee -> ankle, foot triangle ankle-heel-toe),
the buttock circle, the heel path up to the current time, the closest heel-buttock approach once
it has happened (diamond, labelled with the distance and the thigh angle there), the clock
(recovery time since toe-off) and the live net hip torque as a bar on a common N·m scale.

Layouts: ``side_by_side`` (one panel per strategy, same axes limits) and ``overlay`` (all legs in
one panel, coloured by strategy with the palette of `legsim.viz.figures`).

Frames are rendered with one reused matplotlib `Figure` on the Agg canvas (no pyplot): artists
are updated, not re-created. Output is deterministic: the same results give the same bytes
(GIF with one fixed palette and no dithering). GIF needs only Pillow (shipped with matplotlib);
MP4 pipes raw RGB frames into ``ffmpeg`` and needs it on the PATH.
"""
from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, Polygon, Rectangle
from matplotlib.ticker import MaxNLocator

from ..result import Result, StrategyResult
from .figures import colour

__all__ = [
    "LAYOUTS",
    "SLOW_MOTION",
    "FPS",
    "END_HOLD_S",
    "MAX_FRAMES",
    "write_animation",
    "frame_times",
    "ffmpeg_available",
]

#: Accepted values of ``layout``.
LAYOUTS = ("side_by_side", "overlay")

#: Defaults: playback 10 times slower than real time, 20 frames per second of playback.
SLOW_MOTION = 10.0
FPS = 20

#: The final frame is held this long (s of playback) before a GIF loops / an MP4 ends.
END_HOLD_S = 1.0

#: Upper bounds on the number of frames; lower `slow_motion` or `fps` beyond. A GIF is
#: assembled in memory (about width x height bytes per frame); MP4 frames are streamed to ffmpeg.
MAX_FRAMES = {"gif": 1000, "mp4": 20000}

_GIF_MAX_FPS = 50  # GIF delays are whole centiseconds; players slow down delays below 20 ms

_RC = {
    "font.size": 12,
    "axes.titlesize": 12,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "figure.titlesize": 14,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "path.simplify": True,
}

_LEG_POINTS = ("knee", "ankle", "heel", "toe")
_BUTTOCK_FACE, _BUTTOCK_EDGE = "0.85", "0.35"
_HIP_COLOUR = "0.15"


# --------------------------------------------------------------------------------------------
# public helpers


def ffmpeg_executable() -> str | None:
    """The ffmpeg used for MP4 output: one on the PATH, else the one packaged by the optional
    ``imageio-ffmpeg`` (``pip install "legsim[video]"``), else None."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:
        return None


def ffmpeg_available() -> bool:
    """Whether an ffmpeg executable is available (needed for MP4 output)."""
    return ffmpeg_executable() is not None


def frame_times(results, slow_motion: float = SLOW_MOTION, fps: float = FPS) -> np.ndarray:
    """The common clock of the animation: recovery time (s since toe-off) of every frame.

    Frame k shows recovery time ``k / (fps * slow_motion)``; the clock runs from 0 to the latest
    end of all `results`, and a final frame exactly at that end is always included.
    """
    items = _as_items(results)
    _check_timing(slow_motion, fps)
    return _clock(max(_Track.duration_of(r) for _, r in items), slow_motion, fps)


def write_animation(
    results,
    path,
    layout: str = "side_by_side",
    slow_motion: float = SLOW_MOTION,
    fps: int = FPS,
    progress: bool | None = True,
    dpi: int = 100,
) -> Path:
    """Write a stick-figure animation of one or several recoveries to `path`.

    Parameters
    ----------
    results : a StrategyResult, a Result, a Comparison, a dict ``label -> StrategyResult``, or
        a sequence of StrategyResult objects or of ``(label, StrategyResult)`` pairs (labels name
        the panels; default: the strategy names). Strategies keep the colour of their position
        (as in the static figures).
    path : ``*.gif`` (Pillow, always available) or ``*.mp4`` (needs ffmpeg on the PATH; a
        RuntimeError says so when it is missing). Written atomically: an existing file is only
        replaced once the new one is complete.
    layout : ``"side_by_side"`` (one panel per strategy, same axes) or ``"overlay"`` (one panel).
    slow_motion : playback is this many times slower than real time.
    fps : frames per second of playback.
    progress : print a one-line progress counter to stderr; None: only when stderr is a terminal.
    dpi : pixels per inch; the figure is 8 x 6 in (side by side: 5 in wide per panel, at least 8).

    Returns
    -------
    The written path.
    """
    items = _as_items(results)
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("gif", "mp4"):
        raise ValueError(f"unsupported animation format {path.suffix or path.name!r} "
                         "(accepted: .gif, .mp4)")
    if layout not in LAYOUTS:
        raise ValueError(f"unknown animation layout {layout!r} (accepted: {', '.join(LAYOUTS)})")
    _check_timing(slow_motion, fps)
    if not (isinstance(dpi, (int, float)) and 10 <= dpi <= 600):
        raise ValueError(f"dpi must be a number from 10 to 600, got {dpi!r}")
    if fmt == "mp4" and not ffmpeg_available():
        raise RuntimeError("cannot write an MP4 animation: ffmpeg was not found on the PATH; "
                           "install ffmpeg, or write a GIF instead (a path ending in .gif), "
                           "which needs only Pillow")
    if fmt == "gif" and fps > _GIF_MAX_FPS:
        warnings.warn(f"GIF frame delays are whole centiseconds and most players slow down "
                      f"delays under 20 ms: fps={fps:g} will not play at its real speed "
                      f"(use fps <= {_GIF_MAX_FPS}, or MP4)", stacklevel=2)
    tracks = [_Track(label, r, i) for i, (label, r) in enumerate(items)]
    times = _clock(max(tr.duration for tr in tracks), slow_motion, fps)
    if len(times) > MAX_FRAMES[fmt]:
        raise ValueError(f"the animation would have {len(times)} frames (limit for "
                         f"{fmt.upper()}: {MAX_FRAMES[fmt]}); lower slow_motion "
                         f"({slow_motion:g}) or fps ({fps:g})")
    if progress is None:
        progress = _isatty(sys.stderr)
    path.parent.mkdir(parents=True, exist_ok=True)
    with rc_context(_RC):
        scene = _Scene(tracks, times, layout, dpi, slow_motion)
        meter = _Progress(len(times), bool(progress))
        try:
            if fmt == "gif":
                _write_gif(scene, path, fps, meter)
            else:
                _write_mp4(scene, path, fps, meter)
        finally:
            meter.close()
    return path


# --------------------------------------------------------------------------------------------
# inputs


def _as_items(results) -> list[tuple[str, StrategyResult]]:
    """(label, StrategyResult) pairs from any accepted form of `results`."""
    if isinstance(results, StrategyResult):
        seq = [results]
    elif isinstance(results, Result):
        seq = list(results.strategies.items())
    elif isinstance(results, dict):
        seq = list(results.items())
    elif isinstance(getattr(results, "items", None), (list, tuple)):  # legsim Comparison
        seq = list(results.items)
    else:
        seq = list(results)
    items = []
    for entry in seq:
        if isinstance(entry, StrategyResult):
            items.append((str(entry.name), entry))
        elif (isinstance(entry, tuple) and len(entry) == 2
              and isinstance(entry[1], StrategyResult)):
            items.append((str(entry[0]), entry[1]))
        else:
            raise TypeError(f"expected StrategyResult objects, got {type(entry).__name__}")
    if not items:
        raise ValueError("no results to animate")
    return items


def _check_timing(slow_motion, fps) -> None:
    for name, value in (("slow_motion", slow_motion), ("fps", fps)):
        if not isinstance(value, (int, float, np.integer, np.floating)) or not (
                math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number, got {value!r}")


def _clock(t_end: float, slow_motion: float, fps: float) -> np.ndarray:
    dt = 1.0 / (float(fps) * float(slow_motion))
    if not t_end > 0.0:
        return np.zeros(1)
    n = int(math.floor(t_end / dt + 1e-9))
    times = np.minimum(np.arange(n + 1) * dt, t_end)  # k * dt, not a running sum
    if t_end - times[-1] > 1e-6 * dt:
        times = np.append(times, t_end)
    else:
        times[-1] = t_end
    return times


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _column(r: StrategyResult, name: str) -> np.ndarray | None:
    values = r.trajectory.get(name)
    if values is None:
        return None
    arr = np.asarray(values, dtype=float)
    if arr.size == 0 or not np.any(np.isfinite(arr)):
        return None
    return arr


@dataclass
class _Track:
    """One strategy, prepared for drawing: its data interpolated on the common clock later."""

    label: str
    result: StrategyResult
    index: int

    def __post_init__(self):
        r = self.result
        t = np.asarray(r.trajectory["t_s"], dtype=float)
        if t.size == 0:
            raise ValueError(f"strategy {self.label!r} has an empty trajectory")
        self.t0 = float(t[0])
        self.t = t - self.t0
        self.duration = float(self.t[-1])
        self.colour = colour(self.index)
        self.pts = self._points()
        self.torque = _column(r, "hip_torque_Nm")
        self.geometry = dict(r.geometry or {})
        self.closest = self._closest()

    @staticmethod
    def duration_of(r: StrategyResult) -> float:
        t = np.asarray(r.trajectory["t_s"], dtype=float)
        if t.size == 0:
            raise ValueError(f"strategy {r.name!r} has an empty trajectory")
        return float(t[-1] - t[0])

    def _points(self) -> dict[str, np.ndarray]:
        r = self.result
        pts = {}
        for p in _LEG_POINTS:
            x, y = _column(r, f"{p}_x_m"), _column(r, f"{p}_y_m")
            if x is not None and y is not None:
                pts[p] = (x, y)
        if "knee" not in pts or "ankle" not in pts:  # rebuild from the angles when possible
            thigh, knee = _column(r, "thigh_angle_deg"), _column(r, "knee_flexion_deg")
            lt, ls = self.result.geometry.get("thigh_length_m"), self.result.geometry.get(
                "shank_length_m")
            if thigh is None or knee is None or lt is None or ls is None:
                raise ValueError(
                    f"strategy {self.label!r}: cannot draw the leg: the trajectory has neither "
                    "knee_x_m, knee_y_m, ankle_x_m, ankle_y_m nor thigh_angle_deg, "
                    "knee_flexion_deg with segment lengths in the geometry")
            th, sh = np.radians(thigh), np.radians(thigh - knee)
            kx, ky = lt * np.sin(th), -lt * np.cos(th)
            pts["knee"] = (kx, ky)
            pts["ankle"] = (kx + ls * np.sin(sh), ky - ls * np.cos(sh))
        return pts

    def _closest(self):
        """(index, distance m, thigh angle deg or None) of the closest heel-buttock approach."""
        r, g = self.result, self.geometry
        d = _column(r, "heel_buttock_distance_m")
        if d is None and "heel" in self.pts and all(
                k in g for k in ("buttock_x_m", "buttock_y_m")):
            hx, hy = self.pts["heel"]
            d = np.hypot(hx - g["buttock_x_m"], hy - g["buttock_y_m"]) - g.get(
                "buttock_radius_m", 0.0)
        if d is None or "heel" not in self.pts or not np.any(np.isfinite(d)):
            return None
        k = int(np.nanargmin(d))
        thigh = _column(r, "thigh_angle_deg")
        return k, float(d[k]), (float(thigh[k]) if thigh is not None else None)

    def sample(self, times: np.ndarray) -> None:
        """Interpolate positions and torque at the frame times (frozen after the end)."""
        tc = np.clip(times, 0.0, self.duration)
        self.f_pts = {p: (np.interp(tc, self.t, x), np.interp(tc, self.t, y))
                      for p, (x, y) in self.pts.items()}
        self.f_torque = None if self.torque is None else np.interp(tc, self.t, self.torque)
        # samples of the heel path strictly before each frame time (the trail ends at the frame)
        self.f_trail_n = np.searchsorted(self.t, tc, side="left")
        self.f_time = times
        self.f_done = times >= self.duration - 1e-12
        phases = sorted((float(s) - self.t0, str(name)) for name, s, _e in self.result.phases)
        self.f_phase = []
        for tf in tc:
            current = ""
            for start, name in phases:
                if start <= tf + 1e-12:
                    current = name
            self.f_phase.append(current)
        if self.f_torque is not None:
            self.f_torque_peak = np.maximum.accumulate(np.nan_to_num(self.f_torque, nan=-np.inf))

    def status(self, k: int) -> str:
        if self.f_done[k]:
            ms = self.duration * 1e3
            if self.result.completed:
                return f"done at {ms:.0f} ms"
            return f"stopped at {ms:.0f} ms"
        return f"phase: {self.f_phase[k]}" if self.f_phase[k] else ""

    def title(self) -> str:
        ms = self.duration * 1e3
        if self.result.completed:
            return f"{self.label} ({ms:.0f} ms)"
        return f"{self.label} (not completed)"


# --------------------------------------------------------------------------------------------
# the scene: one figure, artists updated frame by frame


def _drawing_bounds(tracks, pad_m: float = 0.04):
    xs, ys = [0.0], [0.0]
    for tr in tracks:
        for x, y in tr.pts.values():
            xs += [np.nanmin(x), np.nanmax(x)]
            ys += [np.nanmin(y), np.nanmax(y)]
        g = tr.geometry
        if all(k in g for k in ("buttock_x_m", "buttock_y_m", "buttock_radius_m")):
            rad = float(g["buttock_radius_m"])
            xs += [g["buttock_x_m"] - rad, g["buttock_x_m"] + rad]
            ys += [g["buttock_y_m"] - rad, g["buttock_y_m"] + rad]
    return min(xs) - pad_m, max(xs) + pad_m, min(ys) - pad_m, max(ys) + pad_m


def _torque_limit(tracks) -> tuple[float, np.ndarray]:
    """Symmetric limit (N·m) of the torque bars, common to every strategy, and its ticks."""
    m = max((float(np.nanmax(np.abs(tr.torque))) for tr in tracks if tr.torque is not None),
            default=0.0)
    m = max(m, 1.0)
    ticks = MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10], symmetric=True).tick_values(-m, m)
    lim = float(max(abs(ticks[0]), abs(ticks[-1])))
    return lim, ticks[(ticks >= -lim - 1e-9) & (ticks <= lim + 1e-9)]


def _signed(v: float) -> str:
    return f"{v:.0f}".replace("-", "\u2212")


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(line, width, break_long_words=False) or line
                     for line in text.split("\n"))


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def _buttocks(tracks) -> list[tuple[float, float, float]]:
    """Distinct buttock circles (x, y, radius) of the strategies, in order."""
    out = []
    for tr in tracks:
        g = tr.geometry
        try:
            c = (float(g["buttock_x_m"]), float(g["buttock_y_m"]), float(g["buttock_radius_m"]))
        except (KeyError, TypeError, ValueError):
            continue
        if not any(np.allclose(c, o) for o in out):
            out.append(c)
    return out


def _legend_handles(has_closest: bool) -> list:
    handles = [
        Line2D([], [], color=_HIP_COLOUR, marker="o", linestyle="", markersize=8, label="hip"),
        Patch(facecolor=_BUTTOCK_FACE, edgecolor=_BUTTOCK_EDGE, label="buttock"),
        Line2D([], [], color="0.3", linewidth=1.5, linestyle=(0, (3, 2)), label="heel path"),
    ]
    if has_closest:
        handles.append(Line2D([], [], color="0.5", marker="D", markeredgecolor="black",
                              linestyle="", markersize=8,
                              label="closest heel–buttock\n(distance, θ = thigh angle)"))
    return handles


def _closest_text(d: float, thigh: float | None) -> str:
    """Short label of the closest approach: distance (or contact) and thigh angle θ there."""
    first = "contact" if d <= 0 else f"{d * 100:.1f} cm"
    return first if thigh is None else f"{first}\nθ = {_signed(thigh)}°"


class _LegArtists:
    """The moving artists of one strategy in one axes (all animated: drawn by blitting)."""

    def __init__(self, ax, tr: _Track):
        col = tr.colour
        z = 4 + 0.1 * tr.index
        self.ax = ax
        self.trail = Line2D([], [], color=col, linewidth=1.5, linestyle=(0, (3, 2)), zorder=2)
        ax.add_line(self.trail)
        self.foot = None
        if "heel" in tr.pts and "toe" in tr.pts:
            self.foot = Polygon(np.zeros((3, 2)), closed=True, facecolor=col, edgecolor=col,
                                alpha=0.85, linewidth=1.0, zorder=z)
            ax.add_patch(self.foot)
        self.leg = Line2D([], [], color=col, linewidth=4.0, marker="o", markersize=6,
                          solid_capstyle="round", solid_joinstyle="round", zorder=z)
        ax.add_line(self.leg)
        self.closest = self.label = None
        self.t_closest = np.inf
        if tr.closest is not None and "heel" in tr.pts:
            k, d, thigh = tr.closest
            self.t_closest = float(tr.t[k])
            self.xy_closest = (float(tr.pts["heel"][0][k]), float(tr.pts["heel"][1][k]))
            self.closest = Line2D(*([v] for v in self.xy_closest), color=col, marker="D",
                                  markersize=9, markeredgecolor="black", linestyle="",
                                  zorder=z + 2)
            ax.add_line(self.closest)
            # placed inside the axes by _place_labels once the layout is fixed
            self.label = ax.annotate(
                _closest_text(d, thigh), self.xy_closest, xytext=(0, 0),
                textcoords="offset points", fontsize=10, color=col, fontweight="bold",
                ha="left", va="bottom",
                arrowprops={"arrowstyle": "-", "color": col, "linewidth": 1.0,
                            "shrinkA": 0, "shrinkB": 5},
                bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": col, "alpha": 0.92},
                zorder=9, annotation_clip=False)
        for a in self.artists():
            a.set_animated(True)

    def artists(self) -> list:
        return [a for a in (self.trail, self.foot, self.leg, self.closest, self.label)
                if a is not None]

    def update(self, tr: _Track, k: int) -> None:
        p = tr.f_pts
        kx, ky = p["knee"][0][k], p["knee"][1][k]
        ax_, ay = p["ankle"][0][k], p["ankle"][1][k]
        self.leg.set_data([0.0, kx, ax_], [0.0, ky, ay])
        if self.foot is not None:
            self.foot.set_xy([(ax_, ay), (p["heel"][0][k], p["heel"][1][k]),
                              (p["toe"][0][k], p["toe"][1][k])])
        if "heel" in tr.pts:
            n = tr.f_trail_n[k]
            hx, hy = tr.pts["heel"]
            self.trail.set_data(np.append(hx[:n], p["heel"][0][k]),
                                np.append(hy[:n], p["heel"][1][k]))
        if self.closest is not None:
            passed = self.t_closest <= min(tr.f_time[k], tr.duration) + 1e-12
            self.closest.set_visible(passed)
            self.label.set_visible(passed)

    def obstacles(self, tr: _Track) -> np.ndarray:
        """Data points this strategy covers while its closest-approach label is shown."""
        shown = np.flatnonzero(tr.f_time >= self.t_closest - 1e-12)
        p = tr.f_pts
        s = np.linspace(0.0, 1.0, 9)[:, None]
        pts = []
        for k in shown:
            hip, knee = np.zeros(2), np.array([p["knee"][0][k], p["knee"][1][k]])
            ankle = np.array([p["ankle"][0][k], p["ankle"][1][k]])
            pts += [hip + s * (knee - hip), knee + s * (ankle - knee)]
            if "heel" in p and "toe" in p:
                heel = np.array([p["heel"][0][k], p["heel"][1][k]])
                toe = np.array([p["toe"][0][k], p["toe"][1][k]])
                pts += [ankle + s * (heel - ankle), ankle + s * (toe - ankle),
                        heel + s * (toe - heel)]
        if "heel" in tr.pts:
            pts.append(np.column_stack(tr.pts["heel"]))
        return np.concatenate(pts) if pts else np.zeros((0, 2))


def _circle_points(bx: float, by: float, rad: float) -> np.ndarray:
    a = np.linspace(0.0, 2.0 * np.pi, 24, endpoint=False)[:, None]
    r = np.linspace(0.0, rad, 4)[None, :]
    return np.column_stack([(bx + r * np.cos(a)).ravel(), (by + r * np.sin(a)).ravel()])


def _near_segment(points: np.ndarray, a, b, tol: float) -> int:
    """How many `points` lie within `tol` of the segment a-b (a leader line crossing them)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ab = b - a
    L2 = float(ab @ ab)
    if L2 == 0.0 or len(points) == 0:
        return 0
    s = np.clip(((points - a) @ ab) / L2, 0.0, 1.0)
    d = points - (a + s[:, None] * ab)
    return int(np.count_nonzero((d ** 2).sum(axis=1) < tol * tol))


def _place_labels(ax, entries: list[_LegArtists], obstacles: np.ndarray, renderer) -> None:
    """Put each closest-approach label inside `ax` where it hides the least of the drawing
    (legs after the approach, heel paths, buttock, hip, other labels), near its marker."""
    bbox = ax.get_window_extent(renderer)
    dpi = ax.figure.dpi
    obs = ax.transData.transform(obstacles) if len(obstacles) else np.zeros((0, 2))
    placed: list[tuple[float, float, float, float]] = []
    margin = 4.0
    for art in entries:
        if art.label is None:
            continue
        probe = ax.figure.text(0.0, 0.0, art.label.get_text(), fontsize=art.label.get_fontsize(),
                               fontweight=art.label.get_fontweight())
        text = probe.get_window_extent(renderer)
        probe.remove()
        pad = 0.25 * art.label.get_fontsize() * dpi / 72.0 + 1.0  # the frame around the text
        box = text.padded(pad)
        w, h = box.width + 2 * margin, box.height + 2 * margin
        mx, my = ax.transData.transform(art.xy_closest)
        best = None
        xs = np.linspace(bbox.x0 + 2, bbox.x1 - w - 2, 15) if bbox.width > w + 4 else [bbox.x0]
        ys = np.linspace(bbox.y0 + 2, bbox.y1 - h - 2, 15) if bbox.height > h + 4 else [bbox.y0]
        for x0 in xs:
            for y0 in ys:
                x1, y1 = x0 + w, y0 + h
                inside = np.count_nonzero((obs[:, 0] > x0) & (obs[:, 0] < x1)
                                          & (obs[:, 1] > y0) & (obs[:, 1] < y1))
                over = sum(1 for (a0, b0, a1, b1) in placed
                           if x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1)
                covers_marker = x0 - 8 < mx < x1 + 8 and y0 - 8 < my < y1 + 8
                cx, cy = min(max(mx, x0), x1), min(max(my, y0), y1)
                dist = float(np.hypot(mx - cx, my - cy))
                crossed = _near_segment(obs, (mx, my), (cx, cy), 3.0) if dist > 12 else 0
                score = (inside + 0.5 * crossed + 1000 * over + 500 * covers_marker
                         + 0.02 * dist)
                if best is None or score < best[0] - 1e-9:
                    best = (score, x0, y0)
        _score, x0, y0 = best
        placed.append((x0, y0, x0 + w, y0 + h))
        # lower-left corner of the text (the frame pads it) relative to the marker, in points
        tx = x0 + margin + (text.x0 - box.x0)
        ty = y0 + margin + (text.y0 - box.y0)
        art.label.set_position(((tx - mx) * 72.0 / dpi, (ty - my) * 72.0 / dpi))
        pts = np.column_stack([np.linspace(x0, x0 + w, 6).repeat(6),
                               np.tile(np.linspace(y0, y0 + h, 6), 6)])
        obs = np.concatenate([obs, pts])


class _Scene:
    """The figure of the animation: a static background drawn once, and the moving artists
    (legs, trails, markers, labels, texts, bars) drawn over it frame by frame (blitting)."""

    def __init__(self, tracks: list[_Track], times: np.ndarray, layout: str, dpi: float,
                 slow_motion: float):
        self.tracks = tracks
        self.times = times
        for tr in tracks:
            tr.sample(times)
        n = len(tracks)
        self.layout = layout
        width = max(8.0, 5.0 * n) if layout == "side_by_side" else 8.0
        self.fig = Figure(figsize=(width, 6.0), dpi=dpi, layout="constrained")
        self.canvas = FigureCanvasAgg(self.fig)
        self.animated: list = []
        self.has_torque = any(tr.torque is not None for tr in tracks)
        self.torque_lim, self.torque_ticks = _torque_limit(tracks)
        self.bounds = _drawing_bounds(tracks)
        self.leg_axes: list = []
        has_closest = any(tr.closest is not None for tr in tracks)
        if layout == "side_by_side":
            self._build_side_by_side(has_closest)
        else:
            self._build_overlay(has_closest)
        names = [tr.label for tr in tracks]
        title = " vs ".join(names) if n > 1 else names[0]
        # two lines: the title, and a line kept free for the clock (placed after the layout)
        self.suptitle = self.fig.suptitle(
            _wrap(f"{title}: swing-leg recovery", int(width * 8)) + "\n ",
            fontsize=14, fontweight="bold")
        dt_ms = (times[1] - times[0]) * 1e3 if len(times) > 1 else 1.0
        self._ms_decimals = max(0, math.ceil(-math.log10(dt_ms) - 1e-9))
        self._ms_width = len(f"{times[-1] * 1e3:.{self._ms_decimals}f}")
        self.clock = self.fig.text(0.5, 0.9, "", ha="center", va="center", fontsize=15,
                                   fontweight="bold", family="DejaVu Sans Mono")
        self.note = self.fig.text(0.99, 0.9, f"slow motion ×{slow_motion:g}", ha="right",
                                  va="center", fontsize=11, color="0.35")
        self.clock.set_animated(True)
        self.animated.append(self.clock)
        # lay out once with the widest texts in place, then freeze so that frames never shift
        self.update(len(times) - 1)
        for _tr, art in self.legs:
            if art.label is not None:
                art.label.set_visible(False)  # placed inside the axes below: not in the layout
        self.canvas.draw()
        self.fig.set_layout_engine("none")
        renderer = self.canvas.get_renderer()
        box = self.suptitle.get_window_extent(renderer)
        lines = self.suptitle.get_text().count("\n") + 1  # the last one is kept for the clock
        y = self.fig.transFigure.inverted().transform(
            (0, box.y0 + box.height * 0.55 / lines))[1]
        self.clock.set_y(y)
        self.note.set_y(y)
        for ax, entries in self.leg_axes:
            obstacles = [np.zeros((1, 2))]
            for bx, by, rad in _buttocks(self.tracks):
                obstacles.append(_circle_points(bx, by, rad))
            for tr, art in entries:
                obstacles.append(art.obstacles(tr))
            _place_labels(ax, [art for _tr, art in entries], np.concatenate(obstacles),
                          renderer)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.animated.sort(key=lambda a: a.get_zorder())  # stable: creation order within a z

    # -- layouts ------------------------------------------------------------------------------

    def _leg_axes(self, ax, first: bool) -> None:
        x0, x1, y0, y1 = self.bounds
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("x, forward (m)")
        if first:
            ax.set_ylabel("y, up (m)")
        else:
            ax.tick_params(labelleft=False)
        for bx, by, rad in _buttocks(self.tracks):
            ax.add_patch(Circle((bx, by), rad, facecolor=_BUTTOCK_FACE, edgecolor=_BUTTOCK_EDGE,
                                linewidth=1.2, zorder=1))
        (hip,) = ax.plot(0.0, 0.0, marker="o", markersize=10, color=_HIP_COLOUR, zorder=10,
                         animated=True)  # over the legs
        self.animated.append(hip)

    def _add_legs(self, ax, tracks) -> list:
        entries = [(tr, _LegArtists(ax, tr)) for tr in tracks]
        for _tr, art in entries:
            self.animated += art.artists()
        self.leg_axes.append((ax, entries))
        return entries

    def _torque_axes(self, ax, rows: int) -> None:
        lim = self.torque_lim
        ax.set_xlim(-lim, lim)
        ax.set_xticks(self.torque_ticks)
        ax.xaxis.set_major_formatter(lambda v, _pos: _signed(v))
        ax.set_ylim(rows - 0.5, -0.5)
        ax.grid(False, axis="y")
        ax.axvline(0.0, color="0.3", linewidth=1.0, zorder=1)
        ax.spines["left"].set_visible(False)
        ax.set_title("net hip torque (N·m), flexion +", loc="left", fontsize=11)

    def _bar(self, ax, tr: _Track, row: int) -> Rectangle | None:
        if tr.torque is None:
            return None
        bar = Rectangle((0.0, row - 0.32), 0.0, 0.64, facecolor=tr.colour, edgecolor="none",
                        zorder=3, animated=True)
        ax.add_patch(bar)
        self.animated.append(bar)
        return bar

    def _text(self, text):
        text.set_animated(True)
        self.animated.append(text)
        return text

    def _build_side_by_side(self, has_closest: bool) -> None:
        n = len(self.tracks)
        rows = [1.0, 0.07] if self.has_torque else [1.0]
        gs = self.fig.add_gridspec(len(rows), n, height_ratios=rows)
        self.legs, self.bars, self.titles, self.values = [], [], [], []
        first = None
        for i, tr in enumerate(self.tracks):
            ax = self.fig.add_subplot(gs[0, i], sharex=first, sharey=first)
            first = first or ax
            self._leg_axes(ax, first=i == 0)
            self.legs += self._add_legs(ax, [tr])
            self.titles.append(self._text(ax.set_title("", color=tr.colour, fontsize=12)))
            if self.has_torque:
                axt = self.fig.add_subplot(gs[1, i])
                self._torque_axes(axt, 1)
                axt.set_yticks([])
                self.bars.append(self._bar(axt, tr, 0))
                self.values.append(self._text(
                    axt.set_title("", loc="right", fontsize=11, color=tr.colour)))
        self.fig.legend(handles=_legend_handles(has_closest), loc="outside lower center",
                        ncols=4, frameon=False, fontsize=11)

    def _build_overlay(self, has_closest: bool) -> None:
        n = len(self.tracks)
        rows = [1.0, 0.03 + 0.05 * n] if self.has_torque else [1.0]
        gs = self.fig.add_gridspec(len(rows), 2, height_ratios=rows, width_ratios=[1.0, 0.5])
        ax = self.fig.add_subplot(gs[0, 0])
        self._leg_axes(ax, first=True)
        self.legs = self._add_legs(ax, self.tracks)
        info = self.fig.add_subplot(gs[0, 1])
        info.set_axis_off()
        self.titles, self.values, self.bars = [], [], []
        line, lh = 0.0, 15.5  # line height (points)

        def text(s, indent, **kw):
            return info.annotate(s, (0.0, 1.0), xycoords="axes fraction",
                                 xytext=(indent, -line * lh), textcoords="offset points",
                                 va="top", ha="left", **kw)

        for tr in self.tracks:
            head = _wrap(tr.title(), 24)
            text(head, 0, color=tr.colour, fontsize=12, fontweight="bold")
            line += head.count("\n") + 1
            self.titles.append(self._text(text("", 8, color=tr.colour, fontsize=11)))
            line += 1
            if self.has_torque:
                self.values.append(self._text(text("", 8, color=tr.colour, fontsize=11)))
                line += 1
            line += 0.6
        self.fig.legend(handles=_legend_handles(has_closest), loc="outside lower center",
                        ncols=4, frameon=False, fontsize=11)
        if self.has_torque:
            axt = self.fig.add_subplot(gs[1, :])
            self._torque_axes(axt, n)
            axt.set_yticks(range(n), [_shorten(tr.label, 18) for tr in self.tracks])
            for tick, tr in zip(axt.get_yticklabels(), self.tracks):
                tick.set_color(tr.colour)
            axt.tick_params(axis="y", length=0)
            self.bars = [self._bar(axt, tr, i) for i, tr in enumerate(self.tracks)]

    # -- frames -------------------------------------------------------------------------------

    def update(self, k: int) -> None:
        t_ms = self.times[k] * 1e3
        self.clock.set_text(f"t = {t_ms:{self._ms_width}.{self._ms_decimals}f} ms")
        for tr, artists in self.legs:
            artists.update(tr, k)
        for i, tr in enumerate(self.tracks):
            status = tr.status(k)
            if self.layout == "side_by_side":
                self.titles[i].set_text(f"{_wrap(tr.title(), 40)}\n{status}")
            else:
                self.titles[i].set_text(status)
            if not self.has_torque:
                continue
            if tr.f_torque is None:
                self.values[i].set_text("hip torque: n/a")
                continue
            v = float(tr.f_torque[k])
            bar = self.bars[i]
            if bar is not None:
                bar.set_x(min(0.0, v) if np.isfinite(v) else 0.0)
                bar.set_width(abs(v) if np.isfinite(v) else 0.0)
            peak = tr.f_torque_peak[k]
            text = f"{'+' if v > 0 else ''}{_signed(v)} N·m" if np.isfinite(v) else "n/a"
            if np.isfinite(peak) and peak > 0:
                text += f" (peak {peak:.0f})"
            self.values[i].set_text(text if self.layout == "side_by_side"
                                    else f"hip torque {text}")

    def render(self, k: int) -> np.ndarray:
        """Frame `k` as an (H, W, 3) uint8 RGB array (a copy)."""
        self.update(k)
        self.canvas.restore_region(self.background)
        for a in self.animated:
            if a.get_visible():
                self.fig.draw_artist(a)
        return np.array(self.canvas.buffer_rgba())[..., :3]

    def close(self) -> None:
        self.fig.clear()


# --------------------------------------------------------------------------------------------
# writers


class _Progress:
    def __init__(self, total: int, enabled: bool, stream=None):
        self.total, self.enabled, self.done = total, enabled, 0
        self.stream = stream if stream is not None else sys.stderr
        self._shown = False

    def step(self) -> None:
        self.done += 1
        if self.enabled:
            self.stream.write(f"\rrendering animation {self.done:4d}/{self.total} frames")
            self.stream.flush()
            self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False


def _gif_durations(n: int, fps: float) -> list[int]:
    """Frame delays in ms, whole centiseconds (GIF), rounded cumulatively so that the average
    rate is `fps`; the last frame is held `END_HOLD_S` longer."""
    ends = np.round(np.arange(1, n + 1) * 100.0 / fps).astype(int) * 10
    durations = np.diff(np.concatenate([[0], ends]))
    durations = np.maximum(durations, 10)
    durations[-1] += int(round(END_HOLD_S * 100)) * 10
    return [int(d) for d in durations]


def _temp_path(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f"{path.suffix}.tmp",
                               dir=path.parent)
    os.close(fd)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)      # mkstemp makes 0600; an animation is for sharing
    return Path(tmp)


class _Quantizer:
    """Exact, deterministic RGB -> palette mapping for the GIF frames.

    The palette is the `size` most frequent colours of the sample frames (flat colours of the
    drawing: background, legs, text, bars - reproduced exactly); any other colour (anti-aliased
    edges) maps to its nearest palette colour, cached in a 24-bit lookup table.
    """

    def __init__(self, samples: list[np.ndarray], size: int = 255):
        packed = np.concatenate([self._pack(s) for s in samples])
        values, counts = np.unique(packed, return_counts=True)
        order = np.lexsort((values, -counts))[:size]  # most frequent first, ties by value
        self.values = values[order]
        self.rgb = self._unpack(self.values).astype(np.int32)
        self.palette = self.rgb.astype(np.uint8).ravel().tolist()
        self.palette += [255] * (768 - len(self.palette))  # unused slots (white)
        self.unset = 255 if len(self.values) < 256 else None
        self.lut = np.full(1 << 24, 255, dtype=np.uint8)
        self.known = np.zeros(1 << 24, dtype=bool)
        self.lut[self.values] = np.arange(len(self.values), dtype=np.uint8)
        self.known[self.values] = True

    @staticmethod
    def _pack(rgb: np.ndarray) -> np.ndarray:
        rgb = rgb.reshape(-1, 3).astype(np.uint32)
        return (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]

    @staticmethod
    def _unpack(values: np.ndarray) -> np.ndarray:
        return np.stack([(values >> 16) & 255, (values >> 8) & 255, values & 255], axis=1)

    def __call__(self, rgb: np.ndarray):
        from PIL import Image

        h, w = rgb.shape[:2]
        packed = self._pack(rgb)
        new = np.unique(packed[~self.known[packed]])
        if new.size:
            d = ((self._unpack(new).astype(np.int32)[:, None, :] - self.rgb[None, :, :]) ** 2).sum(-1)
            self.lut[new] = np.argmin(d, axis=1).astype(np.uint8)
            self.known[new] = True
        im = Image.fromarray(self.lut[packed].reshape(h, w))  # mode "L" ...
        im.putpalette(self.palette)  # ... made "P" by its palette
        return im


def _write_gif(scene: _Scene, path: Path, fps: float, meter: _Progress) -> None:
    n = len(scene.times)

    def render(k):
        rgb = scene.render(k)
        meter.step()
        return rgb

    # one palette for all frames, from the first and the last frame (every colour is in them:
    # legs, markers, labels, bars), so that colours never flicker between frames
    first = render(0)
    last = render(n - 1) if n > 1 else first
    quantize = _Quantizer([first, last])

    def rest():  # rendered while Pillow writes: only the palette images are kept (by Pillow)
        for k in range(1, n - 1):
            yield quantize(render(k))
        if n > 1:
            yield quantize(last)

    tmp = _temp_path(path)
    try:
        with open(tmp, "wb") as fh:
            # optimize: unchanged pixels of a frame are written as transparent (smaller file)
            quantize(first).save(fh, format="GIF", save_all=True, append_images=rest(),
                                 duration=_gif_durations(n, fps), loop=0, optimize=True,
                                 disposal=1)
        os.replace(tmp, path)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
    finally:
        scene.close()


def _ffmpeg_encoder(ffmpeg: str) -> list[str]:
    try:
        listed = subprocess.run([ffmpeg, "-hide_banner", "-encoders"], capture_output=True,
                                text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    if "libx264" in listed:
        return ["-c:v", "libx264", "-preset", "medium", "-crf", "20"]
    return ["-c:v", "mpeg4", "-q:v", "3"]


def _write_mp4(scene: _Scene, path: Path, fps: float, meter: _Progress) -> None:
    ffmpeg = ffmpeg_executable()
    if ffmpeg is None:
        raise RuntimeError("cannot write an MP4 animation: ffmpeg was not found on the PATH; "
                           "install ffmpeg, or write a GIF instead (a path ending in .gif)")
    n = len(scene.times)
    first = scene.render(0)
    meter.step()
    h, w = first.shape[:2]
    tmp = _temp_path(path)
    cmd = [ffmpeg, "-y", "-hide_banner", "-loglevel", "error",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-r", f"{fps:g}",
           "-i", "-", "-an",
           "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2:color=white",  # yuv420p needs even sizes
           *_ffmpeg_encoder(ffmpeg), "-pix_fmt", "yuv420p",
           "-fflags", "+bitexact", "-map_metadata", "-1", "-movflags", "+faststart",
           "-f", "mp4", str(tmp)]
    hold = int(round(END_HOLD_S * fps))
    proc = None
    try:
        with tempfile.TemporaryFile() as log:
            try:
                proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                        stderr=log)
            except OSError as exc:
                raise RuntimeError(f"cannot run ffmpeg ({ffmpeg}): {exc}") from exc
            try:
                proc.stdin.write(first.tobytes())
                frame = first
                for k in range(1, n):
                    frame = scene.render(k)
                    meter.step()
                    proc.stdin.write(frame.tobytes())
                for _ in range(hold):  # hold the final frame
                    proc.stdin.write(frame.tobytes())
            except BrokenPipeError:
                pass  # ffmpeg stopped early: its exit status and message tell why
            finally:
                try:
                    proc.stdin.close()
                except OSError:
                    pass
            code = proc.wait()
            if code != 0:
                log.seek(0)
                msg = log.read().decode("utf-8", "replace").strip()[-2000:]
                raise RuntimeError(f"ffmpeg failed (exit status {code}) writing {path}"
                                   + (f":\n{msg}" if msg else ""))
        os.replace(tmp, path)
    except BaseException:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        if tmp.exists():
            tmp.unlink()
        raise
    finally:
        scene.close()
