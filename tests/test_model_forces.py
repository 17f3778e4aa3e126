"""Force elements of the core against independent truths: published passive-moment values,
Anderson et al.'s torque-velocity points, and generalised forces as minus the gradient of
hand-written potentials (finite differences)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from core_cases import model_vector
from legsim.core import indices as ix
from legsim.core.dynamics import (cord_force, generator_capacity, heel_contact, passive_torques,
                                  riener_edrich)
from legsim.model.actuators import ANDERSON_2007, hill_from_anderson, preset_generators


@pytest.mark.parametrize("hip,knee,m_hip,m_knee", [
    (0, 130, 10.7, -16.5), (60, 130, 6.8, -10.0), (90, 120, 4.1, -6.5),
    (90, 0, -51.4, 47.0), (60, 0, -15.7, 26.6)])
def test_riener_edrich_matches_published_evaluation(hip, knee, m_hip, m_knee):
    """references.md §4 evaluates the Riener & Edrich (1999) formulas at these angles."""
    h, k = riener_edrich(hip, knee, 0.0)
    assert h == pytest.approx(m_hip, abs=0.1)
    assert k == pytest.approx(m_knee, abs=0.1)


def test_passive_off_gives_zero():
    mp = model_vector(passive=False)
    assert passive_torques(0.3, 2.0, 1.0, -3.0, mp) == (0.0, 0.0)
    assert heel_contact(0.0, 3.0, 0.0, 5.0, mp) == (0.0, 0.0, 0.0)


def test_knee_limits_push_back_and_are_continuous():
    mp = model_vector()
    mp[ix.M_RIENER] = 0.0
    mp[ix.M_DAMPING] = 0.0
    lo, hi = mp[ix.M_KNEE_LO], mp[ix.M_KNEE_HI]
    assert passive_torques(0.0, lo + 1e-9, 0.0, 0.0, mp)[1] == 0.0
    assert passive_torques(0.0, lo - 0.1, 0.0, 0.0, mp)[1] == pytest.approx(mp[ix.M_LIM_K] * 0.1)
    assert passive_torques(0.0, hi + 0.1, 0.0, 0.0, mp)[1] == pytest.approx(-mp[ix.M_LIM_K] * 0.1)
    # damping ramps in: no jump at the limit even at high speed
    assert abs(passive_torques(0.0, hi + 1e-7, 0.0, 20.0, mp)[1]) < 1e-3
    # the hip's limits act on the thigh angle the same way
    hlo, hhi = mp[ix.M_HIP_LO], mp[ix.M_HIP_HI]
    assert passive_torques(hlo - 0.1, 1.0, 0.0, 0.0, mp)[0] == pytest.approx(mp[ix.M_HIP_LIM_K] * 0.1)
    assert passive_torques(hhi + 0.1, 1.0, 0.0, 0.0, mp)[0] == pytest.approx(-mp[ix.M_HIP_LIM_K] * 0.1)
    assert passive_torques(0.5 * (hlo + hhi), 1.0, 0.0, 0.0, mp)[0] == 0.0


def _gen_mp(block):
    mp = model_vector()
    from legsim.simulation import DEG

    b = ix.M_GEN
    wmax = block["max_velocity_deg_s"] * DEG
    wc = block["curvature_velocity_deg_s"] * DEG
    mp[b + ix.GEN_T0] = block["peak_torque_Nm"]
    mp[b + ix.GEN_OPT] = block["optimal_angle_deg"] * DEG
    mp[b + ix.GEN_WIDTH] = block["angle_width_factor"]
    mp[b + ix.GEN_WMAX] = wmax
    mp[b + ix.GEN_WC] = wc
    mp[b + ix.GEN_ECC] = block["eccentric_ratio"]
    mp[b + ix.GEN_SLOPE] = block["eccentric_slope_ratio"]
    return mp


@pytest.mark.parametrize("gen", ["hip_flexors", "hip_extensors", "knee_flexors", "knee_extensors"])
def test_untrained_generators_reproduce_anderson_points(gen):
    """Peak torque c1 m g h at the optimal angle c3; 75 % and 50 % of it at Anderson's c4 and c5."""
    mass, height = 73.0, 1.741
    block = preset_generators("untrained", "male", mass, height)[gen]
    c1, c2, c3, c4, c5 = ANDERSON_2007["male"][gen]
    mp = _gen_mp(block)
    t0 = c1 * mass * 9.81 * height
    assert generator_capacity(mp, 0, c3, 0.0) == pytest.approx(t0, rel=1e-12)
    assert generator_capacity(mp, 0, c3, c4) == pytest.approx(0.75 * t0, rel=1e-9)
    assert generator_capacity(mp, 0, c3, c5) == pytest.approx(0.50 * t0, rel=1e-9)
    # angle shape: cos(c2 (angle - c3)), zero beyond a quarter period
    assert generator_capacity(mp, 0, c3 + 0.4, 0.0) == pytest.approx(t0 * math.cos(c2 * 0.4))
    assert generator_capacity(mp, 0, c3 + 1.01 * math.pi / (2 * c2), 0.0) == 0.0
    # eccentric branch: continuous at 0, bounded by the plateau, slope ratio as stated
    e = block["eccentric_ratio"]
    assert generator_capacity(mp, 0, c3, -1e-9) == pytest.approx(t0, rel=1e-6)
    assert generator_capacity(mp, 0, c3, -1e4) < e * t0
    assert generator_capacity(mp, 0, c3, -1e4) == pytest.approx(e * t0, rel=1e-2)
    h = 1e-6
    conc = (generator_capacity(mp, 0, c3, h) - t0) / h
    ecc = (generator_capacity(mp, 0, c3, -h) - t0) / (-h)
    assert ecc / conc == pytest.approx(block["eccentric_slope_ratio"], rel=1e-3)


