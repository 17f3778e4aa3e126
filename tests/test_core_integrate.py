"""The compiled integrators against independent truths: energy conservation, scipy's DOP853,
observed order of convergence, and event times against bisection on a converged reference."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp, trapezoid

from core_cases import end_thigh, end_time, integ, model_vector, phases_constant, run, toe_off
from legsim.core import indices as ix


def _energy(y, mp):
    """Kinetic + potential energy of the two-segment leg, written out by hand (hip fixed)."""
    m1, l1, c1, i1, m2, c2, d2, i2, g = mp[:9]
    th, ph, wt, wp = y[0], y[1], y[2], y[3]
    psi, wpsi = th - ph, wt - wp
    # CoM positions and velocities
    x1, y1 = c1 * math.sin(th), -c1 * math.cos(th)
    vx1, vy1 = c1 * math.cos(th) * wt, c1 * math.sin(th) * wt
    x2 = l1 * math.sin(th) + c2 * math.sin(psi) + d2 * math.cos(psi)
    y2 = -l1 * math.cos(th) - c2 * math.cos(psi) + d2 * math.sin(psi)
    vx2 = l1 * math.cos(th) * wt + (c2 * math.cos(psi) - d2 * math.sin(psi)) * wpsi
    vy2 = l1 * math.sin(th) * wt + (c2 * math.sin(psi) + d2 * math.cos(psi)) * wpsi
    ke = 0.5 * (m1 * (vx1**2 + vy1**2) + i1 * wt**2 + m2 * (vx2**2 + vy2**2) + i2 * wpsi**2)
    return ke + g * (m1 * y1 + m2 * y2)


def test_undamped_passive_swing_conserves_energy():
    mp = model_vector(passive=False, generators=False)
    y0 = toe_off(-25, 35, 100, 600)
    t, y, o, p, ps, st = run(y0, mp, phases_constant([0, 0, 0, 0]), end_time(2.0),
                             integ(rtol=1e-12, atol=1e-12))
    assert st[ix.ST_CODE] == ix.CODE_COMPLETED
    assert t[-1] == pytest.approx(2.0, abs=1e-12)
    e = np.array([_energy(row, mp) for row in y])
    scale = np.max(np.abs(e))
    assert np.max(np.abs(e - e[0])) / scale < 1e-8


def _scipy_rhs(mp, phases):
    from legsim.core.dynamics import rhs

    M = np.empty((2, 2))
    f = np.empty(2)
    out = np.zeros(ix.N_OUT)
    hold = np.zeros(2)
    acc = np.zeros((3, 1))
    tq = np.zeros((3, 1))

    def fun(t, y):
        dy = np.empty(ix.N_STATE)
        rhs(t, y, mp, phases[0], hold, acc, tq, M, f, dy, out)
        return dy

    return fun


def test_dopri5_agrees_with_scipy_dop853_on_driven_case():
    """Generators driven (hip flexors and knee extensors excited), passive moments on."""
    mp = model_vector()
    phases = phases_constant([1.0, 0.0, 0.0, 0.6])
    y0 = toe_off()
    t, y, o, p, ps, st = run(y0, mp, phases, end_time(0.25), integ(rtol=1e-11, atol=1e-12))
    ref = solve_ivp(_scipy_rhs(mp, phases), (0.0, 0.25), y0, method="DOP853", rtol=1e-12,
                    atol=1e-12, dense_output=True)
    yr = ref.sol(t).T
    assert np.max(np.abs(y[:, :4] - yr[:, :4])) < 1e-7
    assert np.max(np.abs(y[:, 4:8] - yr[:, 4:8])) < 1e-7


def _fixed_step_error(method, h):
    mp = model_vector()
    phases = phases_constant([1.0, 0.0, 0.0, 0.0])
    y0 = toe_off()
    if method == "rk4":
        it = integ("rk4", step=h, dt_out=0.01)
    else:  # huge tolerances: no step is rejected, every step is max_step long
        it = integ("dopri5", rtol=1e6, atol=1e6, max_step=h, dt_out=0.01)
    it[ix.I_STEP] = h
    # end by max_time (not an event) so the result is the last step itself, not dense output
    t, y, *_ = run(y0, mp, phases, end_time(10.0, max_time=0.2), it)
    assert t[-1] == pytest.approx(0.2, abs=1e-12)
    return y[-1, :4]


@pytest.mark.parametrize("method,order,steps", [("rk4", 4, (0.0025, 0.00125, 0.000625)),
                                                ("dopri5", 5, (0.01, 0.005, 0.0025))])
def test_observed_order_of_convergence(method, order, steps):
    ref = _fixed_step_error(method, steps[-1] / 8)
    errs = [np.max(np.abs(_fixed_step_error(method, h) - ref)) for h in steps]
    observed = [math.log2(errs[i] / errs[i + 1]) for i in range(len(errs) - 1)]
    if method == "rk4":
        for o in observed:
            assert abs(o - order) < 0.5, (observed, errs)
    else:
        # Dormand and Prince chose the 5th-order coefficients to make the leading error term
        # small, so on this smooth problem the observed order sits between 5 and 7 before
        # round-off; it must never fall below 5.
        for o in observed:
            assert order - 0.3 < o < order + 2.0, (observed, errs)


def test_end_event_time_matches_bisection_on_reference():
    """The located end-event time against bisection on a tight scipy reference trajectory."""
    mp = model_vector()
    phases = phases_constant([1.0, 0.0, 0.0, 0.0])
    y0 = toe_off()
    t, y, o, p, ps, st = run(y0, mp, phases, end_thigh(40.0), integ())
    assert st[ix.ST_CODE] == ix.CODE_COMPLETED
    t_event = st[ix.ST_T_END]
    ref = solve_ivp(_scipy_rhs(mp, phases), (0.0, 0.6), y0, method="DOP853", rtol=1e-12,
                    atol=1e-12, dense_output=True)
    g = lambda s: ref.sol(s)[0] - math.radians(40.0)
    a, b = 0.0, 0.6
    assert g(a) < 0 < g(b)
    for _ in range(80):
        m = 0.5 * (a + b)
        a, b = (m, b) if g(m) < 0 else (a, m)
    assert abs(t_event - b) < 1e-8
    # the last sample is the event itself, on the event surface
    assert t[-1] == t_event
    assert y[-1, 0] == pytest.approx(math.radians(40.0), abs=1e-9)


def test_phase_switch_located_exactly():
    """A phase switch on knee flexion happens at the crossing, not at the next step."""
    mp = model_vector()
    ph = np.zeros((2, ix.PH_W))
    ph[0, ix.PH_EXC + 2] = 1.0                      # knee flexors
    ph[0, ix.PH_NCOND] = 1
    ph[0, ix.PH_COND:ix.PH_COND + 3] = [ix.Q_KNEE_FLEXION, 1.0, math.radians(90.0)]
    ph[1, ix.PH_EXC + 0] = 1.0                      # then hip flexors
    t, y, o, p, ps, st = run(toe_off(), mp, ph, end_thigh(50.0), integ(max_step=0.05))
    assert st[ix.ST_CODE] == ix.CODE_COMPLETED
    k = np.flatnonzero(t == ps[1])
    assert k.size == 1, "the switch time is a sample"
    assert y[k[0], 1] == pytest.approx(math.radians(90.0), abs=1e-9)
    assert np.all(p[: k[0] + 1] == 0) and np.all(p[k[0] + 1:] == 1)


def test_unreachable_condition_ends_at_max_time():
    mp = model_vector()
    ph = np.zeros((2, ix.PH_W))
    ph[0, ix.PH_NCOND] = 1
    ph[0, ix.PH_COND:ix.PH_COND + 3] = [ix.Q_KNEE_FLEXION, 1.0, math.radians(179.0)]
    t, y, o, p, ps, st = run(toe_off(), mp, ph, end_thigh(60.0, max_time=0.3), integ())
    assert st[ix.ST_CODE] == ix.CODE_MAX_TIME
    assert t[-1] == pytest.approx(0.3)
    assert np.isnan(ps[1])


def test_work_quadrature_matches_trapezoid_of_samples():
    """Integrated work (a quadrature state) against the trapezoid rule on fine samples."""
    mp = model_vector()
    phases = phases_constant([1.0, 0.0, 0.3, 0.0])
    t, y, o, *_ = run(toe_off(), mp, phases, end_time(0.2), integ(dt_out=1e-5))
    p_hip = o[:, ix.O_HIP_TORQUE] * y[:, ix.S_THETA_DOT]
    pos = trapezoid(np.maximum(p_hip, 0), t)
    neg = trapezoid(np.minimum(p_hip, 0), t)
    assert y[-1, ix.S_HIP_POS_WORK] == pytest.approx(pos, rel=1e-4, abs=1e-6)
    assert y[-1, ix.S_HIP_NEG_WORK] == pytest.approx(neg, rel=1e-4, abs=1e-6)


def test_condition_met_on_entry_skips_the_phase():
    """A phase whose condition already holds when it starts ends at once (zero duration)."""
    mp = model_vector()
    ph = np.zeros((3, ix.PH_W))
    for k, q in enumerate([ix.Q_KNEE_FLEXION, ix.Q_THIGH_ANGLE]):
        ph[k, ix.PH_NCOND] = 1
        # knee flexion above 10 deg holds at toe-off (35 deg); thigh angle above 0 does not
        ph[k, ix.PH_COND:ix.PH_COND + 3] = [q, 1.0, math.radians(10.0 if k == 0 else 0.0)]
    ph[1, ix.PH_EXC] = 1.0
    ph[2, ix.PH_EXC] = 1.0
    t, y, o, p, ps, st = run(toe_off(), mp, ph, end_thigh(50.0), integ())
    assert ps[0] == 0.0 and ps[1] == 0.0
    assert p[0] == 1
    assert ps[2] > 0.0
    k = np.flatnonzero(t == ps[2])[0]
    assert y[k, ix.S_THETA] == pytest.approx(0.0, abs=1e-9)
