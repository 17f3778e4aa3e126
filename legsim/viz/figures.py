"""Static figures of one or several simulated recoveries (PNG, optionally SVG).

Every function takes a sequence of `~legsim.result.StrategyResult` so that the same figure
overlays several strategies (technique comparison); strategies keep the colour of their position
in the sequence (`PALETTE`). Figures are built on `matplotlib.figure.Figure` with the Agg canvas:
no pyplot, no global figure registry, no interactive backend.

Output is deterministic: the same results give the same bytes (PNG written without the
"Software" tag, SVG without a date and with a fixed hash salt for its element ids), so results
folders can be compared file by file.

Files written by `write_figures` (names are part of the results-folder contract):
``angles``, ``velocities``, ``torques``, ``strobe``, ``heel_path``, ``signature``
(``.png``, ``.svg``).
"""
from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, Polygon

from ..result import Result, StrategyResult

__all__ = [
    "FIGURE_NAMES",
    "FIGSIZE_IN",
    "DPI",
    "PALETTE",
    "colour",
    "write_figures",
    "save_figure",
    "angles_figure",
    "velocities_figure",
    "torques_figure",
    "strobe_figure",
    "heel_path_figure",
    "signature_figure",
]

#: Stems of the files written by `write_figures`, in order.
FIGURE_NAMES = ("angles", "velocities", "torques", "strobe", "heel_path", "signature")

#: Size of every figure (inches) and resolution of the PNGs: 1500 x 900 px, slide-sized.
FIGSIZE_IN = (10.0, 6.0)
DPI = 150

#: Strategy colours by order (Okabe & Ito colour-blind-safe palette, yellow left out).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

#: Default interval between stick figures of the strobe plot (s).
STROBE_INTERVAL_S = 0.020

_SVG_HASH_SALT = "legsim"

#: Readable at slide size: nothing below 11 pt.
_RC = {
    "font.size": 12,
    "axes.titlesize": 13,
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
    "lines.linewidth": 2.0,
    "svg.hashsalt": _SVG_HASH_SALT,
    "svg.fonttype": "path",
    "path.simplify": True,
}

_PNG_METADATA = {"Software": None}
_SVG_METADATA = {"Date": None}
#: PDF without creation date or producer, so the same figure gives the same bytes.
_PDF_METADATA = {"CreationDate": None, "Producer": None, "Creator": None}


# --------------------------------------------------------------------------------------------
# helpers


def colour(index: int) -> str:
    """Colour of the strategy at position `index` (the palette repeats when exhausted)."""
    return PALETTE[index % len(PALETTE)]


def _as_list(results) -> list[StrategyResult]:
    if isinstance(results, StrategyResult):
        return [results]
    if isinstance(results, Result):
        return list(results.strategies.values())
    if isinstance(results, dict):
        return list(results.values())
    out = list(results)
    if not out:
        raise ValueError("no results to plot")
    for r in out:
        if not isinstance(r, StrategyResult):
            raise TypeError(f"expected StrategyResult objects, got {type(r).__name__}")
    return out


def _col(result: StrategyResult, name: str) -> np.ndarray | None:
    """A trajectory column as a float array, or None when absent or entirely NaN."""
    values = result.trajectory.get(name)
    if values is None:
        return None
    arr = np.asarray(values, dtype=float)
    if arr.size == 0 or not np.any(np.isfinite(arr)):
        return None
    return arr


def _time_ms(result: StrategyResult) -> np.ndarray:
    return np.asarray(result.trajectory["t_s"], dtype=float) * 1e3


def _legend_label(result: StrategyResult) -> str:
    t = np.asarray(result.trajectory["t_s"], dtype=float)
    if result.completed:
        return f"{result.name} ({(t[-1] - t[0]) * 1e3:.0f} ms)"
    reason = f": {result.reason}" if result.reason else ""
    if len(reason) > 40:
        reason = reason[:39] + "…"
    return f"{result.name} (not completed{reason})"


