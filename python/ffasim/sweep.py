"""Design-space sweeps: one simulation process per grid point, results as one DataFrame.

    df = ffasim.sweep("scenarios/optee_threads.yaml",
                      {"platform.partitions.0.params.threads": [1, 2, 4, 8],
                       "workload.0.pes": ["0-1", "0-3", "0-7"]})
    df[df.abi == "optee.invoke"][["platform.partitions.0.params.threads", "workload.0.pes",
                                  "mean_ns", "p99_ns"]]

Grid keys are the keys `ffasim run --set` accepts: a timing-profile parameter (core.cpi) or a
dotted scenario path (workload.0.count, platform.partitions.0.params.threads, nwd.linux_driver,
profile, seed). A mapping {key: [values]} sweeps the cartesian product, in key order; a list of
mappings gives the points one by one.

Each point runs in its own worker process (SystemC elaborates once per process): on a local pool
of `jobs` processes at a time (default os.cpu_count()), or on a Dask cluster when `cluster` is a
scheduler address ("tcp://host:8786"), a distributed.Client or a cluster object.

Seeds. Each point's scenario `seed` is point_seed(seed, point): the first 4 bytes, big-endian,
of the SHA-256 of the canonical JSON `[seed, [[key, value], ...]]` with the point's items sorted by
key (integral floats written as integers, so 2 and 2.0 are the same point). The same sweep seed
and point give the same scenario seed wherever and in whatever order the point runs; a grid that
sets `seed` itself keeps its value.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from . import _pool
from . import scenario as _scenario
from .errors import BackendError, ConfigError, SweepWarning
from .results import STAT_FIELDS, Results

if TYPE_CHECKING:
    import pandas as pd

GRID_ORIGIN = "grid"
TABLES = ("stats", "spans")
# Columns of a sweep frame before the grid keys' and the statistics' columns.
POINT_COLUMN, SEED_COLUMN, ERROR_COLUMN, RUN_ERRORS_COLUMN = "point", "seed", "error", "run_errors"
INT_COLUMNS = ("count", "min_cycles", "median_cycles", "p99_cycles", "max_cycles", "pe",
               "start_cycles", "end_cycles")
REG_COLUMNS = ("x0", "x1", "x2", "result_x0", "result_x2")


# --------------------------------------------------------------------------------------------
# Grid and seeds


def expand_grid(grid: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The points of a grid: {key: values} -> cartesian product in key order; [point, ...] -> as
    given. A value that is not a list (or tuple, range, array) is a single value; a list-valued
    scenario key (workload.0.pes) is swept as a list of lists, or as strings ("0-3")."""
    if isinstance(grid, Mapping):
        if not grid:
            raise ConfigError("grid: expected at least one key")
        keys, values = [], []
        for k, v in grid.items():
            key = _key(k)
            vals = [_plain(x) for x in v] if _is_sequence(v) else [_plain(v)]
            if not vals:
                raise ConfigError(f"grid: {key}: no values")
            keys.append(key)
            values.append(vals)
        return [dict(zip(keys, combo)) for combo in itertools.product(*values)]
    if isinstance(grid, (str, bytes)) or not isinstance(grid, Iterable):
        raise ConfigError(f"grid: expected a mapping of keys to values or a list of points, "
                          f"got {type(grid).__name__}")
    points = []
    for i, p in enumerate(grid):
        if not isinstance(p, Mapping):
            raise ConfigError(f"grid: point {i}: expected a mapping of keys to values, "
                              f"got {type(p).__name__}")
        points.append({_key(k): _plain(v) for k, v in p.items()})
    if not points:
        raise ConfigError("grid: expected at least one point")
    return points


def _key(k: Any) -> str:
    if not isinstance(k, str) or not k.strip():
        raise ConfigError(f"grid: {k!r}: expected a key such as core.cpi or workload.0.count")
    return k.strip()


def _is_sequence(v: Any) -> bool:
    if isinstance(v, (str, bytes, Mapping)):
        return False
    if hasattr(v, "tolist") and getattr(v, "ndim", 1) == 0:   # a numpy scalar
        return False
    return isinstance(v, (list, tuple, range)) or hasattr(v, "tolist")


def _plain(v: Any) -> Any:
    """numpy scalars and arrays -> Python values; tuples -> lists (YAML's types)."""
    if hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
        v = v.tolist()
    if isinstance(v, tuple):
        v = list(v)
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    return v


def _canonical(v: Any) -> Any:
    if isinstance(v, float) and math.isfinite(v) and v.is_integer():
        return int(v)
    if isinstance(v, list):
        return [_canonical(x) for x in v]
    if isinstance(v, dict):
        return {k: _canonical(x) for k, x in v.items()}
    return v


def point_seed(seed: int, point: Mapping[str, Any]) -> int:
    """The scenario seed of a grid point (see the module doc): a 32-bit integer."""
    items = [[k, _canonical(_plain(point[k]))] for k in sorted(point)]
    text = json.dumps([int(seed), items], sort_keys=True, separators=(",", ":"), default=str)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:4], "big")


