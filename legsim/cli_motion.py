"""The `legsim inverse` and `legsim analyze` commands: measured motion in, a results folder out
(docs/cli.md, docs/analysis.md). A thin layer over `legsim.inverse` and `legsim.analysis`."""
from __future__ import annotations

import json
import math
import shlex
import sys
from pathlib import Path

from .errors import LegsimError


def add_parsers(sub) -> None:
    i = sub.add_parser(
        "inverse", help="net hip and knee torques of a measured swing leg (inverse dynamics)",
        description="Read a motion file (joint angles, 2-D or 3-D markers, OpenSim TRC/MOT/STO, "
        "Kinovea), filter it, find the swings and compute the net hip and knee torques, powers "
        "and work with the simulator's equations of motion (docs/inverse_dynamics.md).")
    _motion_options(i)
    i.add_argument("--out", metavar="DIR",
                   help="results folder (default: results/<file name>_inverse/)")
    a = sub.add_parser(
        "analyze", help="classify a measured recovery and simulate both techniques from its toe-off",
        description="Inverse dynamics of a measured swing leg, the technique features of each "
        "swing (heel-buttock distance, thigh angle at the closest approach, knee timing), a "
        "classification (butt-kick / knee-drive / in between) and the what-if: the knee-drive "
        "and butt-kick presets simulated from the athlete's own toe-off (docs/analysis.md).")
    _motion_options(a)
    a.add_argument("--out", metavar="DIR",
                   help="results folder (default: results/<file name>_analysis/)")
    a.add_argument("--actuators", default=None, metavar="PRESET",
                   help="actuator preset of both simulated techniques: sprinter (default) or "
                        "untrained; with --scenario, the scenario's actuators")
    a.add_argument("--end-thigh-angle", type=float, metavar="DEG",
                   help="end of the recovery: the thigh reaching DEG (default: 60, or 5 below "
                        "the athlete's peak thigh angle when it stays below 60)")
    a.add_argument("--still-hip", action="store_true",
                   help="simulate with the hip held still instead of the measured hip motion")
    a.add_argument("--no-report", action="store_true", help="skip report.html")


def _motion_options(p) -> None:
    p.add_argument("motion", metavar="MOTION", help="motion file (docs/motion_files.md)")
    p.add_argument("--mass-kg", type=float, metavar="M", help="body mass of the athlete, kg")
    p.add_argument("--height-m", type=float, metavar="H", help="body height, m")
    p.add_argument("--sex", choices=("male", "female"), help="for the segment tables (default male)")
    p.add_argument("--scenario", metavar="FILE",
                   help="take the subject (and segments) from a scenario instead")
    p.add_argument("--side", choices=("right", "left"), default="right",
                   help="leg of a 3-D marker set or OpenSim coordinates (default right)")
    p.add_argument("--cutoff-hz", metavar="HZ",
                   help="low-pass cut-off in Hz, or 'residual' for Winter's residual analysis "
                        "(default: 14 Hz, or the residual analysis for low frame rates)")
    p.add_argument("--static", metavar="FILE",
                   help="static trial for cluster marker sets (e.g. the Fukuchi data)")
    p.add_argument("--swing", action="append", metavar="TOE_OFF:TOUCHDOWN",
                   help="a swing given as times in s (repeatable); replaces the detection from "
                        "kinematics, e.g. with force-plate events")
    p.add_argument("--length-unit", choices=("m", "cm", "mm", "in", "ft", "yd"),
                   help="unit of the positions when the file does not say")
    p.add_argument("--angle-unit", choices=("deg", "rad"),
                   help="unit of the angles when the file does not say")
    p.add_argument("--rate-hz", type=float, metavar="HZ",
                   help="sample rate when the file has no time column")
    p.add_argument("--format", default="png", metavar="FMT",
                   help="figure formats, comma-separated: png, svg, pdf (default png)")
    p.add_argument("--quiet", action="store_true", help="print only the files written")


# --------------------------------------------------------------------------------------------

def _cutoff(text):
    if text is None:
        return None
    if text.strip().lower() == "residual":
        return "residual"
    try:
        value = float(text)
    except ValueError:
        raise LegsimError(f"--cutoff-hz: found {text!r}; accepted: a number of Hz (e.g. 12) or "
                          "'residual'") from None
    if not value > 0:
        raise LegsimError(f"--cutoff-hz: found {text}; accepted: a number of Hz greater than 0")
    return value


