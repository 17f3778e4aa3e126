"""Inverse dynamics of the two-segment swing leg, compiled: net joint torques from known angles,
angular velocities and accelerations, joint powers, and positive/negative work over a window.

The torques come from the SAME generated equations the simulator integrates
(`legsim.core.eom_generated.mass_matrix_forcing`). In M(q, p) q'' = f(q, q', tau, a_hip, p) the
joint torques enter f additively as the generalised forces of theta and phi
(f = f0(q, q', a_hip, p) + (tau_hip, tau_knee); docs/equations.md), so

    (tau_hip, tau_knee) = M(q, p) q'' - f0(q, q', a_hip, p),   f0 = f evaluated with tau = 0.

Powers are P_hip = tau_hip * theta', P_knee = tau_knee * phi' (the hip frame does not rotate:
pelvis rotation is neglected, as in the model). See docs/inverse_dynamics.md.

Plain functions over float64 arrays in SI units (radians); no Python objects. Imports only math,
numpy and numba.
"""
import numpy as np
from numba import njit

from .eom_generated import mass_matrix_forcing


@njit(cache=True)
def net_joint_torques(theta, phi, theta_dot, phi_dot, theta_ddot, phi_ddot, acc_x, acc_y, p,
                      hip_torque, knee_torque):
    """Net joint torques of every sample, written into ``hip_torque`` and ``knee_torque``.

    Parameters
    ----------
    theta, phi : (n,) float64
        Thigh angle and knee flexion, rad (signs as in legsim.core.eom_generated).
    theta_dot, phi_dot : (n,) float64
        Their time derivatives, rad/s.
    theta_ddot, phi_ddot : (n,) float64
        Their second time derivatives, rad/s^2.
    acc_x, acc_y : (n,) float64
        Hip joint centre acceleration in the ground frame, m/s^2 (x forward, y up).
    p : (>= 9,) float64
        Parameter vector, first 9 entries as in legsim.core.layout.
    hip_torque, knee_torque : (n,) float64
        Outputs, N m: torque on the thigh from the pelvis and on the shank from the thigh,
        + flexion. Overwritten.

    Notes
    -----
    Two 2-element work arrays are allocated once per call; the loop over samples allocates
    nothing.
    """
    M = np.empty((2, 2))
    f = np.empty(2)
    for i in range(theta.shape[0]):
        mass_matrix_forcing(theta[i], phi[i], theta_dot[i], phi_dot[i], 0.0, 0.0,
                            acc_x[i], acc_y[i], p, M, f)
        hip_torque[i] = M[0, 0] * theta_ddot[i] + M[0, 1] * phi_ddot[i] - f[0]
        knee_torque[i] = M[1, 0] * theta_ddot[i] + M[1, 1] * phi_ddot[i] - f[1]


@njit(cache=True)
def joint_powers(hip_torque, knee_torque, theta_dot, phi_dot, hip_power, knee_power):
    """Joint powers, W: ``hip_power = hip_torque * theta_dot``, ``knee_power = knee_torque *
    phi_dot`` (relative angular velocities; the pelvis does not rotate in the model). Outputs
    are overwritten."""
    for i in range(hip_torque.shape[0]):
        hip_power[i] = hip_torque[i] * theta_dot[i]
        knee_power[i] = knee_torque[i] * phi_dot[i]


@njit(cache=True)
def work_over_window(t, power, start, stop):
    """Positive, negative and net work (J) of ``power`` (W) from sample ``start`` to sample
    ``stop`` (both included), trapezoidal rule.

    The power is taken as linear between samples; an interval where it changes sign is split at
    the zero crossing, so the positive and negative parts are exact for that interpolant and
    their sum equals the plain trapezoidal integral. Returns ``(positive >= 0, negative <= 0,
    net)``.
    """
    positive = 0.0
    negative = 0.0
    for i in range(start, stop):
        dt = t[i + 1] - t[i]
        a = power[i]
        b = power[i + 1]
        if a >= 0.0 and b >= 0.0:
            positive += 0.5 * (a + b) * dt
        elif a <= 0.0 and b <= 0.0:
            negative += 0.5 * (a + b) * dt
        else:
            s = a / (a - b)                 # fraction of the interval before the crossing
            first = 0.5 * a * s * dt
            second = 0.5 * b * (1.0 - s) * dt
            if a > 0.0:
                positive += first
                negative += second
            else:
                negative += first
                positive += second
    return positive, negative, positive + negative
