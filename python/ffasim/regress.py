"""ABI timing regression: the suite, its baseline file and the comparison (`ffasim regress`).

Each case of SUITE is one measured thread: a workload item run `count` times (default 1000, as
TF-A's latency tests do) on PE 1 of a quiet platform (scenarios/regress.yaml: the Linux drivers
probe on PE 0, then PE 1 runs alone). From that PE's calls of the case's ABI (caller nwd, and the
case's callee) it records count, min, average and max latency in ns, and the average ns spent in
each component (the per-hop breakdown). Cases with the same workload share one run; runs go one
process each on the local pool (ffasim._pool).

Runs are deterministic, so the comparison with the baseline is exact unless a tolerance is given.
The baseline file is JSON with sorted keys: the count, scenario, profile and overrides it was made
with (a comparison reuses them), the profile's parameter values (to name what changed when timing
drifts) and one entry per case.

Adding a case is one line in SUITE. The workload kind must exist in scenario.WORKLOAD_KINDS (and
in the normal-world model, models/nwd_driver/nwd_kernel.h). FFA_MEM_SHARE is pending: its line
is below, commented out, until the model has the workload kind.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from . import _engine, _paths, _pool
from . import scenario as _scenario
from .errors import BackendError, ConfigError, SimulationError
from .results import clean, short_component

FORMAT = 1
DEFAULT_COUNT = 1000
DEFAULT_SCENARIO = "scenarios/regress.yaml"   # relative to the repository root
MEASURED_PE = 1
STATS = ("count", "min_ns", "avg_ns", "max_ns")


@dataclass(frozen=True)
class Case:
    """One line of the suite.

    name: the case's key in the baseline and its ABI column in a diff.
    workload: one workload item without pes and count (see scenario.WORKLOAD_KINDS).
    abi: the call or operation measured, as the statistics name it ("FFA_VERSION",
      "optee.invoke"); an SMC32-only FF-A name also matches its "_32" spelling.
    callee: the callee's short component name ("sp:8002"), or None for any.
    """
    name: str
    workload: Mapping[str, Any]
    abi: str
    callee: str | None = None


_OPTEE_INVOKE = {"kind": "optee_invoke", "func": 1, "session": 1}   # TA command 1: 1 RPC
_ECHO_32 = {"kind": "direct_echo", "target": 0x8002}
_ECHO_64 = {"kind": "direct_echo", "target": 0x8002, "smc64": 1}
# The test SP sets notification 1 for the kernel (delayed SRI, as OP-TEE does); the SRI handler
# runs INFO_GET and GET.
_NOTIF_SET_GET = {"kind": "notification_set_get", "target": 0x8002, "id": 1, "delay_sri": 1}
_SHARE_4K = {"kind": "mem_share", "target": 0x8002, "pages": 1}

SUITE: tuple[Case, ...] = (
    Case("FFA_VERSION", {"kind": "ffa_version"}, "FFA_VERSION"),
    Case("PSCI_VERSION", {"kind": "psci_version"}, "PSCI_VERSION"),
    Case("FFA_MSG_SEND_DIRECT_REQ_32 echo sp:8002", _ECHO_32, "FFA_MSG_SEND_DIRECT_REQ_32", "sp:8002"),
    Case("FFA_MSG_SEND_DIRECT_REQ_64 echo sp:8002", _ECHO_64, "FFA_MSG_SEND_DIRECT_REQ_64", "sp:8002"),
    Case("optee.invoke sp:8001", _OPTEE_INVOKE, "optee.invoke", "sp:8001"),
    Case("FFA_MSG_SEND_DIRECT_REQ_32 optee.invoke sp:8001", _OPTEE_INVOKE,
         "FFA_MSG_SEND_DIRECT_REQ_32", "sp:8001"),
    Case("notification.set_get sp:8002", _NOTIF_SET_GET, "notification.set_get", "sp:8002"),
    Case("FFA_NOTIFICATION_INFO_GET_64 set_get", _NOTIF_SET_GET, "FFA_NOTIFICATION_INFO_GET_64"),
    Case("FFA_NOTIFICATION_GET set_get", _NOTIF_SET_GET, "FFA_NOTIFICATION_GET"),
    # One page shared with the test SP, which retrieves and relinquishes it; reclaimed after.
    Case("FFA_MEM_SHARE_32 4 KiB sp:8002", _SHARE_4K, "FFA_MEM_SHARE_32"),
    Case("FFA_MEM_RECLAIM 4 KiB sp:8002", _SHARE_4K, "FFA_MEM_RECLAIM"),
)


# --------------------------------------------------------------------------------------------
# Settings and measurement


@dataclass
class Settings:
    """What a measurement is made with; a baseline records it and a comparison reuses it."""
    count: int = DEFAULT_COUNT
    scenario: str = DEFAULT_SCENARIO     # as recorded: relative to the repository when inside it
    profile: str = ""                    # "" = the scenario's own; else a name or recorded path
    overrides: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def combine(cls, baseline: Mapping[str, Any] | None, count: int | None = None,
                scenario: str | None = None, profile: str | None = None,
                sets: Iterable[tuple[str, Any]] = ()) -> "Settings":
        """The baseline's settings (or the defaults), replaced by what the user gave. --set
        values add to the baseline's overrides."""
        s = cls()
        if baseline is not None:
            s.count = int(baseline.get("count", DEFAULT_COUNT))
            s.scenario = baseline.get("scenario", DEFAULT_SCENARIO)
            s.profile = baseline.get("profile", "") or ""
            s.overrides = dict(baseline.get("overrides", {}))
        if count is not None:
            s.count = count
        if scenario is not None:
            s.scenario = record_path(Path(scenario).resolve())
        if profile is not None:
            s.profile = profile if not _is_path(profile) else record_path(Path(profile).resolve())
        for k, v in sets:
            if k == "workload" or k.startswith("workload."):
                raise ConfigError(f"--set: {k}: the regression suite defines the workload "
                                  f"(use --count for the number of calls)")
            s.overrides[k] = v
        if isinstance(s.count, bool) or not isinstance(s.count, int) or s.count < 1:
            raise ConfigError(f"--count: expected a positive integer, got {s.count!r}")
        return s


