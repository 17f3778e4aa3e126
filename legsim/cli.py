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

    w = sub.add_parser(
        "sweep", help="run a scenario over a grid (or a random sample) of parameter values",
        description="Run every strategy of a scenario for many variants of its values and "
        "write one row per variant with every metric (docs/sweeps.md).")
    w.add_argument("scenario", help="scenario YAML file")
    w.add_argument("--param", action="append", metavar="KEY=VALUES",
                   help="a dotted scenario path and its values: START:STOP:N (N evenly spaced "
                        "values, ends included) or v1,v2,...; for --mode random also LOW:HIGH. "
                        "Repeat for more paths. Default: the scenario's sweep: block")
    w.add_argument("--mode", choices=("grid", "zip", "random"),
                   help="grid: every combination (default); zip: the i-th values together; "
                        "random: --n variants drawn uniformly from the ranges")
    w.add_argument("--n", type=int, metavar="N", help="number of variants (--mode random)")
    w.add_argument("--seed", type=int, metavar="S", help="seed of the random draws (--mode random)")
    w.add_argument("--out", metavar="FILE",
                   help="output file, .csv or .parquet (default: results/<scenario name>_sweep.csv)")
    w.add_argument("--dask", metavar="ADDRESS",
                   help="run the chunks on a Dask cluster (scheduler address, e.g. tcp://host:8786)")
    w.add_argument("--threads", type=int, metavar="N",
                   help="threads of the local kernel (default: all cores)")
    w.add_argument("--chunk-size", type=int, metavar="N",
                   help="variants per chunk: the unit of memory, progress and resuming "
                        "(default 20000)")
    w.add_argument("--no-resume", action="store_true",
                   help="start over even if an interrupted run of this sweep is recorded")
    w.add_argument("--plot", metavar="FILE",
                   help="summary figure, .png, .svg or .pdf (default: the output file's name "
                        "with .png)")
    w.add_argument("--no-plot", action="store_true", help="skip the summary figure")
    w.add_argument("--metric", action="append", metavar="NAME",
                   help="metric of the summary figure (default recovery_time_s); repeat for "
                        "a row of panels per metric")
    w.add_argument("--trajectories", metavar="DIR",
                   help="also write every variant's trajectories to DIR (variant_<i>_<strategy>"
                        ".csv; simulated again in Python, for sweeps of up to 100,000 variants)")
    w.add_argument("--quiet", action="store_true", help="print no progress and no summary")

    from .cli_motion import add_parsers

    add_parsers(sub)

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


def _core_is_cached(pattern: str = "integrate.integrate-*.nbi") -> bool:
    """Whether numba's on-disk cache of the integrator (or of the kernel matching `pattern`)
    exists (a cold run compiles first)."""
    import os

    custom = os.environ.get("NUMBA_CACHE_DIR")
    if custom:
        return any(Path(custom).rglob(pattern))
    core = Path(__file__).parent / "core" / "__pycache__"
    return any(core.glob(pattern)) if core.is_dir() else False


def _compiling_notice(pattern: str = "integrate.integrate-*.nbi") -> None:
    if not _core_is_cached(pattern):
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
        text = f"{path}: valid scenario {scn.name!r} (strategies: {names})"
        block = scn.data.get("sweep")
        if block:   # the swept paths and values are checked against the schema too
            from .sweeps import plan_sweep

            plan = plan_sweep(scn, block["params"], mode=block["mode"], n=block["n"],
                              seed=block["seed"])
            text += f"; sweep: {_describe_plan(plan)}"
        print(text)
    return 0


# ------------------------------------------------------------------------------------ sweep
_PARAM_ACCEPTED = ("KEY=START:STOP:N (N evenly spaced values, ends included) or KEY=v1,v2,... "
                   "with KEY a dotted scenario path such as initial.knee_velocity_deg_s")


