"""``report.html`` of `legsim analyze`: the measured swing(s), their classification, the inverse
dynamics and the what-if simulations, on one self-contained page (same rules as
`legsim.viz.report`: inline style, figures as data URIs, no script, no outside resource,
deterministic bytes)."""
from __future__ import annotations

import math
from pathlib import Path

from .report import _data_uri, _esc, page_end, page_start, write_text_atomically

ANALYSIS_DOCS_URL = "https://github.com/legsim/legsim/blob/main/docs/analysis.md"


def _num(v, fmt="{:.3g}", scale=1.0, unit="") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    return fmt.format(v * scale) + (f" {unit}" if unit else "")


def _figure(path: Path, caption: str) -> str:
    mime = "image/svg+xml" if path.suffix == ".svg" else "image/png"
    return (f"<figure>\n<img src=\"{_data_uri(path, mime)}\" alt=\"{_esc(caption)}\">\n"
            f"<figcaption>{_esc(caption)}</figcaption>\n</figure>\n")


def render_analysis_report(analysis, *, figures, title: str, command: str | None = None) -> str:
    from .. import __version__
    from ..analysis import BUTT_KICK_MAX_DEG, BUTT_KICK_MAX_DISTANCE_M, KNEE_DRIVE_MIN_DEG

    inv = analysis.inverse
    s = analysis.subject
    filt = inv.meta.get("filter") or {}
    cut = filt.get("cutoff_hz") if isinstance(filt, dict) else None
    parts = [
        page_start(title, f"Technique analysis of a measured swing leg: {analysis.source}."),
        "<section>\n<h2>Athlete and processing</h2>\n<ul>\n",
        f"<li>Subject: {_esc(_num(s.get('mass_kg'), '{:g}', unit='kg'))}, "
        f"{_esc(_num(s.get('height_m'), '{:.2f}', unit='m'))}, {_esc(str(s.get('sex', '—')))}; "
        f"segment parameters: {_esc(str(s.get('anthropometry', '—')))}"
        + (", measured segment lengths" if inv.meta.get("measured_lengths") else "") + ".</li>\n",
        f"<li>Filter: {_esc('zero-lag Butterworth low-pass at %.3g Hz' % cut if cut else 'none')}"
        f"; sample rate {_esc(_num(inv.meta.get('sample_rate_hz'), '{:.4g}', unit='Hz'))}.</li>\n",
        f"<li>Actuators of the simulations: {_esc(str(analysis.actuators))} "
        "(the same for both techniques).</li>\n</ul>\n</section>\n",
        f"<section>\n<h2>Verdict: {_esc(analysis.verdict()['technique'])}</h2>\n"
        f"<p>{_esc(analysis.verdict()['reason'])}.</p>\n</section>\n",
        "<section>\n<h2>Swings</h2>\n<table>\n<thead><tr><th>toe-off (s)</th><th>technique</th>"
        "<th>closest heel–buttock</th><th>thigh angle there</th><th>max knee flexion</th>"
        "<th>knee lead</th></tr></thead>\n<tbody>\n",
    ]
    for f in analysis.swings:
        parts.append(
            f"<tr><td>{f.toe_off_at_s:.3f}</td><td><strong>{_esc(f.technique)}</strong></td>"
            f"<td>{_esc(_num(f.min_heel_buttock_distance_m, '{:.1f}', 100, 'cm'))}</td>"
            f"<td>{_esc(_num(f.thigh_angle_at_min_heel_buttock_distance_deg, '{:.0f}', unit='°'))}</td>"
            f"<td>{_esc(_num(f.max_knee_flexion_deg, '{:.0f}', unit='°'))}</td>"
            f"<td>{_esc(_num(f.knee_lead_s, '{:+.0f}', 1e3, 'ms'))}</td></tr>\n")
    parts.append(
        "</tbody>\n</table>\n"
        f"<p>Classification by where the heel comes closest to the buttock: knee-drive when the "
        f"thigh is then at {KNEE_DRIVE_MIN_DEG:g}° or more; butt-kick when it is below "
        f"{BUTT_KICK_MAX_DEG:g}° and the heel within {BUTT_KICK_MAX_DISTANCE_M * 100:g} cm of the "
        "buttock; in between otherwise. Knee lead: how much earlier the knee completes half of its flexion "
        "than the thigh half of its forward swing.</p>\n</section>\n")
    for k, (f, w) in enumerate(zip(analysis.swings, analysis.what_if)):
        if w is None:
            continue
        parts.append(f"<section>\n<h2>What if — swing at {f.toe_off_at_s:.3f} s</h2>\n"
                     f"<p>Both techniques simulated from this toe-off (θ = "
                     f"{f.toe_off_state['thigh_angle_deg']:.1f}°, φ = "
                     f"{f.toe_off_state['knee_flexion_deg']:.1f}°, θ̇ = "
                     f"{f.toe_off_state['thigh_velocity_deg_s']:.0f}°/s, φ̇ = "
                     f"{f.toe_off_state['knee_velocity_deg_s']:.0f}°/s) to the same end: "
                     f"{_esc(w.notes[0])}.</p>\n<table>\n<thead><tr><th>recovery</th>"
                     "<th>time to the end</th><th>peak hip flexion torque</th>"
                     "<th>hip flexion impulse</th></tr></thead>\n<tbody>\n")
        for row in w.table():
            time_text = (row["not_completed"] if row.get("not_completed")
                         else _num(row['recovery_time_s'], '{:.0f}', 1e3, 'ms'))
            parts.append(f"<tr><td>{_esc(row['recovery'])}</td>"
                         f"<td>{_esc(time_text)}</td>"
                         f"<td>{_esc(_num(row['peak_hip_flexion_torque_Nm'], '{:.0f}', unit='N m'))}</td>"
                         f"<td>{_esc(_num(row['hip_flexion_impulse_Nms'], '{:.1f}', unit='N m s'))}</td>"
                         "</tr>\n")
        parts.append("</tbody>\n</table>\n<ul>\n" + "".join(
            f"<li>{_esc(n)}</li>\n" for n in w.notes[1:]) + "</ul>\n</section>\n")
    parts.append("<section>\n<h2>Figures</h2>\n")
    for path, caption in figures:
        parts.append(_figure(Path(path), caption))
    parts.append("</section>\n")
    notes = list(dict.fromkeys(analysis.notes))
    if notes:
        parts.append("<section>\n<h2>Notes</h2>\n<ul>\n" + "".join(
            f"<li>{_esc(n)}</li>\n" for n in notes) + "</ul>\n</section>\n")
    parts.append(
        "<section>\n<h2>Model</h2>\n<p>Net joint torques by inverse dynamics with the "
        "simulator's own equations of motion (two rigid segments, thigh and shank+foot, in the "
        "sagittal plane, pelvis rotation neglected); the simulations use Hill-type torque "
        "generators with the stated actuators, driven by the presets' excitations at full "
        "activation: the athlete's own effort is unknown, so the measured recovery differs from "
        "the simulated ones in effort as well as technique. The measured and simulated "
        f"recoveries share the athlete, the toe-off state and the end event. Details: <a href=\"{ANALYSIS_DOCS_URL}\">"
        "docs/analysis.md</a>.</p>\n</section>\n")
    parts.append(page_end(f"Made with legsim {__version__}. Self-contained: everything shown "
                          "is embedded in this file; it opens without a network connection.",
                          command))
    return "".join(parts)


def write_analysis_report(out_path, analysis, *, figures, title: str,
                          command: str | None = None) -> Path:
    text = render_analysis_report(analysis, figures=figures, title=title, command=command)
    return write_text_atomically(out_path, text)