def describe(point: Mapping[str, Any]) -> str:
    """'core.cpi=1.5, workload.0.pes=0-3' (for messages)."""
    return ", ".join(f"{k}={_text(v)}" for k, v in point.items())


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (list, dict)):
        return json.dumps(v, separators=(",", ":"))
    return str(v)


def _cell(v: Any) -> Any:
    """A grid value as a DataFrame cell: lists and mappings become their compact text, so the
    column stays hashable (groupby, plots)."""
    return _text(v) if isinstance(v, (list, dict)) else v


# --------------------------------------------------------------------------------------------
# The sweep


@dataclass
class Point:
    index: int
    values: dict[str, Any]
    seed: int
    scenario: _scenario.Scenario | None = None
    error: str | None = None
    payload: dict[str, Any] | None = None   # what the run gave (ffasim._engine.collect)


def plan(scenario: Any, grid: Any, seed: int = 1, overrides: Mapping[str, Any] | None = None,
         profile: str | None = None) -> list[Point]:
    """Expands the grid and loads each point's scenario (without running anything). Mistakes
    that concern the whole sweep (a bad scenario file, an unknown grid key) raise ConfigError;
    a value that only one point has wrong makes that point fail."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"seed: expected a non-negative integer, got {seed!r}")
    base_items = list((overrides or {}).items())
    if any(str(k) == "seed" for k, _ in base_items):
        raise ConfigError("overrides: seed: a sweep derives each point's seed from the sweep seed "
                          "(or sweep the key seed in the grid)")
    _scenario.load(scenario, base_items, profile=profile)   # the scenario itself is valid
    points = expand_grid(grid)
    _check_keys({str(k) for k, _ in base_items}, "overrides")
    _check_keys({k for p in points for k in p}, GRID_ORIGIN)
    out = []
    for i, values in enumerate(points):
        s = int(values["seed"]) if _is_int(values.get("seed")) else point_seed(seed, values)
        p = Point(i, values, s)
        items = base_items + list(values.items())
        if "seed" not in values:
            items.append(("seed", s))
        try:
            p.scenario = _scenario.load(scenario, items, profile=profile,
                                        override_origin=GRID_ORIGIN)
            p.seed = p.scenario.seed   # a grid's own seed, as the scenario parsed it
        except ConfigError as e:
            p.error = _pool.one_line(e)
        out.append(p)
    return out


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_keys(keys: set[str], origin: str) -> None:
    """Unknown profile parameters fail the whole sweep up front (when the extension module can be
    loaded here; otherwise each point reports it)."""
    names = [k for k in keys if not _scenario.is_scenario_path(k) and not k.startswith("overrides.")]
    if not names:
        return
    from . import _engine
    try:
        known = set(_engine.profile_names())
    except BackendError:
        return
    for name in sorted(names):
        if name not in known:
            import difflib
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else " (see 'ffasim profile')"
            raise ConfigError(f"{origin}: {name}: unknown profile parameter or scenario key{hint}")


def sweep(scenario: str | Path | Mapping[str, Any] | None,
          grid: Mapping[str, Any] | Sequence[Mapping[str, Any]],
          jobs: int | None = None, cluster: Any = None, seed: int = 1, progress: bool = True, *,
          overrides: Mapping[str, Any] | None = None, profile: str | None = None,
          table: str = "stats", timeout: float | None = None) -> "pd.DataFrame":
    """Runs the scenario at every grid point, one process per point, and returns one DataFrame.

    scenario: a scenario file, a mapping with its structure, or None (scenarios/default.yaml).
    grid: {key: [values]} (cartesian product) or [{key: value}, ...] (explicit points); keys as
      for `ffasim run --set` (see the module doc).
    jobs: processes at a time on the local pool (default os.cpu_count()); not used with cluster.
    cluster: None (local pool), a Dask scheduler address "tcp://host:port", a distributed.Client,
      or a cluster object such as distributed.LocalCluster.
    seed: the sweep seed; each point's scenario seed is point_seed(seed, point).
    progress: a progress bar with ETA on stderr (only when stderr is a terminal).
    overrides: {key: value} applied to every point before the grid's values. profile: a profile
      name or path replacing the scenario's. timeout: seconds one point may take (default
      FFASIM_TIMEOUT, else none).
    table: "stats" (one row per point and ABI/caller/callee: count, min/median/p99/max/mean ns
      and cycles, then the mean ns per component, as Results.stats) or "spans" (one row per
      call, as Results.spans; large).

    Columns: point (its index in the grid), one column per grid key (list values as text), seed,
    error (None, or the one-line reason the point failed), run_errors (firmware/driver errors the
    run reported), then the table's columns. A failed point is one row with its parameters and
    its error; the other points still run, and a SweepWarning lists the failures.
    df.attrs["grid"] holds the grid keys and df.attrs["failed"] the failed points' indices.
    """
    import pandas as pd

    if table not in TABLES:
        raise ConfigError(f"table: expected one of {', '.join(TABLES)}, got {table!r}")
    if cluster is not None and jobs is not None:
        raise ConfigError("jobs: the local pool's size cannot be combined with a Dask cluster")
    if cluster is None:
        jobs = _pool.check_jobs(jobs)
    points = plan(scenario, grid, seed, overrides, profile)
    runnable = [p for p in points if p.scenario is not None]
    outcomes = _pool.run_all([p.scenario for p in runnable], spans=table == "spans", jobs=jobs,
                             cluster=cluster, timeout=timeout, progress=progress, desc="sweep",
                             unit="point")
    for p, o in zip(runnable, outcomes):
        p.error, p.payload = o.error, o.payload
    keys = list(dict.fromkeys(k for p in points for k in p.values))
    df = _frame(points, keys, table, pd)
    failed = [p for p in points if p.error is not None]
    if failed:
        shown = "\n".join(f"  point {p.index} ({describe(p.values)}): {p.error}" for p in failed[:20])
        more = f"\n  ... and {len(failed) - 20} more" if len(failed) > 20 else ""
        warnings.warn(SweepWarning(f"{len(failed)} of {len(points)} sweep points failed:\n"
                                   f"{shown}{more}"), stacklevel=2)
    df.attrs["grid"] = keys
    df.attrs["failed"] = [p.index for p in failed]
    return df


def _head(p: Point, keys: list[str]) -> dict[str, Any]:
    head = {POINT_COLUMN: p.index, **{k: _cell(p.values.get(k)) for k in keys}}
    if SEED_COLUMN not in keys:
        head[SEED_COLUMN] = p.seed
    head[ERROR_COLUMN] = p.error
    head[RUN_ERRORS_COLUMN] = None if p.error is not None else len(p.payload.get("errors", ()))
    return head


def _frame(points: list[Point], keys: list[str], table: str, pd):
    if table == "stats":
        df = _stats_frame(points, keys, pd)
    else:
        df = _spans_frame(points, keys, pd)
    for cols, dtype in (((RUN_ERRORS_COLUMN, *INT_COLUMNS), "Int64"), (REG_COLUMNS, "UInt64")):
        for col in cols:
            if col in df.columns and col not in keys:
                df[col] = df[col].astype(dtype)
    df[ERROR_COLUMN] = df[ERROR_COLUMN].astype(object).where(df[ERROR_COLUMN].notna(), None)
    return df


def _stats_frame(points: list[Point], keys: list[str], pd):
    """The rows of Results.stats for every point, built as one frame (one DataFrame per point
    and a concat would cost the parent more than a simulation)."""
    comps: list[str] = []
    records = []
    for p in points:
        head = _head(p, keys)
        if p.error is not None:
            records.append(head)
            continue
        res = Results(p.payload)
        point_comps = res._breakdown_components()
        comps.extend(c for c in point_comps if c not in comps)
        for r in res.rows:
            rec = dict(head)
            rec.update((k, r[k]) for k in ("abi", "caller", "callee") + STAT_FIELDS)
            by = r["mean_ns_by_component"]
            rec.update((c, by.get(c, 0.0)) for c in point_comps)
            records.append(rec)
        if not res.rows:
            records.append(head)
    columns = [*_head(points[0], keys), "abi", "caller", "callee", *STAT_FIELDS, *comps]
    return pd.DataFrame.from_records(records, columns=columns)


def _spans_frame(points: list[Point], keys: list[str], pd):
    base_cols = ["abi", "caller", "callee", "pe", "start_ns", "end_ns", "duration_ns"]
    frames = []
    for p in points:
        head = _head(p, keys)
        body = None if p.error is not None else Results(p.payload).spans.copy()
        if body is None or body.empty:
            frames.append(pd.DataFrame([{**head, **{c: None for c in base_cols}}]))
            continue
        for pos, (col, value) in enumerate(head.items()):
            body.insert(pos, col, [value] * len(body))
        frames.append(body)
    return pd.concat(frames, ignore_index=True, sort=False)


# --------------------------------------------------------------------------------------------
# Files


def to_csv(df) -> str:
    return df.to_csv(index=False, lineterminator="\n")


def to_json(df, meta: Mapping[str, Any] | None = None) -> str:
    """{"format": 1, ...meta, "grid": [keys], "failed": [indices], "rows": [records]}, keys sorted,
    floats rounded to the picosecond as in Results.to_json."""
    from .results import clean
    rows = [{str(k): _py(v) for k, v in rec.items()} for rec in df.to_dict("records")]
    data = {"format": 1, **(meta or {}), "grid": list(df.attrs.get("grid", [])),
            "failed": list(df.attrs.get("failed", [])), "rows": rows}
    return json.dumps(clean(data), sort_keys=True, indent=1, ensure_ascii=True) + "\n"


def _py(v: Any) -> Any:
    if v is None:
        return None
    try:
        import pandas as pd
        if v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return None
    except ImportError:
        pass
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        return v.item()
    return v


def write(df, path: str | Path, meta: Mapping[str, Any] | None = None) -> None:
    """Writes a sweep frame as CSV or JSON, by the file's extension."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise ConfigError(f"{path}: expected a .csv or .json file name")
    text = to_csv(df) if suffix == ".csv" else to_json(df, meta)
    try:
        p.write_text(text, encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot write: {e.strerror or e}") from None