def _swings(options):
    if not options:
        return None
    out = []
    for text in options:
        a, colon, b = text.partition(":")
        try:
            to, td = float(a), float(b)
        except ValueError:
            raise LegsimError(f"--swing {text!r}: cannot read it; accepted: TOE_OFF:TOUCHDOWN, "
                              "two times in s, e.g. 0.297:0.72") from None
        if not colon or not td > to:
            raise LegsimError(f"--swing {text!r}: found touchdown not after toe-off; accepted: "
                              "TOE_OFF:TOUCHDOWN with TOUCHDOWN > TOE_OFF")
        out.append((to, td))
    return out


def _subject(args):
    if args.scenario and (args.mass_kg is not None or args.height_m is not None or args.sex):
        raise LegsimError("--scenario: found together with --mass-kg/--height-m/--sex; accepted: "
                          "either the subject's values or a scenario")
    from .model.anthropometry import HEIGHT_RANGE_M, MASS_RANGE_KG

    for opt, v, (lo, hi), unit in (("--mass-kg", args.mass_kg, MASS_RANGE_KG, "kg"),
                                   ("--height-m", args.height_m, HEIGHT_RANGE_M, "m")):
        if v is not None and not lo <= v <= hi:
            raise LegsimError(f"{opt}: found {v:g}; accepted: a number from {lo:g} to {hi:g} "
                              f"({unit})")
    if not args.scenario and (args.mass_kg is None or args.height_m is None):
        missing = [o for o, v in (("--mass-kg", args.mass_kg), ("--height-m", args.height_m))
                   if v is None]
        raise LegsimError(f"{args.motion}: {' and '.join(missing)} missing; accepted: the "
                          "athlete's --mass-kg and --height-m (and --sex), or --scenario FILE")


def _formats(text):
    from .cli import _formats as parse

    return parse(text)


def _read(args):
    from .io import read_motion

    options = {k: v for k, v in (("length_unit", args.length_unit),
                                 ("angle_unit", args.angle_unit),
                                 ("rate_hz", args.rate_hz)) if v is not None}
    motion = read_motion(args.motion, **options)
    static = read_motion(args.static, **options) if args.static else None
    return motion, static


def _command_text(argv_name: str) -> str:
    return "legsim " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] and \
        sys.argv[1] == argv_name else f"legsim {argv_name} ..."


