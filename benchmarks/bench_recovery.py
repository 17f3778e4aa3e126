"""Time one knee-drive recovery: legsim's compiled core against scipy's solve_ivp.

Peers, all on the same generated equations, the same packed scenario and the same tolerances:

1. legsim: `legsim.core.integrate.integrate` (numba Dormand-Prince 5(4), events, sampling),
   after compilation, buffers preallocated.
2. scipy + pure-Python right-hand side: `solve_ivp(method="RK45")` with the model's right-hand
   side run as plain Python (NUMBA_DISABLE_JIT=1, in a subprocess) -- the path a sympy/PyDy
   user takes with lambdified equations.
3. scipy + lambdified sympy equations: as 2, but the equations of motion are the sympy
   matrices M and f lambdified with the numpy backend and solved with numpy.linalg.solve --
   what a PyDy user gets without code generation.
4. scipy + compiled right-hand side: the same solve_ivp call with the numba-compiled right-hand
   side (the best a scipy user can do without writing an integrator).

Run:  python benchmarks/bench_recovery.py [SCENARIO] [--repeat N]
Prints the time per recovery of each and the ratios. Not a test: nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def packed(scenario: str):
    from legsim.scenario import load_scenario
    from legsim.simulation import pack

    scn = load_scenario(scenario)
    strat = scn.data["strategies"][0]
    return pack(scn, strat)


def legsim_time(pk, repeat: int, samples: bool = True) -> tuple[float, float]:
    from legsim.core import indices as ix
    from legsim.core.integrate import integrate

    integ = pk.integ.copy()
    if not samples:  # one output interval longer than the recovery: states at the ends only
        integ[ix.I_DT_OUT] = 10.0 * pk.end[ix.E_MAX_TIME]
    n = int(np.ceil(pk.end[ix.E_MAX_TIME] / pk.integ[ix.I_DT_OUT])) + 64
    bufs = (np.empty(n), np.empty((n, ix.N_STATE)), np.empty((n, ix.N_OUT)), np.empty(n, np.int64),
            np.empty(len(pk.phases)), np.zeros(ix.N_STATUS))

    def once():
        integrate(pk.y0, pk.mp, pk.phases, pk.end, integ, pk.acc_tab, pk.tq_tab, *bufs)

    once()  # compile / load from cache
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        once()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), float(bufs[-1][ix.ST_T_END])


def scipy_recovery(pk, samples: bool = True):
    """One recovery with solve_ivp: phase switches and the end event as terminal events.

    With ``samples``, the same outputs legsim writes are produced: the state from the dense
    output at every multiple of the output interval, and the right-hand side's outputs
    (torques, capacities ...) at each of those samples."""
    from scipy.integrate import solve_ivp

    from legsim.core import indices as ix
    from legsim.core.dynamics import condition_quantity, rhs

    M = np.empty((2, 2))
    f = np.empty(2)
    out = np.zeros(ix.N_OUT)
    hold = np.zeros(2)
    t, y = 0.0, pk.y0.copy()
    phase, t_phase = 0, 0.0
    n_phases = pk.phases.shape[0]

    def resolve(row, y):
        for j, base in enumerate((ix.PH_HOLD_HIP, ix.PH_HOLD_KNEE)):
            mode = row[base + ix.HOLD_MODE]
            if mode == ix.HOLD_FIXED:
                hold[j] = row[base + ix.HOLD_TARGET]
            elif mode == ix.HOLD_START:
                hold[j] = y[ix.S_THETA] if j == 0 else y[ix.S_PHI]

    resolve(pk.phases[0], y)
    while True:
        row = pk.phases[phase]

        def fun(tt, yy, row=row):
            dy = np.empty(ix.N_STATE)
            rhs(tt, yy, pk.mp, row, hold, pk.acc_tab, pk.tq_tab, M, f, dy, out)
            return dy

        events = []
        ncond = int(row[ix.PH_NCOND]) if phase < n_phases - 1 else 0
        for j in range(ncond):
            q, d, v = row[ix.PH_COND + 3 * j: ix.PH_COND + 3 * j + 3]

            def ev(tt, yy, q=int(q), d=d, v=v, tp=t_phase):
                return d * (condition_quantity(q, tt, tp, yy, pk.mp) - v)
            ev.terminal, ev.direction = True, 1
            events.append(ev)

        def end_ev(tt, yy, tp=t_phase):
            return pk.end[ix.E_DIR] * (condition_quantity(int(pk.end[ix.E_Q]), tt, tp, yy, pk.mp) - pk.end[ix.E_VALUE])
        end_ev.terminal, end_ev.direction = True, 1
        events.append(end_ev)
        sol = solve_ivp(fun, (t, pk.end[ix.E_MAX_TIME]), y, method="RK45",
                        rtol=pk.integ[ix.I_RTOL], atol=pk.integ[ix.I_ATOL],
                        max_step=pk.integ[ix.I_MAX_STEP], events=events, dense_output=samples)
        if samples:
            dt = pk.integ[ix.I_DT_OUT]
            t_stop = sol.t_events[-1][0] if sol.t_events[-1].size else sol.t[-1]
            for ts in np.arange(np.ceil(t / dt) * dt, t_stop, dt):
                fun(ts, sol.sol(ts))      # outputs of the right-hand side at the sample
        t, y = sol.t[-1], sol.y[:, -1].copy()
        if sol.status != 1:
            return t
        if sol.t_events[-1].size:
            return float(sol.t_events[-1][0])
        phase += 1
        t_phase = t
        resolve(pk.phases[phase], y)


def use_lambdified_equations() -> None:
    """Replace the generated equations by sympy-lambdified M and f (numpy backend) and a
    numpy.linalg.solve, inside the (pure-Python) right-hand side."""
    import sympy as sp

    from legsim.core import dynamics
    from legsim.model.derive import derive

    d = derive()
    args = list(d.states) + list(d.inputs) + list(d.params)
    M_fun = sp.lambdify(args, d.expand_aux(d.M), "numpy")
    f_fun = sp.lambdify(args, d.expand_aux(d.f), "numpy")

    def mass_matrix_forcing(theta, phi, wt, wp, tau_h, tau_k, ax, ay, p, M, f):
        vals = (theta, phi, wt, wp, tau_h, tau_k, ax, ay, *p[:9])
        M[:, :] = M_fun(*vals)
        f[:] = np.asarray(f_fun(*vals), dtype=float).ravel()

    dynamics.mass_matrix_forcing = mass_matrix_forcing


def scipy_time(pk, repeat: int, samples: bool = True) -> tuple[float, float]:
    scipy_recovery(pk, samples)  # compile the right-hand side when numba is on
    times = []
    t_end = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        t_end = scipy_recovery(pk, samples)
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), float(t_end)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "knee_drive.yaml"))
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--python-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--lambdify-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    pk = packed(args.scenario)
    if args.python_child:  # pure-Python path (NUMBA_DISABLE_JIT=1 set by the parent)
        print(json.dumps([scipy_time(pk, max(1, args.repeat), s) for s in (False, True)]))
        return
    if args.lambdify_child:
        use_lambdified_equations()
        print(json.dumps([scipy_time(pk, max(1, args.repeat), s) for s in (False, True)]))
        return
    res = {"legsim (numba DOP5 with events)": [legsim_time(pk, args.repeat, s) for s in (False, True)],
           "scipy solve_ivp RK45 + compiled rhs": [scipy_time(pk, max(3, args.repeat // 20), s)
                                                   for s in (False, True)]}
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    for label, flag in (("scipy solve_ivp RK45 + pure-Python rhs", "--python-child"),
                        ("scipy solve_ivp RK45 + lambdified sympy M, f", "--lambdify-child")):
        child = subprocess.run([sys.executable, __file__, args.scenario, "--repeat", "3", flag],
                               capture_output=True, text=True, env=env, check=True)
        res[label] = json.loads(child.stdout.strip().splitlines()[-1])
    base = res["legsim (numba DOP5 with events)"]
    print(f"scenario: {args.scenario} (first strategy: {pk.name}; rtol {pk.integ[1]:g}, "
          f"atol {pk.integ[2]:g}; samples every {pk.integ[5] * 1e3:g} ms)")
    print(f"{'':<46}{'states only':>24}{'with samples + outputs':>28}")
    print(f"{'path':<46}{'ms':>10}{'ratio':>10}{'ms':>14}{'ratio':>10}   recovery time s")
    for label, ((t0, e0), (t1, e1)) in res.items():
        print(f"{label:<46}{1e3 * t0:>10.3f}{t0 / base[0][0]:>9.0f}x{1e3 * t1:>14.3f}"
              f"{t1 / base[1][0]:>9.0f}x   {e1:.6f}")


if __name__ == "__main__":
    main()
