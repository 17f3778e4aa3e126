"""The `legsim` command: a thin layer over the Python API.

Heavy modules (numpy, numba-compiled core, matplotlib, sympy) are imported only by the
sub-commands that need them, so `legsim --help` and `legsim validate` stay instant.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="legsim",
        description="Simulate the swing-leg recovery of a runner and compare techniques.")
    from . import __version__

    p.add_argument("--version", action="version", version=f"legsim {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    r = sub.add_parser("run", help="simulate every strategy of a scenario and write a results folder")
    r.add_argument("scenario", help="scenario YAML file")
    r.add_argument("--out", help="results folder (default: results/<scenario name>/)")
    _output_options(r)

    c = sub.add_parser("compare", help="simulate several scenarios and compare them side by side")
    c.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario YAML files")
    c.add_argument("--out", help="results folder (default: results/compare_<A>_vs_<B>.../)")
    _output_options(c)

    v = sub.add_parser("validate", help="check a scenario file without running it")
    v.add_argument("scenario", nargs="+")

    d = sub.add_parser("derive", help="regenerate (or check) the generated equations of motion")
    d.add_argument("--check", action="store_true",
                   help="only check that the committed module equals a fresh derivation")
    d.add_argument("--latex", metavar="FILE", help="also write the equations as LaTeX to FILE")
    return p


def _output_options(p) -> None:
    p.add_argument("--format", default="png",
                   help="figure formats, comma-separated: png, svg, pdf (default: png)")
    p.add_argument("--no-figures", action="store_true", help="skip figures (and the report)")
    p.add_argument("--no-animation", action="store_true", help="skip the animation")
    p.add_argument("--animation-format", default="gif", choices=("gif", "mp4"),
                   help="gif (always possible) or mp4 (needs ffmpeg on the PATH or "
                        "pip install 'legsim[video]'); default gif")
    p.add_argument("--layout", default="side_by_side", choices=("side_by_side", "overlay"),
                   help="animation with one panel per strategy, or all overlaid")
    p.add_argument("--slow-motion", type=float, default=10.0, metavar="FACTOR",
                   help="animation playback is FACTOR times slower than real time (default 10)")
    p.add_argument("--fps", type=int, default=20, help="animation frames per second (default 20)")
    p.add_argument("--no-report", action="store_true", help="skip report.html")
    p.add_argument("--quiet", action="store_true", help="print no table")


def _check_output_options(args) -> None:
    from .errors import LegsimError

    if not (0.1 <= args.slow_motion <= 1000.0):
        raise LegsimError(f"--slow-motion: found {args.slow_motion:g}; accepted: a number from 0.1 to 1000")
    if not (1 <= args.fps <= 120):
        raise LegsimError(f"--fps: found {args.fps}; accepted: a whole number from 1 to 120")
    if not args.no_animation and args.animation_format == "mp4":
        from .viz.animation import ffmpeg_available

        if not ffmpeg_available():
            raise LegsimError("--animation-format: found mp4, but no ffmpeg was found; accepted: "
                              "gif (always available), or mp4 after installing ffmpeg or "
                              "pip install 'legsim[video]'")


def _check_frames(args, scenarios) -> None:
    """The animation's frame count is bounded (GIFs are held in memory): check it against the
    longest possible recovery before anything is simulated."""
    if args.no_animation:
        return
    from .errors import LegsimError
    from .viz.animation import MAX_FRAMES

    longest = max(s.data["end"]["max_time_s"] for s in scenarios)
    frames = longest * args.slow_motion * args.fps
    limit = MAX_FRAMES[args.animation_format]
    if frames > limit:
        raise LegsimError(
            f"--slow-motion {args.slow_motion:g} with --fps {args.fps}: up to {frames:.0f} frames "
            f"for a recovery of up to {longest:g} s (end.max_time_s); accepted: at most {limit} "
            f"frames for {args.animation_format} (lower --slow-motion or --fps, or use --no-animation)")


def _write(result, out: Path, args, command: str) -> list[Path]:
    from .results import write_results

    figures = not args.no_figures
    return write_results(
        result, out, formats=_formats(args.format), figures=figures,
        animation=None if args.no_animation else args.animation_format,
        report=figures and not args.no_report,
        animation_options={"layout": args.layout, "slow_motion": args.slow_motion,
                           "fps": args.fps, "progress": not args.quiet},
        command=command)


def _formats(text: str) -> tuple[str, ...]:
    from .errors import LegsimError

    fmts = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    bad = [f for f in fmts if f not in ("png", "svg", "pdf")]
    if bad or not fmts:
        raise LegsimError(f"--format: found {text!r}; accepted: png, svg, pdf, comma-separated "
                          "(png is always written)")
    if "png" not in fmts:
        fmts = ("png",) + fmts
    return fmts


def _core_is_cached() -> bool:
    """Whether numba's on-disk cache of the integrator exists (a cold run compiles first)."""
    import os

    custom = os.environ.get("NUMBA_CACHE_DIR")
    if custom:
        return any(Path(custom).rglob("integrate.integrate-*.nbi"))
    core = Path(__file__).parent / "core" / "__pycache__"
    return any(core.glob("integrate.integrate-*.nbi")) if core.is_dir() else False


