"""Summary figure of a parameter sweep (`legsim sweep`, docs/sweeps.md).

`summary_plot` draws one figure from the sweep's rows (a pandas DataFrame with the output
columns of `legsim.sweeps`: the swept paths, ``<strategy>.<metric>`` and ``<strategy>.completed``):

- one swept path: the metric against the swept value, a line per strategy, and below it the
  difference ``strategy2 − strategy1`` when the scenario has two or more strategies;
- two swept paths forming a grid: a heatmap of the metric per strategy (one colour scale for
  all of them) and a heatmap of the difference ``strategy2 − strategy1``;
- random sweeps, zip sweeps of two paths, three or more paths: the metric against the first
  swept value, coloured by the second, a panel per strategy (and the difference).

Several metrics give a row of panels each. Variants whose recovery did not complete are left
out of every panel (blank / grey cells) and counted in the panel titles or the legend: their
metrics describe an unfinished recovery. Built like the other figures (`legsim.viz.figures`):
`Figure` + Agg canvas, the strategy palette, deterministic files via `save_figure`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from matplotlib import rc_context
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from .figures import _RC, _new_figure, _wrap, colour, save_figure

__all__ = ["summary_plot", "summary_figure", "metric_label", "MAX_SCATTER_POINTS"]

#: At most this many variants are drawn in a scatter panel (an even subsample beyond it).
MAX_SCATTER_POINTS = 20000

#: Background of cells / panels where no variant completed.
_BLANK = "0.82"

#: Markers on lines up to this many swept values.
_MAX_MARKERS = 40

# metric key suffix -> (unit shown, factor from the key's unit); first match wins
_UNITS = (("_deg_s", "deg/s", 1.0), ("_deg", "deg", 1.0), ("_Nms", "N m s", 1.0),
          ("_Nm", "N m", 1.0), ("_Ns", "N s", 1.0), ("_kgm2", "kg m²", 1.0), ("_J", "J", 1.0),
          ("_N", "N", 1.0), ("_s", "ms", 1e3), ("_m", "cm", 100.0))


def metric_label(metric: str) -> tuple[str, str, float]:
    """(words, unit, factor) for a metric key: ``recovery_time_s`` -> ("recovery time", "ms",
    1000)."""
    for suffix, unit, factor in _UNITS:
        if metric.endswith(suffix):
            words = metric[: -len(suffix)]
            break
    else:
        words, unit, factor = metric, "", 1.0
    words = words.replace("_", " ").replace("heel buttock", "heel–buttock")
    return words, unit, factor


def _axis_text(metric: str, prefix: str = "") -> str:
    words, unit, _ = metric_label(metric)
    return f"{prefix}{words}" + (f" ({unit})" if unit else "")


def _completed(df, strategy: str, metric: str) -> np.ndarray:
    col = f"{strategy}.completed"
    if col in df:
        done = df[col].to_numpy()
        if done.dtype != bool:
            done = np.asarray([str(v).strip().lower() in ("true", "1", "1.0") for v in done])
        return done
    return np.isfinite(_raw(df, strategy, metric))


def _raw(df, strategy: str, metric: str) -> np.ndarray:
    col = f"{strategy}.{metric}"
    if col not in df:
        raise KeyError(f"the sweep has no column {col!r}")
    return np.asarray(df[col].to_numpy(), dtype=float)


def _values(df, strategy: str, metric: str) -> np.ndarray:
    """The metric in display units; NaN where the recovery did not complete."""
    v = _raw(df, strategy, metric) * metric_label(metric)[2]
    return np.where(_completed(df, strategy, metric), v, np.nan)


def _axis_values(series):
    """Swept values as floats for plotting, plus tick labels for text/boolean values."""
    arr = series.to_numpy()
    try:
        return np.asarray(arr, dtype=float), None
    except (TypeError, ValueError):
        labels = list(dict.fromkeys(str(v) for v in arr))
        index = {t: i for i, t in enumerate(labels)}
        return np.asarray([index[str(v)] for v in arr], dtype=float), labels


def _set_ticks(ax, axis: str, labels) -> None:
    if labels is None:
        return
    pos = np.arange(len(labels))
    if axis == "x":
        ax.set_xticks(pos, labels)
    else:
        ax.set_yticks(pos, labels)


def _is_grid(df, paths) -> bool:
    """Whether the rows of two swept paths are every combination of their values, once."""
    a, b = (df[p].astype(str) for p in paths)
    na, nb = a.nunique(), b.nunique()
    return na * nb == len(df) and not (a + "\x00" + b).duplicated().any() and na > 1 and nb > 1


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around sorted cell centres (half way between neighbours)."""
    if len(centres) == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    mid = (centres[1:] + centres[:-1]) / 2
    return np.concatenate([[2 * centres[0] - mid[0]], mid, [2 * centres[-1] - mid[-1]]])


