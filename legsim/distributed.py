"""Run the chunks of a sweep on a `dask.distributed` cluster (``sweep(..., executor=...)``,
``legsim sweep ... --dask ADDRESS``).

Every chunk becomes one task that runs `legsim.sweeps.run_chunk` — the same batch kernel as a
local sweep — on a worker; the rows come back to the calling process, which hands each
finished chunk to ``accept(chunk, frame)`` exactly once and in chunk order, so the returned
frame and a streamed output file are the same as those of a local run.

Dask is an optional extra (``pip install "legsim[dask]"``); nothing here imports it until a
sweep is sent to a cluster. See docs/distributed.md for running a real cluster.

Robustness:

- task keys are derived from the legsim version, the sweep specification hash and the chunk
  number, so submitting the same chunk twice (a retry, a second client, a resumed sweep on the
  same cluster) is deduplicated by the scheduler;
- when a worker dies, the scheduler reruns its tasks (also finished ones whose rows had not
  yet been fetched) on the other workers; an exception inside a task is retried ``retries``
  times; a chunk that keeps killing workers stops the sweep with a `SweepError`;
- at most ``max_pending`` chunks (default: twice the cluster's worker threads, at least 4) are
  submitted and not yet accepted, so neither the client nor the cluster holds every result;
- before anything runs, every connected worker is asked for its legsim version (a worker
  without legsim or with another version stops the sweep with a `SweepError`).
"""
from __future__ import annotations

import threading
import warnings
from collections import deque

from .sweeps import SweepError, run_chunk

#: Times a task that raised is retried (a worker that dies is handled by the scheduler).
DEFAULT_RETRIES = 2

_INSTALL_HINT = 'pip install "legsim[dask]" on this machine and on every worker'

# serialises the kernel inside one worker process when numba's threading layer is not
# threadsafe (workqueue aborts the process if two threads launch parallel kernels at once)
_KERNEL_LOCK = threading.Lock()


# ---------------------------------------------------------------------------------------------
# code that runs on the workers
# ---------------------------------------------------------------------------------------------

def _identity(x):
    return x


def _kernel_threadsafe() -> bool:
    """True when numba's threading layer is known and may be entered by several threads."""
    import numba

    try:
        return numba.threading_layer() != "workqueue"
    except ValueError:          # no parallel kernel has run in this process yet: be careful
        return False