def _json_safe(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {str(k): _json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_safe(x) for x in v]
    if hasattr(v, "item") and callable(v.item):
        try:
            return _json_safe(v.item())
        except (TypeError, ValueError):
            pass
    if isinstance(v, Path):
        return str(v)
    return v


def _inverse_document(inv, windows) -> dict:
    meta = dict(inv.meta)
    meta.pop("work", None)
    doc = {"columns": list(inv.columns(all_columns=False)), "swings": []}
    for to, td, seen in windows:
        w = inv.work(to, td)
        doc["swings"].append({"toe_off_s": to, "touchdown_s": td if seen else None,
                              "end_s": td, **{k: v for k, v in w.items()
                                              if k not in ("start_s", "stop_s")}})
    meta["swings"] = [[to, td] for to, td, _ in windows]
    doc["meta"] = meta
    if inv.leg is not None:
        doc["segment_parameters"] = inv.leg.to_dict()
    return _json_safe(doc)


def _print_inverse(inv, windows) -> None:
    filt = inv.meta.get("filter")
    if isinstance(filt, dict) and filt.get("cutoff_hz"):
        print(f"filter: zero-lag Butterworth low-pass, {filt['cutoff_hz']:.3g} Hz, order "
              f"{filt.get('order', 4)} ({filt.get('cutoff_from', '')})")
    else:
        print("filter: none")
    if not windows:
        print("swings: none found")
        return
    print("swing   toe-off   end      peak hip flex  peak hip ext  hip +work  knee -work")

    def peak(v):
        return f"{v:8.1f} N m" if v > 0 else f"{'—':>8s}    "

    for k, (to, td, seen) in enumerate(windows, 1):
        keep = (inv.t_s >= to) & (inv.t_s <= td)
        tau = inv.hip_torque_Nm[keep]
        w = inv.work(to, td)
        print(f"{k:5d}  {to:7.3f} s {td:7.3f} s{' ' if seen else '*'} {peak(tau.max())} "
              f"{peak(-tau.min()):>12s} {w['hip_positive_work_J']:7.1f} J "
              f"{w['knee_negative_work_J']:8.1f} J")
    if any(not s for _, _, s in windows):
        print("* touchdown not found: the window runs to the next toe-off or to the end of the "
              "record, and may include the next contact")
    print("torques outside the swings (stance) lack the ground reaction force: use the swings")


def _check_swings_in_record(given, inv) -> None:
    if not given:
        return
    t0, t1 = float(inv.t_s[0]), float(inv.t_s[-1])
    for to, td in given:
        if not t0 <= to < t1:
            raise LegsimError(f"--swing {to:g}:{td:g}: found a toe-off outside the record "
                              f"({t0:.3f}–{t1:.3f} s); accepted: a toe-off inside it")


def _with_file(run, args):
    """Run the command; a user error that does not name the motion file gets its name, and
    Python option names become the command's."""
    try:
        return run(args)
    except LegsimError as exc:
        text = str(exc)
        for py, opt in (("length_unit=", "--length-unit "), ("angle_unit=", "--angle-unit "),
                        ("rate_hz=", "--rate-hz "), ("static=...", "--static FILE"),
                        ("inverse_dynamics: ", ""), ("cutoff_hz", "--cutoff-hz")):
            text = text.replace(py, opt)
        text = text.replace("read_motion(path, --length-unit 'cm')", "--length-unit cm")
        text = text.replace("the length_unit option", "the --length-unit option")
        if str(args.motion) not in text and not text.startswith("--"):
            text = f"{args.motion}: {text}"
        raise LegsimError(text) from None


def cmd_inverse(args) -> int:
    return _with_file(_cmd_inverse, args)


def cmd_analyze(args) -> int:
    return _with_file(_cmd_analyze, args)


def _cmd_inverse(args) -> int:
    from .analysis import _cutoff_used, _windows_of, centres_of, check_plausible, find_swings
    from .inverse import inverse_dynamics
    from .results import atomic_folder
    from .viz.motion_figures import inverse_figure, write_motion_figures

    _subject(args)
    cutoff = _cutoff(args.cutoff_hz)
    given = _swings(args.swing)
    formats = _formats(args.format)
    motion, static = _read(args)
    notes: list[str] = []
    centres = centres_of(motion, side=args.side, static=static)
    inv = inverse_dynamics(centres if centres is not None else motion, mass_kg=args.mass_kg,
                           height_m=args.height_m, sex=args.sex, scenario=args.scenario,
                           side=args.side, cutoff_hz=cutoff, static=static)
    found = given or []
    if given is None and centres is not None:
        try:
            found = find_swings(centres, cutoff_hz=_cutoff_used(inv), side=args.side,
                                notes=notes, source=args.motion)
        except LegsimError as exc:       # inverse dynamics needs no swings: say why, go on
            notes.append(f"no swings found ({exc})")
            found = []
    _check_swings_in_record(given, inv)
    check_plausible(inv, args.motion)
    windows = _windows_of(found, float(inv.t_s[-1]))
    out = Path(args.out) if args.out else Path("results") / f"{Path(args.motion).stem}_inverse"
    with atomic_folder(out) as tmp:
        inv.write_csv(tmp / "inverse.csv")
        doc = _inverse_document(inv, windows)
        doc["meta"]["notes"] = list(doc["meta"].get("notes", [])) + notes
        with open(tmp / "inverse.json", "w") as fh:
            json.dump(doc, fh, indent=2)
            fh.write("\n")
        fig = inverse_figure(inv, [(a, b) for a, b, _ in windows],
                             title=f"Inverse dynamics: {Path(args.motion).name}")
        write_motion_figures({"inverse": fig}, tmp, formats)
    if not args.quiet:
        _print_inverse(inv, windows)
    print(f"wrote {out}/ (inverse.csv, inverse.json, figures)")
    return 0


def _cmd_analyze(args) -> int:
    from .analysis import analyze
    from .results import atomic_folder
    from .viz.motion_figures import inverse_figure, what_if_figure, write_motion_figures

    _subject(args)
    cutoff = _cutoff(args.cutoff_hz)
    given = _swings(args.swing)
    formats = _formats(args.format)
    if args.actuators is not None and args.actuators not in ("sprinter", "untrained"):
        raise LegsimError(f"--actuators: found {args.actuators!r}; accepted: sprinter, untrained")
    actuators = args.actuators if args.actuators or args.scenario else "sprinter"
    motion, static = _read(args)
    a = analyze(motion, mass_kg=args.mass_kg, height_m=args.height_m, sex=args.sex,
                scenario=args.scenario, side=args.side, cutoff_hz=cutoff, static=static,
                actuators=actuators, end_thigh_angle_deg=args.end_thigh_angle,
                moving_hip=not args.still_hip, swings=given)
    a.source = str(args.motion)
    inv = a.inverse
    _check_swings_in_record(given, inv)
    windows = [(f.toe_off_at_s, f.end_at_s, f.touchdown_seen) for f in a.swings]
    out = Path(args.out) if args.out else Path("results") / f"{Path(args.motion).stem}_analysis"
    with atomic_folder(out) as tmp:
        inv.write_csv(tmp / "inverse.csv")
        with open(tmp / "inverse.json", "w") as fh:
            json.dump(_inverse_document(inv, windows), fh, indent=2)
            fh.write("\n")
        with open(tmp / "analysis.json", "w") as fh:
            json.dump(_json_safe(a.summary()), fh, indent=2)
            fh.write("\n")
        figs = {"inverse": inverse_figure(inv, [(x, y) for x, y, _ in windows],
                                          title=f"Inverse dynamics: {Path(args.motion).name}")}
        captions = {"inverse": "Filtered angles, net joint torques (+ flexion) and joint powers; "
                               "swings shaded."}
        for k, (f, w) in enumerate(zip(a.swings, a.what_if), 1):
            if w is None:
                continue
            stem = "what_if" if k == 1 else f"what_if_{k}"
            figs[stem] = what_if_figure(inv, f, w, title=f"Swing from toe-off at {f.toe_off_at_s:.3f} s")
            captions[stem] = ("The measured recovery (black) over the simulated knee drive and "
                              "butt kick from the same toe-off; the heel–buttock signature "
                              "(bottom left) shows where the heel comes closest.")
        files = write_motion_figures(figs, tmp, formats)
        if not args.no_report:
            from .viz.analysis_report import write_analysis_report

            pngs = [(p, captions[p.stem]) for p in files if p.suffix == ".png"]
            write_analysis_report(tmp / "report.html", a, figures=pngs,
                                  title=f"legsim analyze: {Path(args.motion).name}",
                                  command=_command_text("analyze"))
    if not args.quiet:
        _print_analysis(a)
        print(f"(simulations: actuators {a.actuators if isinstance(a.actuators, str) else 'of the scenario'}"
              " at full activation for both techniques; the athlete's effort is unknown, so "
              "measured and simulated times differ in effort as well as technique)")
    print(f"wrote {out}/ (analysis.json, inverse.csv, figures"
          + ("" if args.no_report else ", report.html") + ")")
    return 0


def _ms(v) -> str:
    return "—" if v is None or not math.isfinite(v) else f"{v * 1e3:.0f} ms"


def _print_analysis(a) -> None:
    v = a.verdict()
    print(f"technique: {v['technique']} — {v['reason']}")
    for k, (f, w) in enumerate(zip(a.swings, a.what_if), 1):
        print(f"swing {k}: toe-off at {f.toe_off_at_s:.3f} s — {f.technique}: {f.reason}")
        print(f"  closest heel–buttock distance {f.min_heel_buttock_distance_m * 100:.1f} cm, "
              f"max knee flexion {f.max_knee_flexion_deg:.0f}° at thigh {f.thigh_angle_at_max_knee_flexion_deg:.0f}°, "
              f"knee lead {f.knee_lead_s * 1e3:+.0f} ms")
        if w is None:
            continue
        print(f"  what if, {w.notes[0]}:")
        for row in w.table():
            tq = row["peak_hip_flexion_torque_Nm"]
            if row["recovery"] == "measured" and not (
                    row["recovery_time_s"] is not None and math.isfinite(row["recovery_time_s"])):
                print(f"    {'measured':<22s} the thigh did not reach {w.end_thigh_angle_deg:g}° "
                      f"in this swing (peak {f.peak_thigh_angle_deg:.1f}°)")
                continue
            if row.get("not_completed"):
                print(f"    {row['recovery']:<22s} {row['not_completed']}")
                continue
            print(f"    {row['recovery']:<22s} {_ms(row['recovery_time_s']):>8s}"
                  + ("" if tq is None or not math.isfinite(tq) else f"   peak hip flexion {tq:.0f} N m"))