def _sweep_params(options: list[str], mode: str) -> dict:
    """The --param options as plan_sweep's params (errors name the option)."""
    from .errors import LegsimError
    from .sweeps import parse_values

    accepted = _PARAM_ACCEPTED + ("; for --mode random also KEY=LOW:HIGH" if mode == "random"
                                  else "")
    params: dict = {}
    for text in options:
        key, eq, spec = text.partition("=")
        key, spec = key.strip(), spec.strip()
        if not eq:
            raise LegsimError(f"--param {text!r}: found no '='; accepted: {accepted}")
        if not key:
            raise LegsimError(f"--param {text!r}: found no scenario path before '='; "
                              f"accepted: {accepted}")
        if not spec:
            raise LegsimError(f"--param {text!r}: found no values after '='; accepted: {accepted}")
        if key in params:
            raise LegsimError(f"--param {text!r}: {key} is given twice; accepted: each path once")
        colons = spec.count(":")
        try:
            if mode == "random" and colons == 1:
                low, high = spec.split(":")
                values = {"low": float(low), "high": float(high)}
            elif colons not in (0, 2):
                raise ValueError
            else:
                values = parse_values(spec)
        except ValueError:
            raise LegsimError(f"--param {text!r}: cannot read {spec!r}; accepted: {accepted}") \
                from None
        except LegsimError as exc:
            raise LegsimError(f"--param {text!r}: {exc}") from None
        params[key] = values
    return params


def _value_text(v) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _describe_plan(plan) -> str:
    """``grid of 90 variants: a (9 values, -35 … -15) × b (10 values, 300 … 1200)``"""
    parts = []
    for path, values in zip(plan.paths, plan.values):
        if plan.mode == "random":
            parts.append(f"{path} in [{_value_text(values[0])}, {_value_text(values[1])}]")
            continue
        n = len(values)
        if n == 1:
            shown = _value_text(values[0])
        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            shown = f"{_value_text(min(values))} … {_value_text(max(values))}"
        else:
            shown = ", ".join(_value_text(v) for v in values[:4]) + (", …" if n > 4 else "")
        parts.append(f"{path} ({n} value{'s' if n != 1 else ''}: {shown})")
    joint = {"grid": " × ", "zip": " with ", "random": ", "}[plan.mode]
    seed = f", seed {plan.seed if plan.seed is not None else 0}" if plan.mode == "random" else ""
    variants = f"{plan.n_variants} variant{'s' if plan.n_variants != 1 else ''}"
    return f"{plan.mode} of {variants}{seed}: " + joint.join(parts)


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class _Progress:
    """Progress bar on stderr: variants done, rate and time left. On a terminal it redraws one
    line; otherwise (a log file, a pipe) it writes a line per finished chunk."""

    WIDTH = 30

    def __init__(self, total: int, already: int, stream=None, quiet: bool = False):
        self.total, self.already = total, already
        self.done = already
        self.quiet = quiet
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.drawn = False
        self.width = 0

    def _line(self, done: int, elapsed: float | None) -> str:
        frac = done / self.total if self.total else 1.0
        filled = int(round(frac * self.WIDTH))
        bar = "#" * filled + "." * (self.WIDTH - filled)
        text = f"[{bar}] {done}/{self.total} variants"
        if elapsed is None:
            return text
        new = done - self.already
        rate = new / elapsed if elapsed > 0 else 0.0
        if rate > 0:
            text += f", {rate:,.0f} variants/s"
        if done >= self.total:
            text += f", done in {_clock(elapsed)}"
        elif rate > 0:
            text += f", about {_clock((self.total - done) / rate)} left"
        return text

    def _show(self, text: str) -> None:
        if self.quiet:          # counts only (for the interrupt message)
            return
        if self.tty:
            pad = max(0, self.width - len(text))
            self.stream.write("\r" + text + " " * pad)
            self.width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self.drawn = True

    def start(self) -> None:
        self._show(self._line(self.done, None))

    def __call__(self, done: int, total: int, elapsed_s: float) -> None:
        self.done, self.total = done, total
        self._show(self._line(done, elapsed_s))

    def close(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()
        self.drawn = False


def _check_writable(option: str, path: Path) -> None:
    """Refuse an output path that cannot be written, before anything runs."""
    import tempfile

    from .errors import LegsimError

    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".legsim-write-check-"):
            pass
    except OSError as exc:
        raise LegsimError(f"{option} {path}: cannot write in {parent} ({exc.strerror or exc}); "
                          "accepted: a file in a folder you can write to") from None
    if path.is_dir():
        raise LegsimError(f"{option} {path}: found a folder; accepted: a file name")


