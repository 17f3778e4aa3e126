"""Make docs/tutorial/side_view_2d.csv, the tutorial's "video-digitised" side view.

Run from the repository root:  python docs/tutorial/make_example.py [--figures]

With --figures it also runs the tutorial's `legsim analyze` command into a temporary folder and
copies its `inverse.png` and `what_if.png` next to this script for docs/tutorial.md.

The example is derived from measured data, not invented: the first 5 s of the treadmill run of
subject RBDS001 at 2.5 m/s (Fukuchi, Fukuchi & Duarte 2017, PeerJ 5:e3298, CC BY 4.0; copies in
tests/data/fukuchi_2017_RBDS001/). legsim reconstructs the right hip, knee and ankle centres
from the marker clusters and the static trial (legsim.kinematics.joint_centres), takes the
right heel marker and the midpoint of the first and fifth metatarsal head markers as heel and toe, projects them onto the sagittal
plane, and then keeps what a side-on video digitised in Kinovea or Tracker would give: every
third frame (50 frames/s), positions rounded to the millimetre, the five points named as in
design.md.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests" / "data" / "fukuchi_2017_RBDS001"
OUT = Path(__file__).resolve().parent / "side_view_2d.csv"
STEP = 3          # 150 Hz -> 50 frames/s


def main() -> None:
    from legsim.io import read_motion
    from legsim.kinematics.joint_centres import joint_centres

    run = read_motion(DATA / "RBDS001runT25markers_first5s.txt")
    static = read_motion(DATA / "RBDS001static.txt")
    jc = joint_centres(run, side="right", static=static)
    pts = jc.points
    missing = [p for p in ("hip", "knee", "ankle", "heel", "toe") if p not in pts]
    if missing:
        raise SystemExit(f"joint centres lack {missing}; found {sorted(pts)}")
    t = jc.time_s[::STEP] - jc.time_s[0]
    cols = [t]
    names = ["t_s"]
    for p in ("hip", "knee", "ankle", "heel", "toe"):
        xy = np.round(pts[p][::STEP], 3)
        cols += [xy[:, 0], xy[:, 1]]
        names += [f"{p}_x_m", f"{p}_y_m"]
    header = ("# Side view of a treadmill run at 2.5 m/s, right leg, as digitised from video: "
              "50 frames/s, mm resolution.\n"
              "# Derived from Fukuchi, Fukuchi & Duarte (2017) PeerJ 5:e3298, subject RBDS001 "
              "(CC BY 4.0) by docs/tutorial/make_example.py.\n"
              "# Athlete: male, 62 kg, 1.81 m. +x = running direction, +y = up, "
              "origin: the lab's.\n")
    with open(OUT, "w") as fh:
        fh.write(header)
        fh.write(",".join(names) + "\n")
        for row in np.column_stack(cols):
            fh.write(f"{row[0]:.2f}," + ",".join(f"{v:.3f}" for v in row[1:]) + "\n")
    print(f"wrote {OUT} ({len(t)} frames; joint centres: "
          + "; ".join(f"{k}: {v}" for k, v in jc.method.items()) + ")")


def figures() -> None:
    import shutil
    import tempfile

    from legsim.cli import main as legsim

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "athlete"
        code = legsim(["analyze", str(OUT), "--mass-kg", "62", "--height-m", "1.81", "--sex",
                       "male", "--out", str(out), "--quiet"])
        if code:
            raise SystemExit(code)
        for name in ("inverse.png", "what_if.png"):
            shutil.copyfile(out / name, OUT.parent / name)
    print(f"wrote {OUT.parent / 'inverse.png'} and {OUT.parent / 'what_if.png'}")


if __name__ == "__main__":
    main()
    if "--figures" in sys.argv[1:]:
        figures()