def _count_text(done: np.ndarray) -> str:
    return f"{int(done.sum())}/{done.size} completed"


def _diff_norm(d: np.ndarray):
    lim = np.nanmax(np.abs(d)) if np.any(np.isfinite(d)) else 1.0
    lim = lim if lim > 0 else 1.0
    return TwoSlopeNorm(vcenter=0.0, vmin=-lim, vmax=lim)


def _shared_norm(arrays) -> Normalize:
    finite = np.concatenate([a[np.isfinite(a)] for a in arrays]) if arrays else np.array([])
    if finite.size == 0:
        return Normalize(0.0, 1.0)
    lo, hi = float(finite.min()), float(finite.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return Normalize(lo, hi)


def _grid_shape(n_metrics: int, n_panels: int) -> tuple[int, int]:
    """Rows x columns of the figure: a row of panels per metric, except that one panel per
    metric (a single strategy) puts the metrics side by side."""
    return (1, n_metrics) if n_panels == 1 else (n_metrics, n_panels)


def _panels(fig, n_metrics: int, n_panels: int, **kw) -> np.ndarray:
    """Axes indexed [metric, panel] whatever the figure layout (`_grid_shape`)."""
    rows, cols = _grid_shape(n_metrics, n_panels)
    axes = fig.subplots(rows, cols, squeeze=False, **kw)
    return axes.reshape(n_metrics, n_panels)


def _bottom(ax) -> bool:
    return ax.get_subplotspec().is_last_row()


def _left(ax) -> bool:
    return ax.get_subplotspec().is_first_col()


#: Metrics with a meaningful zero, marked on heatmaps and line plots.
_ZERO_MEANS = {"min_heel_buttock_distance_m": "heel reaches the buttock (distance 0)"}


def _zero_contour(ax, ux, uy, g, metric: str) -> bool:
    """A dashed white line where a heatmap's metric crosses its meaningful zero."""
    if metric not in _ZERO_MEANS or len(ux) < 2 or len(uy) < 2:
        return False
    finite = g[np.isfinite(g)]
    if finite.size == 0 or not (finite.min() < 0 < finite.max()):
        return False
    ax.contour(ux, uy, np.ma.masked_invalid(g), levels=[0.0], colors="white",
               linestyles="--", linewidths=2.0)
    return True


# --------------------------------------------------------------------------------------------
# layouts


def _base_number(base, path):
    """The scenario's own value of a swept path as a float (None when unknown or not a
    number)."""
    if not base or path not in base:
        return None
    v = base[path]
    if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
        return None
    return float(v)


def _lines(fig, df, path, strategies, metrics, scatter: bool, base=None):
    x, labels = _axis_values(df[path])
    order = np.argsort(x, kind="stable")
    x = x[order]
    diff = len(strategies) >= 2
    rows = []
    for m in metrics:
        rows += [("metric", m)] + ([("diff", m)] if diff else [])
    ratios = [2.0 if kind == "metric" else 1.0 for kind, _ in rows]
    axes = fig.subplots(len(rows), 1, sharex=True, squeeze=False,
                        gridspec_kw={"height_ratios": ratios})[:, 0]
    markers = len(x) <= _MAX_MARKERS
    style = dict(linestyle="none", marker="o", markersize=3, alpha=0.6) if scatter else \
        dict(marker="o" if markers else None, markersize=5)
    handles = []
    for ax, (kind, m) in zip(axes, rows):
        if kind == "metric":
            for i, s in enumerate(strategies):
                y = _values(df, s, m)[order]
                ax.plot(x, y, color=colour(i), **style)
                bad = ~np.isfinite(y)
                if bad.any():   # not completed: crosses on the bottom edge
                    ax.plot(x[bad], np.zeros(bad.sum()), "x", color=colour(i), markersize=7,
                            transform=ax.get_xaxis_transform(), clip_on=False)
                if m == metrics[0]:
                    handles.append(Line2D([], [], color=colour(i), marker="o",
                                          label=f"{s} ({_count_text(np.isfinite(y))})"))
            ax.set_ylabel(_axis_text(m))
            if m in _ZERO_MEANS:
                ax.axhline(0.0, color="0.35", linestyle="--", linewidth=1.2)
                handles.append(Line2D([], [], color="0.35", linestyle="--",
                                      label=_ZERO_MEANS[m]))
        else:
            a, b = strategies[0], strategies[1]
            d = _values(df, b, m)[order] - _values(df, a, m)[order]
            ax.axhline(0.0, color="0.5", linewidth=1.0)
            ax.plot(x, d, color="0.15", **style)
            words, unit, _ = metric_label(m)
            ax.set_ylabel(f"{b} − {a}" + (f"\n({unit})" if unit else ""))
            if m == metrics[0]:
                handles.append(Line2D([], [], color="0.15", marker="o",
                                      label=f"difference {b} − {a}"))
    if any(np.isnan(_values(df, s, m)).any() for s in strategies for m in metrics):
        handles.append(Line2D([], [], color="0.3", marker="x", linestyle="none",
                              label="not completed"))
    b0 = _base_number(base, path) if labels is None else None
    if b0 is not None and np.nanmin(x) <= b0 <= np.nanmax(x):
        for ax in axes:
            ax.axvline(b0, color="0.45", linestyle=":", linewidth=1.5, zorder=1)
        handles.append(Line2D([], [], color="0.45", linestyle=":", linewidth=1.5,
                              label=f"scenario value ({b0:g})"))
    axes[-1].set_xlabel(path)
    _set_ticks(axes[-1], "x", labels)
    for h in handles:
        h.set_label(_wrap(h.get_label(), 28))
    fig.legend(handles=handles, loc="outside right upper", frameon=False)


def _heatmaps(fig, df, paths, strategies, metrics, base=None):
    px, py = paths
    xs, xlabels = _axis_values(df[px])
    ys, ylabels = _axis_values(df[py])
    ux, uy = np.unique(xs), np.unique(ys)
    ix, iy = np.searchsorted(ux, xs), np.searchsorted(uy, ys)
    diff = len(strategies) >= 2
    ncols = len(strategies) + (1 if diff else 0)
    axes = _panels(fig, len(metrics), ncols, sharex=True, sharey=True)
    xe, ye = _edges(ux), _edges(uy)
    zero = False
    for r, m in enumerate(metrics):
        grids = []
        for s in strategies:
            g = np.full((len(uy), len(ux)), np.nan)
            g[iy, ix] = _values(df, s, m)
            grids.append(g)
        for c, (s, g) in enumerate(zip(strategies, grids)):
            # a colour scale per strategy: the strategies' ranges can be far apart (the
            # difference panel compares them), one shared scale would flatten each of them
            ax = axes[r, c]
            ax.set_facecolor(_BLANK)   # cells left blank = not completed
            mesh = ax.pcolormesh(xe, ye, np.ma.masked_invalid(g), cmap="viridis",
                                 norm=_shared_norm([g]), shading="flat")
            ax.set_title(f"{s}\n({_count_text(np.isfinite(g))})")
            fig.colorbar(mesh, ax=ax, label=_axis_text(m), shrink=0.9)
            zero |= _zero_contour(ax, ux, uy, g, m)
        if diff:
            a, b = strategies[0], strategies[1]
            d = grids[1] - grids[0]
            ax = axes[r, -1]
            ax.set_facecolor(_BLANK)
            dm = ax.pcolormesh(xe, ye, np.ma.masked_invalid(d), cmap="RdBu_r",
                               norm=_diff_norm(d), shading="flat")
            ax.set_title(f"difference\n{b} − {a}")
            words, unit, _ = metric_label(m)
            fig.colorbar(dm, ax=ax, label=f"{b} − {a}" + (f" ({unit})" if unit else ""),
                         shrink=0.9)
        for ax in axes[r]:
            ax.grid(False)
            ax.xaxis.set_major_locator(MaxNLocator(5))
            ax.yaxis.set_major_locator(MaxNLocator(6))
    bx = _base_number(base, px) if xlabels is None else None
    by = _base_number(base, py) if ylabels is None else None
    marked = bx is not None and by is not None and xe[0] <= bx <= xe[-1] and ye[0] <= by <= ye[-1]
    for ax in axes.ravel():
        if marked:   # the scenario's own values
            ax.plot(bx, by, marker="o", markersize=11, markerfacecolor="none",
                    markeredgecolor="white", markeredgewidth=2.5, zorder=5)
            ax.plot(bx, by, marker="o", markersize=11, markerfacecolor="none",
                    markeredgecolor="black", markeredgewidth=1.0, zorder=6)
        if _bottom(ax):
            ax.set_xlabel(px)
            _set_ticks(ax, "x", xlabels)
        if _left(ax):
            ax.set_ylabel(py)
            _set_ticks(ax, "y", ylabels)
    notes = []
    if marked:
        notes.append(f"circle: the scenario's values ({bx:g}, {by:g})")
    if zero:
        notes.append("white dashes: " + "; ".join(v for k, v in _ZERO_MEANS.items()
                                                  if k in metrics))
    if any(np.isnan(_values(df, s, m)).any() for s in strategies for m in metrics):
        notes.append("grey cells: recovery not completed")
    return "; ".join(notes)


def _scatter(fig, df, paths, strategies, metrics):
    note = ""
    if len(df) > MAX_SCATTER_POINTS:
        keep = np.linspace(0, len(df) - 1, MAX_SCATTER_POINTS).round().astype(int)
        note = f"{MAX_SCATTER_POINTS} of {len(df)} variants shown"
        df = df.iloc[keep]
    x, xlabels = _axis_values(df[paths[0]])
    c, clabels = _axis_values(df[paths[1]])
    diff = len(strategies) >= 2
    ncols = len(strategies) + (1 if diff else 0)
    axes = _panels(fig, len(metrics), ncols, sharex=True)
    cnorm = Normalize(np.nanmin(c), np.nanmax(c)) if np.nanmin(c) < np.nanmax(c) else \
        Normalize(np.nanmin(c) - 0.5, np.nanmax(c) + 0.5)
    size = 30 if len(df) <= 300 else (10 if len(df) <= 3000 else 3)
    sc = None
    for r, m in enumerate(metrics):
        ys = [_values(df, s, m) for s in strategies]
        for k, (s, y) in enumerate(zip(strategies, ys)):
            # each strategy on its own y range (as the heatmaps); the difference panel
            # compares them
            ax = axes[r, k]
            ok = np.isfinite(y)
            sc = ax.scatter(x[ok], y[ok], c=c[ok], cmap="viridis", norm=cnorm, s=size,
                            linewidths=0, rasterized=True)
            ax.set_title(f"{s}\n({_count_text(ok)})")
            if not ok.any():
                ax.set_facecolor(_BLANK)
            ax.set_ylabel(_axis_text(m))
        if diff:
            a, b = strategies[0], strategies[1]
            d = ys[1] - ys[0]
            ok = np.isfinite(d)
            ax = axes[r, -1]
            ax.axhline(0.0, color="0.5", linewidth=1.0)
            ax.scatter(x[ok], d[ok], c=c[ok], cmap="viridis", norm=cnorm, s=size,
                       linewidths=0, rasterized=True)
            words, unit, _ = metric_label(m)
            ax.set_title(f"difference\n{b} − {a}")
            ax.set_ylabel(f"{b} − {a}" + (f" ({unit})" if unit else ""))
    for ax in axes.ravel():
        if _bottom(ax):
            ax.set_xlabel(paths[0])
            _set_ticks(ax, "x", xlabels)
    cb = fig.colorbar(sc, ax=list(axes.ravel()), label=paths[1], shrink=0.9)
    if clabels is not None:
        cb.set_ticks(np.arange(len(clabels)), labels=clabels)
    extra = [p for p in paths[2:]]
    return "; ".join(t for t in (note, ("also varied: " + ", ".join(extra)) if extra else "")
                     if t)


# --------------------------------------------------------------------------------------------
# public


def summary_figure(df, paths: Sequence[str], strategies: Sequence[str],
                   metric="recovery_time_s", *, mode: str | None = None,
                   title: str | None = None, base: dict | None = None):
    """The summary `Figure` of a sweep (see the module docstring); `metric` is a metric key or
    a list of them (a row of panels each). `mode` ``"random"`` forces the scatter layout.
    `base` maps swept paths to the scenario's own values (marked on line plots and
    heatmaps)."""
    metrics = [metric] if isinstance(metric, str) else list(metric)
    paths, strategies = list(paths), list(strategies)
    if not paths or not strategies or not metrics:
        raise ValueError("summary_plot needs at least one swept path, strategy and metric")
    for p in paths:
        if p not in df:
            raise KeyError(f"the sweep has no column {p!r}")
    for s in strategies:
        for m in metrics:
            _raw(df, s, m)
    n_panels = len(strategies) + (1 if len(strategies) >= 2 else 0)
    if len(paths) == 1:
        layout = "lines"
        x = df[paths[0]].astype(str)
        scatter = mode == "random" or x.nunique() != len(df)
        rows = len(metrics) * (2 if len(strategies) >= 2 else 1)
        figsize = (10.0, max(6.0, 2.6 * rows))
    else:
        layout = "heat" if len(paths) == 2 and mode != "random" and _is_grid(df, paths) \
            else "scatter"
        rows, cols = _grid_shape(len(metrics), n_panels)
        figsize = (min(4.6 * cols + 1.6, 19.0), 4.6 * rows + 1.2)
    with rc_context(_RC):
        fig = _new_figure(figsize)
        if layout == "lines":
            note = _lines(fig, df, paths[0], strategies, metrics, scatter, base)
        elif layout == "heat":
            note = _heatmaps(fig, df, paths, strategies, metrics, base)
        else:
            note = _scatter(fig, df, paths, strategies, metrics)
        head = "\n".join(t for t in (title, note) if t)
        if head:
            fig.suptitle(head)
    return fig


def summary_plot(df, paths: Sequence[str], strategies: Sequence[str],
                 metric="recovery_time_s", path="sweep.png", *, mode: str | None = None,
                 title: str | None = None, base: dict | None = None) -> Path:
    """Write the summary figure of a sweep to `path` (.png, .svg or .pdf); returns the path.

    Parameters
    ----------
    df : the sweep's rows (`legsim.sweeps.sweep` output, or the output file read back; only the
        swept columns and ``<strategy>.<metric>`` / ``<strategy>.completed`` are used)
    paths : the swept dotted paths, in the sweep's order (the first is the x axis)
    strategies : strategy names, in the scenario's order (the difference is second − first)
    metric : a metric key (``recovery_time_s`` …) or a list of keys
    mode : the sweep's mode; ``"random"`` draws scatter plots whatever the values
    title : figure title
    base : swept path -> the scenario's own value, marked on line plots and heatmaps
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError(f"unsupported figure format {path.suffix!r} (accepted: .png, .svg, .pdf)")
    fig = summary_figure(df, paths, strategies, metric, mode=mode, title=title, base=base)
    return save_figure(fig, path.parent, path.stem, (fmt,))[0]
