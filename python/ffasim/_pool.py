"""Runs many scenarios, one worker process each, on a local pool or a Dask cluster.

SystemC elaborates once per process, so every scenario gets a fresh `python -m ffasim._worker`
(ffasim._client.Worker), wherever it runs:

- local pool (the default): `jobs` threads, each waiting on the pipe of its own worker process;
- Dask distributed: each scenario is one task, `run_point`, which starts the worker process on
  the Dask worker's machine. The Dask workers must import this ffasim (the same checkout, with
  PYTHONPATH=python:build/python) and be able to start processes.

A scenario that fails gives an Outcome with a one-line error; the others still run. Used by
ffasim.sweep and `ffasim regress`.
"""
from __future__ import annotations

import os
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Sequence

from ._client import Worker
from .errors import ConfigError, FfasimError
from .scenario import Scenario

DASK_CONNECT_TIMEOUT_S = 10


@dataclass
class Outcome:
    """What one scenario gave: the engine's payload (ffasim._engine.collect), or an error."""
    payload: dict[str, Any] | None = None
    error: str | None = None   # one line

    @property
    def ok(self) -> bool:
        return self.error is None


def one_line(text: Any) -> str:
    lines = [ln.strip() for ln in str(text).strip().splitlines() if ln.strip()]
    return lines[0] if lines else "unknown error"


def run_point(scn: Scenario, spans: bool = False, timeout: float | None = None) -> tuple[str, Any]:
    """Runs one scenario in a fresh worker process: ("ok", payload) or ("err", one line).

    Module-level and exception-free so that it can be a Dask task: a failure is a value, not a
    traceback in the Dask worker's log.
    """
    try:
        w = Worker(timeout=timeout)
    except OSError as e:
        return "err", f"cannot start a simulator process: {e.strerror or e}"
    try:
        return "ok", w.request("run_scenario", scn, spans, None)
    except FfasimError as e:
        return "err", one_line(e)
    except Exception as e:  # a bug: still one line, still only this point
        return "err", one_line(f"{type(e).__name__}: {e}")
    finally:
        w.close()


def progress_bar(total: int, desc: str, enabled: bool, unit: str = "run"):
    """A tqdm bar with ETA on stderr, shown only when asked and stderr is a terminal."""
    from tqdm import tqdm
    show = enabled and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not show,
                dynamic_ncols=True, leave=False)


def default_jobs() -> int:
    return os.cpu_count() or 1


def check_jobs(jobs: int | None) -> int:
    if jobs is None:
        return default_jobs()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ConfigError(f"jobs: expected a positive integer, got {jobs!r}")
    return jobs


def run_all(scenarios: Sequence[Scenario], *, spans: bool = False, jobs: int | None = None,
            cluster: Any = None, timeout: float | None = None, progress: bool = True,
            desc: str = "runs", unit: str = "run") -> list[Outcome]:
    """Runs every scenario (one process each) and returns their Outcomes in the given order."""
    outcomes: list[Outcome | None] = [None] * len(scenarios)
    bar = progress_bar(len(scenarios), desc, progress, unit)
    failed = 0

    def done(i: int, status: str, value: Any) -> None:
        nonlocal failed
        outcomes[i] = Outcome(payload=value) if status == "ok" else Outcome(error=one_line(value))
        if status != "ok":
            failed += 1
            bar.set_postfix_str(f"{failed} failed", refresh=False)
        bar.update(1)

    try:
        if cluster is None:
            _run_local(scenarios, spans, check_jobs(jobs), timeout, done)
        else:
            _run_dask(scenarios, spans, cluster, timeout, done)
    finally:
        bar.close()
    return [o if o is not None else Outcome(error="not run") for o in outcomes]


def _run_local(scenarios, spans, jobs, timeout, done) -> None:
    if not scenarios:
        return
    ex = ThreadPoolExecutor(max_workers=min(jobs, len(scenarios)), thread_name_prefix="ffasim-run")
    futures = {ex.submit(run_point, scn, spans, timeout): i for i, scn in enumerate(scenarios)}
    try:
        for f in as_completed(futures):
            status, value = f.result()
            done(futures[f], status, value)
    except BaseException:
        # Ctrl-C: nothing new starts; the running worker processes got the SIGINT too.
        ex.shutdown(wait=True, cancel_futures=True)
        raise
    ex.shutdown(wait=True)


def dask_client(cluster: Any):
    """(client, owned): a distributed.Client for a scheduler address, a Client, or a cluster
    object (anything with scheduler_address, e.g. LocalCluster). `owned` clients are closed by
    the caller."""
    try:
        import distributed
    except ImportError:
        raise ConfigError("Dask distributed is not installed (Debian package python3-distributed; "
                          "scripts/setup.sh installs it)") from None
    if isinstance(cluster, str):
        try:
            client = distributed.Client(cluster, timeout=f"{DASK_CONNECT_TIMEOUT_S}s",
                                        set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise ConfigError(f"cannot connect to the Dask scheduler at {cluster}: "
                              f"{one_line(e) if str(e) else type(e).__name__}") from None
        return client, True
    if isinstance(cluster, distributed.Client):
        return cluster, False
    if hasattr(cluster, "scheduler_address"):
        return distributed.Client(cluster, set_as_default=False), True
    raise TypeError(f"cluster: expected a Dask scheduler address, a distributed.Client or a "
                    f"cluster object, got {type(cluster).__name__}")


def _run_dask(scenarios, spans, cluster, timeout, done) -> None:
    import distributed
    client, owned = dask_client(cluster)
    try:
        token = uuid.uuid4().hex[:12]
        futures = [client.submit(run_point, scn, spans, timeout, pure=False,
                                 key=f"ffasim-run-{token}-{i}") for i, scn in enumerate(scenarios)]
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for f in distributed.as_completed(futures, loop=client.loop):
                try:
                    status, value = f.result()
                except Exception as e:  # the Dask worker died or the task was lost
                    status, value = "err", f"the Dask task failed: {one_line(e) or type(e).__name__}"
                done(index[f.key], status, value)
                f.release()
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        if owned:
            client.close()