def _compiling_notice() -> None:
    if not _core_is_cached():
        print("legsim: compiling the numerical core (first run only; cached afterwards, "
              "this takes up to a minute) ...", file=sys.stderr, flush=True)


def cmd_run(args) -> int:
    from .scenario import load_scenario

    _formats(args.format)
    _check_output_options(args)
    scn = load_scenario(args.scenario)
    _check_frames(args, [scn])
    out = Path(args.out) if args.out else Path("results") / scn.name
    _compiling_notice()
    from .comparison import comparison_of
    from .results import format_table
    from .simulation import simulate

    cmp = comparison_of(simulate(scn))
    files = _write(cmp, out, args, f"legsim run {args.scenario}")
    if not args.quiet:
        print(f"scenario {scn.name} ({scn.path})")
        print(format_table(cmp))
    print(f"wrote {len(files)} files to {out}/")
    return 0


def cmd_compare(args) -> int:
    from .scenario import load_scenario

    _formats(args.format)
    _check_output_options(args)
    scns = [load_scenario(p) for p in args.scenarios]   # all validated before any simulation
    _check_frames(args, scns)
    out = Path(args.out) if args.out else Path("results") / ("compare_" + "_vs_".join(s.name for s in scns))
    _compiling_notice()
    from .comparison import comparison_of
    from .results import format_table
    from .simulation import simulate

    cmp = comparison_of([simulate(s) for s in scns])
    files = _write(cmp, out, args, "legsim compare " + " ".join(args.scenarios))
    if not args.quiet:
        for s in scns:
            print(f"scenario {s.name} ({s.path})")
        print(format_table(cmp))
    print(f"wrote {len(files)} files to {out}/")
    return 0


def cmd_validate(args) -> int:
    from .scenario import load_scenario

    for path in args.scenario:
        scn = load_scenario(path)
        names = ", ".join(s["name"] for s in scn.data["strategies"])
        print(f"{path}: valid scenario {scn.name!r} (strategies: {names})")
    return 0


def cmd_derive(args) -> int:
    from .model import derive

    derivation = derive.derive()
    if args.check:
        ok, msg = derive.check(derivation=derivation)
        print(msg)
        status = 0 if ok else 1
    else:
        path = derive.write(derivation=derivation)
        print(f"wrote {path}")
        status = 0
    if args.latex:
        # replaces only the generated block of an existing markdown file
        derive.write_latex(args.latex, derivation=derivation)
        print(f"wrote {args.latex}")
    return status


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from .errors import LegsimError

    try:
        commands = {"run": cmd_run, "compare": cmd_compare, "validate": cmd_validate,
                    "derive": cmd_derive}
        return commands[args.command](args)
    except LegsimError as exc:
        print(f"legsim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("legsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