def _done_before(plan, out: Path, resume: bool) -> int:
    """Variants already in `out` from an interrupted run of the same sweep (0 if none)."""
    import json

    record = out.with_name(out.name + ".sweep.json")
    if not resume or not record.is_file():
        return 0
    try:
        state = json.loads(record.read_text())
    except (OSError, ValueError):
        return 0
    if state.get("spec") != plan.spec_hash():
        return 0   # sweep() refuses it with a message, before anything runs
    chunks = [c for c in state.get("chunks", []) if 0 <= int(c) < plan.n_chunks]
    return sum(plan.chunk_range(int(c))[1] - plan.chunk_range(int(c))[0] for c in chunks)


def _read_columns(path: Path, columns: list[str]):
    """Only the named columns of a sweep's output file (CSV or Parquet)."""
    import pandas as pd

    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path, columns=columns)
    return pd.read_csv(path, usecols=columns)


def _sweep_summary(df, strategies: list[str]) -> list[str]:
    """Per strategy completed count and median recovery time; medians of the differences to
    the first strategy."""
    import numpy as np

    lines = []
    times = {}
    for s in strategies:
        t = np.asarray(df[f"{s}.recovery_time_s"], dtype=float)
        times[s] = t
        ok = np.isfinite(t)
        text = f"  {s}: {int(ok.sum())}/{len(t)} completed"
        if ok.any():
            text += f", median recovery time {np.median(t[ok]) * 1e3:.1f} ms"
        lines.append(text)
    first = strategies[0]
    for s in strategies[1:]:
        d = times[s] - times[first]
        ok = np.isfinite(d)
        if ok.any():
            lines.append(f"  {s} − {first}: median difference {np.median(d[ok]) * 1e3:+.1f} ms "
                         f"(over the {int(ok.sum())} variants where both completed)")
        else:
            lines.append(f"  {s} − {first}: no variant where both completed")
    return lines