def _new_figure(figsize=FIGSIZE_IN) -> Figure:
    fig = Figure(figsize=figsize, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _shade(rgb, amount: float):
    """Mix `rgb` with white (amount < 0) or black (amount > 0), |amount| in 0..1."""
    c = np.asarray(to_rgb(rgb))
    if amount < 0:
        return tuple(c + (1.0 - c) * (-amount))
    return tuple(c * (1.0 - amount))


def _time_cmap(base: str) -> LinearSegmentedColormap:
    """Light tint -> dark shade of a strategy colour (strobe: early frames light)."""
    return LinearSegmentedColormap.from_list(
        f"fade_{base}", [_shade(base, -0.8), to_rgb(base), _shade(base, 0.55)]
    )


def _mark_phases(ax, result: StrategyResult, col: str) -> None:
    """Dotted vertical lines at the phase switches, a thin dashed one at the end."""
    for _name, start_s, _end_s in list(result.phases)[1:]:
        ax.axvline(start_s * 1e3, color=col, linestyle=":", linewidth=1.4, alpha=0.9, zorder=1)
    t_end = _time_ms(result)[-1]
    ax.axvline(t_end, color=col, linestyle="--", linewidth=1.0, alpha=0.6, zorder=1)


def _label_phases(fig: Figure, ax, results) -> None:
    """Name the phase switches above `ax` ("→ next phase" at the switch time), in the colour of
    their strategy, stacking labels in rows so that none overlaps another."""
    items = sorted(
        (start_s * 1e3, i, name)
        for i, r in enumerate(results)
        for name, start_s, _end_s in list(r.phases)[1:]
    )
    if not items:
        return
    fig.canvas.draw()  # run the layout once so that the axes width (and so text spacing) is final
    renderer = fig.canvas.get_renderer()
    right_px = ax.get_window_extent(renderer).x1
    placed: list[tuple[int, float, float]] = []
    for x, i, name in items:
        row = 0
        while True:
            text = ax.annotate(
                f"→ {name}", xy=(x, 1.0), xycoords=("data", "axes fraction"),
                xytext=(0, 3 + 15 * row), textcoords="offset points", ha="left", va="bottom",
                fontsize=11, color=colour(i), annotation_clip=False,
            )
            box = text.get_window_extent(renderer)
            if box.x1 > right_px:  # would run off the right: end the label at the line instead
                text.set_horizontalalignment("right")
                box = text.get_window_extent(renderer)
            if not any(r == row and box.x0 < x1 + 4 and x0 < box.x1 + 4 for r, x0, x1 in placed):
                break
            text.remove()
            row += 1
        placed.append((row, box.x0, box.x1))


def _end_marker(ax, result: StrategyResult, x, y, col: str) -> None:
    if result.completed:
        ax.plot(x[-1], y[-1], "o", color=col, markersize=8, zorder=4)
    else:
        ax.plot(x[-1], y[-1], "X", color=col, markersize=10, markeredgecolor="white", zorder=4)


def _strategy_handles(results) -> list[Line2D]:
    return [Line2D([], [], color=colour(i), label=_legend_label(r)) for i, r in enumerate(results)]


def _end_handles(results) -> list[Line2D]:
    handles = []
    if any(len(r.phases) > 1 for r in results):
        handles.append(Line2D([], [], color="0.3", linestyle=":", linewidth=1.4,
                              label="phase switch"))
    if any(r.completed for r in results):
        handles.append(Line2D([], [], color="0.3", marker="o", linestyle="--", linewidth=1.0,
                              label="end event"))
    if not all(r.completed for r in results):
        handles.append(Line2D([], [], color="0.3", marker="X", linestyle="--", linewidth=1.0,
                              label="stopped, not completed"))
    return handles


def _side_legend(fig: Figure, handles: list) -> None:
    """One-column legend outside the axes on the right (never over the data); long labels
    wrapped."""
    for h in handles:
        h.set_label(_wrap(h.get_label()))
    fig.legend(handles=handles, loc="outside right upper", frameon=False)


def _wrap(text: str, width: int = 26) -> str:
    return "\n".join(
        textwrap.fill(line, width, break_long_words=False) for line in text.split("\n")
    )


def _time_axis(ax) -> None:
    ax.set_xlabel("time since toe-off (ms)")


# --------------------------------------------------------------------------------------------
# figures


def angles_figure(results: Sequence[StrategyResult]) -> Figure:
    """Thigh angle and knee flexion (deg) against time, phase switches and end event marked."""
    results = _as_list(results)
    with rc_context(_RC):
        fig = _new_figure()
        ax_thigh, ax_knee = fig.subplots(2, 1, sharex=True)
        for i, r in enumerate(results):
            col, t = colour(i), _time_ms(r)
            for ax, name in ((ax_thigh, "thigh_angle_deg"), (ax_knee, "knee_flexion_deg")):
                y = _col(r, name)
                if y is None:
                    continue
                ax.plot(t, y, color=col, zorder=3)
                _end_marker(ax, r, t, y, col)
                _mark_phases(ax, r, col)
        ax_thigh.set_ylabel("thigh angle (deg)\nforward +")
        ax_knee.set_ylabel("knee flexion (deg)")
        ax_thigh.axhline(0.0, color="0.5", linewidth=0.8, zorder=0)
        _time_axis(ax_knee)
        ax_knee.set_xlim(left=0.0)
        _side_legend(fig, _strategy_handles(results) + _end_handles(results))
        _label_phases(fig, ax_thigh, results)
    return fig


def velocities_figure(results: Sequence[StrategyResult]) -> Figure:
    """Thigh and knee angular velocity (deg/s) against time."""
    results = _as_list(results)
    with rc_context(_RC):
        fig = _new_figure()
        ax_thigh, ax_knee = fig.subplots(2, 1, sharex=True)
        for i, r in enumerate(results):
            col, t = colour(i), _time_ms(r)
            for ax, name in ((ax_thigh, "thigh_velocity_deg_s"), (ax_knee, "knee_velocity_deg_s")):
                y = _col(r, name)
                if y is None:
                    continue
                ax.plot(t, y, color=col, zorder=3)
                _end_marker(ax, r, t, y, col)
                _mark_phases(ax, r, col)
        for ax in (ax_thigh, ax_knee):
            ax.axhline(0.0, color="0.5", linewidth=0.8, zorder=0)
        ax_thigh.set_ylabel("thigh angular\nvelocity (deg/s)")
        ax_knee.set_ylabel("knee angular\nvelocity (deg/s)")
        _time_axis(ax_knee)
        ax_knee.set_xlim(left=0.0)
        _side_legend(fig, _strategy_handles(results) + _end_handles(results))
        _label_phases(fig, ax_thigh, results)
    return fig


def torques_figure(results: Sequence[StrategyResult]) -> Figure:
    """Hip and knee: net joint torque, the generators' share, and the capacity envelope (N·m).

    The envelope is the band between the extensors' capacity (<= 0) and the flexors' capacity
    (>= 0) at the current angle and velocity, i.e. what full activation could deliver.
    """
    results = _as_list(results)
    with rc_context(_RC):
        fig = _new_figure()
        ax_hip, ax_knee = fig.subplots(2, 1, sharex=True)
        any_active = any_band = False
        band_alpha = 0.10 if len(results) == 1 else 0.06
        for i, r in enumerate(results):
            col, t = colour(i), _time_ms(r)
            for ax, joint in ((ax_hip, "hip"), (ax_knee, "knee")):
                flex = _col(r, f"{joint}_flexor_capacity_Nm")
                ext = _col(r, f"{joint}_extensor_capacity_Nm")
                if flex is not None and ext is not None:
                    any_band = True
                    ax.fill_between(t, ext, flex, color=col, alpha=band_alpha, linewidth=0, zorder=1)
                    for edge in (flex, ext):
                        ax.plot(t, edge, color=col, linewidth=0.9, linestyle=(0, (4, 3)),
                                alpha=0.7, zorder=2)
                active = _col(r, f"{joint}_active_torque_Nm")
                if active is not None:
                    any_active = True
                    ax.plot(t, active, color=col, linewidth=1.6, linestyle=(0, (1.5, 1.5)),
                            zorder=3)
                net = _col(r, f"{joint}_torque_Nm")
                if net is not None:
                    ax.plot(t, net, color=col, linewidth=2.2, zorder=4)
                    _end_marker(ax, r, t, net, col)
                _mark_phases(ax, r, col)
        for ax, joint in ((ax_hip, "hip"), (ax_knee, "knee")):
            ax.axhline(0.0, color="0.4", linewidth=0.8, zorder=0)
            ax.set_ylabel(f"{joint} torque (N·m)\nflexion + / extension −")
            ax.set_title(joint, loc="left", fontsize=13, fontweight="bold")
        _time_axis(ax_knee)
        ax_knee.set_xlim(left=0.0)
        style = [Line2D([], [], color="0.2", linewidth=2.2, label="net torque")]
        if any_active:
            style.append(Line2D([], [], color="0.2", linewidth=1.6, linestyle=(0, (1.5, 1.5)),
                                label="generators (active)"))
        if any_band:
            style.append(Patch(facecolor="0.85", edgecolor="0.4", linestyle=(0, (4, 3)),
                               label="capacity (full activation)"))
        _side_legend(fig, _strategy_handles(results) + style + _end_handles(results))
        _label_phases(fig, ax_hip, results)
    return fig


def _frame_indices(t_s: np.ndarray, interval_s: float) -> np.ndarray:
    """Indices of the samples nearest to t0, t0 + dt, ..., always with the first and last."""
    t0, t1 = float(t_s[0]), float(t_s[-1])
    if interval_s <= 0 or t1 <= t0:
        return np.array([0, len(t_s) - 1]) if len(t_s) > 1 else np.array([0])
    targets = np.arange(t0, t1, interval_s)
    idx = np.clip(np.searchsorted(t_s, targets), 0, len(t_s) - 1)
    left = np.clip(idx - 1, 0, len(t_s) - 1)
    idx = np.where(np.abs(t_s[left] - targets) < np.abs(t_s[idx] - targets), left, idx)
    idx = np.unique(np.concatenate([[0], idx, [len(t_s) - 1]]))
    return idx


def _buttock_circle(ax, geometry: dict, label: str | None = "buttock") -> None:
    try:
        centre = (float(geometry["buttock_x_m"]), float(geometry["buttock_y_m"]))
        radius = float(geometry["buttock_radius_m"])
    except (KeyError, TypeError, ValueError):
        return
    ax.add_patch(Circle(centre, radius, facecolor="0.85", edgecolor="0.35", linewidth=1.2,
                        zorder=1, label=label))


def _leg_points(r: StrategyResult) -> dict[str, np.ndarray] | None:
    names = ("knee_x_m", "knee_y_m", "ankle_x_m", "ankle_y_m", "heel_x_m", "heel_y_m",
             "toe_x_m", "toe_y_m")
    cols = {n: _col(r, n) for n in names}
    if any(cols[n] is None for n in names[:4]):
        return None
    return cols


def strobe_figure(results: Sequence[StrategyResult], interval_s: float = STROBE_INTERVAL_S) -> Figure:
    """Stick figures of the leg every `interval_s` (first and last frame always), one panel per
    strategy, fading from light (toe-off) to dark (end); buttock circle and heel path drawn."""
    results = _as_list(results)
    n = len(results)
    # slide-sized for one or two strategies; more panels get a wider, flatter figure
    figsize = FIGSIZE_IN if n <= 2 else (3.4 * n, 4.8)
    with rc_context(_RC):
        fig = _new_figure(figsize)
        axes = np.atleast_1d(fig.subplots(1, n, sharex=True, sharey=True, squeeze=False)[0])
        for i, (ax, r) in enumerate(zip(axes, results)):
            col = colour(i)
            cmap = _time_cmap(col)
            t_s = np.asarray(r.trajectory["t_s"], dtype=float)
            t_ms = (t_s - t_s[0]) * 1e3
            norm = Normalize(0.0, max(t_ms[-1], 1e-9))
            _buttock_circle(ax, r.geometry)
            ax.plot(0.0, 0.0, marker="o", markersize=9, color="0.15", zorder=6)
            pts = _leg_points(r)
            heel_x, heel_y = _col(r, "heel_x_m"), _col(r, "heel_y_m")
            if heel_x is not None and heel_y is not None:
                ax.plot(heel_x, heel_y, color=col, linewidth=1.3, linestyle=(0, (3, 2)), zorder=2)
            if pts is not None:
                has_foot = all(pts[k] is not None for k in ("heel_x_m", "heel_y_m", "toe_x_m",
                                                            "toe_y_m"))
                for k in _frame_indices(t_s, interval_s):
                    c = cmap(norm(t_ms[k]))
                    z = 3 + k / len(t_s)  # later frames on top
                    xs = [0.0, pts["knee_x_m"][k], pts["ankle_x_m"][k]]
                    ys = [0.0, pts["knee_y_m"][k], pts["ankle_y_m"][k]]
                    ax.plot(xs, ys, color=c, linewidth=2.0, marker="o", markersize=3.5,
                            solid_capstyle="round", zorder=z)
                    if has_foot:
                        tri = [(pts["ankle_x_m"][k], pts["ankle_y_m"][k]),
                               (pts["heel_x_m"][k], pts["heel_y_m"][k]),
                               (pts["toe_x_m"][k], pts["toe_y_m"][k])]
                        ax.add_patch(Polygon(tri, closed=True, facecolor=c, edgecolor=c,
                                             alpha=0.85, linewidth=1.0, zorder=z))
            ax.set_aspect("equal", adjustable="box")
            ax.set_title(_wrap(_legend_label(r), 22 if n > 2 else 40), color=col, fontsize=13)
            ax.set_xlabel("x, forward (m)")
            if i == 0:
                ax.set_ylabel("y, up (m)")
            cb = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, orientation="horizontal",
                              location="bottom", shrink=0.55 if n == 1 else 0.8, aspect=30, pad=0.02)
            cb.set_label("time since toe-off (ms)")
            cb.ax.tick_params(labelsize=11)
        fig.suptitle(f"leg every {interval_s * 1e3:.0f} ms from toe-off (light) to the end (dark)")
        fig.legend(
            handles=[Line2D([], [], color="0.15", marker="o", linestyle="", label="hip"),
                     Patch(facecolor="0.85", edgecolor="0.35", label="buttock"),
                     Line2D([], [], color="0.3", linewidth=1.3, linestyle=(0, (3, 2)),
                            label="heel path")],
            loc="outside lower center", ncols=3, frameon=False,
        )
        x0, x1, y0, y1 = _drawing_bounds(results)
        axes[0].set_xlim(x0, x1)  # axes are shared: one call sets every panel
        axes[0].set_ylim(y0, y1)
    return fig


