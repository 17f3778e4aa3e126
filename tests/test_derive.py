"""The sympy derivation, the generated numba module and its independent checks.

The generated equations are checked against two derivations written by hand here, without sympy:
Newton-Euler on free-body diagrams of the thigh and of the shank+foot, and Lagrange's equations
from a hand-written kinetic and potential energy.
"""
from __future__ import annotations

import ast
import hashlib
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from legsim.core import eom_generated, layout
from legsim.model import derive as D

REPO = Path(__file__).resolve().parents[1]
GENERATED = REPO / "legsim" / "core" / "eom_generated.py"
EQUATIONS_MD = REPO / "docs" / "equations.md"

N_SAMPLES = 200


@pytest.fixture(scope="module")
def derivation():
    return D.derive()


# --------------------------------------------------------------------------------------------
# Random test points
# --------------------------------------------------------------------------------------------

def random_params(rng):
    p = np.empty(layout.N_PARAMS)
    p[layout.P_M_THIGH] = rng.uniform(4.0, 15.0)
    p[layout.P_L_THIGH] = rng.uniform(0.3, 0.55)
    p[layout.P_C_THIGH] = rng.uniform(0.3, 0.6) * p[layout.P_L_THIGH]
    p[layout.P_I_THIGH] = rng.uniform(0.03, 0.3)
    p[layout.P_M_SHANK] = rng.uniform(2.0, 7.0)
    p[layout.P_C_SHANK] = rng.uniform(0.15, 0.35)
    p[layout.P_D_SHANK] = rng.uniform(-0.05, 0.05)
    p[layout.P_I_SHANK] = rng.uniform(0.02, 0.15)
    p[layout.P_G] = rng.uniform(9.0, 10.5)
    return p


def random_point(rng):
    """(theta, phi, theta_dot, phi_dot, tau_hip, tau_knee, acc_x, acc_y), p."""
    state = (rng.uniform(-math.pi, math.pi), rng.uniform(-0.5, 2.9),
             rng.uniform(-25.0, 25.0), rng.uniform(-40.0, 40.0))
    inputs = (rng.uniform(-300.0, 300.0), rng.uniform(-200.0, 200.0),
              rng.uniform(-40.0, 40.0), rng.uniform(-40.0, 40.0))
    return state + inputs, random_params(rng)


def generated_M_f(args, p):
    M = np.full((2, 2), np.nan)
    f = np.full(2, np.nan)
    out = eom_generated.mass_matrix_forcing(*args, p, M, f)
    assert out is None
    return M, f


def unpack(p):
    return (p[layout.P_M_THIGH], p[layout.P_L_THIGH], p[layout.P_C_THIGH], p[layout.P_I_THIGH],
            p[layout.P_M_SHANK], p[layout.P_C_SHANK], p[layout.P_D_SHANK], p[layout.P_I_SHANK],
            p[layout.P_G])


def assert_close_rel(actual, expected, rtol, what):
    """|actual - expected| <= rtol * max|expected| (element-wise relative to the largest entry)."""
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    scale = max(np.max(np.abs(expected)), 1e-300)
    err = np.max(np.abs(actual - expected)) / scale
    assert err <= rtol, f"{what}: relative difference {err:.3e} > {rtol:g}\n{actual}\n{expected}"


# --------------------------------------------------------------------------------------------
# Independent derivation 1: Newton-Euler, by hand
# --------------------------------------------------------------------------------------------

def cross2(r, F):
    """z-component of r x F in the plane."""
    return r[0] * F[1] - r[1] * F[0]


def cross2_coeffs(r):
    """Coefficients (of F_x, F_y) of cross2(r, F)."""
    return np.array([-r[1], r[0]])


