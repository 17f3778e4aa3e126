"""Make docs/gallery.md and the pictures in docs/gallery/ from the shipped scenarios.

Run from the repository root:  python docs/make_figures.py [--out-dir DIR]

Every picture in the gallery comes from this script; nothing is placed by hand. The page text
(metrics and differences) is produced here too, so `tests/test_gallery.py` can check that the
committed page matches a fresh run.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: (folder, section title, scenario files relative to the repository root, what it shows)
SECTIONS = [
    ("techniques", "Early knee drive vs butt kick (sprinter)", ["scenarios/compare_techniques.yaml"],
     "The same athlete, toe-off state and end event; only the strategy differs."),
    ("cord", "Knee drive with and without a resistance cord",
     ["scenarios/knee_drive.yaml", "scenarios/cord_knee_drive.yaml"],
     "A band anchored 1 m behind the hip pulls the thigh back during the knee drive."),
]

FIGURES = [("strobe", "Stick figure every 20 ms, light to dark"),
           ("signature", "Heel–buttock distance against thigh angle: the butt-kick signature"),
           ("angles", "Thigh angle and knee flexion"),
           ("torques", "Net joint torques, the generators' share and their capacity"),
           ("heel_path", "Heel path in the hip frame")]

#: (folder name, sweep scenario, metrics of the summary figure, what it asks)
SWEEPS = [
    ("hip_strength", "scenarios/sweeps/hip_strength.yaml", ["recovery_time_s"],
     "Recovery time of both techniques across the hip flexors' peak isometric torque."),
    ("toe_off_push", "scenarios/sweeps/toe_off_push.yaml",
     ["min_heel_buttock_distance_m", "thigh_angle_at_min_heel_buttock_distance_deg"],
     "Knee-drive recovery over the toe-off thigh angle and knee flexion velocity: does a longer "
     "push at toe-off bring the heel to the buttock?"),
]

KEYS = ["recovery_time_s", "peak_hip_flexion_torque_Nm", "hip_flexion_impulse_Nms",
        "peak_thigh_angular_velocity_deg_s", "max_knee_flexion_deg", "min_heel_buttock_distance_m",
        "thigh_angle_at_min_heel_buttock_distance_deg", "min_hip_moment_of_inertia_kgm2"]


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return f"{v:.4g}"


def build(out_dir: Path) -> str:
    """Write the pictures into ``out_dir/gallery/`` and return the text of gallery.md."""
    import legsim
    from legsim.metrics import UNITS
    from legsim.viz.animation import write_animation
    from legsim.viz.figures import write_figures

    lines = ["# Gallery", "",
             "Pictures of the shipped scenarios, all made by `python docs/make_figures.py` "
             "(legsim's own figure and animation code; see docs/cli.md for the same files from "
             "`legsim run` / `legsim compare`).", ""]
    for slug, title, files, what in SECTIONS:
        cmp = legsim.compare([ROOT / f for f in files])
        folder = out_dir / "gallery" / slug
        folder.mkdir(parents=True, exist_ok=True)
        strategies = [r for _, r in cmp.items]
        write_figures(strategies, folder)
        write_animation(list(cmp.items), folder / "animation.gif", progress=False)
        rel = f"gallery/{slug}"
        command = ("legsim run " if len(files) == 1 else "legsim compare ") + " ".join(files)
        lines += [f"## {title}", "", what, "", f"Command: `{command}`", "",
                  f"![animation]({rel}/animation.gif)", "",
                  "| metric | unit | " + " | ".join(cmp.labels) + " |",
                  "|---|---|" + "---:|" * len(cmp.labels)]
        for key in KEYS:
            cells = [_fmt(r.metrics.get(key)) for _, r in cmp.items]
            lines.append(f"| {key} | {UNITS.get(key, '')} | " + " | ".join(cells) + " |")
        lines.append("")
        for stem, caption in FIGURES:
            lines += [f"**{caption}**", "", f"![{stem}]({rel}/{stem}.png)", ""]
    lines += _sweep_sections(out_dir)
    return "\n".join(lines).rstrip() + "\n"


def _sweep_sections(out_dir: Path) -> list[str]:
    """Run the shipped sweep scenarios; their summary figures and tables for the gallery."""
    import numpy as np

    import legsim
    from legsim.viz.sweep_plots import summary_plot

    lines = ["## Sweeps", "",
             "The two sweep scenarios of the coaching debate (docs/sweeps.md; interpretation in "
             "docs/results.md).", ""]
    folder = out_dir / "gallery" / "sweeps"
    folder.mkdir(parents=True, exist_ok=True)
    for slug, file, metrics, what in SWEEPS:
        scn = legsim.load_scenario(ROOT / file)
        block = scn.data["sweep"]
        df = legsim.sweep(scn, block["params"], mode=block["mode"])
        paths = list(block["params"])
        strategies = [s if isinstance(s, str) else s["name"] for s in scn.data["strategies"]]
        base = {p: scn.get(p) for p in paths}
        summary_plot(df, paths, strategies, metrics, folder / f"{slug}.png", mode=block["mode"],
                     title=f"{scn.name}: {block['mode']} sweep of {len(df)} variants", base=base)
        command = f"legsim sweep {file}" + "".join(f" --metric {m}" for m in metrics
                                                    if metrics != ["recovery_time_s"])
        lines += [f"### {scn.name}", "", what, "", f"Command: `{command}`", "",
                  f"![{slug}](gallery/sweeps/{slug}.png)", ""]
        if slug == "hip_strength":
            a, b = strategies
            lines += [f"| {paths[0]} (N m) | {a} (ms) | {b} (ms) | {b} − {a} (ms) | (%) |",
                      "|---:|---:|---:|---:|---:|"]
            for _, r in df.iterrows():
                ta, tb = r[f"{a}.recovery_time_s"] * 1e3, r[f"{b}.recovery_time_s"] * 1e3
                lines.append(f"| {r[paths[0]]:.0f} | {ta:.1f} | {tb:.1f} | {tb - ta:+.1f} | "
                             f"{(tb - ta) / ta * 100:+.0f} |")
            lines.append("")
        else:
            s = strategies[0]
            x, y = paths          # x: thigh angle at toe-off, y: knee velocity at toe-off
            xs = sorted(df[x].unique())[::2]
            for metric, scale, unit in ((metrics[0], 100.0, "cm"), (metrics[1], 1.0, "deg")):
                lines += [f"{s}.{metric} ({unit}); rows: {y}, columns: {x}", "",
                          f"| {y} | " + " | ".join(f"{v:g}" for v in xs) + " |",
                          "|---:|" + "---:|" * len(xs)]
                for vy in sorted(df[y].unique()):
                    row = df[df[y] == vy].set_index(x)[f"{s}.{metric}"]
                    lines.append(f"| {vy:g} | " + " | ".join(f"{row[v] * scale:.1f}" for v in xs)
                                 + " |")
                lines.append("")
            d = df[f"{s}.min_heel_buttock_distance_m"].to_numpy()
            reach = df[d <= 0]
            lines += [f"The heel reaches the buttock (distance ≤ 0) in {len(reach)} of {len(df)} "
                      f"variants, all with {y} ≥ {reach[y].min():g}; the thigh angle at the "
                      f"closest approach is then {reach[f'{s}.{metrics[1]}'].min():.1f}–"
                      f"{reach[f'{s}.{metrics[1]}'].max():.1f}°. Over the whole grid it is "
                      f"{np.min(df[f'{s}.{metrics[1]}']):.1f}–{np.max(df[f'{s}.{metrics[1]}']):.1f}°.",
                      ""]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=str(ROOT / "docs"),
                    help="where gallery.md and gallery/ are written (default: docs/)")
    args = ap.parse_args()
    out = Path(args.out_dir)
    text = build(out)
    (out / "gallery.md").write_text(text)
    print(f"wrote {out / 'gallery.md'} and {out / 'gallery'}/")


if __name__ == "__main__":
    main()
