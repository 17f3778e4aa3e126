"""Integrators of the compiled core: adaptive Dormand-Prince 5(4) with Hairer's dense output and
event location, and fixed-step classical RK4 (cubic Hermite dense output). numba only.

One call of `integrate` simulates one recovery: it runs the phase machine, locates phase
switches and the end event on the dense output (Illinois root finding), and writes samples at a
fixed output interval plus every event time into preallocated arrays. Work arrays are allocated
once per call, never inside the step loop.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from .dynamics import condition_quantity, geometry_outputs, rhs
from .indices import (
    CODE_BUFFER_FULL, CODE_COMPLETED, CODE_MAX_TIME, CODE_NOT_FINITE, CODE_STEP_UNDERFLOW,
    CODE_TOO_MANY_STEPS, E_DIR, E_LEVEL, E_MAX_TIME, E_MIN_THETA, E_Q, E_VALUE, HOLD_FIXED, HOLD_MODE, HOLD_START,
    HOLD_TARGET, I_ATOL, I_DT_OUT, I_MAX_STEP, I_METHOD, I_RTOL, I_STEP, MAX_COND,
    METHOD_RK4, N_DYNAMIC, N_OUT, N_STATE, PH_COND, PH_HOLD_HIP, PH_HOLD_KNEE, PH_NCOND, S_PHI, S_THETA,
    ST_CODE, ST_N_OUT, ST_N_REJECT, ST_N_RHS, ST_N_STEPS, ST_PHASE, ST_T_END,
)

MAX_STEPS = 2_000_000

# Dormand-Prince 5(4) tableau
C2, C3, C4, C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
A21 = 1.0 / 5.0
A31, A32 = 3.0 / 40.0, 9.0 / 40.0
A41, A42, A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
A51, A52, A53, A54 = 19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0
A61, A62, A63, A64, A65 = 9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0
A71, A73, A74, A75, A76 = 35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0
E1, E3, E4, E5, E6, E7 = 71.0 / 57600.0, -71.0 / 16695.0, 71.0 / 1920.0, -17253.0 / 339200.0, 22.0 / 525.0, -1.0 / 40.0
# Hairer's continuous extension of order 4
D1 = -12715105075.0 / 11282082432.0
D3 = 87487479700.0 / 32700410799.0
D4 = -10690763975.0 / 1880347072.0
D5 = 701980252875.0 / 199316789632.0
D6 = -1453857185.0 / 822651844.0
D7 = 69997945.0 / 29380423.0


@njit(cache=True)
def dense_eval(rc, s, y):
    """Evaluate the dense output at fraction s in [0, 1] of the last step into ``y``."""
    s1 = 1.0 - s
    for i in range(y.shape[0]):
        y[i] = rc[0, i] + s * (rc[1, i] + s1 * (rc[2, i] + s * (rc[3, i] + s1 * rc[4, i])))


@njit(cache=True)
def _condition_g(row, j, t, t_phase, y, mp):
    base = PH_COND + 3 * j
    q = int(row[base])
    return row[base + 1] * (condition_quantity(q, t, t_phase, y, mp) - row[base + 2])


@njit(cache=True)
def _end_g(end, t, t_phase, y, mp):
    return end[E_DIR] * (condition_quantity(int(end[E_Q]), t, t_phase, y, mp) - end[E_VALUE])


@njit(cache=True)
def _resolve_holds(row, y, hold_targets):
    for j in range(2):
        base = PH_HOLD_HIP if j == 0 else PH_HOLD_KNEE
        mode = row[base + HOLD_MODE]
        if mode == HOLD_FIXED:
            hold_targets[j] = row[base + HOLD_TARGET]
        elif mode == HOLD_START:
            hold_targets[j] = y[S_THETA] if j == 0 else y[S_PHI]


@njit(cache=True)
def _enter_phase(phase, t, y, phases, mp, hold_targets, phase_start):
    """Enter ``phase`` at time t; a phase whose condition is already met is left at once for the
    next one (the last phase always stays). Returns the phase index entered."""
    n_phases = phases.shape[0]
    while True:
        phase_start[phase] = t
        _resolve_holds(phases[phase], y, hold_targets)
        if phase == n_phases - 1:
            return phase
        row = phases[phase]
        met = False
        for j in range(int(row[PH_NCOND])):
            if _condition_g(row, j, t, t, y, mp) >= 0.0:
                met = True
        if not met:
            return phase
        phase += 1


@njit(cache=True)
def _locate(which, j, t0, h, rc, ga, gb, phases, phase, end, t_phase, mp, ytmp):
    """Illinois root finding of condition ``j`` (``which`` 0: phase condition, 1: end event) on the
    dense output of the step [t0, t0 + h]; returns the fraction s of the step at which g >= 0."""
    a, b = 0.0, 1.0
    side = 0
    tol = 1e-13 * max(1.0, abs(t0)) / max(h, 1e-300)
    for _ in range(200):
        s = (a * gb - b * ga) / (gb - ga)
        if not (s > a and s < b):
            s = 0.5 * (a + b)
        dense_eval(rc, s, ytmp)
        t = t0 + s * h
        if which == 0:
            g = _condition_g(phases[phase], j, t, t_phase, ytmp, mp)
        else:
            g = _end_g(end, t, t_phase, ytmp, mp)
        if g >= 0.0:
            b, gb = s, g
            if side == 1:
                ga *= 0.5
            side = 1
        else:
            a, ga = s, g
            if side == -1:
                gb *= 0.5
            side = -1
        if b - a <= tol:
            break
    return b


@njit(cache=True)
def _emit(k, t, y, mp, phase, phases, hold_targets, acc_tab, tq_tab, M, f, dtmp, out,
          t_out, y_out, o_out, ph_out):
    rhs(t, y, mp, phases[phase], hold_targets, acc_tab, tq_tab, M, f, dtmp, out)
    geometry_outputs(y, mp, out)
    t_out[k] = t
    for i in range(N_STATE):
        y_out[k, i] = y[i]
    for i in range(N_OUT):
        o_out[k, i] = out[i]
    ph_out[k] = phase


@njit(cache=True)
def integrate(y0, mp, phases, end, integ, acc_tab, tq_tab, t_out, y_out, o_out, ph_out,
              phase_start, status):
    """Simulate one recovery from toe-off (t = 0) to the end event or ``end[E_MAX_TIME]``.

    Parameters are packed arrays (layouts in `legsim.core.indices`). Outputs: samples in
    ``t_out, y_out, o_out, ph_out`` (the first ``status[ST_N_OUT]`` rows are valid), the start
    time of each phase in ``phase_start`` (NaN if never entered) and ``status``.
    """
    n = N_STATE
    n_phases = phases.shape[0]
    n_buf = t_out.shape[0]
    rk4 = integ[I_METHOD] == METHOD_RK4
    rtol = integ[I_RTOL]
    atol = integ[I_ATOL]
    max_step = integ[I_MAX_STEP]
    dt_out = integ[I_DT_OUT]
    t_max = end[E_MAX_TIME]

    y = y0.copy()
    ynew = np.empty(n)
    ytmp = np.empty(n)
    k1 = np.empty(n)
    k2 = np.empty(n)
    k3 = np.empty(n)
    k4 = np.empty(n)
    k5 = np.empty(n)
    k6 = np.empty(n)
    k7 = np.empty(n)
    rc = np.zeros((5, n))
    M = np.empty((2, 2))
    f = np.empty(2)
    out = np.zeros(N_OUT)
    hold_targets = np.zeros(2)
    g_prev = np.zeros(MAX_COND)

    for i in range(n_phases):
        phase_start[i] = np.nan
    n_rhs = 0
    n_steps = 0
    n_reject = 0
    code = CODE_MAX_TIME

    t = 0.0
    t_phase = 0.0
    phase = _enter_phase(0, t, y, phases, mp, hold_targets, phase_start)

    k_out = 0
    k_next = 1                  # index of the next regular output time k_next * dt_out
    _emit(k_out, t, y, mp, phase, phases, hold_targets, acc_tab, tq_tab, M, f, ytmp, out,
          t_out, y_out, o_out, ph_out)
    k_out += 1
    done = end[E_LEVEL] != 0.0 and _end_g(end, t, t_phase, y, mp) >= 0.0
    if done:
        code = CODE_COMPLETED

    rhs(t, y, mp, phases[phase], hold_targets, acc_tab, tq_tab, M, f, k1, out)
    n_rhs += 1
    h = integ[I_STEP] if rk4 else min(1.0e-4, max_step)
    err_prev = 1.0e-4

    while not done:
        if t >= t_max * (1.0 - 1e-15):
            code = CODE_MAX_TIME
            break
        if n_steps >= MAX_STEPS:
            code = CODE_TOO_MANY_STEPS
            break
        row = phases[phase]
        h_try = min(h, max_step, t_max - t)
        if rk4:
            h_try = min(integ[I_STEP], t_max - t)
            for i in range(n):
                ytmp[i] = y[i] + 0.5 * h_try * k1[i]
            rhs(t + 0.5 * h_try, ytmp, mp, row, hold_targets, acc_tab, tq_tab, M, f, k2, out)
            for i in range(n):
                ytmp[i] = y[i] + 0.5 * h_try * k2[i]
            rhs(t + 0.5 * h_try, ytmp, mp, row, hold_targets, acc_tab, tq_tab, M, f, k3, out)
            for i in range(n):
                ytmp[i] = y[i] + h_try * k3[i]
            rhs(t + h_try, ytmp, mp, row, hold_targets, acc_tab, tq_tab, M, f, k4, out)
            for i in range(n):
                ynew[i] = y[i] + h_try / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])
            rhs(t + h_try, ynew, mp, row, hold_targets, acc_tab, tq_tab, M, f, k7, out)
            n_rhs += 4
            for i in range(n):
                ydiff = ynew[i] - y[i]
                bspl = h_try * k1[i] - ydiff
                rc[0, i] = y[i]
                rc[1, i] = ydiff
                rc[2, i] = bspl
                rc[3, i] = ydiff - h_try * k7[i] - bspl
                rc[4, i] = 0.0
            err = 0.0
        else:
            for i in range(n):
                ytmp[i] = y[i] + h_try * A21 * k1[i]
            rhs(t + C2 * h_try, ytmp, mp, row, hold_targets, acc_tab, tq_tab, M, f, k2, out)
            for i in range(n):
                ytmp[i] = y[i] + h_try * (A31 * k1[i] + A32 * k2[i])
            rhs(t + C3 * h_try, ytmp, mp, row, hold_targets, acc_tab, tq_tab, M, f, k3, out)
            for i in range(n):
                ytmp[i] = y[i] + h_try * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i])
            rhs(t + C4 * h_try, ytmp, mp, row, hold_targets, acc_tab, tq_tab, M, f, k4, out)
            for i in range(n):
                ytmp[i] = y[i] + h_try * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i])
            rhs(t + C5 * h_try, ytmp, mp, row, hold_targets, acc_tab, tq_tab, M, f, k5, out)
            for i in range(n):
                ytmp[i] = y[i] + h_try * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i]
                                          + A65 * k5[i])
            rhs(t + h_try, ytmp, mp, row, hold_targets, acc_tab, tq_tab, M, f, k6, out)
            for i in range(n):
                ynew[i] = y[i] + h_try * (A71 * k1[i] + A73 * k3[i] + A74 * k4[i] + A75 * k5[i]
                                          + A76 * k6[i])
            rhs(t + h_try, ynew, mp, row, hold_targets, acc_tab, tq_tab, M, f, k7, out)
            n_rhs += 6
            # error norm over the dynamic states; the quadrature states (impulses, work) are
            # pure integrals of them and do not steer the step size
            err = 0.0
            for i in range(N_DYNAMIC):
                e = h_try * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i]
                             + E7 * k7[i])
                sc = atol + rtol * max(abs(y[i]), abs(ynew[i]))
                err += (e / sc) ** 2
            err = math.sqrt(err / N_DYNAMIC)
            if not math.isfinite(err):
                err = 1.0e10
            if err > 1.0:
                n_reject += 1
                h = h_try * max(0.2, 0.9 * err ** -0.2)
                if h < 1e-14 * max(1.0, t):
                    code = CODE_STEP_UNDERFLOW
                    break
                continue
            for i in range(n):
                ydiff = ynew[i] - y[i]
                bspl = h_try * k1[i] - ydiff
                rc[0, i] = y[i]
                rc[1, i] = ydiff
                rc[2, i] = bspl
                rc[3, i] = ydiff - h_try * k7[i] - bspl
                rc[4, i] = h_try * (D1 * k1[i] + D3 * k3[i] + D4 * k4[i] + D5 * k5[i]
                                    + D6 * k6[i] + D7 * k7[i])
        n_steps += 1
        finite = True
        for i in range(n):
            if not math.isfinite(ynew[i]):
                finite = False
        if not finite:
            code = CODE_NOT_FINITE
            break

        # events in this step: the earliest crossing of a phase condition or the end event
        t_new = t + h_try
        s_event = 2.0
        event_kind = -1          # 0 phase switch, 1 end event
        ncond = int(row[PH_NCOND]) if phase < n_phases - 1 else 0
        for j in range(ncond):
            ga = _condition_g(row, j, t, t_phase, y, mp)
            gb = _condition_g(row, j, t_new, t_phase, ynew, mp)
            if ga < 0.0 and gb >= 0.0:
                s = _locate(0, j, t, h_try, rc, ga, gb, phases, phase, end, t_phase, mp, ytmp)
                if s < s_event:
                    s_event = s
                    event_kind = 0
        ga = _end_g(end, t, t_phase, y, mp)
        gb = _end_g(end, t_new, t_phase, ynew, mp)
        if ga < 0.0 and gb >= 0.0:
            s = _locate(1, 0, t, h_try, rc, ga, gb, phases, phase, end, t_phase, mp, ytmp)
            dense_eval(rc, s, ytmp)
            if s <= s_event and ytmp[S_THETA] > end[E_MIN_THETA]:
                s_event = s
                event_kind = 1
        if event_kind >= 0:
            t_new = t + s_event * h_try
            dense_eval(rc, s_event, ynew)

        # samples at multiples of dt_out inside (t, t_new], then the event time itself
        t_k = k_next * dt_out
        while t_k <= t_new + 1e-13:
            if k_out >= n_buf:
                break
            if t_k - t_out[k_out - 1] > 1e-12:
                dense_eval(rc, min((t_k - t) / h_try, 1.0), ytmp)
                _emit(k_out, t_k, ytmp, mp, phase, phases, hold_targets, acc_tab, tq_tab, M, f,
                      k2, out, t_out, y_out, o_out, ph_out)
                k_out += 1
            k_next += 1
            t_k = k_next * dt_out
        if event_kind >= 0 and k_out < n_buf and t_new - t_out[k_out - 1] > 1e-12:
            _emit(k_out, t_new, ynew, mp, phase, phases, hold_targets, acc_tab, tq_tab, M, f, k2,
                  out, t_out, y_out, o_out, ph_out)
            k_out += 1
        if k_out >= n_buf and event_kind != 1:
            code = CODE_BUFFER_FULL
            for i in range(n):
                y[i] = ynew[i]
            t = t_new
            break

        t = t_new
        for i in range(n):
            y[i] = ynew[i]
        if event_kind == 1:
            code = CODE_COMPLETED
            done = True
            break
        if event_kind == 0:
            t_phase = t
            phase = _enter_phase(phase + 1, t, y, phases, mp, hold_targets, phase_start)
            if end[E_LEVEL] != 0.0 and _end_g(end, t, t_phase, y, mp) >= 0.0:
                code = CODE_COMPLETED     # the end was met at the switch itself
                done = True
                break
            rhs(t, y, mp, phases[phase], hold_targets, acc_tab, tq_tab, M, f, k1, out)
            n_rhs += 1
        else:
            for i in range(n):
                k1[i] = k7[i]
        if not rk4:
            # PI step-size control (Hairer's dopri5 constants)
            e = max(err, 1.0e-10)
            fac = 0.9 * e ** -0.17 * err_prev ** 0.04
            fac = min(10.0, max(0.2, fac))
            h = h_try * fac
            err_prev = max(err, 1.0e-4)
            if event_kind == 0:
                h = max(h, 1e-6)

    if code != CODE_COMPLETED and k_out < n_buf and t - t_out[k_out - 1] > 1e-12:
        _emit(k_out, t, y, mp, phase, phases, hold_targets, acc_tab, tq_tab, M, f, k2, out,
              t_out, y_out, o_out, ph_out)
        k_out += 1
    status[ST_CODE] = code
    status[ST_N_OUT] = k_out
    status[ST_PHASE] = phase
    status[ST_N_STEPS] = n_steps
    status[ST_N_REJECT] = n_reject
    status[ST_N_RHS] = n_rhs
    status[ST_T_END] = t
