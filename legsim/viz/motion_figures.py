"""Figures of measured motion: the inverse dynamics over time (`legsim inverse`) and the
measured recovery overlaid on the two simulated techniques (`legsim analyze`).

Same style, sizes and deterministic output as `legsim.viz.figures` (PNG, SVG or PDF).
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from matplotlib import rc_context

from .figures import _RC, _new_figure, colour, save_figure

MEASURED = "#000000"
#: Colours of the simulated techniques (the same order as the shipped comparisons).
TECHNIQUE_COLOURS = {"knee_drive": colour(0), "butt_kick": colour(1)}


def _shade_swings(ax, swings) -> None:
    for k, (a, b) in enumerate(swings):
        ax.axvspan(a, b, color="#999999", alpha=0.15, lw=0,
                   label="swing (toe-off to touchdown)" if k == 0 else None)


def inverse_figure(inv, swings: Sequence[tuple[float, float]] = (), title: str | None = None):
    """Angles, net joint torques and joint powers over time; swings shaded."""
    t = inv.t_s
    with rc_context(_RC):
        fig = _new_figure((10.0, 9.0))
        axes = fig.subplots(3, 1, sharex=True)
        a0, a1, a2 = axes
        a0.plot(t, inv.thigh_angle_deg, color=colour(0), label="thigh angle θ")
        a0.plot(t, inv.knee_flexion_deg, color=colour(1), label="knee flexion φ")
        a0.set_ylabel("angle (deg)")
        a1.plot(t, inv.hip_torque_Nm, color=colour(0), label="hip (+ flexion)")
        a1.plot(t, inv.knee_torque_Nm, color=colour(1), label="knee (+ flexion)")
        a1.set_ylabel("net joint torque (N m)")
        a2.plot(t, inv.hip_power_W, color=colour(0), label="hip")
        a2.plot(t, inv.knee_power_W, color=colour(1), label="knee")
        a2.set_ylabel("joint power (W)")
        a2.set_xlabel("time (s)")
        for ax in axes:
            _shade_swings(ax, swings)
            ax.axhline(0.0, color="#666666", lw=0.6)
            ax.grid(True, alpha=0.3)
        a0.legend(loc="best", fontsize="small")
        a1.legend(loc="best", fontsize="small")
        a2.legend(loc="best", fontsize="small")
        filt = inv.meta.get("filter")
        head = title or "Inverse dynamics"
        if filt:
            head += f"\n{_filter_text(filt)}"
        fig.suptitle(head)
    return fig


def _filter_text(filt) -> str:
    if isinstance(filt, dict):
        cut = filt.get("cutoff_hz")
        order = filt.get("order")
        how = filt.get("chosen_by") or filt.get("method") or ""
        text = f"zero-lag Butterworth low-pass, {cut:g} Hz" if cut else "no filter"
        if order:
            text += f", order {order}"
        if how:
            text += f" ({how})"
        return text
    return str(filt)


def what_if_figure(inv, features, what_if, title: str | None = None):
    """The measured recovery (black) over the simulated knee drive and butt kick from the same
    toe-off: thigh angle and knee flexion against time, the heel–buttock signature, and the
    net hip torque."""
    t0 = features.toe_off_at_s
    keep = (inv.t_s >= t0 - 1e-12) & (inv.t_s <= features.end_at_s + 1e-12)
    tm = (inv.t_s[keep] - t0) * 1e3
    th, ph = inv.thigh_angle_deg[keep], inv.knee_flexion_deg[keep]
    from ..analysis import heel_buttock_distance_m

    dm = np.asarray(heel_buttock_distance_m(inv.leg, th, ph)) * 100.0
    end = what_if.end_thigh_angle_deg
    rt = what_if.measured["recovery_time_s"]
    with rc_context(_RC):
        fig = _new_figure((12.0, 8.0))
        (a_th, a_ph), (a_sig, a_tq) = fig.subplots(2, 2)
        lab = "measured" + (f" ({rt * 1e3:.0f} ms)" if np.isfinite(rt) else "")
        a_th.plot(tm, th, color=MEASURED, lw=2.0, label=lab)
        a_ph.plot(tm, ph, color=MEASURED, lw=2.0)
        a_sig.plot(th, dm, color=MEASURED, lw=2.0)
        a_tq.plot(tm, inv.hip_torque_Nm[keep], color=MEASURED, lw=2.0)
        for name, r in what_if.result.strategies.items():
            c = TECHNIQUE_COLOURS.get(name, colour(2))
            tr = r.trajectory
            ts = tr["t_s"] * 1e3
            rts = r.metrics.get("recovery_time_s")
            lab = f"simulated {name}" + (f" ({rts * 1e3:.0f} ms)" if rts is not None else
                                         " (not completed)")
            a_th.plot(ts, tr["thigh_angle_deg"], color=c, label=lab)
            a_ph.plot(ts, tr["knee_flexion_deg"], color=c)
            a_sig.plot(tr["thigh_angle_deg"], tr["heel_buttock_distance_m"] * 100.0, color=c)
            a_tq.plot(ts, tr["hip_torque_Nm"], color=c)
        a_th.axhline(end, color="#666666", ls=":", lw=1.0)
        a_th.annotate(f"end: θ = {end:g}°", (0.02, end), xycoords=("axes fraction", "data"),
                      textcoords="offset points", xytext=(0, 4), fontsize="small", color="#444444")
        a_th.set_ylabel("thigh angle θ (deg)")
        a_ph.set_ylabel("knee flexion φ (deg)")
        a_tq.set_ylabel("net hip torque (N m, + flexion)")
        for ax in (a_th, a_ph, a_tq):
            ax.set_xlabel("time from toe-off (ms)")
        a_sig.set_xlabel("thigh angle θ (deg)")
        a_sig.set_ylabel("heel–buttock distance (cm)")
        a_sig.axhline(0.0, color="#666666", lw=0.6)
        a_tq.axhline(0.0, color="#666666", lw=0.6)
        for ax in (a_th, a_ph, a_sig, a_tq):
            ax.grid(True, alpha=0.3)
        a_th.legend(loc="lower right", fontsize="small")
        head = title or "Measured recovery and the two techniques from the same toe-off"
        head += (f"\nmeasured: {features.technique} (heel closest to the buttock at θ = "
                 f"{features.thigh_angle_at_min_heel_buttock_distance_deg:.0f}°)")
        fig.suptitle(head)
    return fig


def write_motion_figures(figs: dict, out_dir: Path, formats=("png",)) -> list[Path]:
    """Save {stem: Figure} into ``out_dir`` in every format; returns the files."""
    import matplotlib.pyplot as plt

    written = []
    for stem, fig in figs.items():
        written += save_figure(fig, Path(out_dir), stem, tuple(formats))
        plt.close(fig)
    return written
