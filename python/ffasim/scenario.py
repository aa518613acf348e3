"""Scenario files: load, validate, apply overrides, and turn into the Stack's configuration.

A scenario is a YAML mapping (or the same structure as a Python dict):

    name: default
    platform:
      pes: 8                      # PEs (default 8)
      pes_per_cluster: 4
      quantum_ns: 1000            # temporal-decoupling quantum
      spmc_manifest: fvp_spmc_manifest.dts
      spmc_flavour: hafnium       # or tfa-el3-spmc
      partition_info_size: 24     # or 48
      per_vcpu_notifications: false   # true: accept per-vCPU notifications (Hafnium rejects them)
      memory: [{name, base, size, secure}]        # optional; default: the SPMC manifest's DRAM
      partitions:                 # optional; default: OP-TEE and the test SP
        - {manifest: fvp_optee_sp_manifest.dts, model: optee, params: {threads: 8}}
    profile: n1sdp                # a name in scenarios/profiles, or a path
    overrides: {core.cpi: 1.2}    # profile parameters
    nwd: {linux_driver: true, cpu_on_idle_pes: false, optee_shm_base: 0x88000000, optee_shm_size: 0x100000,
          mm_shm_base: 0x88100000, mm_shm_size: 0x40000}
    workload:
      - {kind: optee_invoke, pes: [0, 1], count: 200, func: 1}
    interrupts:
      sgi_forwarding: gem5        # or qemu (the two readings of the GICv3 SGI forwarding table)
      timer: {pes: [0], period_ns: 100000, ticks: 50, start_ns: 0}   # Linux's arch timer tick
      ns_interrupts_action: signaled   # override every SP manifest's (queued, managed-exit)
    seed: 1

Every mistake is reported as one line, "<file>: <key path>: <what was expected>", for example
"scenarios/x.yaml: workload.0.cuont: unknown key (expected one of kind, pes, count, ...)".
Relative paths (manifests, profiles) resolve against the scenario file's directory, then the
repository's scenarios/platforms (manifests) or scenarios/profiles (profiles).
"""
from __future__ import annotations

import copy
import difflib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from . import _paths
from .errors import ScenarioError

TOP_KEYS = ("name", "platform", "profile", "overrides", "nwd", "workload", "interrupts", "seed")
INTERRUPTS_KEYS = ("sgi_forwarding", "timer", "ns_interrupts_action")
NS_INTERRUPTS_ACTIONS = ("queued", "managed-exit", "signaled")
TIMER_KEYS = ("pes", "period_ns", "ticks", "start_ns")
SGI_FORWARDINGS = ("gem5", "qemu")
PLATFORM_KEYS = ("pes", "pes_per_cluster", "quantum_ns", "memory", "spmc_manifest", "partitions",
                 "spmc_flavour", "partition_info_size", "per_vcpu_notifications")
PARTITION_KEYS = ("manifest", "model", "params")
MEMORY_KEYS = ("name", "base", "size", "secure")
NWD_KEYS = ("linux_driver", "cpu_on_idle_pes", "optee_shm_base", "optee_shm_size", "mm_shm_base",
            "mm_shm_size")
WORKLOAD_COMMON = ("kind", "pes", "count")
MODELS = ("optee", "test", "mm")
SPMC_FLAVOURS = ("hafnium", "tfa-el3-spmc")
PARTITION_INFO_SIZES = (24, 48)

# Workload kinds and their parameters, as models/nwd_driver/nwd_kernel.h documents them.
WORKLOAD_KINDS: dict[str, tuple[str, ...]] = {
    "optee_invoke": ("func", "session", "think_cycles"),
    "direct_echo": ("target", "smc64", "think_cycles"),
    "direct_req2_echo": ("target", "think_cycles"),
    "ffa_version": ("think_cycles",),
    "id_get": ("think_cycles",),
    "psci_version": ("think_cycles",),
    "features": ("fid", "think_cycles"),
    "partition_info_get": ("think_cycles",),
    "mm_set_variable": ("size", "index", "attributes", "expect", "think_cycles"),
    "mm_get_variable": ("size", "index", "expect", "think_cycles"),
    "notification_set_get": ("target", "id", "delay_sri", "per_vcpu", "think_cycles"),
    "mem_share": ("target", "pages", "constituents", "op", "think_cycles"),
}
WORKLOAD_REQUIRED: dict[str, tuple[str, ...]] = {
    "direct_echo": ("target",),
    "direct_req2_echo": ("target",),
    "notification_set_get": ("target",),
    "mem_share": ("target",),
}
# Workload parameters given by name, and the numbers the C++ workload takes for them.
WORKLOAD_NAMED: dict[str, dict[str, int]] = {
    "op": {"share": 0, "lend": 1, "donate": 2},
    "constituents": {"contiguous": 0, "scattered": 1},
}

