"""Writes the small motion files of tests/data/written/ (run from the repository root).

Every file encodes the same analytic swing of a two-segment leg, so tests can check values:
hip at (x, y) = (3.0 t, 0.95) m; thigh angle = -20 + 300 t deg; knee flexion = 30 + 400 t deg;
thigh 0.45 m, shank 0.43 m; signs as in design.md (x forward, y up). The layouts follow
design.md (CSV) and Kinovea's exporters (see docs/motion_files.md for the sources).
"""
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
THIGH_M, SHANK_M = 0.45, 0.43


def leg(t):
    th, ph = -20 + 300 * t, 30 + 400 * t
    hip = (3.0 * t, 0.95)
    knee = (hip[0] + THIGH_M * math.sin(math.radians(th)), hip[1] - THIGH_M * math.cos(math.radians(th)))
    sh = math.radians(th - ph)
    ankle = (knee[0] + SHANK_M * math.sin(sh), knee[1] - SHANK_M * math.cos(sh))
    return th, ph, hip, knee, ankle


def write(name, text):
    with open(os.path.join(HERE, name), "w", newline="") as fh:
        fh.write(text)


# design.md joint angles, 100 Hz ------------------------------------------------------------
rows = ["t_s,thigh_angle_deg,knee_flexion_deg,hip_torque_Nm"]
for k in range(21):
    t = k / 100
    th, ph, *_ = leg(t)
    rows.append(f"{t:.2f},{th:.4f},{ph:.4f},{50 - 100 * t:.3f}")
write("angles.csv", "\n".join(rows) + "\n")

# the same in radians and milliseconds, semicolons and decimal commas, comment lines --------
rows = ["# written by tests/data/written/make_written.py", "# angles in radians, time in ms",
        "t_ms;thigh_angle_rad;knee_flexion_rad"]
for k in range(21):
    t = k / 100
    th, ph, *_ = leg(t)
    rows.append(f"{1000 * t:.0f};{math.radians(th):.7f};{math.radians(ph):.7f}".replace(".", ","))
write("angles_rad_semicolon.csv", "\r\n".join(rows) + "\r\n")

# design.md 2-D markers in m, 100 Hz, with heel and toe ----------------------------------------
rows = ["t_s,hip_x_m,hip_y_m,knee_x_m,knee_y_m,ankle_x_m,ankle_y_m,heel_x_m,heel_y_m,toe_x_m,toe_y_m"]
for k in range(21):
    t = k / 100
    _, _, hip, knee, ankle = leg(t)
    heel = (ankle[0] - 0.05, ankle[1] - 0.03)
    toe = (ankle[0] + 0.15, ankle[1] - 0.05)
    rows.append(f"{t:.2f}," + ",".join(f"{v:.5f}" for p in (hip, knee, ankle, heel, toe) for v in p))
write("markers.csv", "\n".join(rows) + "\n")

# the same hip/knee/ankle in mm, tab-separated, time in ms, a comment line --------------------
rows = ["# 2-D markers in millimetres", "t_ms\thip_x_mm\thip_y_mm\tknee_x_mm\tknee_y_mm\tankle_x_mm\tankle_y_mm"]
for k in range(21):
    t = k / 100
    _, _, hip, knee, ankle = leg(t)
    rows.append(f"{1000 * t:.0f}\t" + "\t".join(f"{1000 * v:.2f}" for p in (hip, knee, ankle) for v in p))
write("markers_mm_tab.csv", "\n".join(rows) + "\n")

# Kinovea, 25 fps, coordinates in cm (calibrated, y up) -------------------------------------
FPS = 25
N = 8
names = ("Hanche", "Genou", "Malleole")
samples = []
for k in range(N):
    t = k / FPS
    _, _, hip, knee, ankle = leg(t)
    samples.append((t, [(100 * p[0], 100 * p[1]) for p in (hip, knee, ankle)]))
MISSING = (5, 2)  # Malleole not tracked at sample 5


def cell(v, dec):
    return f"{v:.2f}".replace(".", dec)


for variant, sep, dec in (("point", ",", "."), ("comma", ";", ",")):
    head = ['"Time"'] + [f'"{n}/0/{a}"' for n in names for a in "XY"]
    rows = [sep.join(head)]
    for k, (t, pts) in enumerate(samples):
        cells = [f'"{t:g}"'.replace(".", dec)]
        for j, (x, y) in enumerate(pts):
            if (k, j) == MISSING:
                cells += ["", ""]
            else:
                cells += [f'"{cell(x, dec)}"', f'"{cell(y, dec)}"']
        rows.append(sep.join(cells))
    write(f"kinovea_trajectories_{variant}.csv", "\r\n".join(rows) + "\r\n")

# kinematics dialog (horizontal position of each track, time in ms) --------------------------
rows = ['"Time (ms)","Hanche","Genou"']
for t, pts in samples:
    rows.append(f'"{1000 * t:.0f}","{pts[0][0]:.2f}","{pts[1][0]:.2f}"')
write("kinovea_kinematics.csv", "\r\n".join(rows) + "\r\n")

# one trajectory with units in the titles -----------------------------------------------------
rows = ['"Time (s)","X (cm)","Y (cm)"']
for t, pts in samples:
    rows.append(f'"{t:g}","{pts[1][0]:.2f}","{pts[1][1]:.2f}"')
write("kinovea_single_track.csv", "\r\n".join(rows) + "\r\n")

# Gnuplot text, recent Kinovea: named blocks, numeric time, decimal points -------------------
rows = ["#Kinovea Trajectory data export", "#T X Y", ""]
for j, n in enumerate(names):
    rows.append(f"# {n}")
    for t, pts in samples:
        rows.append(f"{t:g} {pts[j][0]:.2f} {pts[j][1]:.2f}")
    rows.append("")
write("kinovea_gnuplot.txt", "\r\n".join(rows) + "\r\n")

# Gnuplot text, older Kinovea (XSLT): timecodes, unnamed blocks, decimal commas ---------------
rows = ["#Kinovea Trajectory data export", "#T X Y"]
for j, n in enumerate(names):
    for t, pts in samples:
        cs = round(100 * t)
        rows.append(f"0:00:{cs // 100:02d}:{cs % 100:02d} {cell(pts[j][0], ',')} {cell(pts[j][1], ',')} ")
    rows += ["", ""]
write("kinovea_gnuplot_comma.txt", "\n".join(rows) + "\n")
