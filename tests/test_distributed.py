"""Sweeps on a dask.distributed cluster (`sweep(..., executor=...)`): the rows equal a local
run, every row arrives exactly once when a worker is killed mid-sweep, and a missing scheduler,
a worker without legsim or a missing `distributed` give clear errors. Everything runs on a
LocalCluster bound to 127.0.0.1."""
from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")

import dask  # noqa: E402
import pandas as pd  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

from legsim import __version__  # noqa: E402
from legsim.distributed import check_workers, chunk_key, run_on_dask  # noqa: E402
from legsim.sweeps import SweepError, plan_sweep, sweep  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KNEE = ROOT / "scenarios" / "knee_drive.yaml"
# 60 x 50 = 3000 variants: one fast path (initial state) and one generator parameter
PARAMS = {"initial.thigh_angle_deg": "-40:-10:60",
          "actuators.hip_flexors.peak_torque_Nm": "100:300:50"}
N = 3000
CHUNK = 100            # 30 chunks


def _cluster(n_workers=2):
    # no dashboard; the scheduler's HTTP endpoints on a free loopback port (not 8787)
    return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                        host="127.0.0.1", protocol="tcp://", dashboard_address=None,
                        scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})


@pytest.fixture(scope="module")
def local_frame():
    return sweep(KNEE, PARAMS, chunk_size=CHUNK)


@pytest.fixture(scope="module")
def local_csv(tmp_path_factory, local_frame):
    path = tmp_path_factory.mktemp("local") / "rows.csv"
    sweep(KNEE, PARAMS, chunk_size=CHUNK, out=path)
    return path


@pytest.fixture(scope="module")
def client():
    with _cluster() as cluster, Client(cluster, set_as_default=False) as c:
        yield c


@pytest.mark.slow
def test_rows_equal_a_local_run(client, local_frame, local_csv, tmp_path):
    frame = sweep(KNEE, PARAMS, chunk_size=CHUNK, executor=client)
    pd.testing.assert_frame_equal(frame, local_frame, check_exact=True)
    # the streamed file is byte for byte the local one (chunks are written in order)
    out = sweep(KNEE, PARAMS, chunk_size=CHUNK, executor=client, out=tmp_path / "rows.csv")
    assert out.read_bytes() == local_csv.read_bytes()
    assert not Path(str(out) + ".sweep.json").exists()
    # the same sweep sent to the address of the scheduler (a Client is opened and closed)
    frame = sweep(KNEE, PARAMS, chunk_size=CHUNK, executor=client.scheduler.address)
    pd.testing.assert_frame_equal(frame, local_frame, check_exact=True)


@pytest.mark.slow
def test_accept_once_in_order_and_bounded(client, local_frame):
    plan = plan_sweep(KNEE, PARAMS, chunk_size=CHUNK)
    chunks = [7, 2, 11, 0, 29, 5, 8, 9, 10, 3]
    seen, held = [], []

    def accept(chunk, df):
        seen.append(chunk)
        held.append(len(client.futures))       # chunk futures alive in this client + the plan
        start, stop = plan.chunk_range(chunk)
        pd.testing.assert_frame_equal(
            df, local_frame.iloc[start:stop].reset_index(drop=True), check_exact=True)

    run_on_dask(plan, chunks, client, accept, max_pending=3)
    assert seen == chunks
    assert max(held) <= 3 + 1
    # nothing of the sweep is left on the cluster
    time.sleep(0.2)
    assert not [k for k in client.futures if str(k).startswith("legsim-")]
    assert chunk_key(plan, 3) == chunk_key(plan_sweep(KNEE, PARAMS, chunk_size=CHUNK), 3)
    assert chunk_key(plan, 3) != chunk_key(plan_sweep(KNEE, PARAMS, chunk_size=50), 3)


def _sweep_killing_a_worker(client, out=None):
    """Run the sweep and SIGKILL one worker process once 3 chunks have arrived."""
    pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    killed = []

    def progress(done, total, elapsed):
        if not killed and done >= 3 * CHUNK:
            os.kill(victim, signal.SIGKILL)
            killed.append(done)

    result = sweep(KNEE, PARAMS, chunk_size=CHUNK, executor=client, out=out, progress=progress)
    assert killed and killed[0] < N, "the worker was not killed mid-sweep"
    assert victim not in client.run(os.getpid).values()
    return result


