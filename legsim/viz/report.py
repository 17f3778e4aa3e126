"""``report.html``: a one-page, self-contained report of a run or a comparison.

Everything the page shows is inside the file: figures and the animation are embedded as base64
``data:`` URIs, the style sheet is inline, there is no script, no web font and no external
resource (a Content-Security-Policy meta tag makes the browser refuse any that slipped in), so
the file opens offline in any browser and can be mailed as it is. The only links are to the
model documentation.

Output is deterministic: the same inputs give the same bytes (no date unless ``generated`` is
passed). The file is written to a temporary name in the target folder and moved into place.

Only the standard library is used (`html`, `base64`); `legsim.viz.figures` is imported lazily,
only for the strategy colours.
"""
from __future__ import annotations

import base64
import html
import math
import os
import tempfile
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from ..metrics import METRIC_KEYS, UNITS

__all__ = ["write_report", "render_report", "format_value", "format_difference",
           "format_percent", "difference", "end_event_text", "FIGURE_CAPTIONS", "METRIC_LABELS",
           "DOCS_URL"]

DOCS_URL = "https://github.com/legsim/legsim/blob/main/docs/model.md"

#: Captions of the standard figures (`legsim.viz.figures.FIGURE_NAMES`), by file stem.
FIGURE_CAPTIONS = {
    "angles": "Thigh angle (forward +) and knee flexion against time since toe-off; phase "
              "switches and the end of each recovery are marked.",
    "velocities": "Thigh and knee angular velocities against time since toe-off.",
    "torques": "Net hip and knee joint torques (flexion +, extension −), the generators' share, "
               "and the capacity envelope: what full activation could deliver at the current "
               "angle and velocity.",
    "strobe": "Stick figures of the leg at regular intervals, from toe-off (light) to the end of "
              "the recovery (dark), with the buttock and the heel path.",
    "heel_path": "Heel path in the hip frame with the buttock; toe-off, end and the closest "
                 "approach to the buttock are marked.",
    "signature": "Heel–buttock distance against thigh angle, the butt-kick signature: a butt kick "
                 "brings the heel to the buttock with the thigh near vertical, a knee drive "
                 "passes it with the thigh well forward.",
}

#: Plain-language names of the metrics (the key is shown too).
METRIC_LABELS = {
    "recovery_time_s": "Recovery time",
    "completed": "End event reached",
    "peak_hip_flexion_torque_Nm": "Peak hip flexion torque",
    "peak_hip_extension_torque_Nm": "Peak hip extension torque",
    "peak_knee_flexion_torque_Nm": "Peak knee flexion torque",
    "peak_knee_extension_torque_Nm": "Peak knee extension torque",
    "hip_flexion_impulse_Nms": "Hip flexion impulse",
    "hip_positive_work_J": "Hip positive work",
    "hip_negative_work_J": "Hip negative work",
    "knee_positive_work_J": "Knee positive work",
    "knee_negative_work_J": "Knee negative work",
    "peak_thigh_angular_velocity_deg_s": "Peak thigh angular velocity",
    "max_knee_flexion_deg": "Maximal knee flexion",
    "min_heel_buttock_distance_m": "Minimal heel–buttock distance",
    "thigh_angle_at_min_heel_buttock_distance_deg": "Thigh angle at the minimal heel–buttock distance",
    "min_hip_moment_of_inertia_kgm2": "Minimal leg moment of inertia about the hip",
    "heel_contact_impulse_Ns": "Heel–buttock contact impulse",
}

_IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif",
                ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}
_VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm"}
_ANIMATION_IMAGE_TYPES = {".gif": "image/gif", ".png": "image/png", ".webp": "image/webp"}

DASH = "—"

