"""Stick-figure animation: frames, sizes, layouts, determinism, slow motion, GIF/MP4 output."""
from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import numpy as np
import pytest

PIL_Image = pytest.importorskip("PIL.Image")

import legsim  # noqa: E402
from legsim.viz import animation  # noqa: E402
from legsim.viz.animation import ffmpeg_available, frame_times, write_animation  # noqa: E402

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "compare_techniques.yaml"


@pytest.fixture(scope="module")
def results():
    res = legsim.simulate(str(SCENARIO))
    rs = list(res.strategies.values())
    assert len(rs) == 2
    return rs


@pytest.fixture(scope="module")
def side_gif(results, tmp_path_factory):
    return write_animation(results, tmp_path_factory.mktemp("anim") / "side.gif",
                           progress=False)


def durations(rs):
    return [float(r.trajectory["t_s"][-1] - r.trajectory["t_s"][0]) for r in rs]


def frames_rgb(path, indices=None):
    with PIL_Image.open(path) as im:
        n = im.n_frames
        out = {}
        for k in (range(n) if indices is None else indices):
            im.seek(k)
            out[k] = np.asarray(im.convert("RGB"), dtype=np.int16)
    return out


# --------------------------------------------------------------------------------------------
# the clock


def test_frame_times_common_clock(results):
    t = frame_times(results, slow_motion=10.0, fps=20)
    end = max(durations(results))
    dt = 1.0 / (20 * 10.0)
    assert t[0] == 0.0
    assert t[-1] == pytest.approx(end, abs=1e-12)           # the final frame is the latest end
    assert np.allclose(np.diff(t)[:-1], dt)                   # k / (fps * slow_motion)
    assert 0.0 < t[-1] - t[-2] <= dt + 1e-12
    assert len(t) == int(np.floor(end / dt)) + 2              # 0.3098 s: 62 steps + the end
    assert 40 <= len(t) <= 70