SET_ORIGIN = "--set"


# --------------------------------------------------------------------------------------------
# The validated scenario


@dataclass
class Override:
    """One profile-parameter override and where it came from, for messages
    "<where>: <path>: ..." ("scenarios/x.yaml: overrides.core.cpi", "--set: core.cpi")."""
    name: str
    value: float
    where: str   # the scenario file, "--set" or "overrides" (the Python argument)
    path: str    # "overrides.core.cpi" in a file, else the name


@dataclass
class Scenario:
    name: str
    source: str                      # the file as the user named it, or "<scenario>"
    base_dir: Path                   # where relative paths in it resolve
    platform: dict[str, Any] = field(default_factory=dict)   # normalised, only keys given
    profile: str = ""                # resolved path, "" for the built-in profile
    profile_label: str = "default"   # as the user wrote it
    overrides: list[Override] = field(default_factory=list)
    nwd: dict[str, Any] = field(default_factory=dict)
    workload: list[dict[str, Any]] = field(default_factory=list)
    interrupts: dict[str, Any] = field(default_factory=dict)   # ScenarioConfig.interrupts
    seed: int = 1
    # Dotted paths whose value came from an override, and from where ("--set", "grid", ...), so
    # that a mistake the Stack finds later is blamed on the option, not on the file.
    origins: dict[str, str] = field(default_factory=dict)

    def where(self, path: str) -> str:
        """The file or option that gave the value at `path` (or one of its parents)."""
        p = path
        while p:
            if p in self.origins:
                return self.origins[p]
            p = p.rpartition(".")[0]
        return self.source

    @property
    def pes(self) -> int:
        return self.platform.get("pes", 8)

    def config(self, keep_spans: bool = False, keep_trace: bool = False) -> dict[str, Any]:
        """The Stack's ScenarioConfig as a dict (field names of models/stack/stack.h)."""
        p = self.platform
        cfg: dict[str, Any] = {"name": self.name, "seed": self.seed, "profile": self.profile,
                               "keep_spans": keep_spans, "keep_trace": keep_trace}
        renames = {"pes": "pe_count"}
        for key in ("pes", "pes_per_cluster", "quantum_ns", "spmc_manifest", "spmc_flavour",
                    "partition_info_size", "per_vcpu_notifications"):
            if key in p:
                cfg[renames.get(key, key)] = p[key]
        if "memory" in p:
            cfg["memory"] = [dict(m) for m in p["memory"]]
        if "partitions" in p:
            cfg["partitions"] = [{"manifest": q["manifest"], "model": q["model"],
                                  "params": dict(q.get("params", {}))} for q in p["partitions"]]
        cfg["overrides"] = [(o.name, o.value) for o in self.overrides]
        for key in NWD_KEYS:
            if key in self.nwd:
                cfg[key] = self.nwd[key]
        cfg["workload"] = [{"kind": w["kind"], "pes": list(w["pes"]), "count": w["count"],
                            "params": dict(w["params"])} for w in self.workload]
        if self.interrupts:
            cfg["interrupts"] = dict(self.interrupts)
        return cfg


# --------------------------------------------------------------------------------------------
# Loading


