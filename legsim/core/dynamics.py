"""Right-hand side of the swing-leg model: kinematics, torque generators, passive structures,
contact, cord and the phase controller. numba only; SI units, radians.

Every physical law used here is stated in docs/model.md (section names are cited in comments).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from .eom_generated import mass_matrix_forcing
from .indices import (
    GEN_ECC, GEN_OPT, GEN_SLOPE, GEN_T0, GEN_W, GEN_WC, GEN_WIDTH, GEN_WMAX,
    HOLD_KD, HOLD_KP, HOLD_MODE, HOLD_NONE, HOLD_TARGET,
    M_ANKLE_DORSI_DEG, M_BUTT_R, M_BUTT_X, M_BUTT_Y, M_CONTACT_C, M_CONTACT_K, M_CORD_AX,
    M_CORD_AY, M_CORD_K, M_CORD_ON, M_CORD_REST, M_CORD_S, M_DAMPING, M_GEN, M_HEEL_ALONG,
    M_HEEL_PERP, M_HIP_HI, M_HIP_LIM_D, M_HIP_LIM_K, M_HIP_LO, M_KNEE_HI, M_KNEE_LO, M_L_SHANK, M_LIM_D, M_LIM_K, M_PASSIVE, M_RIENER,
    M_TAU_ACT, M_TAU_DEACT, M_TOE_ALONG, M_TOE_PERP, M_TORQUE_TABLE,
    O_ANKLE_X, O_ANKLE_Y, O_CAP, O_CONTACT_F, O_CORD_F, O_EXC, O_HEEL_BUTTOCK, O_HEEL_X,
    O_HEEL_Y, O_HIP_ACTIVE, O_HIP_INERTIA, O_HIP_PASSIVE, O_HIP_TORQUE, O_KNEE_ACTIVE,
    O_KNEE_PASSIVE, O_KNEE_TORQUE, O_KNEE_X, O_KNEE_Y, O_TOE_X, O_TOE_Y,
    PH_EXC, PH_HOLD_HIP, PH_HOLD_KNEE,
    Q_SHANK_ANGLE, Q_HEEL_BUTTOCK, Q_KNEE_FLEXION, Q_KNEE_VEL, Q_THIGH_ANGLE, Q_THIGH_VEL,
    Q_TIME, Q_TIME_IN_PHASE,
    S_ACT, S_HEEL_IMPULSE, S_HIP_FLEX_IMPULSE, S_HIP_NEG_WORK, S_HIP_POS_WORK,
    S_KNEE_NEG_WORK, S_KNEE_POS_WORK, S_PHI, S_PHI_DOT, S_THETA, S_THETA_DOT,
)
from .layout import P_C_SHANK, P_C_THIGH, P_D_SHANK, P_I_SHANK, P_I_THIGH, P_L_THIGH, P_M_SHANK, P_M_THIGH

HALF_PI = 0.5 * math.pi
DEG = math.pi / 180.0
#: ramp (rad) over which the damping of the knee's soft limits builds up (docs/model.md "Soft knee limits")
LIMIT_DAMPING_RAMP = 1.0 * DEG


@njit(cache=True)
def table_value(tab, t, row):
    """Linear interpolation of ``tab[row]`` against ``tab[0]`` (times); held constant outside."""
    n = tab.shape[1]
    if n == 1 or t <= tab[0, 0]:
        return tab[row, 0]
    if t >= tab[0, n - 1]:
        return tab[row, n - 1]
    lo, hi = 0, n - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if tab[0, mid] <= t:
            lo = mid
        else:
            hi = mid
    w = (t - tab[0, lo]) / (tab[0, hi] - tab[0, lo])
    return tab[row, lo] + w * (tab[row, hi] - tab[row, lo])


@njit(cache=True)
def point_in_shank(theta, phi, l1, along, perp):
    """Position of a point fixed in the shank+foot body, given by (along, perp) shank coordinates."""
    psi = theta - phi
    sp, cp = math.sin(psi), math.cos(psi)
    x = l1 * math.sin(theta) + along * sp + perp * cp
    y = -l1 * math.cos(theta) - along * cp + perp * sp
    return x, y


@njit(cache=True)
def point_in_shank_velocity(theta, phi, theta_dot, phi_dot, l1, along, perp):
    """Velocity of a point fixed in the shank+foot body."""
    psi = theta - phi
    psi_dot = theta_dot - phi_dot
    sp, cp = math.sin(psi), math.cos(psi)
    vx = l1 * math.cos(theta) * theta_dot + (along * cp - perp * sp) * psi_dot
    vy = l1 * math.sin(theta) * theta_dot + (along * sp + perp * cp) * psi_dot
    return vx, vy


@njit(cache=True)
def heel_buttock_distance(theta, phi, mp):
    """Gap between the heel point and the buttock circle (m); negative = indentation."""
    hx, hy = point_in_shank(theta, phi, mp[P_L_THIGH], mp[M_HEEL_ALONG], mp[M_HEEL_PERP])
    dx = hx - mp[M_BUTT_X]
    dy = hy - mp[M_BUTT_Y]
    return math.sqrt(dx * dx + dy * dy) - mp[M_BUTT_R]


@njit(cache=True)
def hip_moment_of_inertia(phi, mp):
    """Moment of inertia of the whole leg about the hip axis (kg m^2); depends on knee flexion only."""
    l1 = mp[P_L_THIGH]
    # shank+foot CoM relative to the hip with the thigh vertical (theta = 0)
    x, y = point_in_shank(0.0, phi, l1, mp[P_C_SHANK], mp[P_D_SHANK])
    return (mp[P_I_THIGH] + mp[P_M_THIGH] * mp[P_C_THIGH] ** 2
            + mp[P_I_SHANK] + mp[P_M_SHANK] * (x * x + y * y))


@njit(cache=True)
def generator_capacity(mp, g, angle, omega):
    """Full-activation torque (>= 0) of generator ``g`` at joint angle ``angle`` (flexion +, rad)
    and shortening velocity ``omega`` (rad/s, + concentric). docs/model.md "Torque generators"."""
    b = M_GEN + g * GEN_W
    t0 = mp[b + GEN_T0]
    width = mp[b + GEN_WIDTH]
    fa = 1.0
    if width > 0.0:
        x = width * (angle - mp[b + GEN_OPT])
        if x >= HALF_PI or x <= -HALF_PI:
            return 0.0
        fa = math.cos(x)
    wmax = mp[b + GEN_WMAX]
    wc = mp[b + GEN_WC]
    if omega >= 0.0:
        if omega >= wmax:
            return 0.0
        fv = (1.0 - omega / wmax) / (1.0 + omega / wc)
    else:
        # eccentric hyperbola: plateau ecc, slope at 0 = slope ratio x the concentric slope
        ecc = mp[b + GEN_ECC]
        if ecc <= 1.0:
            return t0 * fa
        we = (ecc - 1.0) / (mp[b + GEN_SLOPE] * (1.0 / wmax + 1.0 / wc))
        fv = ecc - (ecc - 1.0) * we / (we - omega)
    return t0 * fa * fv


@njit(cache=True)
def riener_edrich(hip_deg, knee_deg, ankle_dorsi_deg):
    """Passive hip and knee moments (N m, flexion +) of Riener & Edrich (1999), angles in degrees."""
    m_hip = (math.exp(1.4655 - 0.0034 * knee_deg - 0.0750 * hip_deg)
             - math.exp(1.3403 - 0.0226 * knee_deg + 0.0305 * hip_deg) + 8.072)
    m_knee = (math.exp(1.800 + 0.0460 * ankle_dorsi_deg - 0.0352 * knee_deg + 0.0217 * hip_deg)
              - math.exp(-3.971 + 0.0004 * ankle_dorsi_deg + 0.0495 * knee_deg - 0.0128 * hip_deg)
              - 4.820 + math.exp(2.220 - 0.150 * knee_deg))
    return m_hip, m_knee


@njit(cache=True)
def passive_torques(theta, phi, theta_dot, phi_dot, mp):
    """Passive joint torques (hip, knee), N m, flexion +: elastic moments, damping, soft knee limits."""
    if mp[M_PASSIVE] == 0.0:
        return 0.0, 0.0
    th = 0.0
    tk = 0.0
    if mp[M_RIENER] != 0.0:
        th, tk = riener_edrich(theta / DEG, phi / DEG, mp[M_ANKLE_DORSI_DEG])
    th -= mp[M_DAMPING] * theta_dot
    tk -= mp[M_DAMPING] * phi_dot
    th += soft_limit(theta, theta_dot, mp[M_HIP_LO], mp[M_HIP_HI], mp[M_HIP_LIM_K], mp[M_HIP_LIM_D])
    tk += soft_limit(phi, phi_dot, mp[M_KNEE_LO], mp[M_KNEE_HI], mp[M_LIM_K], mp[M_LIM_D])
    return th, tk


@njit(cache=True)
def soft_limit(angle, rate, lo, hi, k, d):
    """Torque of a soft joint limit: linear spring beyond [lo, hi], damping ramped in over the
    first degree of penetration; never pulls the joint into the limit."""
    if angle < lo:
        pen = lo - angle
        return max(k * pen - d * min(pen / LIMIT_DAMPING_RAMP, 1.0) * rate, 0.0)
    if angle > hi:
        pen = angle - hi
        return min(-k * pen - d * min(pen / LIMIT_DAMPING_RAMP, 1.0) * rate, 0.0)
    return 0.0


@njit(cache=True)
def heel_contact(theta, phi, theta_dot, phi_dot, mp):
    """Heel-buttock contact: (force N, generalised force on theta, on phi).

    Hunt-Crossley-type normal force F = k d^1.5 (1 + c d'), d = indentation of the buttock
    circle by the heel point (docs/model.md "Heel-buttock contact")."""
    if mp[M_PASSIVE] == 0.0 or mp[M_CONTACT_K] <= 0.0:
        return 0.0, 0.0, 0.0
    l1 = mp[P_L_THIGH]
    a = mp[M_HEEL_ALONG]
    b = mp[M_HEEL_PERP]
    hx, hy = point_in_shank(theta, phi, l1, a, b)
    dx = hx - mp[M_BUTT_X]
    dy = hy - mp[M_BUTT_Y]
    dist = math.sqrt(dx * dx + dy * dy)
    pen = mp[M_BUTT_R] - dist
    if pen <= 0.0 or dist == 0.0:
        return 0.0, 0.0, 0.0
    nx = dx / dist
    ny = dy / dist
    vx, vy = point_in_shank_velocity(theta, phi, theta_dot, phi_dot, l1, a, b)
    pen_rate = -(vx * nx + vy * ny)
    force = mp[M_CONTACT_K] * pen ** 1.5 * (1.0 + mp[M_CONTACT_C] * pen_rate)
    if force <= 0.0:
        return 0.0, 0.0, 0.0
    # Jacobian of the heel point: d(heel)/d(theta) and d(heel)/d(phi)
    psi = theta - phi
    sp, cp = math.sin(psi), math.cos(psi)
    jpx = a * cp - b * sp          # d/dpsi of the shank part
    jpy = a * sp + b * cp
    jtx = l1 * math.cos(theta) + jpx
    jty = l1 * math.sin(theta) + jpy
    fx = force * nx
    fy = force * ny
    return force, fx * jtx + fy * jty, -(fx * jpx + fy * jpy)


@njit(cache=True)
def cord_force(theta, theta_dot, mp):
    """Elastic cord from a fixed anchor to a point on the thigh: (tension N, generalised force on theta)."""
    if mp[M_CORD_ON] == 0.0:
        return 0.0, 0.0
    s = mp[M_CORD_S]
    px = s * math.sin(theta)
    py = -s * math.cos(theta)
    vx = mp[M_CORD_AX] - px
    vy = mp[M_CORD_AY] - py
    length = math.sqrt(vx * vx + vy * vy)
    stretch = length - mp[M_CORD_REST]
    if stretch <= 0.0 or length == 0.0:
        return 0.0, 0.0
    tension = mp[M_CORD_K] * stretch
    fx = tension * vx / length
    fy = tension * vy / length
    return tension, fx * s * math.cos(theta) + fy * s * math.sin(theta)


@njit(cache=True)
def condition_quantity(q, t, t_phase, y, mp):
    """Value (SI) of a condition quantity at state y."""
    if q == Q_THIGH_ANGLE:
        return y[S_THETA]
    if q == Q_KNEE_FLEXION:
        return y[S_PHI]
    if q == Q_THIGH_VEL:
        return y[S_THETA_DOT]
    if q == Q_KNEE_VEL:
        return y[S_PHI_DOT]
    if q == Q_HEEL_BUTTOCK:
        return heel_buttock_distance(y[S_THETA], y[S_PHI], mp)
    if q == Q_TIME_IN_PHASE:
        return t - t_phase
    if q == Q_TIME:
        return t
    if q == Q_SHANK_ANGLE:
        # psi = theta - phi; the ankle passes in front of the knee (shank pointing down) when
        # psi crosses 0 upwards (psi does not wrap, unlike the sign of x_ankle - x_knee)
        return y[S_THETA] - y[S_PHI]
    return 0.0


@njit(cache=True)
def _hold_excitations(mode_row, base, target, angle, velocity, cap_flex, cap_ext):
    """Excitations (flexor, extensor) delivering a PD torque within the generators' capacity."""
    tau = mode_row[base + HOLD_KP] * (target - angle) - mode_row[base + HOLD_KD] * velocity
    uf = 0.0
    ue = 0.0
    if tau > 0.0:
        uf = 1.0 if cap_flex <= tau else tau / cap_flex
    elif tau < 0.0:
        ue = 1.0 if cap_ext <= -tau else -tau / cap_ext
    return uf, ue


@njit(cache=True)
def rhs(t, y, mp, phase, hold_targets, acc_tab, tq_tab, M, f, dy, out):
    """Time derivative of the state ``y`` into ``dy``; algebraic outputs into ``out``.

    ``phase`` is the current row of the phase table, ``hold_targets`` the resolved hold angles
    (hip, knee) of that phase. ``M`` (2x2) and ``f`` (2) are work arrays.
    """
    theta = y[S_THETA]
    phi = y[S_PHI]
    wt = y[S_THETA_DOT]
    wp = y[S_PHI_DOT]

    # capacities of the four generators (>= 0); shortening velocity sign per generator
    c_hf = generator_capacity(mp, 0, theta, wt)
    c_he = generator_capacity(mp, 1, theta, -wt)
    c_kf = generator_capacity(mp, 2, phi, wp)
    c_ke = generator_capacity(mp, 3, phi, -wp)

    # excitations: the phase's values, replaced by a hold's PD law on a held joint
    u0 = phase[PH_EXC]
    u1 = phase[PH_EXC + 1]
    u2 = phase[PH_EXC + 2]
    u3 = phase[PH_EXC + 3]
    if phase[PH_HOLD_HIP + HOLD_MODE] != HOLD_NONE:
        u0, u1 = _hold_excitations(phase, PH_HOLD_HIP, hold_targets[0], theta, wt, c_hf, c_he)
    if phase[PH_HOLD_KNEE + HOLD_MODE] != HOLD_NONE:
        u2, u3 = _hold_excitations(phase, PH_HOLD_KNEE, hold_targets[1], phi, wp, c_kf, c_ke)

    # first-order activation dynamics (separate activation / deactivation time constants)
    ta = mp[M_TAU_ACT]
    td = mp[M_TAU_DEACT]
    a0 = y[S_ACT]
    a1 = y[S_ACT + 1]
    a2 = y[S_ACT + 2]
    a3 = y[S_ACT + 3]
    dy[S_ACT] = (u0 - a0) / (ta if u0 > a0 else td)
    dy[S_ACT + 1] = (u1 - a1) / (ta if u1 > a1 else td)
    dy[S_ACT + 2] = (u2 - a2) / (ta if u2 > a2 else td)
    dy[S_ACT + 3] = (u3 - a3) / (ta if u3 > a3 else td)

    if mp[M_TORQUE_TABLE] != 0.0:
        hip_active = table_value(tq_tab, t, 1)
        knee_active = table_value(tq_tab, t, 2)
    else:
        hip_active = a0 * c_hf - a1 * c_he
        knee_active = a2 * c_kf - a3 * c_ke

    hip_passive, knee_passive = passive_torques(theta, phi, wt, wp, mp)
    hip_net = hip_active + hip_passive
    knee_net = knee_active + knee_passive

    contact, q_ct, q_cp = heel_contact(theta, phi, wt, wp, mp)
    tension, q_cord = cord_force(theta, wt, mp)

    ax = table_value(acc_tab, t, 1)
    ay = table_value(acc_tab, t, 2)
    mass_matrix_forcing(theta, phi, wt, wp, hip_net + q_ct + q_cord, knee_net + q_cp, ax, ay, mp, M, f)
    det = M[0, 0] * M[1, 1] - M[0, 1] * M[1, 0]
    dy[S_THETA] = wt
    dy[S_PHI] = wp
    dy[S_THETA_DOT] = (M[1, 1] * f[0] - M[0, 1] * f[1]) / det
    dy[S_PHI_DOT] = (M[0, 0] * f[1] - M[1, 0] * f[0]) / det

    # quadrature states for impulses and work (net joint torques)
    dy[S_HIP_FLEX_IMPULSE] = max(hip_net, 0.0)
    p_hip = hip_net * wt
    p_knee = knee_net * wp
    dy[S_HIP_POS_WORK] = max(p_hip, 0.0)
    dy[S_HIP_NEG_WORK] = min(p_hip, 0.0)
    dy[S_KNEE_POS_WORK] = max(p_knee, 0.0)
    dy[S_KNEE_NEG_WORK] = min(p_knee, 0.0)
    dy[S_HEEL_IMPULSE] = contact

    # algebraic outputs
    out[O_HIP_TORQUE] = hip_net
    out[O_KNEE_TORQUE] = knee_net
    out[O_HIP_ACTIVE] = hip_active
    out[O_KNEE_ACTIVE] = knee_active
    out[O_HIP_PASSIVE] = hip_passive
    out[O_KNEE_PASSIVE] = knee_passive
    out[O_CAP] = c_hf
    out[O_CAP + 1] = -c_he
    out[O_CAP + 2] = c_kf
    out[O_CAP + 3] = -c_ke
    out[O_CONTACT_F] = contact
    out[O_CORD_F] = tension
    out[O_EXC] = u0
    out[O_EXC + 1] = u1
    out[O_EXC + 2] = u2
    out[O_EXC + 3] = u3


@njit(cache=True)
def geometry_outputs(y, mp, out):
    """Point positions, heel-buttock gap and hip moment of inertia into ``out`` (samples only)."""
    theta = y[S_THETA]
    phi = y[S_PHI]
    l1 = mp[P_L_THIGH]
    out[O_KNEE_X] = l1 * math.sin(theta)
    out[O_KNEE_Y] = -l1 * math.cos(theta)
    out[O_ANKLE_X], out[O_ANKLE_Y] = point_in_shank(theta, phi, l1, mp[M_L_SHANK], 0.0)
    out[O_HEEL_X], out[O_HEEL_Y] = point_in_shank(theta, phi, l1, mp[M_HEEL_ALONG], mp[M_HEEL_PERP])
    out[O_TOE_X], out[O_TOE_Y] = point_in_shank(theta, phi, l1, mp[M_TOE_ALONG], mp[M_TOE_PERP])
    out[O_HEEL_BUTTOCK] = heel_buttock_distance(theta, phi, mp)
    out[O_HIP_INERTIA] = hip_moment_of_inertia(phi, mp)