def test_slow_motion_and_fps_scale_the_frame_count(results):
    base = len(frame_times(results, 10.0, 20))
    assert len(frame_times(results, 20.0, 20)) in (2 * base - 2, 2 * base - 1, 2 * base)
    assert len(frame_times(results, 10.0, 40)) in (2 * base - 2, 2 * base - 1, 2 * base)
    assert len(frame_times(results, 5.0, 20)) in (base // 2, base // 2 + 1, base // 2 + 2)
    single = frame_times(results[0], 10.0, 20)                # the knee drive alone is shorter
    assert single[-1] == pytest.approx(durations(results[:1])[0])
    assert len(single) < base


def test_bad_arguments(results, tmp_path):
    with pytest.raises(ValueError, match="slow_motion"):
        frame_times(results, slow_motion=0.0, fps=20)
    with pytest.raises(ValueError, match="fps"):
        frame_times(results, slow_motion=10.0, fps=-1)
    with pytest.raises(ValueError, match="accepted: .gif, .mp4"):
        write_animation(results, tmp_path / "a.avi", progress=False)
    with pytest.raises(ValueError, match="side_by_side, overlay"):
        write_animation(results, tmp_path / "a.gif", layout="grid", progress=False)
    with pytest.raises(ValueError, match="frames"):
        write_animation(results, tmp_path / "a.gif", slow_motion=1000.0, fps=40, progress=False)
    with pytest.raises(ValueError, match="no results"):
        write_animation([], tmp_path / "a.gif", progress=False)
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------------------------
# GIF


def test_side_by_side_gif(results, side_gif):
    assert side_gif.is_file() and side_gif.suffix == ".gif"
    n = len(frame_times(results))
    with PIL_Image.open(side_gif) as im:
        assert im.format == "GIF"
        assert im.n_frames == n
        assert im.size == (1000, 600)                          # 2 panels x 5 in, 6 in, 100 dpi
        assert im.info.get("loop") == 0
        assert im.info.get("duration") == 50                   # 1 / 20 fps
    frames = frames_rgb(side_gif, [0, n // 2, n - 1])
    for k, f in frames.items():
        assert f.std() > 20, f"frame {k} looks blank"
        assert (f == 255).all(axis=-1).mean() > 0.5            # white background, exact colour
    assert np.abs(frames[0] - frames[n - 1]).mean() > 1.0      # the legs moved
    assert np.abs(frames[0] - frames[n // 2]).mean() > 1.0


def test_strategy_colours_are_the_palette(side_gif):
    from matplotlib.colors import to_rgb

    from legsim.viz.figures import colour

    with PIL_Image.open(side_gif) as im:
        im.seek(im.n_frames - 1)
        f = np.asarray(im.convert("RGB"), dtype=np.int16)
    w = f.shape[1]
    for i, half in enumerate((f[:, : w // 2], f[:, w // 2:])):
        rgb = np.round(np.array(to_rgb(colour(i))) * 255).astype(np.int16)
        hits = (np.abs(half - rgb).sum(axis=-1) == 0).sum()
        assert hits > 500, f"strategy {i}: too few pixels of its colour {colour(i)}"


def test_finished_strategy_stays_frozen(results, side_gif):
    """After the knee drive's end its panel no longer changes; the butt kick's still does."""
    t = frame_times(results)
    knee_end = durations(results)[0]
    late = np.flatnonzero(t > knee_end + 0.01)
    assert len(late) >= 4
    k1, k2 = int(late[0]), int(late[-2])
    f = frames_rgb(side_gif, [0, k1, k2])
    top = 60  # below the common clock
    w = f[0].shape[1]
    left = (slice(top, None), slice(0, w // 2 - 20))
    right = (slice(top, None), slice(w // 2 + 20, w))
    assert np.array_equal(f[k1][left], f[k2][left])
    assert not np.array_equal(f[k1][right], f[k2][right])
    assert not np.array_equal(f[0][left], f[k1][left])


def test_overlay_layout(results, tmp_path):
    path = write_animation(results, tmp_path / "overlay.gif", layout="overlay", progress=False)
    n = len(frame_times(results))
    with PIL_Image.open(path) as im:
        assert im.n_frames == n
        assert im.size == (800, 600)
    f = frames_rgb(path, [0, n - 1])
    assert f[0].std() > 20 and f[n - 1].std() > 20
    assert np.abs(f[0] - f[n - 1]).mean() > 1.0


def test_deterministic_bytes(results, side_gif, tmp_path):
    again = write_animation(results, tmp_path / "again.gif", progress=False)
    assert again.read_bytes() == side_gif.read_bytes()


def test_slow_motion_fps_single_result_and_progress(results, tmp_path, capsys):
    r = results[1]
    path = write_animation(r, tmp_path / "one.gif", slow_motion=4.0, fps=10, dpi=40,
                           progress=True)
    n = len(frame_times(r, slow_motion=4.0, fps=10))
    assert n == len(frame_times(results, 4.0, 10))  # the butt kick is the longer one
    with PIL_Image.open(path) as im:
        assert im.n_frames == n
        assert im.size == (8 * 40, 6 * 40)           # one panel: 8 x 6 in
        assert im.info.get("duration") == 100        # 1 / 10 fps
    err = capsys.readouterr().err
    assert "rendering animation" in err and f"{n}/{n} frames" in err
    write_animation(r, tmp_path / "quiet.gif", slow_motion=4.0, fps=10, dpi=40, progress=False)
    assert capsys.readouterr().err == ""


def test_labelled_pairs(results, tmp_path):
    pairs = [("early knee drive", results[0]), ("butt kick", results[1])]
    path = write_animation(pairs, tmp_path / "pairs.gif", slow_motion=2.0, fps=10, dpi=40,
                           progress=False)
    with PIL_Image.open(path) as im:
        assert im.n_frames == len(frame_times(results, 2.0, 10))


# --------------------------------------------------------------------------------------------
# MP4


def test_mp4_without_ffmpeg_says_so(results, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)   # hide the packaged ffmpeg too
    assert not ffmpeg_available()
    with pytest.raises(RuntimeError, match="ffmpeg") as err:
        write_animation(results, tmp_path / "a.mp4", progress=False)
    assert ".gif" in str(err.value)
    assert not (tmp_path / "a.mp4").exists()


@pytest.mark.skipif(not ffmpeg_available(), reason="ffmpeg is not installed")
def test_mp4_with_real_ffmpeg(results, tmp_path):
    path = write_animation(results, tmp_path / "a.mp4", dpi=50, progress=False)
    data = path.read_bytes()
    assert len(data) > 1000 and b"ftyp" in data[:64]
    assert [p.name for p in tmp_path.iterdir()] == ["a.mp4"]


FAKE_FFMPEG = """#!{python}
import sys
args = sys.argv[1:]
if "-encoders" in args:
    sys.exit(0)
data = sys.stdin.buffer.read()
if {fail}:
    sys.stderr.write("fake ffmpeg: encoder exploded\\n")
    sys.exit(3)
with open(args[-1], "w") as fh:
    fh.write(repr({{"args": args, "nbytes": len(data)}}))
"""


def fake_ffmpeg(folder: Path, fail: bool) -> None:
    folder.mkdir()
    exe = folder / "ffmpeg"
    exe.write_text(FAKE_FFMPEG.format(python=sys.executable, fail=fail))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.mark.skipif(os.name != "posix", reason="fake ffmpeg is a POSIX script")
def test_mp4_pipes_raw_rgb_frames_to_ffmpeg(results, tmp_path, monkeypatch):
    fake_ffmpeg(tmp_path / "bin", fail=False)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert ffmpeg_available()
    fps, dpi = 10, 40
    path = write_animation(results, tmp_path / "out" / "a.mp4", fps=fps, dpi=dpi,
                           progress=False)
    info = eval(path.read_text())  # written by the fake ffmpeg above
    args = info["args"]
    w, h = 10 * dpi, 6 * dpi
    assert args[args.index("-f") + 1] == "rawvideo"
    assert args[args.index("-s") + 1] == f"{w}x{h}"
    assert args[args.index("-r") + 1] == str(fps)
    assert "yuv420p" in args and args[args.index("-pix_fmt") + 1] == "rgb24"
    n = len(frame_times(results, fps=fps)) + round(animation.END_HOLD_S * fps)
    assert info["nbytes"] == n * w * h * 3
    assert [p.name for p in path.parent.iterdir()] == ["a.mp4"]   # no temporary left


@pytest.mark.skipif(os.name != "posix", reason="fake ffmpeg is a POSIX script")
def test_mp4_ffmpeg_failure_is_reported(results, tmp_path, monkeypatch):
    fake_ffmpeg(tmp_path / "bin", fail=True)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RuntimeError, match="encoder exploded"):
        write_animation(results, out / "a.mp4", fps=5, dpi=30, progress=False)
    assert list(out.iterdir()) == []
