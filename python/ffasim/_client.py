"""Parent side of a worker process (see ffasim._worker)."""
from __future__ import annotations

import os
import pickle
import select
import signal
import subprocess
import sys
import tempfile
from typing import Any

from . import _paths
from . import errors as _errors
from .errors import SimulationError


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    parts = [str(_paths.PYTHON_DIR)]
    ext = _paths.extension_dir()
    if ext is not None:
        parts.append(str(ext))
    if env.get("PYTHONPATH"):
        parts.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(parts)
    env.setdefault("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1")
    return env


def default_timeout() -> float | None:
    """FFASIM_TIMEOUT (seconds) bounds every request to a worker; unset: no limit."""
    v = os.environ.get("FFASIM_TIMEOUT")
    try:
        return float(v) if v else None
    except ValueError:
        return None


class Worker:
    """One child process running `python -m ffasim._worker`."""

    def __init__(self, verbose: bool = False, timeout: float | None = None):
        self.timeout = timeout if timeout is not None else default_timeout()
        # The child's stderr goes to a temporary file (its tail explains a crash) unless verbose.
        self._log = None if verbose else tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "ffasim._worker"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._log, env=worker_env(), close_fds=True)

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def request(self, op: str, *args: Any) -> Any:
        if self._proc is None:
            raise SimulationError("the simulator has been closed")
        try:
            pickle.dump((op, args), self._proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._proc.stdin.flush()
            if self.timeout is not None:
                # Replies are read whole, so nothing is buffered here between requests.
                ready, _, _ = select.select([self._proc.stdout], [], [], self.timeout)
                if not ready:
                    self._proc.kill()
                    self._proc.wait()
                    self._proc = None
                    raise SimulationError(f"{op}: no answer within {self.timeout:g} s; "
                                          f"the simulator process was stopped")
            reply = pickle.load(self._proc.stdout)
        except (EOFError, BrokenPipeError, pickle.UnpicklingError):
            raise SimulationError(self._death_message()) from None
        if reply[0] == "ok":
            return reply[1]
        _, kind, message = reply
        cls = getattr(_errors, kind, SimulationError)
        raise cls(message)

    def _death_message(self) -> str:
        rc = self._proc.wait()
        how = f"signal {signal.Signals(-rc).name}" if rc < 0 else f"exit status {rc}"
        tail = ""
        if self._log is not None:
            self._log.seek(0)
            lines = [ln.strip() for ln in self._log.read().decode(errors="replace").splitlines()
                     if ln.strip()]
            fatal = [ln for ln in lines if ln.startswith("Fatal Python error")]
            if fatal or lines:
                tail = f": {(fatal or lines)[-1]}"
        self._proc = None
        return f"the simulator process died ({how}){tail}"

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.poll() is None:
                pickle.dump(("close", ()), proc.stdin)
                proc.stdin.flush()
                proc.stdin.close()
                proc.wait(timeout=10)
        except (BrokenPipeError, OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            if proc.stdout:
                proc.stdout.close()
            if self._log is not None:
                self._log.close()