def _drawing_bounds(results, pad_m: float = 0.04):
    """Limits (m) that hold the hip, every drawn point and the buttock of every strategy."""
    xs, ys = [0.0], [0.0]
    for r in results:
        for p in ("knee", "ankle", "heel", "toe"):
            x, y = _col(r, f"{p}_x_m"), _col(r, f"{p}_y_m")
            if x is not None and y is not None:
                xs += [np.nanmin(x), np.nanmax(x)]
                ys += [np.nanmin(y), np.nanmax(y)]
        g = r.geometry
        if all(k in g for k in ("buttock_x_m", "buttock_y_m", "buttock_radius_m")):
            rad = float(g["buttock_radius_m"])
            xs += [g["buttock_x_m"] - rad, g["buttock_x_m"] + rad]
            ys += [g["buttock_y_m"] - rad, g["buttock_y_m"] + rad]
    return min(xs) - pad_m, max(xs) + pad_m, min(ys) - pad_m, max(ys) + pad_m


def heel_path_figure(results: Sequence[StrategyResult]) -> Figure:
    """Heel path in the hip frame with the buttock circle; toe-off, end and the point of minimum
    heel–buttock distance marked (annotated with the thigh angle there)."""
    results = _as_list(results)
    with rc_context(_RC):
        fig = _new_figure()
        ax = fig.subplots()
        _buttock_circle(ax, results[0].geometry)
        ax.plot(0.0, 0.0, marker="+", markersize=14, markeredgewidth=2, color="0.15", zorder=5)
        ax.annotate("hip", (0.0, 0.0), xytext=(6, 6), textcoords="offset points", fontsize=11)
        handles = []
        for i, r in enumerate(results):
            col = colour(i)
            x, y = _col(r, "heel_x_m"), _col(r, "heel_y_m")
            if x is None or y is None:
                continue
            ax.plot(x, y, color=col, zorder=3)
            ax.plot(x[0], y[0], "o", markersize=9, markerfacecolor="white", markeredgecolor=col,
                    markeredgewidth=2, zorder=4)
            _end_marker(ax, r, x, y, col)
            label = _legend_label(r)
            k = _min_distance_index(r, x, y)
            if k is not None:
                d = _distance(r, x, y)
                thigh = _col(r, "thigh_angle_deg")
                ax.plot(x[k], y[k], "D", markersize=9, color=col, markeredgecolor="black",
                        zorder=5)
                text = f"θ = {thigh[k]:.0f}°" if thigh is not None else f"{d[k]:.3f} m"
                _annotate_away(ax, r.geometry, x[k], y[k], text, col)
                label += f"\nmin heel–buttock {d[k] * 100:.1f} cm"
                if thigh is not None:
                    label += f" at thigh {thigh[k]:.0f}°"
            handles.append(Line2D([], [], color=col, label=label))
        handles += [
            Line2D([], [], marker="o", linestyle="", markerfacecolor="white",
                   markeredgecolor="0.2", markeredgewidth=2, markersize=9, label="toe-off"),
            Line2D([], [], marker="o", linestyle="", color="0.2", markersize=8, label="end"),
            Line2D([], [], marker="D", linestyle="", color="0.5", markeredgecolor="black",
                   markersize=9, label="min heel–buttock\ndistance (θ = thigh angle)"),
            Patch(facecolor="0.85", edgecolor="0.35", label="buttock"),
        ]
        if not all(r.completed for r in results):
            handles.insert(-2, Line2D([], [], marker="X", linestyle="", color="0.2",
                                      markersize=10, label="stopped, not completed"))
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xlabel("heel x, forward of the hip (m)")
        ax.set_ylabel("heel y, up from the hip (m)")
        ax.set_title("heel path in the hip frame", loc="left")
        _side_legend(fig, handles)
    return fig