def _numba_threads_here(threads) -> int | None:
    """Numba threads for one task on this worker: ``threads`` is an int, None, or a mapping
    host name -> int computed by the client (the host's cores shared among the worker threads
    of that host); a host it does not know (a worker that joined later) shares its cores among
    this worker's threads."""
    if threads is None or isinstance(threads, int):
        return threads
    import socket

    host = socket.gethostname()
    if host in threads:
        return threads[host]
    return max(1, _cpus() // max(1, _worker_nthreads()))


def _cpus() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _worker_nthreads() -> int:
    try:
        from distributed import get_worker

        return int(get_worker().state.nthreads)
    except Exception:            # not inside a worker (or an older layout): assume one thread
        return 1


def _run_chunk_task(plan, chunk, threads):
    """One task: simulate chunk ``chunk`` of ``plan`` on this worker."""
    n = _numba_threads_here(threads)
    if _worker_nthreads() > 1 and not _kernel_threadsafe():
        with _KERNEL_LOCK:
            return run_chunk(plan, chunk, n)
    return run_chunk(plan, chunk, n)


def _make_probe():
    # Defined inside a function so that cloudpickle sends the code itself (not a reference to
    # legsim.distributed): the probe must run on a worker that cannot import legsim at all.
    def legsim_probe(dask_worker=None):
        import os
        import socket

        info = {"host": socket.gethostname(), "legsim": None, "numba": None, "numpy": None,
                "error": None}
        try:
            info["cpus"] = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            info["cpus"] = os.cpu_count() or 1
        try:
            info["nthreads"] = int(dask_worker.state.nthreads)
        except Exception:
            info["nthreads"] = int(getattr(dask_worker, "nthreads", 1) or 1)
        try:
            import legsim

            info["legsim"] = legsim.__version__
        except Exception as exc:
            info["error"] = f"{type(exc).__name__}: {exc}"
        for name in ("numba", "numpy"):
            try:
                info[name] = __import__(name).__version__
            except Exception:
                pass
        return info

    return legsim_probe


# ---------------------------------------------------------------------------------------------
# the client side
# ---------------------------------------------------------------------------------------------

def _import_distributed():
    try:
        import distributed
    except ImportError as exc:
        raise SweepError(f"running a sweep on a Dask cluster needs dask.distributed ({exc}); "
                         f"accepted: {_INSTALL_HINT}, or no executor to run on this machine"
                         ) from None
    return distributed


def connect(executor):
    """(client, owned): a `distributed.Client` for ``executor`` — a Client (used as is), a
    scheduler address such as ``"tcp://10.0.0.5:8786"`` or a cluster object (a Client is
    opened and ``owned`` is True: the caller closes it). The connect timeout is Dask's
    ``distributed.comm.timeouts.connect`` (30 s unless configured)."""
    distributed = _import_distributed()
    if isinstance(executor, distributed.Client):
        if executor.asynchronous:
            raise SweepError("executor: found an asynchronous Client; accepted: a synchronous "
                             "distributed.Client or a scheduler address")
        if executor.status not in ("running", "connecting", "newly-created"):
            raise SweepError(f"executor: the Client is {executor.status!r}; accepted: a running "
                             "distributed.Client or a scheduler address")
        return executor, False
    if isinstance(executor, str):
        if not executor.strip():
            raise SweepError("--dask: found an empty address; accepted: a scheduler address "
                             "such as tcp://HOST:8786")
        target = executor.strip()
    elif hasattr(executor, "scheduler_address"):       # LocalCluster, SSHCluster, ...
        target = executor
    else:
        raise SweepError(f"executor: found {type(executor).__name__}; accepted: None, a "
                         "distributed.Client or a scheduler address such as tcp://HOST:8786")
    import dask

    timeout = dask.config.get("distributed.comm.timeouts.connect")
    name = target if isinstance(target, str) else target.scheduler_address
    try:
        client = distributed.Client(target, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SweepError(f"--dask {name}: no Dask scheduler answered within {timeout} ({exc}); "
                         "accepted: the address of a running scheduler (dask scheduler prints "
                         "it), reachable from this machine") from None
    except ValueError as exc:
        raise SweepError(f"--dask {name}: {exc}; accepted: a scheduler address such as "
                         "tcp://HOST:8786") from None
    return client, True


def check_workers(infos: dict, version: str | None = None, numba_version: str | None = None,
                  numpy_version: str | None = None) -> dict:
    """Check the probe answers of the workers (address -> dict, or an exception) against this
    process: every worker must import legsim of the same version (else `SweepError` naming
    the workers). Differing numba/numpy versions only warn: the rows may differ in the last
    digits. Returns host name -> numba threads per task (the host's cores shared among all
    worker threads on that host)."""
    if version is None:
        from . import __version__ as version
    bad = []
    for addr, info in sorted(infos.items()):
        if isinstance(info, BaseException) or not isinstance(info, dict):
            bad.append(f"{addr} (the check failed: {info!r})")
        elif info.get("legsim") is None:
            bad.append(f"{addr} (legsim not importable: {info.get('error')})")
        elif info["legsim"] != version:
            bad.append(f"{addr} (legsim {info['legsim']})")
    if bad:
        raise SweepError(f"{len(bad)} of {len(infos)} Dask worker(s) cannot run this sweep: "
                         + "; ".join(bad) + f"; accepted: legsim {version} (the version here) on every "
                         f"worker: {_INSTALL_HINT}")
    for lib, mine in (("numba", numba_version), ("numpy", numpy_version)):
        if mine is None:
            continue
        other = sorted({f"{lib} {info[lib]}" for info in infos.values() if info.get(lib) != mine})
        if other:
            warnings.warn(f"Dask workers run {', '.join(other)}, this process {lib} {mine}: "
                          "rows may differ from a local run in the last digits", stacklevel=3)
    hosts: dict = {}
    for info in infos.values():
        cpus, threads = hosts.get(info["host"], (0, 0))
        hosts[info["host"]] = (max(cpus, int(info.get("cpus") or 1)),
                               threads + max(1, int(info.get("nthreads") or 1)))
    return {host: max(1, cpus // threads) for host, (cpus, threads) in hosts.items()}


def _local_versions():
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for lib in ("numba", "numpy"):
        try:
            out.append(version(lib))
        except PackageNotFoundError:
            out.append(None)
    return out


def chunk_key(plan, chunk: int) -> str:
    """The Dask key of a chunk: the same sweep, legsim version and chunk give the same key."""
    from . import __version__

    return f"legsim-chunk-{__version__}-{plan.spec_hash()[:16]}-{chunk}"


def run_on_dask(plan, chunks, executor, accept, *, threads=None, max_pending: int | None = None,
                retries: int = DEFAULT_RETRIES, worker_timeout: float = 60.0,
                check_versions: bool = True) -> None:
    """Run ``chunks`` of ``plan`` on a Dask cluster and call ``accept(chunk, frame)`` for each,
    exactly once, in the order of ``chunks``, in this process.

    executor : a synchronous `distributed.Client` (left open), a scheduler address such as
        ``"tcp://HOST:8786"`` or a cluster object (a Client is opened and closed here)
    threads : numba threads per task; None shares each host's cores among the worker threads
        on that host (``--nthreads 1`` workers, one per core: 1 thread each; one worker per
        machine with ``--nthreads 1``: all its cores)
    max_pending : most chunks submitted and not yet accepted (default: twice the cluster's
        worker threads, at least 4); bounds the memory of the client and of the workers
    retries : reruns of a task that raised an exception (a lost worker's tasks are rerun by
        the scheduler anyway, up to ``distributed.scheduler.allowed-failures`` times)
    worker_timeout : seconds to wait for a first worker when the cluster has none
    """
    chunks = list(chunks)
    if not chunks:
        return
    distributed = _import_distributed()
    client, owned = connect(executor)
    futures: dict = {}               # chunk -> future, submitted and not yet arrived
    try:
        if not client.nthreads():
            try:
                client.wait_for_workers(1, timeout=worker_timeout)
            except (TimeoutError, OSError):
                raise SweepError(f"the Dask scheduler {client.scheduler.address} has no workers "
                                 f"(waited {worker_timeout:g} s); accepted: a cluster with at "
                                 "least one worker (dask worker SCHEDULER_ADDRESS)") from None
        host_threads = None
        if check_versions:
            infos = client.run(_make_probe(), on_error="return")
            host_threads = check_workers(infos, None, *_local_versions())
        numba_threads = threads if threads is not None else host_threads

        tag = f"{plan.spec_hash()[:16]}"
        plan_future = client.submit(_identity, plan, key=f"legsim-plan-{tag}", pure=False)
        key_chunk = {chunk_key(plan, c): c for c in chunks}
        todo = deque(chunks)
        order = list(chunks)
        arrived: dict = {}           # chunk -> frame, arrived ahead of an earlier chunk
        accepted: set = set()
        next_pos = 0
        done = distributed.as_completed(loop=client.loop, with_results=True,
                                          raise_errors=False)

        def limit():
            if max_pending is not None:
                return max(1, int(max_pending))
            return max(4, 2 * sum(client.nthreads().values()))

        def fill():
            room = limit() - len(futures) - len(arrived)
            while todo and room > 0:
                c = todo.popleft()
                fut = client.submit(_run_chunk_task, plan_future, c, numba_threads,
                                    key=chunk_key(plan, c), retries=retries)
                futures[c] = fut
                done.add(fut)
                room -= 1

        fill()
        for fut, result in done:
            c = key_chunk.get(fut.key)
            if c is None or c in accepted or c in arrived or c not in futures:
                continue                    # a duplicate arrival: ignored
            if fut.status != "finished":
                exc = fut.exception() if fut.status == "error" else result
                if not isinstance(exc, BaseException):
                    exc = RuntimeError(f"the task ended as {fut.status!r}")
                start, stop = plan.chunk_range(c)
                if type(exc).__name__ == "KilledWorker":
                    raise SweepError(f"chunk {c} (variants {start}-{stop - 1}) was running on "
                                     "workers that died each time it was tried "
                                     f"({exc}); the other chunks are fine: rerun with --out to "
                                     "resume, perhaps with a smaller --chunk-size") from None
                raise SweepError(f"chunk {c} (variants {start}-{stop - 1}) failed on a Dask "
                                 f"worker: {type(exc).__name__}: {exc}") from exc
            start, stop = plan.chunk_range(c)
            if len(result) != stop - start:
                raise SweepError(f"chunk {c}: a worker returned {len(result)} rows; expected "
                                 f"{stop - start}")
            del futures[c]                  # release the task's result on the cluster
            fut = None
            arrived[c] = result
            result = None
            while next_pos < len(order) and order[next_pos] in arrived:
                c = order[next_pos]
                accept(c, arrived.pop(c))
                accepted.add(c)
                next_pos += 1
            fill()
        if len(accepted) != len(set(chunks)):
            missing = sorted(set(chunks) - accepted)
            raise SweepError(f"the Dask cluster returned no rows for chunk(s) {missing[:10]}")
    except BaseException:
        if futures and client.status == "running":
            try:
                client.cancel(list(futures.values()))
            except Exception:
                pass
        raise
    finally:
        futures.clear()
        if owned:
            client.close()