def cmd_sweep(args) -> int:
    from .errors import LegsimError
    from .scenario import load_scenario

    scn = load_scenario(args.scenario)
    block = scn.data.get("sweep")
    if args.param:
        mode = args.mode or "grid"
        params = _sweep_params(args.param, mode)
        n, seed = args.n, args.seed
    elif block:
        mode = args.mode or block["mode"]
        params = block["params"]
        n = args.n if args.n is not None else block["n"]
        seed = args.seed if args.seed is not None else block["seed"]
    else:
        raise LegsimError(f"{args.scenario}: no --param given and the scenario has no sweep: "
                          "block; accepted: --param KEY=START:STOP:N or --param KEY=v1,v2,... "
                          "(repeatable; KEY a dotted scenario path such as "
                          "initial.knee_velocity_deg_s), or a sweep: block in the scenario "
                          "(docs/sweeps.md)")
    if mode == "random" and n is None:
        raise LegsimError("--n: found nothing with --mode random; accepted: --n N, the number "
                          "of variants to draw (a whole number >= 1)")
    if mode != "random":
        for opt, value in (("--n", args.n), ("--seed", args.seed)):
            if value is not None:
                raise LegsimError(f"{opt}: found {value} with mode {mode}; accepted: {opt} only "
                                  f"with --mode random (a {mode} sweep has as many variants as "
                                  "its values give)")
    if args.threads is not None and args.threads < 1:
        raise LegsimError(f"--threads: found {args.threads}; accepted: a whole number >= 1")
    if args.threads is not None and args.dask:
        raise LegsimError("--threads: found together with --dask; accepted: --threads for runs "
                          "on this machine only (the threads of Dask workers are set when the "
                          "workers start)")
    out = Path(args.out) if args.out else Path("results") / f"{scn.name}_sweep.csv"
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise LegsimError(f"--out {out}: found the suffix {out.suffix or '(none)'!r}; accepted: "
                          "a file name ending in .csv or .parquet")
    from .metrics import METRIC_KEYS
    from .sweeps import DEFAULT_CHUNK, EXTRA_KEYS, plan_sweep, sweep

    metrics = args.metric or ["recovery_time_s"]
    plottable = [k for k in (*METRIC_KEYS, *EXTRA_KEYS) if k != "completed"]
    for m in metrics:
        if m not in plottable:
            from .scenario import _suggest

            raise LegsimError(f"--metric: found {m!r}{_suggest(m, plottable)}; accepted: one of "
                              + ", ".join(plottable))
    if args.plot and args.no_plot:
        raise LegsimError(f"--plot {args.plot}: found together with --no-plot; accepted: one of "
                          "them")
    plot = None
    if not args.no_plot:
        plot = Path(args.plot) if args.plot else out.with_suffix(".png")
        if plot.suffix.lower() not in (".png", ".svg", ".pdf"):
            raise LegsimError(f"--plot {plot}: found the suffix {plot.suffix or '(none)'!r}; "
                              "accepted: a file name ending in .png, .svg or .pdf")
        if plot.resolve() == out.resolve():
            raise LegsimError(f"--plot {plot}: the same file as --out; accepted: another file")
    chunk = args.chunk_size if args.chunk_size is not None else DEFAULT_CHUNK
    # every path and value is checked before anything runs (SweepError -> exit 2)
    plan = plan_sweep(scn, params, mode=mode, n=n, seed=seed, chunk_size=chunk)
    _check_writable("--out", out)
    if plot is not None:
        _check_writable("--plot", plot)
    if args.trajectories:
        _check_writable("--trajectories", Path(args.trajectories) / "variant_0.csv")
    resume = not args.no_resume
    already = _done_before(plan, out, resume)
    n_strat = len(plan.strategies)
    if not args.quiet:
        print(f"scenario {scn.name} ({scn.path})")
        print(f"sweep: {_describe_plan(plan)}")
        print(f"{plan.n_variants} variant{'s' if plan.n_variants != 1 else ''} × {n_strat} "
              f"strateg{'ies' if n_strat != 1 else 'y'} "
              f"({', '.join(plan.strategies)}) = {plan.n_variants * n_strat} simulations"
              + (f", on the Dask cluster at {args.dask}" if args.dask else ""), flush=True)
        if already:
            print(f"resuming: {already} of {plan.n_variants} variants are already in {out}",
                  flush=True)
    if not args.dask:
        _compiling_notice("batch.run_batch-*.nbi")
    progress = _Progress(plan.n_variants, already, quiet=args.quiet)
    progress.start()
    try:
        result = sweep(plan, params, mode=mode, n=n, seed=seed, out=out,
                       executor=args.dask or None, chunk_size=chunk, threads=args.threads,
                       resume=resume, progress=progress, trajectories=args.trajectories)
    except KeyboardInterrupt:
        progress.close()
        done = progress.done
        saved = (f"{done} of {plan.n_variants} variants are saved in {out}: run the same "
                 "command again to resume (--no-resume starts over)" if done else
                 "nothing was saved yet")
        print(f"legsim: interrupted; {saved}", file=sys.stderr)
        return 130
    finally:
        progress.close()
    result = Path(result)
    columns = list(plan.paths)
    for s in plan.strategies:
        for m in dict.fromkeys(["recovery_time_s", *metrics, "completed"]):
            columns.append(f"{s}.{m}")
    df = _read_columns(result, columns)
    print(f"wrote {result} ({len(df)} rows)")
    if not args.quiet:
        print("\n".join(_sweep_summary(df, plan.strategies)))
    if plot is not None:
        from .viz.sweep_plots import summary_plot

        title = f"{scn.name}: {plan.mode} sweep of {plan.n_variants} variants"
        base = {}
        for p in plan.paths:
            try:
                base[p] = scn.get(p)
            except (KeyError, LegsimError):
                pass
        written = summary_plot(df, plan.paths, plan.strategies, metrics, plot, mode=plan.mode,
                               title=title, base=base)
        print(f"wrote {written}")
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
        from .cli_motion import cmd_analyze, cmd_inverse

        commands = {"run": cmd_run, "compare": cmd_compare, "validate": cmd_validate,
                    "sweep": cmd_sweep, "derive": cmd_derive, "inverse": cmd_inverse,
                    "analyze": cmd_analyze}
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
    except OSError as exc:   # a file that cannot be read or written: say which, no traceback
        name = exc.filename or ""
        print(f"legsim: error: {name}{': ' if name else ''}{exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
