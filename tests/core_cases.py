"""Hand-packed model arrays for tests of the compiled core (no scenario layer involved)."""
from __future__ import annotations

import numpy as np

from legsim.core import indices as ix

# a 75 kg, 1.80 m male leg (round numbers of the order of de Leva's table)
EOM_PARAMS = [10.6, 0.437, 0.179, 0.213, 4.3, 0.226, 0.012, 0.070, 9.81]


def model_vector(passive=True, generators=True):
    mp = np.zeros(ix.N_MP)
    mp[:9] = EOM_PARAMS
    mp[ix.M_L_SHANK] = 0.449
    mp[ix.M_HEEL_ALONG], mp[ix.M_HEEL_PERP] = 0.50, -0.05
    mp[ix.M_TOE_ALONG], mp[ix.M_TOE_PERP] = 0.52, 0.20
    mp[ix.M_BUTT_X], mp[ix.M_BUTT_Y], mp[ix.M_BUTT_R] = -0.063, -0.099, 0.081
    mp[ix.M_PASSIVE] = 1.0 if passive else 0.0
    mp[ix.M_RIENER] = 1.0
    mp[ix.M_DAMPING] = 0.1
    mp[ix.M_KNEE_LO], mp[ix.M_KNEE_HI] = 0.0, np.radians(165)
    mp[ix.M_LIM_K], mp[ix.M_LIM_D] = 500.0, 5.0
    mp[ix.M_HIP_LO], mp[ix.M_HIP_HI] = np.radians(-45), np.radians(130)
    mp[ix.M_HIP_LIM_K], mp[ix.M_HIP_LIM_D] = 500.0, 5.0
    mp[ix.M_CONTACT_K], mp[ix.M_CONTACT_C] = 2e4, 1.0
    mp[ix.M_TAU_ACT], mp[ix.M_TAU_DEACT] = 0.015, 0.05
    for g in range(4):
        b = ix.M_GEN + g * ix.GEN_W
        t0 = 150.0 if generators else 0.0
        mp[b:b + ix.GEN_W] = [t0, 0.3, 0.8, 25.0, 6.0, 1.3, 1.0]
    return mp


def phases_constant(excitations):
    ph = np.zeros((1, ix.PH_W))
    ph[0, ix.PH_EXC:ix.PH_EXC + 4] = excitations
    return ph


def end_time(t_end, max_time=None):
    return np.array([ix.Q_TIME, 1.0, t_end, max_time if max_time else t_end + 1.0, 1.0, -np.inf])


def end_thigh(angle_deg, max_time=0.6):
    return np.array([ix.Q_THIGH_ANGLE, 1.0, np.radians(angle_deg), max_time, 1.0, -np.inf])


def integ(method="dopri5", rtol=1e-8, atol=1e-10, step=1e-4, max_step=0.01, dt_out=1e-3):
    m = ix.METHOD_RK4 if method == "rk4" else ix.METHOD_DOPRI5
    return np.array([m, rtol, atol, step, max_step, dt_out], dtype=float)


def toe_off(theta=-25.0, phi=35.0, wt=100.0, wp=600.0):
    y0 = np.zeros(ix.N_STATE)
    y0[:4] = np.radians([theta, phi, wt, wp])
    return y0


def run(y0, mp, phases, end, integ_, acc=None, tq=None):
    """Integrate; returns (t, y, outputs, phase index, phase_start, status)."""
    from legsim.core.integrate import integrate

    n = int(np.ceil(end[ix.E_MAX_TIME] / integ_[ix.I_DT_OUT])) + 64
    t = np.empty(n)
    y = np.empty((n, ix.N_STATE))
    o = np.empty((n, ix.N_OUT))
    p = np.empty(n, dtype=np.int64)
    ps = np.empty(phases.shape[0])
    st = np.zeros(ix.N_STATUS)
    acc = np.zeros((3, 1)) if acc is None else acc
    tq = np.zeros((3, 1)) if tq is None else tq
    integrate(y0, mp, phases, end, integ_, acc, tq, t, y, o, p, ps, st)
    k = int(st[ix.ST_N_OUT])
    return t[:k], y[:k], o[:k], p[:k], ps, st