def test_hill_fit_matches_reference_wmax():
    # references.md §5: w_max 8.9 (hip flexion), 6.5 (hip extension), 20.0, 26.6 rad/s
    for gen, wmax in [("hip_flexors", 8.9), ("hip_extensors", 6.5), ("knee_extensors", 20.0),
                      ("knee_flexors", 26.6)]:
        c = ANDERSON_2007["male"][gen]
        assert hill_from_anderson(c[3], c[4])[0] == pytest.approx(wmax, abs=0.06)


def _num_grad(fun, q, h=1e-6):
    g = np.zeros(2)
    for i in range(2):
        dq = np.zeros(2)
        dq[i] = h
        g[i] = (fun(*(q + dq)) - fun(*(q - dq))) / (2 * h)
    return g


def test_cord_generalised_force_is_minus_gradient_of_elastic_energy():
    mp = model_vector()
    mp[ix.M_CORD_ON] = 1.0
    mp[ix.M_CORD_AX], mp[ix.M_CORD_AY] = -1.0, 0.1
    mp[ix.M_CORD_S], mp[ix.M_CORD_K], mp[ix.M_CORD_REST] = 0.3, 150.0, 0.7

    def energy(theta, phi):
        px, py = 0.3 * math.sin(theta), -0.3 * math.cos(theta)
        length = math.hypot(-1.0 - px, 0.1 - py)
        return 0.5 * 150.0 * max(length - 0.7, 0.0) ** 2

    for theta in (-0.4, 0.2, 0.9):
        tension, q = cord_force(theta, 0.0, mp)
        assert tension > 0
        assert q == pytest.approx(-_num_grad(energy, np.array([theta, 0.5]))[0], rel=1e-6)


def test_heel_contact_generalised_force_is_minus_gradient_of_contact_energy():
    mp = model_vector()
    mp[ix.M_CONTACT_C] = 0.0   # elastic only: F = k d^1.5, potential k d^2.5 / 2.5
    k = mp[ix.M_CONTACT_K]
    a, b, l1 = mp[ix.M_HEEL_ALONG], mp[ix.M_HEEL_PERP], mp[1]
    r = mp[ix.M_BUTT_R]
    # put the buttock circle where the heel is at theta = 0, phi = 150 deg, shifted up-back
    psi0 = -math.radians(150)
    hx0 = a * math.sin(psi0) + b * math.cos(psi0)
    hy0 = -l1 - a * math.cos(psi0) + b * math.sin(psi0)
    bx, by = hx0 - 0.6 * r, hy0 + 0.6 * r
    mp[ix.M_BUTT_X], mp[ix.M_BUTT_Y] = bx, by

    def heel(theta, phi):
        psi = theta - phi
        return (l1 * math.sin(theta) + a * math.sin(psi) + b * math.cos(psi),
                -l1 * math.cos(theta) - a * math.cos(psi) + b * math.sin(psi))

    def energy(theta, phi):
        hx, hy = heel(theta, phi)
        d = r - math.hypot(hx - bx, hy - by)
        return k * max(d, 0.0) ** 2.5 / 2.5

    # find states with indentation: thigh near vertical, knee deeply flexed
    found = 0
    for theta in np.radians([-10, 0, 10, 20]):
        for phi in np.radians(np.arange(120, 180, 1.0)):
            force, qt, qp = heel_contact(theta, phi, 0.0, 0.0, mp)
            if force > 5.0:
                g = _num_grad(energy, np.array([theta, phi]))
                assert qt == pytest.approx(-g[0], rel=1e-5)
                assert qp == pytest.approx(-g[1], rel=1e-5)
                found += 1
                break
    assert found >= 2