def _distance(r: StrategyResult, x: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    d = _col(r, "heel_buttock_distance_m")
    if d is not None:
        return d
    g = r.geometry
    if "buttock_x_m" not in g or "buttock_y_m" not in g:
        return None
    return np.hypot(x - g["buttock_x_m"], y - g["buttock_y_m"]) - g.get("buttock_radius_m", 0.0)


def _min_distance_index(r: StrategyResult, x, y) -> int | None:
    d = _distance(r, x, y)
    if d is None or not np.any(np.isfinite(d)):
        return None
    return int(np.nanargmin(d))


def _annotate_away(ax, geometry: dict, x: float, y: float, text: str, col: str) -> None:
    """Label a point, offset away from the buttock centre so the text stays off the circle."""
    bx, by = geometry.get("buttock_x_m", 0.0), geometry.get("buttock_y_m", 0.0)
    v = np.array([x - bx, y - by])
    n = float(np.hypot(*v))
    v = v / n if n > 1e-12 else np.array([1.0, 0.0])
    off = 38.0 * v
    ax.annotate(
        text, (x, y), xytext=(off[0], off[1]), textcoords="offset points", fontsize=12,
        color=col, fontweight="bold", ha="left" if v[0] >= 0 else "right",
        va="bottom" if v[1] >= 0 else "top",
        arrowprops={"arrowstyle": "-", "color": col, "linewidth": 1.0},
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": col, "alpha": 0.9}, zorder=6,
    )


# --------------------------------------------------------------------------------------------
# writing


def signature_figure(results: Sequence[StrategyResult]) -> Figure:
    """Heel–buttock distance against thigh angle: the butt-kick signature.

    A butt kick brings the heel to the buttock while the thigh is near vertical (minimum near
    0 deg); an early knee drive passes the heel by the buttock with the thigh well forward.
    """
    results = _as_list(results)
    with rc_context(_RC):
        fig = _new_figure()
        ax = fig.subplots()
        for i, r in enumerate(results):
            col = colour(i)
            x = _col(r, "thigh_angle_deg")
            y = _col(r, "heel_buttock_distance_m")
            if x is None or y is None:
                continue
            y_cm = 100.0 * y
            ax.plot(x, y_cm, color=col, zorder=3)
            ax.plot(x[0], y_cm[0], "o", color=col, markerfacecolor="white", zorder=4)
            _end_marker(ax, r, x, y_cm, col)
            k = int(np.argmin(y))
            ax.plot(x[k], y_cm[k], "D", color=col, markersize=8, zorder=5)
            ax.annotate(f"{y_cm[k]:.1f} cm at {x[k]:.0f}°", (x[k], y_cm[k]),
                        textcoords="offset points", xytext=(10, 12 + 16 * i), color=col)
        ax.axhline(0.0, color="0.3", linewidth=1.0, linestyle="--", zorder=1)
        ax.axvline(0.0, color="0.5", linewidth=0.8, zorder=0)
        ax.set_xlabel("thigh angle (deg), forward +")
        ax.set_ylabel("heel–buttock distance (cm)\n< 0: heel indents the buttock")
        handles = _strategy_handles(results) + [
            Line2D([], [], marker="o", linestyle="", color="0.3", markerfacecolor="white",
                   label="toe-off"),
            Line2D([], [], marker="D", linestyle="", color="0.3", label="closest approach")]
        _side_legend(fig, handles + _end_handles(results))
    return fig


def save_figure(fig: Figure, out_dir: Path, stem: str, formats: Iterable[str] = ("png",)) -> list[Path]:
    """Write `fig` as ``out_dir/stem.<fmt>`` for each format, deterministically.

    Each file is written to a temporary name in `out_dir` and moved into place, so an existing
    file is never left half-overwritten.
    """
    formats = _check_formats(formats)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with rc_context({"svg.hashsalt": _SVG_HASH_SALT, "svg.fonttype": "path"}):
        for fmt in formats:
            meta = {"png": _PNG_METADATA, "svg": _SVG_METADATA, "pdf": _PDF_METADATA}[fmt]
            path = out_dir / f"{stem}.{fmt}"
            fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=f".{fmt}.tmp", dir=out_dir)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fig.savefig(fh, format=fmt, dpi=DPI, metadata=meta)
                os.chmod(tmp, 0o666 & ~_umask())     # mkstemp makes 0600; a figure is for sharing
                os.replace(tmp, path)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
            written.append(path)
    return written


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_formats(formats: Iterable[str]) -> tuple[str, ...]:
    if isinstance(formats, str):
        formats = (formats,)
    out = tuple(f.lower().lstrip(".") for f in formats)
    for f in out:
        if f not in ("png", "svg", "pdf"):
            raise ValueError(f"unsupported figure format {f!r} (accepted: png, svg, pdf)")
    return out