def newton_euler_accelerations(args, p):
    """(theta_ddot, phi_ddot) from free-body diagrams of the two segments.

    Unknowns: theta_ddot, psi_ddot (shank angle psi = theta - phi), the force F_h of the pelvis
    on the thigh at the hip and the force F_k of the thigh on the shank at the knee (the shank
    pushes back on the thigh with -F_k). Each segment: m a_G = sum of forces (ground-frame
    acceleration, hip acceleration included), I alpha = sum of moments about its centre of mass.
    The hip torque acts on the thigh (+z); the knee torque acts on the shank as -tau_knee (it
    increases phi, i.e. decreases psi) and on the thigh as +tau_knee.
    """
    theta, phi, theta_dot, phi_dot, tau_hip, tau_knee, acc_x, acc_y = args
    m1, l1, c1, I1, m2, c2, d2, I2, g = unpack(p)
    psi, psi_dot = theta - phi, theta_dot - phi_dot

    e_t = np.array([math.sin(theta), -math.cos(theta)])   # hip -> knee
    n_t = np.array([math.cos(theta), math.sin(theta)])    # anterior normal of the thigh
    e_s = np.array([math.sin(psi), -math.cos(psi)])       # knee -> ankle
    n_s = np.array([math.cos(psi), math.sin(psi)])        # anterior normal of the shank
    a_hip = np.array([acc_x, acc_y])
    gvec = np.array([0.0, -g])

    r_hip = np.zeros(2)
    r_g1 = c1 * e_t
    r_knee = l1 * e_t
    r_kg2 = c2 * e_s + d2 * n_s
    r_g2 = r_knee + r_kg2
    perp_kg2 = np.array([-r_kg2[1], r_kg2[0]])            # z x r_kg2

    # accelerations = known part + theta_ddot * (...) + psi_ddot * (...)
    a_g1_known = a_hip - c1 * theta_dot**2 * e_t
    a_g1_th = c1 * n_t
    a_g2_known = a_hip - l1 * theta_dot**2 * e_t - psi_dot**2 * r_kg2
    a_g2_th = l1 * n_t
    a_g2_ps = perp_kg2

    # unknown vector x = [theta_ddot, psi_ddot, Fhx, Fhy, Fkx, Fky]
    A = np.zeros((6, 6))
    b = np.zeros(6)
    # thigh, linear: m1 a_g1 = F_h - F_k + m1 g
    A[0:2, 0] = m1 * a_g1_th
    A[0:2, 2:4] = -np.eye(2)
    A[0:2, 4:6] = np.eye(2)
    b[0:2] = m1 * gvec - m1 * a_g1_known
    # thigh, angular about G1: I1 theta_ddot = tau_hip + tau_knee + (r_hip-r_g1) x F_h + (r_knee-r_g1) x (-F_k)
    A[2, 0] = I1
    A[2, 2:4] = -cross2_coeffs(r_hip - r_g1)
    A[2, 4:6] = cross2_coeffs(r_knee - r_g1)
    b[2] = tau_hip + tau_knee
    # shank, linear: m2 a_g2 = F_k + m2 g
    A[3:5, 0] = m2 * a_g2_th
    A[3:5, 1] = m2 * a_g2_ps
    A[3:5, 4:6] = -np.eye(2)
    b[3:5] = m2 * gvec - m2 * a_g2_known
    # shank, angular about G2: I2 psi_ddot = -tau_knee + (r_knee - r_g2) x F_k
    A[5, 1] = I2
    A[5, 4:6] = -cross2_coeffs(r_knee - r_g2)
    b[5] = -tau_knee

    x = np.linalg.solve(A, b)
    theta_ddot, psi_ddot = x[0], x[1]
    # sanity of the free-body diagram itself: the residual forces balance
    F_h, F_k = x[2:4], x[4:6]
    assert np.allclose(m2 * (a_g2_known + a_g2_th * theta_ddot + a_g2_ps * psi_ddot), F_k + m2 * gvec)
    assert math.isclose(I2 * psi_ddot, -tau_knee + cross2(r_knee - r_g2, F_k), rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(I1 * theta_ddot,
                        tau_hip + tau_knee + cross2(r_hip - r_g1, F_h) + cross2(r_knee - r_g1, -F_k),
                        rel_tol=1e-9, abs_tol=1e-9)
    return np.array([theta_ddot, theta_ddot - psi_ddot])


# --------------------------------------------------------------------------------------------
# Independent derivation 2: Lagrange's equations, by hand
# --------------------------------------------------------------------------------------------

def lagrange_M_f(args, p):
    """M and f from T = 1/2 A th'^2 + 1/2 B psi'^2 + k th' psi', V in the field (a_x, g + a_y).

    A = I1 + m1 c1^2 + m2 l1^2, B = I2 + m2 (c2^2 + d2^2), k = m2 l1 (c2 cos phi + d2 sin phi),
    psi' = th' - phi'. In the translating hip frame the inertial force -m a_hip acts like a
    uniform field, so V = sum m_i (a_x x_i + (g + a_y) y_i).
    """
    theta, phi, theta_dot, phi_dot, tau_hip, tau_knee, acc_x, acc_y = args
    m1, l1, c1, I1, m2, c2, d2, I2, g = unpack(p)
    psi = theta - phi
    A = I1 + m1 * c1**2 + m2 * l1**2
    B = I2 + m2 * (c2**2 + d2**2)
    k = m2 * l1 * (c2 * math.cos(phi) + d2 * math.sin(phi))
    dk = m2 * l1 * (d2 * math.cos(phi) - c2 * math.sin(phi))   # dk/dphi
    M = np.array([[A + B + 2 * k, -(B + k)], [-(B + k), B]])

    G = g + acc_y
    # x2, y2 of the shank CoM and their partial derivatives
    dx2_dth = l1 * math.cos(theta) + c2 * math.cos(psi) - d2 * math.sin(psi)
    dy2_dth = l1 * math.sin(theta) + c2 * math.sin(psi) + d2 * math.cos(psi)
    dx2_dph = -(c2 * math.cos(psi) - d2 * math.sin(psi))
    dy2_dph = -(c2 * math.sin(psi) + d2 * math.cos(psi))
    dV_dth = m1 * c1 * (acc_x * math.cos(theta) + G * math.sin(theta)) + m2 * (acc_x * dx2_dth + G * dy2_dth)
    dV_dph = m2 * (acc_x * dx2_dph + G * dy2_dph)

    # d/dt dT/dq' - dT/dq: velocity-product terms (dT/dtheta = 0, dT/dphi = dk th' psi')
    f = np.array([
        tau_hip - dV_dth - 2 * dk * theta_dot * phi_dot + dk * phi_dot**2,
        tau_knee - dV_dph + dk * theta_dot**2,
    ])
    return M, f


def hand_energy(theta, phi, theta_dot, phi_dot, p):
    """Kinetic + potential energy of the two segments from their CoM velocities, hip fixed."""
    m1, l1, c1, I1, m2, c2, d2, I2, g = unpack(p)
    psi, psi_dot = theta - phi, theta_dot - phi_dot
    # centre-of-mass positions
    x1, y1 = c1 * math.sin(theta), -c1 * math.cos(theta)
    x2 = l1 * math.sin(theta) + c2 * math.sin(psi) + d2 * math.cos(psi)
    y2 = -l1 * math.cos(theta) - c2 * math.cos(psi) + d2 * math.sin(psi)
    # their velocities (time derivatives of the above)
    vx1, vy1 = c1 * math.cos(theta) * theta_dot, c1 * math.sin(theta) * theta_dot
    vx2 = l1 * math.cos(theta) * theta_dot + (c2 * math.cos(psi) - d2 * math.sin(psi)) * psi_dot
    vy2 = l1 * math.sin(theta) * theta_dot + (c2 * math.sin(psi) + d2 * math.cos(psi)) * psi_dot
    T = 0.5 * m1 * (vx1**2 + vy1**2) + 0.5 * I1 * theta_dot**2 + 0.5 * m2 * (vx2**2 + vy2**2) + 0.5 * I2 * psi_dot**2
    V = m1 * g * y1 + m2 * g * y2
    return T + V


# --------------------------------------------------------------------------------------------
# The generated module is what the derivation produces
# --------------------------------------------------------------------------------------------

def test_layout_constants():
    assert (layout.P_M_THIGH, layout.P_L_THIGH, layout.P_C_THIGH, layout.P_I_THIGH, layout.P_M_SHANK,
            layout.P_C_SHANK, layout.P_D_SHANK, layout.P_I_SHANK, layout.P_G, layout.N_PARAMS) == tuple(range(10))


def test_committed_module_is_fresh(derivation):
    ok, message = D.check(derivation=derivation)
    assert ok, message


def test_generation_is_deterministic_and_hashed(derivation):
    text = D.generate_source(derivation)
    assert text == D.generate_source(derivation)
    first, second, body = text.split("\n", 2)
    assert first == "# Generated by legsim.model.derive \u2014 do not edit; regenerate with `legsim derive`"
    assert second == "# source-hash: sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()
    import sympy
    assert sympy.__version__ not in text
    assert "Piecewise" not in text
    assert D.DEFAULT_PATH.resolve() == GENERATED.resolve()


def test_check_reports_a_hand_edited_copy(tmp_path, derivation):
    path = tmp_path / "eom_generated.py"
    text = GENERATED.read_text(encoding="utf-8")
    path.write_text(text.replace("M[1, 1] = ", "M[1, 1] = 1.0 + ", 1), encoding="utf-8")
    ok, message = D.check(path, derivation=derivation)
    assert not ok
    assert "edited after generation" in message and "source-hash" in message
    assert "run `legsim derive`" in message
    assert "M[1, 1] = 1.0 + " in message            # the diff shows the offending line


def test_check_reports_an_out_of_date_copy(tmp_path, derivation):
    # consistent hash, but not what the derivation generates (e.g. derive.py changed since)
    _, body = D.split_generated(GENERATED.read_text(encoding="utf-8"))
    body = body.replace("f[1] = ", "f[1] = 0.5 * tau_knee + ", 1)
    path = tmp_path / "eom_generated.py"
    path.write_text(D._assemble(body), encoding="utf-8")
    ok, message = D.check(path, derivation=derivation)
    assert not ok
    assert "out of date" in message and "run `legsim derive`" in message


def test_check_reports_missing_file_and_header(tmp_path, derivation):
    ok, message = D.check(tmp_path / "nope.py", derivation=derivation)
    assert not ok and "does not exist" in message and "legsim derive" in message
    path = tmp_path / "eom_generated.py"
    path.write_text(GENERATED.read_text(encoding="utf-8").split("\n", 2)[2], encoding="utf-8")
    ok, message = D.check(path, derivation=derivation)
    assert not ok and "no valid generated header" in message


def test_write_then_check(tmp_path, derivation):
    path = D.write(tmp_path / "sub" / "eom.py", derivation=derivation)
    assert path.read_text(encoding="utf-8") == GENERATED.read_text(encoding="utf-8")
    assert D.check(path, derivation=derivation)[0]


# --------------------------------------------------------------------------------------------
# The equations are right (independent derivations)
# --------------------------------------------------------------------------------------------

def test_generated_equations_match_newton_euler():
    rng = np.random.default_rng(20240611)
    for _ in range(N_SAMPLES):
        args, p = random_point(rng)
        M, f = generated_M_f(args, p)
        qdd = np.linalg.solve(M, f)
        assert_close_rel(qdd, newton_euler_accelerations(args, p), 1e-10, f"accelerations at {args}")


def test_generated_M_f_match_hand_lagrangian():
    rng = np.random.default_rng(7)
    for _ in range(N_SAMPLES):
        args, p = random_point(rng)
        M, f = generated_M_f(args, p)
        M_ref, f_ref = lagrange_M_f(args, p)
        assert_close_rel(M, M_ref, 1e-10, "M")
        assert_close_rel(f, f_ref, 1e-10, "f")
        assert M[0, 1] == M[1, 0]


def test_generalised_forces_are_the_joint_torques():
    rng = np.random.default_rng(3)
    args, p = random_point(rng)
    _, f0 = generated_M_f(args[:4] + (0.0, 0.0) + args[6:], p)
    _, f1 = generated_M_f(args[:4] + (2.5, 0.0) + args[6:], p)
    _, f2 = generated_M_f(args[:4] + (0.0, -1.5) + args[6:], p)
    assert np.allclose(f1 - f0, [2.5, 0.0], rtol=0, atol=1e-12)
    assert np.allclose(f2 - f0, [0.0, -1.5], rtol=0, atol=1e-12)


def test_signs_hanging_leg():
    """Straight leg hanging still: no acceleration; pushed forward, gravity pulls it back;
    a forward hip acceleration swings the leg backward; knee flexion torque flexes the knee."""
    p = random_params(np.random.default_rng(11))
    p[layout.P_D_SHANK] = 0.0
    M, f = generated_M_f((0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), p)
    assert np.allclose(np.linalg.solve(M, f), 0.0, atol=1e-12)
    M, f = generated_M_f((0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), p)
    assert np.linalg.solve(M, f)[0] < 0
    M, f = generated_M_f((0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 5.0, 0.0), p)
    assert np.linalg.solve(M, f)[0] < 0
    M, f = generated_M_f((0.0, 0.0, 0.0, 0.0, 0.0, 10.0, 0.0, 0.0), p)
    assert np.linalg.solve(M, f)[1] > 0


def test_mass_matrix_positive_definite():
    rng = np.random.default_rng(5)
    for _ in range(50):
        args, p = random_point(rng)
        M, _ = generated_M_f(args, p)
        assert np.all(np.linalg.eigvalsh(M) > 0)


def test_mechanical_energy_matches_hand_formula():
    rng = np.random.default_rng(13)
    for _ in range(N_SAMPLES):
        args, p = random_point(rng)
        E = eom_generated.mechanical_energy(*args[:4], p)
        E_ref = hand_energy(*args[:4], p)
        scale = abs(E_ref) + 1.0
        assert abs(E - E_ref) <= 1e-10 * scale, (E, E_ref)


def test_power_balance():
    """With the hip fixed, dE/dt along the motion = tau_hip theta_dot + tau_knee phi_dot."""
    rng = np.random.default_rng(17)
    for _ in range(50):
        args, p = random_point(rng)
        args = args[:6] + (0.0, 0.0)
        theta, phi, theta_dot, phi_dot, tau_hip, tau_knee = args[:6]
        M, f = generated_M_f(args, p)
        theta_ddot, phi_ddot = np.linalg.solve(M, f)
        h = 1e-6
        E_plus = eom_generated.mechanical_energy(theta + h * theta_dot, phi + h * phi_dot,
                                                 theta_dot + h * theta_ddot, phi_dot + h * phi_ddot, p)
        E_minus = eom_generated.mechanical_energy(theta - h * theta_dot, phi - h * phi_dot,
                                                  theta_dot - h * theta_ddot, phi_dot - h * phi_ddot, p)
        dE_dt = (E_plus - E_minus) / (2 * h)
        power = tau_hip * theta_dot + tau_knee * phi_dot
        scale = abs(power) + abs(theta_ddot * theta_dot) + abs(phi_ddot * phi_dot) + 1.0
        assert abs(dE_dt - power) <= 1e-5 * scale, (dE_dt, power)


def test_tidied_expressions_equal_kanes_output(derivation):
    """The rewriting of Kane's output (trig simplification, psi, grouping) is an identity."""
    import sympy as sp

    d = derivation
    syms = list(d.states) + list(d.inputs) + list(d.params)
    raw = sp.lambdify(syms, list(d.M_raw) + list(d.f_raw), "math")
    tidy = sp.lambdify(syms, [d.expand_aux(e) for e in list(d.M) + list(d.f)], "math")
    rng = np.random.default_rng(23)
    for _ in range(50):
        args, p = random_point(rng)
        values = list(args) + list(p)
        assert_close_rel(tidy(*values), raw(*values), 1e-12, "tidy vs raw")
        M, f = generated_M_f(args, p)
        assert_close_rel(list(M.ravel()) + list(f), raw(*values), 1e-12, "generated vs raw")


def test_no_piecewise(derivation):
    for e in list(derivation.M) + list(derivation.f) + [derivation.energy]:
        assert not e.has(__import__("sympy").Piecewise)


# --------------------------------------------------------------------------------------------
# The generated module stays light
# --------------------------------------------------------------------------------------------

def test_generated_module_imports_only_math_and_numba():
    text = GENERATED.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s+sympy", text, flags=re.MULTILINE)
    imported = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported |= {f"{node.module}.{a.name}" for a in node.names}
    assert imported == {"math", "numba.njit"}


def test_importing_generated_module_does_not_import_sympy():
    code = ("import sys, legsim.core.eom_generated as g; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sympy' or m == 'legsim.model.derive'))")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_docstring_lists_states_inputs_parameters():
    doc = eom_generated.mass_matrix_forcing.__doc__
    for word in ("theta", "phi", "theta_dot", "phi_dot", "tau_hip", "tau_knee", "acc_x", "acc_y"):
        assert word in doc
    for name in ("P_M_THIGH", "P_L_THIGH", "P_C_THIGH", "P_I_THIGH", "P_M_SHANK", "P_C_SHANK",
                 "P_D_SHANK", "P_I_SHANK", "P_G"):
        assert f"p[{getattr(layout, name)}] {name}" in doc


# --------------------------------------------------------------------------------------------
# LaTeX
# --------------------------------------------------------------------------------------------

def test_latex(derivation):
    text = D.latex(derivation)
    assert text.strip()
    assert r"\ddot{\theta}" in text and r"\ddot{\varphi}" in text
    assert r"\tau_{\mathrm{hip}}" in text and "m_2" in text and "M_{11}" in text
    assert text.count("$$") % 2 == 0 and text.count("$$") >= 2
    assert text == D.latex(derivation)
    assert "$$" not in D.latex(derivation, delimiters=False)


def test_docs_equations_are_current(derivation):
    assert D.latex_in_file(EQUATIONS_MD) == D.latex(derivation), \
        "docs/equations.md is out of date; run `legsim derive --latex docs/equations.md`"


def test_write_latex_replaces_only_the_marked_part(tmp_path, derivation):
    path = tmp_path / "eq.md"
    path.write_text(f"# Title\n\n{D.LATEX_BEGIN}\nold\n{D.LATEX_END}\n\nTail.\n", encoding="utf-8")
    D.write_latex(path, derivation=derivation)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Title\n") and text.endswith("Tail.\n") and "old" not in text
    assert D.latex_in_file(path) == D.latex(derivation)
