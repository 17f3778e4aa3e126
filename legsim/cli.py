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
    r.add_argument("--format", default="png",
                   help="figure formats, comma-separated: png, svg (default: png)")
    r.add_argument("--no-figures", action="store_true", help="skip figures")
    r.add_argument("--no-animation", action="store_true", help="skip the animation")
    r.add_argument("--quiet", action="store_true", help="print no table")

    v = sub.add_parser("validate", help="check a scenario file without running it")
    v.add_argument("scenario", nargs="+")

    d = sub.add_parser("derive", help="regenerate (or check) the generated equations of motion")
    d.add_argument("--check", action="store_true",
                   help="only check that the committed module equals a fresh derivation")
    d.add_argument("--latex", metavar="FILE", help="also write the equations as LaTeX to FILE")
    return p


def _formats(text: str) -> tuple[str, ...]:
    from .errors import LegsimError

    fmts = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    bad = [f for f in fmts if f not in ("png", "svg")]
    if bad or not fmts:
        raise LegsimError(f"--format: found {text!r}; accepted: png, svg or png,svg")
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


def cmd_run(args) -> int:
    from .scenario import load_scenario

    fmts = _formats(args.format)
    scn = load_scenario(args.scenario)
    out = Path(args.out) if args.out else Path("results") / scn.name
    if not _core_is_cached():
        print("legsim: compiling the numerical core (first run only; cached afterwards, "
              "this takes up to a minute) ...", file=sys.stderr, flush=True)
    from .results import format_table, write_results
    from .simulation import simulate

    result = simulate(scn)
    files = write_results(result, out, formats=fmts, figures=not args.no_figures)
    if not args.quiet:
        print(f"scenario {scn.name} ({scn.path})")
        print(format_table(result))
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
        return {"run": cmd_run, "validate": cmd_validate, "derive": cmd_derive}[args.command](args)
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
