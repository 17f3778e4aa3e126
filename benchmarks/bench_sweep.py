"""Sweep throughput: recoveries per second of the batch kernel on 1 and 2 threads, the same
variants through scipy's solve_ivp, and (with --million) a 10^6-variant sweep streamed to a CSV
file with its wall time and peak memory.

Run:  python benchmarks/bench_sweep.py [--variants N] [--million]
Knee-drive scenario at rtol 1e-8; the swept value is the toe-off knee velocity (300-900 deg/s).
Not a test: nothing is asserted.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
SCENARIO = ROOT / "scenarios" / "knee_drive.yaml"
PARAMS = {"initial.knee_velocity_deg_s": (300.0, 900.0)}


def legsim_rate(n: int, threads: int) -> float:
    from legsim.sweeps import sweep

    sweep(SCENARIO, PARAMS, mode="random", n=200, seed=0, threads=threads)   # compile / warm
    t0 = time.perf_counter()
    df = sweep(SCENARIO, PARAMS, mode="random", n=n, seed=1, threads=threads, chunk_size=n)
    dt = time.perf_counter() - t0
    assert (df["knee_drive.status"] == "completed").all()
    return n / dt


def scipy_rate(n: int) -> float:
    """The same kind of variants through solve_ivp RK45 with the compiled right-hand side."""
    from bench_recovery import scipy_recovery

    import legsim
    from legsim.simulation import pack

    base = legsim.load_scenario(SCENARIO)
    rng = np.random.default_rng(2)
    packs = [pack(base.replace({"initial.knee_velocity_deg_s": float(v)}), base.data["strategies"][0])
             for v in rng.uniform(300, 900, n)]
    scipy_recovery(packs[0], samples=False)
    t0 = time.perf_counter()
    for pk in packs:
        scipy_recovery(pk, samples=False)
    return n / (time.perf_counter() - t0)


def million() -> None:
    code = f"""
import sys, time, resource
sys.path.insert(0, {str(ROOT)!r})
from legsim.sweeps import sweep
t0 = time.perf_counter()
sweep({str(SCENARIO)!r}, {PARAMS!r}, mode="random", n=1_000_000, seed=1, out=sys.argv[1])
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "million.csv"
        res = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True,
                             check=True)
        wall, rss_kb = res.stdout.split()
        size = out.stat().st_size
    print(f"10^6 variants to CSV: {float(wall):.0f} s wall, peak RSS {int(rss_kb) / 1024:.0f} MB, "
          f"file {size / 1e6:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variants", type=int, default=40000)
    ap.add_argument("--scipy-variants", type=int, default=100)
    ap.add_argument("--million", action="store_true", help="also run a 10^6-variant sweep")
    args = ap.parse_args()
    r1 = legsim_rate(args.variants, 1)
    r2 = legsim_rate(args.variants, 2)
    rs = scipy_rate(args.scipy_variants)
    print(f"knee-drive recoveries per second (rtol 1e-8, {args.variants} variants, sweep API incl. packing)")
    print(f"  legsim batch kernel, 1 thread   {r1:10.0f} /s")
    print(f"  legsim batch kernel, 2 threads  {r2:10.0f} /s   scaling 1 -> 2 threads: {r2 / r1:.2f}x")
    print(f"  scipy solve_ivp + compiled rhs  {rs:10.0f} /s   legsim (2 threads) is {r2 / rs:.0f}x faster")
    if args.million:
        million()


if __name__ == "__main__":
    main()
