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
    return "\n".join(lines).rstrip() + "\n"


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