class _Loader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False):
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a scalar", key_node.start_mark)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}' (first on line {seen[key] + 1})",
                key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path | str, label: str | None = None) -> Any:
    """Reads a YAML file; a syntax error is one line "<file>:<line>:<col>: <problem>"."""
    label = label or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{label}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError(f"{label}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"{label}:{mark.line + 1}:{mark.column + 1}" if mark else label
        what = e.problem or e.context or "invalid YAML"
        raise ScenarioError(f"{where}: invalid YAML: {what}") from None
    except yaml.YAMLError as e:
        raise ScenarioError(f"{label}: invalid YAML: {str(e).splitlines()[0]}") from None


_yaml_cache: dict[tuple[str, str], tuple[tuple[int, int], Any]] = {}


def _read_yaml_cached(path: Path, label: str) -> Any:
    """read_yaml, parsed once per file version: a sweep loads the same file for every point."""
    try:
        st = path.stat()
    except OSError:
        return read_yaml(path, label)   # says what is wrong
    key, version = (str(path.resolve()), label), (st.st_mtime_ns, st.st_size)
    hit = _yaml_cache.get(key)
    if hit is None or hit[0] != version:
        if len(_yaml_cache) > 64:
            _yaml_cache.clear()
        hit = _yaml_cache[key] = (version, read_yaml(path, label))
    return copy.deepcopy(hit[1])


def load(scenario: str | Path | Mapping[str, Any] | None = None,
         overrides: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
         profile: str | None = None, override_origin: str = "overrides",
         drop_workload: bool = False) -> Scenario:
    """Loads and validates a scenario.

    scenario: a path, a mapping with the file's structure, or None for scenarios/default.yaml.
    overrides: {key: value} (or pairs, in order): a profile parameter name, or a dotted path into
      the scenario (workload.0.count, nwd.linux_driver, platform.pes, overrides.<param>).
    profile: replaces the scenario's profile (a name or a path relative to the working directory).
    """
    if scenario is None:
        scenario = _paths.default_scenario()
    if isinstance(scenario, Mapping):
        data: Any = copy.deepcopy(dict(scenario))
        source, base_dir = "<scenario>", Path.cwd()
    else:
        path = Path(scenario)
        source = str(scenario)
        if path == _paths.default_scenario():
            source = _paths.display(path)
        data = _read_yaml_cached(path, source)
        base_dir = path.resolve().parent
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: expected a mapping at the top level, got {_kind(data)}")
    if drop_workload:
        data.pop("workload", None)
    items = list(overrides.items()) if isinstance(overrides, Mapping) else list(overrides or ())
    set_paths: set[str] = set()
    profile_sets: list[tuple[str, Any]] = []
    for key, value in items:
        _apply_override(data, str(key), value, override_origin, set_paths, profile_sets)
    v = _Validator(source, base_dir, set_paths, override_origin)
    scn = v.scenario(data)
    scn.origins = {p: override_origin for p in sorted(set_paths)}
    for name, value in profile_sets:
        scn.overrides.append(Override(name, v.profile_value(name, value), override_origin, name))
    if profile is not None:
        where = "--profile" if override_origin == SET_ORIGIN else "profile"
        scn.profile, scn.profile_label = resolve_profile(profile, Path.cwd(), where)
    return scn


def resolve_profile(value: str, base_dir: Path, where: str) -> tuple[str, str]:
    """A profile name or path -> (absolute path or "" for the built-in, label)."""
    try:
        return _resolve_profile(value, base_dir)
    except ValueError as e:
        raise ScenarioError(f"{where}: {e}") from None


def _resolve_profile(value: str, base_dir: Path) -> tuple[str, str]:
    if value in ("", "default"):
        return "", "default"
    if "/" in value or value.endswith((".yaml", ".yml")):
        for cand in (base_dir / value, _paths.profiles_dir() / value):
            if cand.is_file():
                return str(cand.resolve()), value
        raise ValueError(f"profile file not found: {value}")
    cand = _paths.profiles_dir() / f"{value}.yaml"
    if cand.is_file():
        return str(cand.resolve()), value
    known = ", ".join(["default"] + _paths.available_profiles())
    raise ValueError(f"unknown profile '{value}' (expected one of {known}, or a path)")


# --------------------------------------------------------------------------------------------
# Overrides (--set key=value, Simulator(overrides=...))


def is_scenario_path(key: str) -> bool:
    """True if `key` names a scenario value rather than a profile parameter.

    Profile parameters are dotted too (core.clock_hz); a key is a scenario path when its first
    segment is a top-level scenario key and, for the platform and nwd sections, its second is one
    of their keys (so nwd.<param> stays a profile parameter).
    """
    segs = key.split(".")
    head = segs[0]
    if head in ("name", "profile", "seed", "workload", "interrupts"):
        return True
    if head == "platform":
        return len(segs) == 1 or segs[1] in PLATFORM_KEYS
    if head == "nwd":
        return len(segs) == 1 or segs[1] in NWD_KEYS
    return False


def parse_set(text: str) -> tuple[str, Any]:
    """'key=value' from the command line -> (key, value parsed as a YAML scalar or list)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(f"--set: {text}: expected key=value")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    if value is None:
        value = raw
    return key, value


def _apply_override(data: dict, key: str, value: Any, origin: str, set_paths: set[str],
                    profile_sets: list[tuple[str, Any]]) -> None:
    if key.startswith("overrides."):
        name = key[len("overrides."):]
        ov = data.setdefault("overrides", {})
        if not isinstance(ov, dict):
            raise ScenarioError(f"{origin}: {key}: the scenario's overrides is not a mapping")
        ov[name] = value
        set_paths.add(f"overrides.{name}")
        return
    if not is_scenario_path(key):
        profile_sets.append((key, value))
        return
    segs = key.split(".")
    node: Any = data
    for i, seg in enumerate(segs[:-1]):
        child_default: Any = [] if seg in ("workload", "partitions", "memory") else {}
        node = _step(node, seg, child_default, origin, key, ".".join(segs[:i + 1]))
    last = segs[-1]
    if isinstance(node, list):
        idx = _index(node, last, origin, key, allow_append=True)
        if idx == len(node):
            node.append(value)
        else:
            node[idx] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ScenarioError(f"{origin}: {key}: {'.'.join(segs[:-1])} is not a mapping or a list")
    set_paths.add(key)


def _step(node: Any, seg: str, default: Any, origin: str, key: str, upto: str) -> Any:
    if isinstance(node, dict):
        child = node.get(seg)
        if child is None:
            child = node[seg] = default
        return child
    if isinstance(node, list):
        idx = _index(node, seg, origin, key, allow_append=True)
        if idx == len(node):
            node.append({})
        return node[idx]
    raise ScenarioError(f"{origin}: {key}: {upto.rsplit('.', 1)[0]} is not a mapping or a list")


def _index(node: list, seg: str, origin: str, key: str, allow_append: bool) -> int:
    try:
        idx = int(seg)
    except ValueError:
        raise ScenarioError(f"{origin}: {key}: '{seg}' is not a list index") from None
    limit = len(node) + (1 if allow_append else 0)
    if not 0 <= idx < limit:
        raise ScenarioError(f"{origin}: {key}: no item {idx} (the list has {len(node)} items)")
    return idx


# --------------------------------------------------------------------------------------------
# Validation


def _kind(v: Any) -> str:
    if v is None:
        return "nothing"
    if isinstance(v, bool):
        return f"{str(v).lower()}"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, str):
        return f"'{v}'"
    return repr(v)


def as_number(v: Any) -> float | int | None:
    """An int or float from a YAML value; strings such as '2.6e9' or '0x40' too. None if not."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, str):
        s = v.strip().replace("_", "")
        try:
            return int(s, 0)
        except ValueError:
            pass
        try:
            f = float(s)
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def as_int(v: Any) -> int | None:
    n = as_number(v)
    if n is None:
        return None
    if isinstance(n, float):
        return int(n) if n.is_integer() else None
    return n


def _flatten(d: dict, prefix: str = "") -> list[tuple[Any, Any]]:
    """{cmd: {1: {rpcs: 1}}} -> [("cmd.1.rpcs", 1)]: model params may be written nested."""
    out: list[tuple[Any, Any]] = []
    for k, v in d.items():
        key = f"{prefix}{k}" if prefix or not isinstance(k, (int, bool)) else k
        if isinstance(v, dict):
            out.extend(_flatten(v, f"{prefix}{k}."))
        else:
            out.append((key, v))
    return out


class _Validator:
    def __init__(self, source: str, base_dir: Path, set_paths: set[str], set_origin: str):
        self.source = source
        self.base_dir = base_dir
        self.set_paths = set_paths
        self.set_origin = set_origin

    # One line: "<where>: <path>: <message>"; <where> is the option when the value came from it.
    def fail(self, path: str, msg: str) -> None:
        where = self.source
        p = path
        while p:
            if p in self.set_paths:
                where = self.set_origin
                break
            p = p.rpartition(".")[0]
        raise ScenarioError(f"{where}: {path}: {msg}" if path else f"{where}: {msg}")

    def keys(self, m: dict, path: str, allowed: Iterable[str], what: str = "") -> None:
        allowed = tuple(allowed)
        for k in m:
            if not isinstance(k, str) or k not in allowed:
                p = f"{path}.{k}" if path else str(k)
                hint = ""
                close = difflib.get_close_matches(str(k), allowed, n=1, cutoff=0.75)
                if close:
                    hint = f"; did you mean '{close[0]}'?"
                self.fail(p, f"unknown key (expected one of {', '.join(allowed)}{what}){hint}")

    def mapping(self, v: Any, path: str) -> dict:
        if not isinstance(v, dict):
            self.fail(path, f"expected a mapping, got {_kind(v)}")
        return v

    def integer(self, v: Any, path: str, lo: int | None = None, what: str = "an integer") -> int:
        n = as_int(v)
        if n is None or (lo is not None and n < lo):
            self.fail(path, f"expected {what}, got {_kind(v)}")
        return n

    def number(self, v: Any, path: str, positive: bool = False) -> float:
        n = as_number(v)
        if n is None or (positive and n <= 0):
            self.fail(path, f"expected {'a positive number' if positive else 'a number'}, got {_kind(v)}")
        return n

    def string(self, v: Any, path: str) -> str:
        if not isinstance(v, str) or not v:
            self.fail(path, f"expected a non-empty string, got {_kind(v)}")
        return v

    def boolean(self, v: Any, path: str) -> bool:
        if isinstance(v, bool):
            return v
        if isinstance(v, int) and v in (0, 1):
            return bool(v)
        self.fail(path, f"expected true or false, got {_kind(v)}")

    def choice(self, v: Any, path: str, choices: Iterable[Any]) -> Any:
        choices = tuple(choices)
        if v not in choices or isinstance(v, bool):
            self.fail(path, f"expected one of {', '.join(str(c) for c in choices)}, got {_kind(v)}")
        return v

    def manifest_path(self, v: Any, path: str) -> str:
        s = self.string(v, path)
        p = Path(s)
        cands = [p] if p.is_absolute() else [self.base_dir / p, _paths.platforms_dir() / p]
        for c in cands:
            if c.is_file():
                return str(c.resolve())
        self.fail(path, f"file not found: {s} (looked in {', '.join(_paths.display(c.parent) for c in cands)})")

    def profile_value(self, name: str, v: Any, path: str | None = None) -> float:
        n = as_number(v)
        if n is None:
            if path is None:
                raise ScenarioError(f"{self.set_origin}: {name}: expected a number, got {_kind(v)}")
            self.fail(path, f"expected a number, got {_kind(v)}")
        return float(n)

    # --- sections ------------------------------------------------------------------------------

    def scenario(self, d: dict) -> Scenario:
        self.keys(d, "", TOP_KEYS)
        scn = Scenario(name="scenario", source=self.source, base_dir=self.base_dir)
        if "name" in d:
            scn.name = self.string(d["name"], "name")
        elif self.source != "<scenario>":
            scn.name = Path(self.source).stem
        if "platform" in d:
            scn.platform = self.platform(self.mapping(d["platform"], "platform"))
        if "profile" in d:
            prof = d["profile"]
            if prof is None or prof == "":
                prof = "default"
            prof = self.string(prof, "profile")
            try:
                scn.profile, scn.profile_label = _resolve_profile(prof, self.base_dir)
            except ValueError as e:
                self.fail("profile", str(e))
        if "overrides" in d:
            ov = d["overrides"] if d["overrides"] is not None else {}
            ov = self.mapping(ov, "overrides")
            for k, v in ov.items():
                path = f"overrides.{k}"
                if not isinstance(k, str):
                    self.fail(path, "expected a profile parameter name")
                where = self.set_origin if path in self.set_paths else self.source
                scn.overrides.append(Override(k, self.profile_value(k, v, path), where, path))
        if "nwd" in d:
            scn.nwd = self.nwd(self.mapping(d["nwd"], "nwd"))
        if "workload" in d:
            wl = d["workload"] if d["workload"] is not None else []
            if not isinstance(wl, list):
                self.fail("workload", f"expected a list of workload items, got {_kind(wl)}")
            scn.workload = [self.workload_item(w, f"workload.{i}", scn.pes) for i, w in enumerate(wl)]
        if "interrupts" in d:
            scn.interrupts = self.interrupts(self.mapping(d["interrupts"] or {}, "interrupts"), scn.pes)
        if "seed" in d:
            scn.seed = self.integer(d["seed"], "seed", 0, "a non-negative integer")
        return scn

    def interrupts(self, d: dict, pes: int) -> dict:
        self.keys(d, "interrupts", INTERRUPTS_KEYS)
        out: dict[str, Any] = {}
        if "sgi_forwarding" in d:
            out["sgi_forwarding"] = self.choice(d["sgi_forwarding"], "interrupts.sgi_forwarding",
                                                SGI_FORWARDINGS)
        if "ns_interrupts_action" in d:
            out["ns_interrupts_action"] = self.choice(d["ns_interrupts_action"],
                                                      "interrupts.ns_interrupts_action",
                                                      NS_INTERRUPTS_ACTIONS)
        if "timer" in d:
            t = self.mapping(d["timer"], "interrupts.timer")
            self.keys(t, "interrupts.timer", TIMER_KEYS)
            for k in ("pes", "period_ns", "ticks"):
                if k not in t:
                    self.fail(f"interrupts.timer.{k}", "missing (expected "
                              + {"pes": "a PE number or a list of PE numbers",
                                 "period_ns": "the tick period in ns",
                                 "ticks": "the number of timer interrupts per PE"}[k] + ")")
            out["timer_pes"] = self.pe_list(t["pes"], "interrupts.timer.pes", pes)
            out["timer_period_ns"] = float(self.number(t["period_ns"], "interrupts.timer.period_ns", True))
            out["timer_ticks"] = self.integer(t["ticks"], "interrupts.timer.ticks", 1, "a positive integer")
            if "start_ns" in t:
                out["timer_start_ns"] = float(self.number(t["start_ns"], "interrupts.timer.start_ns", False))
        return out

    def platform(self, d: dict) -> dict:
        self.keys(d, "platform", PLATFORM_KEYS)
        out: dict[str, Any] = {}
        if "pes" in d:
            out["pes"] = self.integer(d["pes"], "platform.pes", 1, "a positive integer")
        if "pes_per_cluster" in d:
            out["pes_per_cluster"] = self.integer(d["pes_per_cluster"], "platform.pes_per_cluster",
                                                  1, "a positive integer")
        if "quantum_ns" in d:
            out["quantum_ns"] = float(self.number(d["quantum_ns"], "platform.quantum_ns", True))
        if "spmc_manifest" in d:
            out["spmc_manifest"] = self.manifest_path(d["spmc_manifest"], "platform.spmc_manifest")
        if "spmc_flavour" in d:
            out["spmc_flavour"] = self.choice(d["spmc_flavour"], "platform.spmc_flavour", SPMC_FLAVOURS)
        if "partition_info_size" in d:
            v = as_int(d["partition_info_size"])
            out["partition_info_size"] = self.choice(v if v is not None else d["partition_info_size"],
                                                     "platform.partition_info_size",
                                                     PARTITION_INFO_SIZES)
        if "per_vcpu_notifications" in d:
            out["per_vcpu_notifications"] = self.boolean(d["per_vcpu_notifications"],
                                                         "platform.per_vcpu_notifications")
        if "memory" in d:
            mem = d["memory"]
            if not isinstance(mem, list) or not mem:
                self.fail("platform.memory", f"expected a non-empty list of regions, got {_kind(mem)}")
            out["memory"] = [self.memory_region(r, f"platform.memory.{i}") for i, r in enumerate(mem)]
        if "partitions" in d:
            parts = d["partitions"]
            if not isinstance(parts, list) or not parts:
                self.fail("platform.partitions",
                          f"expected a non-empty list of partitions (leave the key out for the "
                          f"default OP-TEE and test SP), got {_kind(parts)}")
            out["partitions"] = [self.partition(p, f"platform.partitions.{i}")
                                 for i, p in enumerate(parts)]
        return out

    def memory_region(self, r: Any, path: str) -> dict:
        r = self.mapping(r, path)
        self.keys(r, path, MEMORY_KEYS)
        for k in ("base", "size"):
            if k not in r:
                self.fail(f"{path}.{k}", "missing (expected a byte address or size)")
        return {"name": self.string(r.get("name", f"region{path.rsplit('.', 1)[1]}"), f"{path}.name"),
                "base": self.integer(r["base"], f"{path}.base", 0, "a non-negative integer"),
                "size": self.integer(r["size"], f"{path}.size", 1, "a positive integer"),
                "secure": self.boolean(r.get("secure", False), f"{path}.secure")}

    def partition(self, p: Any, path: str) -> dict:
        p = self.mapping(p, path)
        self.keys(p, path, PARTITION_KEYS)
        for k in ("manifest", "model"):
            if k not in p:
                self.fail(f"{path}.{k}", "missing (expected "
                          + ("a manifest path" if k == "manifest" else f"one of {', '.join(MODELS)}") + ")")
        out = {"manifest": self.manifest_path(p["manifest"], f"{path}.manifest"),
               "model": self.choice(p["model"], f"{path}.model", MODELS), "params": {}}
        params = p.get("params") or {}
        params = self.mapping(params, f"{path}.params")
        for k, v in _flatten(params):
            kp = f"{path}.params.{k}"
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                self.fail(kp, "expected a parameter name")
            if isinstance(v, bool):
                s = "1" if v else "0"
            elif isinstance(v, (int, str)):
                s = str(v)
            elif isinstance(v, float) and math.isfinite(v):
                s = repr(v)
            else:
                self.fail(kp, f"expected a number or a string, got {_kind(v)}")
            out["params"][str(k)] = s
        return out

    def nwd(self, d: dict) -> dict:
        self.keys(d, "nwd", NWD_KEYS)
        out: dict[str, Any] = {}
        for k in ("linux_driver", "cpu_on_idle_pes"):
            if k in d:
                out[k] = self.boolean(d[k], f"nwd.{k}")
        for k in ("optee_shm_base", "optee_shm_size", "mm_shm_base", "mm_shm_size"):
            if k in d:
                out[k] = self.integer(d[k], f"nwd.{k}", 0, "a non-negative integer")
        return out

    def workload_item(self, w: Any, path: str, pes: int) -> dict:
        w = self.mapping(w, path)
        if "kind" not in w:
            self.fail(f"{path}.kind", f"missing (expected one of {', '.join(WORKLOAD_KINDS)})")
        kind = self.choice(w["kind"], f"{path}.kind", WORKLOAD_KINDS)
        params = WORKLOAD_KINDS[kind]
        self.keys(w, path, WORKLOAD_COMMON + params)
        if "pes" not in w:
            self.fail(f"{path}.pes", "missing (expected a PE number or a list of PE numbers)")
        out = {"kind": kind, "pes": self.pe_list(w["pes"], f"{path}.pes", pes),
               "count": self.integer(w.get("count", 1), f"{path}.count", 1, "a positive integer"),
               "params": {}}
        for req in WORKLOAD_REQUIRED.get(kind, ()):
            if req not in w:
                self.fail(f"{path}.{req}", f"missing (required by kind {kind})")
        for k in params:
            if k in w:
                v = w[k]
                if k in WORKLOAD_NAMED and kind == "mem_share":
                    names = WORKLOAD_NAMED[k]
                    if v not in names:
                        self.fail(f"{path}.{k}", f"expected one of {', '.join(names)}, got {_kind(v)}")
                    out["params"][k] = float(names[v])
                    continue
                n = (1 if v else 0) if isinstance(v, bool) else as_number(v)
                if n is None or n < 0:
                    self.fail(f"{path}.{k}", f"expected a non-negative number, got {_kind(v)}")
                out["params"][k] = float(n)
        return out

    def pe_list(self, v: Any, path: str, pes: int) -> list[int]:
        items: list[tuple[Any, str]]
        if isinstance(v, list):
            if not v:
                self.fail(path, "expected at least one PE")
            items = [(x, f"{path}.{i}") for i, x in enumerate(v)]
        elif isinstance(v, str) and "-" in v:
            lo_s, _, hi_s = v.partition("-")
            lo, hi = as_int(lo_s), as_int(hi_s)
            if lo is None or hi is None or lo > hi:
                self.fail(path, f"expected a PE range such as 0-3, got {_kind(v)}")
            items = [(x, path) for x in range(lo, hi + 1)]
        else:
            items = [(v, path)]
        out: list[int] = []
        for x, p in items:
            n = self.integer(x, p, 0, "a PE number")
            if n >= pes:
                self.fail(p, f"PE {n} does not exist (the platform has {pes} PEs: 0-{pes - 1})")
            if n in out:
                self.fail(p, f"PE {n} is listed twice")
            out.append(n)
        return out
