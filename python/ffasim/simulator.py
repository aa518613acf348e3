"""ffasim.run and ffasim.Simulator: the Python API.

Each Simulator (and each run) owns a worker process holding one C++ Stack, because SystemC
elaborates once per process; any number of them can live in one Python process.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping, NamedTuple

from . import scenario as _scenario
from ._client import Worker
from .errors import MemoryAccessError, SimulationError
from .results import Results

MASK64 = (1 << 64) - 1
NWD = 0  # the normal world's endpoint ID
INSNS = ("smc", "hvc", "svc")


def run(scenario: str | Path | Mapping[str, Any] | None = None,
        overrides: Mapping[str, Any] | None = None, *, profile: str | None = None,
        trace: str | Path | None = None, spans: bool = True, verbose: bool = False,
        timeout: float | None = None) -> Results:
    """Runs a scenario to completion in a worker process and returns its Results.

    scenario: a scenario file, a mapping with the same structure, or None (scenarios/default.yaml).
    overrides: {key: value}: profile parameters (core.clock_hz) or scenario paths
      (workload.0.count, nwd.linux_driver); see ffasim.scenario.
    profile: a profile name (scenarios/profiles) or path, replacing the scenario's.
    trace: also write a Perfetto/Chrome JSON trace there.
    spans: keep every call (Results.spans); False saves memory on long runs.
    verbose: show the simulator's stderr. timeout: seconds before the run is stopped
      (default: FFASIM_TIMEOUT, else none).
    """
    scn = _scenario.load(scenario, overrides, profile=profile)
    w = Worker(verbose=verbose, timeout=timeout)
    try:
        payload = w.request("run_scenario", scn, spans,
                            str(Path(trace).resolve()) if trace is not None else None)
    finally:
        w.close()
    return Results(payload)


class Regs(tuple):
    """x0-x17 of a call's result. Index it, or use .x0 ... .x17 and .w0 ... .w17 (low 32 bits)."""

    def __new__(cls, values: Iterable[int]):
        return super().__new__(cls, values)

    def __getattr__(self, name: str) -> int:
        if len(name) >= 2 and name[0] in "xw" and name[1:].isdigit():
            i = int(name[1:])
            if i < len(self):
                return self[i] if name[0] == "x" else self[i] & 0xFFFFFFFF
        raise AttributeError(name)

    def __repr__(self) -> str:
        shown = [f"x{i}={v:#x}" for i, v in enumerate(self) if v or i == 0]
        return f"Regs({', '.join(shown)})"


class MemoryMapEntry(NamedTuple):
    region: str
    base: int
    size: int
    secure: bool
    owner: str   # "" when free

    @property
    def free(self) -> bool:
        return not self.owner

    @property
    def in_use(self) -> bool:
        return bool(self.owner)


class Endpoint:
    """An endpoint the host can drive: the normal world (ID 0) on one PE, or a test SP whose
    vCPU the host holds (after a direct request carrying the test SP's CMD_HOST)."""

    def __init__(self, sim: "Simulator", id: int, pe: int = 0):
        self.sim, self.id, self.pe = sim, id, pe

    def __repr__(self) -> str:
        return f"<ffasim.Endpoint {self.id:#06x} on PE {self.pe}>"

    def call(self, *regs: int, insn: str = "smc") -> Regs | None:
        """Issues one call with x0 = regs[0] ... (missing registers are 0) and runs until it
        returns. Returns x0-x17 as Regs, or None if the endpoint was not resumed before
        everything went idle (its call is still pending, e.g. a direct request to an SP that
        the host now holds)."""
        if len(regs) > 18:
            raise TypeError(f"call() takes at most 18 registers (x0-x17), got {len(regs)}")
        if insn not in INSNS:
            raise ValueError(f"insn: expected one of {', '.join(INSNS)}, got {insn!r}")
        args = [_reg(v, i) for i, v in enumerate(regs)] + [0] * (18 - len(regs))
        ok, out = self.sim._w.request("call", self.id, self.pe, args, insn)
        return Regs(out) if ok else None

    def last_input(self) -> Regs:
        """x0-x17 the endpoint was last resumed with (e.g. the message an SP received)."""
        return Regs(self.sim._stack("last_input", self.id, self.pe))

    @property
    def waiting(self) -> bool:
        """True while the endpoint is parked waiting for host calls."""
        return bool(self.sim._stack("host_waiting", self.id, self.pe))


def _reg(v: Any, i: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"x{i}: expected an int, got {type(v).__name__}")
    if not -(1 << 63) <= v <= MASK64:
        raise ValueError(f"x{i}: {v:#x} does not fit in 64 bits")
    return v & MASK64