_CSP = ("default-src 'none'; img-src data:; media-src data:; style-src 'unsafe-inline'; "
        "base-uri 'none'; form-action 'none'")

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: #1b1b1b; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 16px; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 24px 48px; }
h1 { font-size: 1.75rem; line-height: 1.2; margin: 0 0 6px; }
h2 { font-size: 1.25rem; margin: 32px 0 10px; padding-bottom: 3px; border-bottom: 1px solid #d8d8d8; }
p { margin: 8px 0; }
.lead { color: #444; margin: 0 0 4px; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.88em; }
pre { background: #f4f5f7; border: 1px solid #e1e3e6; border-radius: 4px; padding: 8px 10px;
  overflow-x: auto; white-space: pre-wrap; word-break: break-all; margin: 6px 0; }
a { color: #0b5cad; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.9rem; margin: 4px 0; }
th, td { padding: 5px 9px; border-bottom: 1px solid #e4e4e4; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #9a9a9a; vertical-align: bottom; }
th[scope=row] { font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.unit { color: #555; white-space: nowrap; }
.diff { background: #f3f6fa; }
thead th.diff { background: #e8eef6; }
.key { display: block; font-weight: 400; color: #666; font-size: 0.8rem; overflow-wrap: anywhere; }
.metrics th[scope=row] { min-width: 15em; }
.metrics thead th.strategy { max-width: 12em; overflow-wrap: anywhere; }
.summary th[scope=row] { white-space: nowrap; color: #333; }
.summary td { min-width: 14em; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px; margin-right: 5px;
  vertical-align: -0.05em; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.no { color: #b00020; font-weight: 600; }
ul.ended { padding-left: 20px; margin: 6px 0; }
ul.ended li { margin: 4px 0; }
.phases { color: #555; font-size: 0.9rem; }
figure { margin: 20px 0 28px; break-inside: avoid; page-break-inside: avoid; }
figure img, figure video { display: block; width: 100%; height: auto; max-width: 100%;
  border: 1px solid #e4e4e4; }
figure.animation img, figure.animation video { width: auto; max-width: 100%; margin: 0 auto; }
figcaption { font-size: 0.9rem; color: #3d3d3d; margin-top: 6px; }
.note { color: #555; font-size: 0.9rem; }
.print-only { display: none; }
footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid #d8d8d8; color: #555;
  font-size: 0.85rem; }
@page { margin: 14mm; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .scroll { overflow: visible; }
  table { font-size: 8.5pt; }
  th, td { padding: 3px 5px; }
  .metrics th[scope=row] { min-width: 0; }
  .key { font-size: 7.5pt; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  .diff, thead th.diff { background: none; }
  figure video { display: none; }
  .print-only { display: block; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 0.85em; color: #555;
    overflow-wrap: anywhere; }
}
""".strip()


# ------------------------------------------------------------------------------ formatting
def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _finite(v) -> bool:
    return _is_number(v) and math.isfinite(v)


def format_value(v) -> str:
    """A metric value as shown in the table: 4 significant digits, yes/no, "—" for None."""
    if v is None:
        return DASH
    if isinstance(v, bool):
        return "yes" if v else "no"
    if _is_number(v):
        return f"{v:.4g}" if math.isfinite(v) else DASH
    return str(v)


def difference(a, b) -> tuple[float | None, float | None]:
    """(b − a, 100 (b − a)/|a|) of two metric values; None where either is missing, not a finite
    number or a boolean, and the percentage None where the reference ``a`` is 0."""
    if not (_finite(a) and _finite(b)):
        return None, None
    absolute = float(b) - float(a)
    percent = 100.0 * absolute / abs(float(a)) if a != 0 else None
    return absolute, percent


def format_difference(d) -> str:
    """An absolute difference: signed, 4 significant digits ("0" when equal)."""
    if d is None:
        return DASH
    if d == 0:
        return "0"
    return f"{d:+.4g}"


def format_percent(p) -> str:
    """A relative difference in percent, signed, one decimal."""
    if p is None:
        return DASH
    if p == 0:
        return "0%"
    return f"{p:+.1f}%" if abs(p) < 1e3 else f"{p:+,.0f}%"


def _quantity(key: str, value) -> str:
    """``thigh_velocity_deg_s: 100`` -> ``100 deg/s`` (unit taken from the key's suffix)."""
    suffixes = (("_deg_s", " deg/s"), ("_deg", "°"), ("_kgm2", " kg m²"), ("_kg", " kg"),
                ("_m_s2", " m/s²"), ("_m_s", " m/s"), ("_ms", " ms"), ("_m", " m"), ("_s", " s"),
                ("_Nm", " N m"), ("_N", " N"))
    if _is_number(value):
        for suffix, unit in suffixes:
            if key.endswith(suffix):
                return f"{value:g}{unit}"
        return f"{value:g}"
    return format_value(value)


def _label_of(key: str) -> str:
    for suffix in ("_deg_s", "_deg", "_kgm2", "_kg", "_m_s2", "_m_s", "_ms", "_m", "_s", "_Nm", "_N"):
        if key.endswith(suffix):
            key = key[: -len(suffix)]
            break
    return key.replace("_", " ")


def end_event_text(end) -> str:
    """The recovery end event in words, from the normalised ``end`` block of a scenario
    (``{"event", "value", "max_time_s"}``); a string is returned unchanged."""
    if end is None:
        return DASH
    if isinstance(end, str):
        return end
    event, value, max_t = end.get("event"), end.get("value"), end.get("max_time_s")
    texts = {
        "thigh_angle": (f"thigh angle reaches {value:g}°" if _is_number(value) else "thigh angle"),
        "thigh_peak": "maximal thigh flexion (thigh angular velocity crosses zero in front of "
                      "the vertical)",
        "ankle_passes_knee": "ankle passes in front of the knee",
        "time": (f"time reaches {value:g} s" if _is_number(value) else "fixed time"),
    }
    text = texts.get(event, str(event) + ("" if value is None else f" {value}"))
    if _is_number(max_t):
        text += f"; not completed if not reached within {max_t:g} s"
    return text


def _subject_text(subject) -> str:
    if subject is None:
        return DASH
    if isinstance(subject, str):
        return subject
    s = dict(subject)
    parts = []
    if _is_number(s.get("mass_kg")):
        parts.append(f"{s.pop('mass_kg'):g} kg")
    if _is_number(s.get("height_m")):
        parts.append(f"{s.pop('height_m'):.2f} m")
    if s.get("sex") is not None:
        parts.append(str(s.pop("sex")))
    if s.get("anthropometry") is not None:
        parts.append(f"anthropometry {s.pop('anthropometry')}")
    parts += [f"{_label_of(k)} {_quantity(k, v)}" for k, v in s.items() if v is not None]
    return ", ".join(parts) or DASH


def _actuators_text(act) -> str:
    if act is None:
        return DASH
    if isinstance(act, str):
        return act
    act = dict(act)
    text = str(act.pop("preset", "custom"))
    overrides = {g: o for g, o in (act.pop("overrides", None) or {}).items() if o}
    if overrides:
        text += "; overrides: " + "; ".join(
            f"{g} " + ", ".join(f"{k} {v:g}" if _is_number(v) else f"{k} {v}" for k, v in o.items())
            for g, o in overrides.items())
    return text


def _state_items(initial) -> list[str]:
    """Toe-off state as short lines; activations shown only when not all zero."""
    if initial is None:
        return [DASH]
    if isinstance(initial, str):
        return [initial]
    lines = []
    for k, v in initial.items():
        if isinstance(v, Mapping):
            nonzero = {g: a for g, a in v.items() if a}
            if nonzero:
                lines.append(f"{_label_of(k)}: " + ", ".join(
                    f"{g.replace('_', ' ')} {_quantity(g, a)}" for g, a in nonzero.items()))
        elif v is not None:
            lines.append(f"{_label_of(k)} {_quantity(k, v)}")
    return lines or [DASH]


# ------------------------------------------------------------------------------ embedding
def _data_uri(path: Path, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _caption_for(path: Path) -> str:
    stem = path.stem
    for name in sorted(FIGURE_CAPTIONS, key=len, reverse=True):   # "heel_path" before "path"
        if stem == name or stem.endswith("_" + name) or stem.endswith(name):
            return FIGURE_CAPTIONS[name]
    return stem.replace("_", " ")


def _figure_list(figures) -> list[tuple[Path, str]]:
    out = []
    for item in figures or ():
        if isinstance(item, (tuple, list)):
            path, caption = Path(item[0]), str(item[1])
        else:
            path = Path(item)
            caption = _caption_for(path)
        if path.suffix.lower() not in _IMAGE_TYPES:
            raise ValueError(f"figure {path}: unsupported type {path.suffix!r} "
                             f"(accepted: {', '.join(sorted(_IMAGE_TYPES))})")
        if not path.is_file():
            raise FileNotFoundError(f"figure {path} does not exist")
        out.append((path, caption))
    return out


def _palette() -> Sequence[str]:
    try:
        from .figures import PALETTE
    except Exception:  # matplotlib missing: no colour swatches
        return ()
    return PALETTE


# ------------------------------------------------------------------------------ sections
def _scenario_section(scenarios: Sequence[Mapping]) -> str:
    if not scenarios:
        return ""
    names = [str(s.get("name") or f"scenario {i + 1}") for i, s in enumerate(scenarios)]
    rows = [
        ("Description", [_esc(s.get("description") or DASH) for s in scenarios]),
        ("File", [f"<code>{_esc(s['path'])}</code>" if s.get("path") else DASH for s in scenarios]),
        ("Subject", [_esc(_subject_text(s.get("subject"))) for s in scenarios]),
        ("Actuators", [_esc(_actuators_text(s.get("actuators"))) for s in scenarios]),
        ("Toe-off state", ["<br>".join(_esc(x) for x in _state_items(s.get("initial", s.get("toe_off"))))
                           for s in scenarios]),
        ("End event", [_esc(end_event_text(s.get("end"))) for s in scenarios]),
    ]
    head = "<tr><th scope=\"col\"></th>" + "".join(
        f"<th scope=\"col\">{_esc(n)}</th>" for n in names) + "</tr>"
    body = "".join(
        f"<tr><th scope=\"row\">{_esc(label)}</th>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
        for label, cells in rows)
    title = "Scenario" if len(scenarios) == 1 else "Scenarios"
    return (f"<section id=\"scenario\">\n<h2>{title}</h2>\n<div class=\"scroll\">"
            f"<table class=\"summary\">\n<thead>{head}</thead>\n<tbody>\n{body}\n</tbody></table></div>\n"
            "</section>\n")


def _swatch(i: int, palette: Sequence[str]) -> str:
    if not palette:
        return ""
    return f"<span class=\"swatch\" style=\"background:{_esc(palette[i % len(palette)])}\"></span>"


def _value_cell(v) -> str:
    cls, data = "num", ""
    if isinstance(v, bool):
        data = f" data-value=\"{str(v).lower()}\""
        if not v:
            cls += " no"
    elif _finite(v):
        data = f" data-value=\"{float(v)!r}\""
    return f"<td class=\"{cls}\"{data}>{_esc(format_value(v))}</td>"


def _metrics_section(items: list[tuple[str, object]], palette) -> str:
    labels = [label for label, _ in items]
    ref_label = labels[0]
    head = ["<th scope=\"col\">Metric</th>", "<th scope=\"col\">Unit</th>"]
    for i, label in enumerate(labels):
        head.append(f"<th scope=\"col\" class=\"num strategy\" data-col=\"{_esc(label)}\">"
                    f"{_swatch(i, palette)}{_esc(label)}</th>")
    for label in labels[1:]:
        head.append(f"<th scope=\"col\" class=\"num diff strategy\" data-col=\"{_esc('Δ ' + label)}\">"
                    f"Δ {_esc(label)}<br>− {_esc(ref_label)}</th>")
        head.append(f"<th scope=\"col\" class=\"num diff\" data-col=\"{_esc('Δ% ' + label)}\">Δ %</th>")
    rows = []
    for key in METRIC_KEYS:
        name = METRIC_LABELS.get(key, key.replace("_", " "))
        cells = [f"<th scope=\"row\">{_esc(name)}<code class=\"key\">{_esc(key)}</code></th>",
                 f"<td class=\"unit\">{_esc(UNITS.get(key, ''))}</td>"]
        values = [r.metrics.get(key) for _, r in items]
        cells += [_value_cell(v) for v in values]
        for v in values[1:]:
            d, p = difference(values[0], v)
            dv = f" data-value=\"{d!r}\"" if d is not None else ""
            pv = f" data-value=\"{p!r}\"" if p is not None else ""
            cells.append(f"<td class=\"num diff\"{dv}>{_esc(format_difference(d))}</td>")
            cells.append(f"<td class=\"num diff\"{pv}>{_esc(format_percent(p))}</td>")
        rows.append(f"<tr data-key=\"{_esc(key)}\">" + "".join(cells) + "</tr>")
    note = ""
    if len(items) > 1:
        note = (f"<p class=\"note\">Differences are each strategy minus the first "
                f"(<strong>{_esc(ref_label)}</strong>); Δ % is relative to |{_esc(ref_label)}| "
                f"({DASH} where the reference is 0 or a value is missing). Torques are net joint "
                f"torques; extension peaks are magnitudes; negative work is negative.</p>\n")
    else:
        note = ("<p class=\"note\">Torques are net joint torques (generators plus passive "
                "structures); extension peaks are magnitudes; negative work is negative.</p>\n")
    return ("<section id=\"metrics\">\n<h2>Metrics</h2>\n"
            "<div class=\"scroll\"><table class=\"metrics\">\n<thead><tr>" + "".join(head)
            + "</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table></div>\n" + note
            + "</section>\n")


def _phases_text(phases) -> str:
    parts = []
    for p in phases or ():
        try:
            name, start, stop = p
            parts.append(f"{name} {1e3 * float(start):.0f}–{1e3 * float(stop):.0f} ms")
        except (TypeError, ValueError):
            continue
    return ", ".join(parts)


def _ended_section(items, palette) -> str:
    lis = []
    for i, (label, r) in enumerate(items):
        reason = getattr(r, "reason", "") or DASH
        completed = getattr(r, "completed", None)
        cls = " class=\"no\"" if completed is False else ""
        phases = _phases_text(getattr(r, "phases", None))
        ph = f"<br><span class=\"phases\">phases: {_esc(phases)}</span>" if phases else ""
        lis.append(f"<li data-strategy=\"{_esc(label)}\">{_swatch(i, palette)}<strong>{_esc(label)}</strong>: "
                   f"<span{cls}>{_esc(reason)}</span>{ph}</li>")
    return ("<section id=\"ended\">\n<h2>How each recovery ended</h2>\n<ul class=\"ended\">\n"
            + "\n".join(lis) + "\n</ul>\n</section>\n")


def _figures_section(figs: list[tuple[Path, str]]) -> str:
    if not figs:
        return ""
    parts = []
    for n, (path, caption) in enumerate(figs, 1):
        mime = _IMAGE_TYPES[path.suffix.lower()]
        alt = f"Figure {n}: {caption}"
        parts.append(f"<figure id=\"figure-{n}\" data-file=\"{_esc(path.name)}\">"
                     f"<img src=\"{_data_uri(path, mime)}\" alt=\"{_esc(alt)}\">"
                     f"<figcaption><strong>Figure {n}.</strong> {_esc(caption)} "
                     f"<span class=\"note\">({_esc(path.name)})</span></figcaption></figure>")
    return "<section id=\"figures\">\n<h2>Figures</h2>\n" + "\n".join(parts) + "\n</section>\n"


def _animation_section(animation) -> str:
    if animation is None:
        return ""
    path = Path(animation)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise FileNotFoundError(f"animation {path} does not exist")
    caption = ("Animation of the recovery: every strategy from toe-off to its end event, "
               "on a common time base.")
    if suffix in _ANIMATION_IMAGE_TYPES:
        media = (f"<img src=\"{_data_uri(path, _ANIMATION_IMAGE_TYPES[suffix])}\" "
                 f"alt=\"{_esc('Animation: ' + caption)}\">")
    elif suffix in _VIDEO_TYPES:
        media = (f"<video controls loop muted playsinline preload=\"auto\" "
                 f"src=\"{_data_uri(path, _VIDEO_TYPES[suffix])}\">"
                 f"Your browser cannot play this embedded {_esc(suffix[1:].upper())} video.</video>"
                 "<p class=\"print-only note\">(The animation is a video: open this file in a "
                 "browser to play it.)</p>")
    else:
        raise ValueError(f"animation {path}: unsupported type {path.suffix!r} "
                         "(accepted: .gif, .png, .webp, .mp4, .webm)")
    return ("<section id=\"animation\">\n<h2>Animation</h2>\n"
            f"<figure class=\"animation\" data-file=\"{_esc(path.name)}\">{media}"
            f"<figcaption>{_esc(caption)} <span class=\"note\">({_esc(path.name)})</span>"
            "</figcaption></figure>\n</section>\n")


def _model_section(docs_url: str, n_scenarios: int) -> str:
    first = ("The leg is a planar two-segment linkage (thigh and shank+foot) swinging about the "
             "hip, driven by Hill-type torque generators at the hip and knee (torque–angle and "
             "torque–velocity relations, activation dynamics), with passive joint moments "
             "(Riener & Edrich 1999), joint damping and soft joint limits, and a compliant "
             "heel–buttock contact.")
    if n_scenarios <= 1:
        second = ("Every strategy shares the same athlete, toe-off state and end event; only the "
                  "technique (the timing of the excitations) differs.")
    else:
        second = ("Within each scenario every strategy shares the same athlete, toe-off state and "
                  "end event; the scenarios themselves differ as listed in the table above.")
    return ("<section id=\"model\">\n<h2>Model assumptions</h2>\n"
            f"<p>{_esc(first)} {_esc(second)}</p>\n"
            f"<p>Every equation, parameter and source: <a href=\"{_esc(docs_url)}\">the model "
            "documentation</a> (in a legsim source tree or installed documentation: "
            "<code>docs/model.md</code>).</p>\n</section>\n")


# ------------------------------------------------------------------------------ public
def render_report(*, title: str, scenarios: Sequence[Mapping], strategies,
                  figures: Iterable = (), animation=None, docs_url: str = DOCS_URL,
                  command: str | None = None, generated: str | None = None) -> str:
    """The report as an HTML string (see `write_report`)."""
    from .. import __version__

    items = list(strategies.items()) if isinstance(strategies, Mapping) else \
        [(str(label), r) for label, r in strategies]
    if not items:
        raise ValueError("write_report: no strategies to report")
    scenarios = list(scenarios or ())
    figs = _figure_list(figures)
    palette = _palette()
    labels = [label for label, _ in items]
    subtitle = ("Swing-leg recovery of a runner from toe-off: "
                + (", ".join(labels) if len(labels) > 1 else labels[0])
                + (f", compared with {labels[0]} as the reference." if len(labels) > 1 else "."))
    gen = f", {generated}" if generated else ""
    has_media = bool(figs) or animation is not None
    embedded = ("Self-contained: " + ("everything shown is embedded in this file; " if has_media else "")
                + "it opens without a network connection.")
    parts = [
        page_start(title, subtitle),
        _scenario_section(scenarios),
        _metrics_section(items, palette),
        _ended_section(items, palette),
        _figures_section(figs),
        _animation_section(animation),
        _model_section(docs_url, len(scenarios)),
        page_end(f"Made with legsim {__version__}{gen}. {embedded}", command),
    ]
    return "".join(parts)


def page_start(title: str, lead: str) -> str:
    """The head of a report page (inline style, the Content-Security-Policy) and its header;
    ``title`` and ``lead`` are plain text."""
    from .. import __version__

    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{_esc(_CSP)}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<meta name=\"generator\" content=\"legsim {_esc(__version__)}\">\n"
        f"<title>{_esc(title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n<main>\n"
        f"<header>\n<h1>{_esc(title)}</h1>\n<p class=\"lead\">{_esc(lead)}</p>\n</header>\n")


def page_end(made_with: str, command: str | None = None) -> str:
    """The footer of a report page: ``made_with`` (plain text) and, when given, the command
    that reproduces the page."""
    repro = ("<p>Reproduce this report with:</p>\n"
             f"<pre><code>{_esc(command)}</code></pre>\n") if command else ""
    return (f"<footer>\n<p>{_esc(made_with)}</p>\n{repro}"
            "</footer>\n</main>\n</body>\n</html>\n")


def write_report(out_path, *, title: str, scenarios: Sequence[Mapping], strategies,
                 figures: Iterable = (), animation=None, docs_url: str = DOCS_URL,
                 command: str | None = None, generated: str | None = None) -> Path:
    """Write a one-page, self-contained HTML report and return its path.

    Parameters
    ----------
    out_path : the HTML file to write (its folder must exist or is created).
    title : page title and heading.
    scenarios : one dict per scenario with the keys ``name``, ``path`` (str), ``description``,
        ``subject`` (dict with ``mass_kg, height_m, sex, anthropometry``, or a str),
        ``actuators`` (preset name, or a dict ``{"preset", "overrides"}``), ``initial`` (toe-off
        state: dict of ``thigh_angle_deg`` ... or a str; ``toe_off`` is accepted as well) and
        ``end`` (text, or the normalised end block ``{"event", "value", "max_time_s"}``).
        Missing keys show as "—".
    strategies : list of ``(label, StrategyResult)`` (or a mapping label -> StrategyResult), in
        order; the first one is the reference of the difference columns.
    figures : PNG or SVG files (or ``(path, caption)`` pairs); each is embedded once, in order,
        as a base64 ``data:`` URI. Standard figure names get standard captions.
    animation : a GIF (embedded as ``<img>``) or MP4/WebM (``<video controls>``) file, or None.
    docs_url : link to the model documentation.
    command : the command that reproduces the results, shown verbatim (optional).
    generated : a date or other text shown in the footer (optional; nothing is added by
        default, so the same inputs give the same bytes).

    The file is written to a temporary file in the same folder and moved into place, so an
    existing report is never left half-written.
    """
    text = render_report(title=title, scenarios=scenarios, strategies=strategies, figures=figures,
                         animation=animation, docs_url=docs_url, command=command,
                         generated=generated)
    return write_text_atomically(out_path, text)


def write_text_atomically(out_path, text: str) -> Path:
    """Write ``text`` (UTF-8, \\n line ends) to a temporary file in the target folder and move
    it into place, so an existing file is never left half-written; returns the path."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, out_path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return out_path