@pytest.mark.slow
def test_worker_killed_mid_sweep_every_row_once(local_frame, local_csv, tmp_path):
    with _cluster() as cluster, Client(cluster, set_as_default=False) as c:
        frame = _sweep_killing_a_worker(c)
        assert frame["variant"].tolist() == list(range(N))
        pd.testing.assert_frame_equal(frame, local_frame, check_exact=True)

        c.wait_for_workers(2, timeout=30)          # the nanny restarts the killed worker
        path = _sweep_killing_a_worker(c, out=tmp_path / "rows.csv")
        rows = pd.read_csv(path)
        assert len(rows) == N
        assert rows["variant"].is_unique
        assert sorted(rows["variant"]) == list(range(N))
        assert path.read_bytes() == local_csv.read_bytes()


@pytest.mark.slow
def test_worker_without_legsim_is_named():
    with _cluster(n_workers=1) as cluster, Client(cluster, set_as_default=False) as c:
        # this worker process can no longer import legsim
        c.run(lambda: __import__("sys").modules.__setitem__("legsim", None))
        address = next(iter(c.nthreads()))
        with pytest.raises(SweepError, match=r"legsim not importable") as err:
            sweep(KNEE, PARAMS, chunk_size=CHUNK, executor=c)
        assert address in str(err.value)
        assert 'pip install "legsim[dask]"' in str(err.value)


def test_unreachable_scheduler_fails_fast():
    with socket.socket() as s:                      # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        with pytest.raises(SweepError, match=r"no Dask scheduler answered"):
            sweep(KNEE, PARAMS, chunk_size=CHUNK, executor=f"tcp://127.0.0.1:{port}")
    assert time.perf_counter() - t0 < 20


def test_bad_executor():
    with pytest.raises(SweepError, match=r"executor: found int"):
        sweep(KNEE, PARAMS, chunk_size=CHUNK, executor=42)
    with pytest.raises(SweepError, match=r"empty address"):
        sweep(KNEE, PARAMS, chunk_size=CHUNK, executor=" ")


def test_missing_distributed_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)     # import distributed fails
    with pytest.raises(SweepError, match=r'pip install "legsim\[dask\]"'):
        sweep(KNEE, PARAMS, chunk_size=CHUNK, executor="tcp://127.0.0.1:8786")


def test_nothing_to_do_needs_no_cluster():
    plan = plan_sweep(KNEE, PARAMS, chunk_size=CHUNK)
    run_on_dask(plan, [], "tcp://127.0.0.1:1", lambda c, df: pytest.fail("accepted"))


def test_check_workers():
    def info(host, version=__version__, cpus=8, nthreads=1):
        return {"host": host, "legsim": version, "numba": "x", "numpy": "y", "cpus": cpus,
                "nthreads": nthreads, "error": None}

    # 8 single-thread workers on one 8-core host: 1 numba thread per task; one worker with one
    # thread on another host: all 4 cores
    infos = {f"tcp://a:{i}": info("a") for i in range(8)}
    infos["tcp://b:1"] = info("b", cpus=4)
    assert check_workers(infos, __version__) == {"a": 1, "b": 4}
    assert check_workers({"tcp://c:1": info("c", cpus=16, nthreads=4)}, __version__) == {"c": 4}

    infos["tcp://b:2"] = info("b", version="0.0.1")
    infos["tcp://b:3"] = dict(info("b", version=None), error="ModuleNotFoundError: legsim")
    infos["tcp://b:4"] = OSError("worker went away")
    with pytest.raises(SweepError) as err:
        check_workers(infos, __version__)
    text = str(err.value)
    assert "3 of 12" in text
    assert "tcp://b:2 (legsim 0.0.1)" in text
    assert "tcp://b:3 (legsim not importable: ModuleNotFoundError: legsim)" in text
    assert "tcp://b:4" in text and "tcp://a:0" not in text

    with pytest.warns(UserWarning, match=r"numba x"):
        check_workers({"tcp://a:1": info("a")}, __version__, numba_version="0.68.1")