def _is_path(profile: str) -> bool:
    return "/" in profile or profile.endswith((".yaml", ".yml"))


def record_path(p: Path) -> str:
    """A path as a baseline records it: relative to the repository root when inside it."""
    try:
        return p.resolve().relative_to(_paths.repo_root().resolve()).as_posix()
    except ValueError:
        return str(p)


def _resolve_recorded(p: str) -> str:
    q = Path(p)
    return str(q if q.is_absolute() else _paths.repo_root() / q)


@dataclass
class Measurement:
    data: dict[str, Any]                   # the baseline file's content
    errors: list[str] = field(default_factory=list)   # firmware/driver errors, one line each


def measure(settings: Settings | None = None, *, jobs: int | None = None, progress: bool = True,
            suite: Sequence[Case] = SUITE) -> Measurement:
    """Runs the suite (one process per distinct workload) and returns the figures."""
    s = settings or Settings()
    scn_path = _resolve_recorded(s.scenario)
    profile = None
    if s.profile:
        profile = _resolve_recorded(s.profile) if _is_path(s.profile) else s.profile
    base_items = list(s.overrides.items())
    base = _scenario.load(scn_path, base_items, profile=profile, override_origin="--set")
    if base.pes <= MEASURED_PE:
        raise ConfigError(f"{base.source}: platform.pes: the regression suite needs at least "
                          f"{MEASURED_PE + 1} PEs (it measures on PE {MEASURED_PE})")
    try:
        _engine.check_overrides(base)
    except BackendError:
        pass  # the worker processes will say it
    groups: dict[str, list[Case]] = {}
    for case in suite:
        groups.setdefault(json.dumps(dict(case.workload), sort_keys=True), []).append(case)
    scenarios = []
    for key in groups:
        item = {**json.loads(key), "pes": [MEASURED_PE], "count": s.count}
        scenarios.append(_scenario.load(scn_path, base_items + [("workload", [item])],
                                        profile=profile, override_origin="--set"))
    outcomes = _pool.run_all(scenarios, spans=True, jobs=jobs, progress=progress, desc="regress")
    cases: dict[str, Any] = {}
    errors: list[str] = []
    parameters: dict[str, float] = {}
    clock_hz = None
    for (key, group), outcome in zip(groups.items(), outcomes):
        if not outcome.ok:
            raise SimulationError(f"regress: {group[0].name}: {outcome.error}")
        p = outcome.payload
        errors.extend(f"{group[0].name}: {e}" for e in p["errors"])
        parameters = p.get("parameters", parameters)
        clock_hz = p["clock_hz"]
        for case in group:
            cases[case.name] = _case_stats(case, p)
    data = {"format": FORMAT, "count": s.count, "scenario": s.scenario,
            "profile": s.profile or base.profile_label, "overrides": dict(s.overrides),
            "pe": MEASURED_PE, "clock_hz": clock_hz, "parameters": parameters, "abis": cases}
    return Measurement(clean(data), errors)


