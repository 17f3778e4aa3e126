"""Figures of the results folder: produced, right size, not blank, deterministic."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from legsim.result import TRAJECTORY_COLUMNS, StrategyResult

figures = pytest.importorskip("legsim.viz.figures")

GEOMETRY = {"buttock_x_m": -0.06, "buttock_y_m": -0.1, "buttock_radius_m": 0.08,
            "thigh_length_m": 0.44, "shank_length_m": 0.45}
EXPECTED_NAMES = ("angles", "velocities", "torques", "strobe", "heel_path", "signature")
EXPECTED_SHAPE = (round(figures.FIGSIZE_IN[1] * figures.DPI), round(figures.FIGSIZE_IN[0] * figures.DPI))


def synthetic_result(name="knee_drive", duration_s=0.25, thigh_deg=(-25.0, 60.0),
                     knee_peak_deg=120.0, phases=None, completed=True, n=251):
    """A made-up but geometrically consistent recovery with every trajectory column filled."""
    t = np.linspace(0.0, duration_s, n)
    s = 0.5 * (1.0 - np.cos(np.pi * t / duration_s))           # 0 -> 1, smooth
    thigh = thigh_deg[0] + (thigh_deg[1] - thigh_deg[0]) * s
    knee = 35.0 + (knee_peak_deg - 35.0) * np.sin(np.pi * s) ** 2 * 0.9 + 20.0 * s
    shank = thigh - knee
    th, sh = np.radians(thigh), np.radians(shank)
    lt, ls = GEOMETRY["thigh_length_m"], GEOMETRY["shank_length_m"]
    knee_x, knee_y = lt * np.sin(th), -lt * np.cos(th)
    ankle_x, ankle_y = knee_x + ls * np.sin(sh), knee_y - ls * np.cos(sh)
    # foot at 90 deg to the shank: forward direction (cos sh, sin sh)
    fx, fy = np.cos(sh), np.sin(sh)
    ux, uy = np.sin(sh), -np.cos(sh)
    heel_x, heel_y = ankle_x + 0.05 * ux - 0.05 * fx, ankle_y + 0.05 * uy - 0.05 * fy
    toe_x, toe_y = ankle_x + 0.05 * ux + 0.17 * fx, ankle_y + 0.05 * uy + 0.17 * fy
    dist = np.hypot(heel_x - GEOMETRY["buttock_x_m"], heel_y - GEOMETRY["buttock_y_m"]) \
        - GEOMETRY["buttock_radius_m"]
    thigh_vel = np.gradient(thigh, t)
    knee_vel = np.gradient(knee, t)
    hip_active = 180.0 * np.sin(np.pi * s) - 40.0 * s
    knee_active = -30.0 * np.sin(2 * np.pi * s)
    hip_passive = -0.3 * (thigh - 10.0)
    knee_passive = -0.1 * (knee - 60.0)
    cap_scale = 1.0 - 0.3 * s
    traj = {
        "t_s": t,
        "thigh_angle_deg": thigh, "knee_flexion_deg": knee,
        "thigh_velocity_deg_s": thigh_vel, "knee_velocity_deg_s": knee_vel,
        "hip_torque_Nm": hip_active + hip_passive, "knee_torque_Nm": knee_active + knee_passive,
        "heel_x_m": heel_x, "heel_y_m": heel_y, "heel_buttock_distance_m": dist,
        "shank_angle_deg": shank,
        "hip_active_torque_Nm": hip_active, "knee_active_torque_Nm": knee_active,
        "hip_passive_torque_Nm": hip_passive, "knee_passive_torque_Nm": knee_passive,
        "hip_flexor_capacity_Nm": 220.0 * cap_scale, "hip_extensor_capacity_Nm": -260.0 * cap_scale,
        "knee_flexor_capacity_Nm": 110.0 * cap_scale, "knee_extensor_capacity_Nm": -200.0 * cap_scale,
        "hip_flexors_activation": np.clip(s * 3, 0, 1), "hip_extensors_activation": 0.0 * s,
        "knee_flexors_activation": 0.0 * s, "knee_extensors_activation": np.clip(s - 0.7, 0, 1),
        "knee_x_m": knee_x, "knee_y_m": knee_y, "ankle_x_m": ankle_x, "ankle_y_m": ankle_y,
        "toe_x_m": toe_x, "toe_y_m": toe_y,
        "heel_contact_force_N": np.zeros(n), "cord_force_N": np.zeros(n),
        "hip_moment_of_inertia_kgm2": 0.3 + 0.5 * np.cos(np.radians(knee / 2)) ** 2,
        "phase": np.zeros(n, dtype=int),
    }
    assert set(traj) == set(TRAJECTORY_COLUMNS)
    if phases is None:
        phases = [("hip_drive", 0.0, duration_s)]
    for k, (_, start, _end) in enumerate(phases):
        traj["phase"][t >= start] = k
    k_min = int(np.argmin(dist))
    metrics = {"recovery_time_s": duration_s, "completed": completed,
               "min_heel_buttock_distance_m": float(dist[k_min]),
               "thigh_angle_at_min_heel_buttock_distance_deg": float(thigh[k_min])}
    return StrategyResult(name=name, metrics=metrics, trajectory=traj, phases=phases,
                          completed=completed, reason="thigh_angle_deg reached 60" if completed
                          else "max_time_s reached", geometry=dict(GEOMETRY))


@pytest.fixture(scope="module")
def knee_drive():
    return synthetic_result()


@pytest.fixture(scope="module")
def butt_kick():
    return synthetic_result(name="butt_kick", duration_s=0.30, thigh_deg=(-25.0, 60.0),
                            knee_peak_deg=145.0,
                            phases=[("heel_to_buttock", 0.0, 0.12), ("knee_forward", 0.12, 0.30)])


def _load_png(path: Path) -> np.ndarray:
    from matplotlib.image import imread

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return imread(path)


def _check_png(path: Path) -> None:
    img = _load_png(path)
    assert img.shape[:2] == EXPECTED_SHAPE, f"{path.name}: {img.shape[:2]} != {EXPECTED_SHAPE}"
    rgb = img[..., :3]
    assert rgb.std() > 0.05, f"{path.name} looks blank (std {rgb.std():.4f})"
    non_white = np.mean(np.any(rgb < 0.95, axis=-1))
    assert non_white > 0.01, f"{path.name} looks blank ({non_white:.2%} non-white pixels)"


def test_single_strategy_pngs(tmp_path, knee_drive):
    written = figures.write_figures([knee_drive], tmp_path)
    assert written == [tmp_path / f"{n}.png" for n in EXPECTED_NAMES]
    for path in written:
        assert path.is_file()
        _check_png(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.png" for n in EXPECTED_NAMES)


def test_two_strategies_png_and_svg(tmp_path, knee_drive, butt_kick):
    written = figures.write_figures([knee_drive, butt_kick], tmp_path, formats=("png", "svg"),
                                    prefix="cmp_")
    expected = [tmp_path / f"cmp_{n}.{fmt}" for n in EXPECTED_NAMES for fmt in ("png", "svg")]
    assert written == expected
    for path in written:
        assert path.is_file() and path.stat().st_size > 1000
        if path.suffix == ".png":
            _check_png(path)
        else:
            text = path.read_text(encoding="utf-8")
            assert text.lstrip().startswith("<?xml") and "<svg" in text
            assert "<dc:date>" not in text
    # no temporary files left behind
    assert {p.name for p in tmp_path.iterdir()} == {p.name for p in expected}


def test_deterministic_bytes(tmp_path, knee_drive, butt_kick):
    first = figures.write_figures([knee_drive, butt_kick], tmp_path / "a", formats=("png", "svg"))
    second = figures.write_figures([knee_drive, butt_kick], tmp_path / "b", formats=("png", "svg"))
    for a, b in zip(first, second):
        assert a.name == b.name
        assert a.read_bytes() == b.read_bytes(), f"{a.name} differs between two identical calls"
    png = first[0].read_bytes()
    assert b"Software" not in png and b"matplotlib" not in png.lower()


def test_incomplete_and_missing_capacity(tmp_path, knee_drive):
    """A recovery that did not finish, with generator columns all NaN (torque-table replay)."""
    r = synthetic_result(name="torque_table", completed=False)
    for col in ("hip_flexor_capacity_Nm", "hip_extensor_capacity_Nm", "knee_flexor_capacity_Nm",
                "knee_extensor_capacity_Nm", "hip_active_torque_Nm", "knee_active_torque_Nm"):
        r.trajectory[col] = np.full_like(r.trajectory["t_s"], np.nan)
    written = figures.write_figures(r, tmp_path, formats=("png",))  # a lone result is accepted
    assert len(written) == len(EXPECTED_NAMES)
    _check_png(tmp_path / "torques.png")


def test_strobe_frames_include_first_and_last():
    t = np.linspace(0.0, 0.251, 252)
    idx = figures._frame_indices(t, 0.020)
    assert idx[0] == 0 and idx[-1] == len(t) - 1
    assert np.all(np.diff(idx) > 0)
    assert 13 <= len(idx) <= 15


def test_bad_format_is_rejected(tmp_path, knee_drive):
    with pytest.raises(ValueError, match="unsupported figure format"):
        figures.write_figures([knee_drive], tmp_path, formats=("png", "bmp"))
    assert not any(tmp_path.iterdir()), "files written before the bad format was noticed"


def test_import_legsim_does_not_import_matplotlib():
    code = (
        "import sys; import legsim, legsim.result; "
        "assert 'matplotlib' not in sys.modules, 'legsim imported matplotlib'; "
        "import legsim.viz.figures; "
        "assert 'matplotlib.pyplot' not in sys.modules, 'figures imported pyplot'"
    )
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_pdf_on_request_is_deterministic(tmp_path, knee_drive, butt_kick):
    from legsim.viz.figures import FIGURE_NAMES

    a = figures.write_figures([knee_drive, butt_kick], tmp_path / "a", formats=("png", "pdf"))
    b = figures.write_figures([knee_drive, butt_kick], tmp_path / "b", formats=("png", "pdf"))
    pdfs = [p for p in a if p.suffix == ".pdf"]
    assert [p.stem for p in pdfs] == list(FIGURE_NAMES)
    for p in pdfs:
        data = p.read_bytes()
        assert data.startswith(b"%PDF") and len(data) > 5_000
        assert data == (tmp_path / "b" / p.name).read_bytes()