def write_figures(
    results: Sequence[StrategyResult],
    out_dir: Path,
    formats: Sequence[str] = ("png",),
    prefix: str = "",
    strobe_interval_s: float = STROBE_INTERVAL_S,
) -> list[Path]:
    """Write the standard figures of one or several strategies into `out_dir`.

    Parameters
    ----------
    results : StrategyResult objects (several are overlaid in one figure, coloured by order);
        a single StrategyResult or a Result is accepted too.
    out_dir : folder to write into (created if missing).
    formats : any of ``"png"``, ``"svg"``.
    prefix : prepended to every file stem (``prefix + "angles.png"`` ...).
    strobe_interval_s : time between stick figures of the strobe plot.

    Returns
    -------
    The written paths, figure by figure in `FIGURE_NAMES` order, formats in the order given.
    """
    results = _as_list(results)
    formats = _check_formats(formats)  # before anything is written
    builders = {
        "angles": angles_figure,
        "velocities": velocities_figure,
        "torques": torques_figure,
        "strobe": lambda rs: strobe_figure(rs, interval_s=strobe_interval_s),
        "heel_path": heel_path_figure,
        "signature": signature_figure,
    }
    written: list[Path] = []
    for stem in FIGURE_NAMES:
        fig = builders[stem](results)
        written += save_figure(fig, Path(out_dir), prefix + stem, formats)
    return written