class Simulator:
    """A live simulation in its own process.

        sim = ffasim.Simulator()                                  # default platform, booted
        sim = ffasim.Simulator("scenarios/conformance.yaml")      # a scenario file
        sim = ffasim.Simulator(linux_driver=False, overrides={"core.clock_hz": 2.6e9})
        r = sim.endpoint(0).call(0x84000063, 0x10002)              # FFA_VERSION
        sim.write(0x88000000, b"abc"); sim.read(0x88000000, 3)

    platform: None (the default scenario's platform, without its workload), or a scenario file
      or mapping (its platform, profile, normal world and workload are all used).
    profile: a profile name or path replacing the scenario's. overrides: as for ffasim.run.
    linux_driver: overrides nwd.linux_driver (False: no probe at boot, for conformance tests).
    keep_spans / keep_trace: keep every call for results().spans / write_trace().
    verbose: show the simulator's stderr. timeout: seconds any one request may take before the
      simulation is stopped (default: FFASIM_TIMEOUT, else none).
    """

    def __init__(self, platform: str | Path | Mapping[str, Any] | None = None,
                 profile: str | None = None, overrides: Mapping[str, Any] | None = None, *,
                 linux_driver: bool | None = None, keep_spans: bool = False,
                 keep_trace: bool = False, verbose: bool = False, timeout: float | None = None):
        items = list((overrides or {}).items())
        if linux_driver is not None:
            items.append(("nwd.linux_driver", bool(linux_driver)))
        self.scenario = _scenario.load(platform, items, profile=profile,
                                       drop_workload=platform is None)
        self._w = Worker(verbose=verbose, timeout=timeout)
        try:
            info = self._w.request("create", self.scenario, keep_spans, keep_trace)
        except BaseException:
            self._w.close()
            raise
        self.clock_hz: float = info["clock_hz"]
        self.partitions: list[tuple[int, str]] = info["partitions"]
        self.components: list[str] = info["components"]
        self._keep_spans = keep_spans
        self._keep_trace = keep_trace

    # --- lifetime ----------------------------------------------------------------------------
    def close(self) -> None:
        w = getattr(self, "_w", None)
        if w is not None:
            w.close()

    def __enter__(self) -> "Simulator":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"<ffasim.Simulator {self.scenario.name!r}: {self.scenario.pes} PEs>"

    def _stack(self, method: str, *args: Any) -> Any:
        return self._w.request("stack", method, *args)

    # --- driving -----------------------------------------------------------------------------
    def endpoint(self, id: int, pe: int = 0) -> Endpoint:
        """The normal world (0) on PE `pe`, or a partition by its endpoint ID."""
        if id != NWD and id not in {p for p, _ in self.partitions}:
            known = ", ".join(f"{p:#06x} ({n})" for p, n in self.partitions)
            raise SimulationError(f"no endpoint {id:#06x} (the normal world is 0; partitions: {known})")
        if not 0 <= pe < self.scenario.pes:
            raise SimulationError(f"no PE {pe} (the platform has {self.scenario.pes} PEs)")
        return Endpoint(self, id, pe)

    def run(self) -> None:
        """Runs until every PE is idle."""
        self._stack("run")

    @property
    def now_ns(self) -> float:
        return self._stack("now_ns")

    # --- memory ------------------------------------------------------------------------------
    def write(self, pa: int, data: bytes | bytearray | memoryview, secure: bool = False) -> None:
        """Untimed host write to physical memory (Non-secure PA space unless secure)."""
        if not self._stack("write", int(pa), bytes(data), bool(secure)):
            raise MemoryAccessError(f"write of {len(data)} bytes at {pa:#x} ({'S' if secure else 'NS'}): "
                                    f"outside every RAM region")

    def read(self, pa: int, size: int, secure: bool = False) -> bytes:
        """Untimed host read of physical memory."""
        out = self._stack("read", int(pa), int(size), bool(secure))
        if out is None:
            raise MemoryAccessError(f"read of {size} bytes at {pa:#x} ({'S' if secure else 'NS'}): "
                                    f"outside every RAM region")
        return out

    def memory_map(self) -> list[MemoryMapEntry]:
        """Every RAM region split into parts in use (owner set) and free, by (security, base)."""
        return [MemoryMapEntry(r["region"], r["base"], r["size"], r["secure"], r["owner"])
                for r in self._stack("memory_map")]

    # --- observation -------------------------------------------------------------------------
    def errors(self) -> list[str]:
        """Firmware and driver errors so far, one line each."""
        return list(self._stack("errors"))

    def guest_errors(self) -> list[str]:
        """Guest mistakes the firmware reported so far (an SP's stage-2 abort: the SP, the IPA, the
        fault, ESR_EL2 and HPFAR_EL2), one line each. Not model errors."""
        return list(self._stack("guest_errors"))

    def stage2_access(self, endpoint: int, pa: int, secure: bool = False) -> str:
        """What partition `endpoint`'s stage-2 tables give the page at `pa` ("rw-", "---", ...),
        read by walking the descriptors the SPMC wrote (Non-secure IPA space unless secure)."""
        return self._stack("stage2_access", int(endpoint), int(pa), bool(secure))

    @property
    def driver(self) -> dict[str, Any]:
        """What the normal-world driver found (version, own ID, devices, OP-TEE, counters)."""
        return self._stack("driver")

    @property
    def notifications(self) -> dict[str, int]:
        """The SPMC's notification signalling so far: `sri_raised`, `sri_delayed` (SETs that asked
        for a delayed SRI) and `npi_recorded` (notifications set for an SP)."""
        return dict(self._stack("notification_stats"))

    def profile(self):
        """The timing profile in use, as a DataFrame indexed by parameter name."""
        import pandas as pd
        rows = self._stack("profile")
        return pd.DataFrame(rows).set_index("name")

    def results(self) -> Results:
        """Statistics (and spans, if keep_spans) of every call so far."""
        return Results(self._w.request("results", self._keep_spans))

    def write_trace(self, path: str | Path) -> None:
        """Writes the Perfetto/Chrome trace so far (needs keep_trace=True)."""
        if not self._keep_trace:
            raise SimulationError("write_trace needs a Simulator created with keep_trace=True")
        if not self._stack("write_trace", str(Path(path).resolve())):
            raise SimulationError(f"{path}: cannot write the trace (was keep_trace=True given?)")
