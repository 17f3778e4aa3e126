"""Batch kernel: many recoveries in one compiled call, spread over cores with ``prange``.

Each job is one (variant, strategy) pair given by rows of packed arrays. Metrics are computed
in compiled code from the same output samples `legsim.simulation.run_packed` uses, so a sweep
row equals the metrics of `legsim.simulate` on the same variant. Trajectories are not kept:
each job's sample buffers live only inside its loop iteration.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .indices import (
    CODE_COMPLETED, E_MAX_TIME, I_DT_OUT, N_OUT, N_STATE, N_STATUS, O_CONTACT_F, O_HEEL_BUTTOCK,
    O_HIP_ACTIVE, O_HIP_INERTIA, O_HIP_TORQUE, O_KNEE_TORQUE, S_HEEL_IMPULSE, S_HIP_FLEX_IMPULSE,
    S_HIP_NEG_WORK, S_HIP_POS_WORK, S_KNEE_NEG_WORK, S_KNEE_POS_WORK, S_PHI, S_THETA,
    S_THETA_DOT, ST_CODE, ST_N_OUT, ST_N_STEPS, ST_T_END,
)
from .integrate import integrate

# metric vector of one job (SI, radians; converted to the metric keys in legsim.sweeps)
K_CODE, K_T_END = 0, 1
K_PEAK_HIP_FLEX, K_PEAK_HIP_EXT, K_PEAK_KNEE_FLEX, K_PEAK_KNEE_EXT = 2, 3, 4, 5
K_HIP_IMPULSE, K_HIP_POS, K_HIP_NEG, K_KNEE_POS, K_KNEE_NEG = 6, 7, 8, 9, 10
K_PEAK_THIGH_VEL, K_MAX_KNEE, K_MIN_GAP, K_THETA_AT_MIN_GAP = 11, 12, 13, 14
K_MIN_INERTIA, K_HEEL_IMPULSE, K_PEAK_CONTACT, K_T_MIN_GAP, K_PEAK_HIP_ACTIVE, K_STEPS = 15, 16, 17, 18, 19, 20
N_METRICS = 21


@njit(cache=True)
def sample_metrics(t_out, y_out, o_out, status, m):
    """Metrics of one recovery from its samples into ``m`` (same rules as legsim.metrics)."""
    n = int(status[ST_N_OUT])
    hip_max = -math.inf
    hip_min = math.inf
    knee_max = -math.inf
    knee_min = math.inf
    wt_max = -math.inf
    phi_max = -math.inf
    gap_min = math.inf
    k_gap = 0
    inertia_min = math.inf
    contact_max = -math.inf
    active_max = -math.inf
    for k in range(n):
        h = o_out[k, O_HIP_TORQUE]
        kn = o_out[k, O_KNEE_TORQUE]
        hip_max = max(hip_max, h)
        hip_min = min(hip_min, h)
        knee_max = max(knee_max, kn)
        knee_min = min(knee_min, kn)
        wt_max = max(wt_max, y_out[k, S_THETA_DOT])
        phi_max = max(phi_max, y_out[k, S_PHI])
        if o_out[k, O_HEEL_BUTTOCK] < gap_min:
            gap_min = o_out[k, O_HEEL_BUTTOCK]
            k_gap = k
        inertia_min = min(inertia_min, o_out[k, O_HIP_INERTIA])
        contact_max = max(contact_max, o_out[k, O_CONTACT_F])
        active_max = max(active_max, o_out[k, O_HIP_ACTIVE])
    last = y_out[n - 1]
    m[K_CODE] = status[ST_CODE]
    m[K_T_END] = status[ST_T_END]
    m[K_PEAK_HIP_FLEX] = max(hip_max, 0.0)
    m[K_PEAK_HIP_EXT] = max(-hip_min, 0.0)
    m[K_PEAK_KNEE_FLEX] = max(knee_max, 0.0)
    m[K_PEAK_KNEE_EXT] = max(-knee_min, 0.0)
    m[K_HIP_IMPULSE] = last[S_HIP_FLEX_IMPULSE]
    m[K_HIP_POS] = last[S_HIP_POS_WORK]
    m[K_HIP_NEG] = last[S_HIP_NEG_WORK]
    m[K_KNEE_POS] = last[S_KNEE_POS_WORK]
    m[K_KNEE_NEG] = last[S_KNEE_NEG_WORK]
    m[K_PEAK_THIGH_VEL] = wt_max
    m[K_MAX_KNEE] = phi_max
    m[K_MIN_GAP] = gap_min
    m[K_THETA_AT_MIN_GAP] = y_out[k_gap, S_THETA]
    m[K_MIN_INERTIA] = inertia_min
    m[K_HEEL_IMPULSE] = last[S_HEEL_IMPULSE]
    m[K_PEAK_CONTACT] = contact_max
    m[K_T_MIN_GAP] = t_out[k_gap]
    m[K_PEAK_HIP_ACTIVE] = active_max
    m[K_STEPS] = status[ST_N_STEPS]


@njit(cache=True)
def run_job(y0, mp, phases, end, integ, acc_tab, tq_tab, m):
    """One recovery with its own sample buffers; metrics into ``m``."""
    n_buf = int(math.ceil(end[E_MAX_TIME] / integ[I_DT_OUT])) + 4 * phases.shape[0] + 16
    t_out = np.empty(n_buf)
    y_out = np.empty((n_buf, N_STATE))
    o_out = np.empty((n_buf, N_OUT))
    ph_out = np.empty(n_buf, dtype=np.int64)
    phase_start = np.empty(phases.shape[0])
    status = np.zeros(N_STATUS)
    integrate(y0, mp, phases, end, integ, acc_tab, tq_tab, t_out, y_out, o_out, ph_out,
              phase_start, status)
    sample_metrics(t_out, y_out, o_out, status, m)


@njit(parallel=True, cache=True)
def run_batch(y0, mp, phases, n_phases, end, integ, acc_tab, tq_all, tq_len, table_of_job, out):
    """Run every job (row) in parallel; metrics into ``out`` (jobs x N_METRICS).

    ``phases`` is (jobs, max phases, PH_W) with ``n_phases`` rows used per job; ``tq_all`` holds
    the torque tables (tables, 3, max length) with ``tq_len`` columns used, ``table_of_job`` the
    table of each job.
    """
    for j in prange(y0.shape[0]):
        s = table_of_job[j]
        run_job(y0[j], mp[j], phases[j, : n_phases[j]], end[j], integ[j], acc_tab,
                tq_all[s, :, : tq_len[s]], out[j])
