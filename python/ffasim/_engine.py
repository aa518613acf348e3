"""The process that holds the C++ Stack: build it from a Scenario, collect its results.

SystemC elaborates once per process, so this runs either in the CLI process (`ffasim run`) or in a
worker process (ffasim._worker) on behalf of ffasim.run and ffasim.Simulator.
"""
from __future__ import annotations

import contextlib
import ctypes
import difflib
import os
import sys
from typing import Any

from . import _paths
from .errors import BackendError, ConfigError
from .scenario import Scenario

_backend = None
# Stacks are never destroyed: SystemC elaborates once per process, so a Stack lives as long as its
# process, which ends with os._exit (see _worker and cli) instead of running C++ destructors.
_stacks: list = []


def backend():
    """The _ffasim extension module (imported on first use)."""
    global _backend
    if _backend is None:
        os.environ.setdefault("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1")
        _paths.ensure_extension_on_path()
        try:
            import _ffasim  # noqa: PLC0415
        except ImportError as e:
            raise BackendError(
                f"the _ffasim extension module is not available ({e}); build it with "
                f"'ninja -C {_paths.repo_root() / 'build'} _ffasim' or set FFASIM_BUILD") from None
        _backend = _ffasim
    return _backend


def profile_names() -> list[str]:
    return [r["name"] for r in backend().default_profile()]


def check_overrides(scn: Scenario) -> None:
    """Unknown profile parameters, named with where they came from (file, --set, overrides)."""
    known = set(profile_names())
    for o in scn.overrides:
        if o.name not in known:
            close = difflib.get_close_matches(o.name, sorted(known), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else " (see 'ffasim profile')"
            raise ConfigError(f"{o.where}: {o.path}: unknown profile parameter{hint}")


def build(scn: Scenario, keep_spans: bool = False, keep_trace: bool = False):
    """A booted Stack for the scenario. Configuration mistakes raise ConfigError (one line)."""
    be = backend()
    check_overrides(scn)
    try:
        stack = be.Stack(scn.config(keep_spans=keep_spans, keep_trace=keep_trace))
    except (RuntimeError, ValueError) as e:
        raise ConfigError(_locate(scn, _one_line(e))) from None
    _stacks.append(stack)
    return stack


def _locate(scn: Scenario, msg: str) -> str:
    """Names the scenario key of a model-parameter mistake the Stack reports against a manifest:
    "<manifest>: partition params: <key>: ..." -> "<scenario>: platform.partitions.N.params.<key>: ..."."""
    for i, part in enumerate(scn.platform.get("partitions", ())):
        prefix = f"{part['manifest']}: partition params: "
        if msg.startswith(prefix):
            rest = msg[len(prefix):]
            path = f"platform.partitions.{i}.params.{rest.split(':', 1)[0].strip()}"
            return f"{scn.where(path)}: platform.partitions.{i}.params.{rest}"
    return msg


def _one_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def collect(stack, scn: Scenario, spans: bool = False, parameters: bool = True) -> dict[str, Any]:
    """Everything a Results needs, as plain picklable data."""
    payload: dict[str, Any] = {
        "name": scn.name,
        "source": scn.source,
        "profile": scn.profile_label,
        "seed": scn.seed,
        "pes": scn.pes,
        "overrides": [[o.name, o.value] for o in scn.overrides],
        "clock_hz": stack.clock_hz(),
        "now_ns": stack.now_ns(),
        "components": list(stack.components()),
        "results": stack.results(),
        "errors": list(stack.errors()),
        "driver": stack.driver(),
        "partitions": [list(p) for p in stack.partitions()],
        "spans": stack.spans() if spans else None,
    }
    if parameters:
        payload["parameters"] = {r["name"]: r["value"] for r in stack.profile()}
    return payload


@contextlib.contextmanager
def stdout_to_stderr():
    """Points file descriptor 1 at stderr while the C++ side runs, so that SystemC reports
    (printed to std::cout) cannot mix with a report or JSON on stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        try:
            ctypes.CDLL(None).fflush(None)  # C stdio buffers (std::cout is synced with them)
        except (OSError, AttributeError):
            pass
        os.dup2(saved, 1)
        os.close(saved)


def run_scenario(scn: Scenario, spans: bool = False, trace: str | None = None) -> dict[str, Any]:
    """Builds, runs to completion, writes the trace if asked, and collects."""
    stack = build(scn, keep_spans=spans, keep_trace=trace is not None)
    stack.run()
    if trace is not None:
        try:
            stack.write_trace(trace)
        except RuntimeError as e:
            raise ConfigError(f"--trace: {e}") from None
    return collect(stack, scn, spans=spans)