def _case_stats(case: Case, payload: Mapping[str, Any]) -> dict[str, Any]:
    cols = payload["spans"]
    names = {case.abi, f"{case.abi}_32"}
    idx = [i for i in range(len(cols["abi"]))
           if cols["pe"][i] == MEASURED_PE and cols["caller"][i] == "nwd" and cols["abi"][i] in names
           and (case.callee is None or short_component(cols["callee"][i]) == case.callee)]
    if not idx:
        raise SimulationError(f"regress: {case.name}: no {case.abi} call from the normal world on "
                              f"PE {MEASURED_PE} was measured")
    durations = [cols["end_ns"][i] - cols["start_ns"][i] for i in idx]
    by_comp = {}
    for comp, values in cols["ns_by_component"].items():
        mean = _mean([values[i] for i in idx])
        if mean != 0:
            by_comp[short_component(comp)] = mean
    return {"abi": case.abi, "callee": case.callee or "-", "workload": dict(case.workload),
            "count": len(idx), "min_ns": min(durations), "avg_ns": _mean(durations),
            "max_ns": max(durations), "avg_ns_by_component": by_comp}


def _mean(values: Sequence[float]) -> float:
    # math.fsum: exactly rounded, so independent of the order of the calls.
    import math
    return math.fsum(values) / len(values)


# --------------------------------------------------------------------------------------------
# Baseline files


def load_baseline(path: str | Path) -> dict[str, Any]:
    label = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"--baseline: {label}: no such file (make one with --update)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"--baseline: {label}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    except json.JSONDecodeError as e:
        raise ConfigError(f"--baseline: {label}:{e.lineno}:{e.colno}: invalid JSON: {e.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("abis"), dict):
        raise ConfigError(f"--baseline: {label}: not an ffasim regress baseline (no 'abis' mapping)")
    if data.get("format") != FORMAT:
        raise ConfigError(f"--baseline: {label}: format {data.get('format')!r}, expected {FORMAT} "
                          f"(remake it with --update)")
    return data


def dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(clean(dict(data)), sort_keys=True, indent=2, ensure_ascii=True) + "\n"


def save_baseline(path: str | Path, data: Mapping[str, Any]) -> None:
    try:
        Path(path).write_text(dumps(data), encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"--baseline: {path}: cannot write: {e.strerror or e}") from None


# --------------------------------------------------------------------------------------------
# Comparison


@dataclass
class Drift:
    abi: str
    stat: str
    baseline: float | None    # None: the case is not in the baseline
    now: float | None         # None: the case is no longer measured

    @property
    def delta_pct(self) -> float | None:
        if self.baseline is None or self.now is None or self.baseline == 0:
            return None
        return (self.now - self.baseline) / abs(self.baseline) * 100.0


def _stat_rows(entry: Mapping[str, Any], comps: Iterable[str]) -> list[tuple[str, float]]:
    rows = [(k, float(entry.get(k, 0))) for k in STATS]
    by = entry.get("avg_ns_by_component", {})
    rows += [(f"avg_ns[{c}]", float(by.get(c, 0.0))) for c in comps]
    return rows


def compare(baseline: Mapping[str, Any], now: Mapping[str, Any],
            tolerance_pct: float = 0.0) -> list[Drift]:
    """Every statistic that moved by more than tolerance_pct percent (exactly, by default). The
    count is always compared exactly. Cases in one file only are drifts too."""
    out: list[Drift] = []
    b_abis, n_abis = baseline.get("abis", {}), now.get("abis", {})
    for name in list(n_abis) + [n for n in b_abis if n not in n_abis]:
        b, n = b_abis.get(name), n_abis.get(name)
        if b is None or n is None:
            out.append(Drift(name, "(case)", None if b is None else float(b.get("avg_ns", 0)),
                             None if n is None else float(n.get("avg_ns", 0))))
            continue
        comps = sorted(set(b.get("avg_ns_by_component", {})) | set(n.get("avg_ns_by_component", {})))
        for (stat, bv), (_, nv) in zip(_stat_rows(b, comps), _stat_rows(n, comps)):
            tol = 0.0 if stat == "count" else tolerance_pct
            if abs(nv - bv) > tol / 100.0 * abs(bv):
                out.append(Drift(name, stat, bv, nv))
    return out


def parameter_changes(baseline: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """'core.cpi: 1 -> 1.5' for every profile parameter whose value differs."""
    b, n = baseline.get("parameters", {}), now.get("parameters", {})
    out = []
    for k in sorted(set(b) | set(n)):
        if b.get(k) != n.get(k):
            out.append(f"{k}: {_num(b.get(k))} -> {_num(n.get(k))}")
    return out


def _num(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(round(v, 3))
    return str(v)


def diff_table(drifts: Sequence[Drift]) -> str:
    """ABI, STATISTIC, BASELINE, NOW, DELTA % as fixed-width columns."""
    head = ["ABI", "STATISTIC", "BASELINE", "NOW", "DELTA %"]
    body = []
    for d in drifts:
        if d.baseline is None:
            delta = "new case"
        elif d.now is None:
            delta = "removed"
        elif d.delta_pct is None:
            delta = "n/a"
        else:
            delta = f"{d.delta_pct:+.3f}"
        body.append([d.abi, d.stat, _num(d.baseline), _num(d.now), delta])
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines = []
    for r in [head, *body]:
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"
