"""Results of a run: latency statistics per ABI, spans, errors; as text, JSON, CSV, DataFrames.

Every output here is deterministic: rows keep the simulator's order, JSON keys are sorted, and
times are rounded to the picosecond (SystemC's resolution), so the same inputs give byte-identical
files.
"""
from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

STAT_FIELDS = ("count", "min_ns", "median_ns", "p99_ns", "max_ns", "mean_ns",
               "min_cycles", "median_cycles", "p99_cycles", "max_cycles")
SPAN_FIELDS = ("abi", "caller", "callee", "pe", "start_ns", "end_ns", "start_cycles",
               "end_cycles", "x0", "x1", "x2", "result_x0", "result_x2")
JSON_FORMAT = 1


def clean(v: Any) -> Any:
    """Rounds floats to 1 ps (3 decimals of a ns), recursively; -0.0 becomes 0.0."""
    if isinstance(v, float):
        if not math.isfinite(v):
            return None
        r = round(v, 3)
        return 0.0 if r == 0 else r
    if isinstance(v, dict):
        return {str(k): clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    return v


def short_component(name: str) -> str:
    """'sp:8001 op-tee' -> 'sp:8001' (table headers)."""
    return name.split(" ", 1)[0]


class Results:
    """What one run produced. `stats` and `spans` are pandas DataFrames (built on first use)."""

    def __init__(self, payload: dict[str, Any]):
        self._p = payload
        self._stats_df = None
        self._spans_df = None

    # --- plain data --------------------------------------------------------------------------
    name = property(lambda self: self._p["name"])
    source = property(lambda self: self._p.get("source", ""))
    profile = property(lambda self: self._p.get("profile", "default"))
    clock_hz = property(lambda self: self._p["clock_hz"])
    now_ns = property(lambda self: self._p["now_ns"])
    components = property(lambda self: list(self._p["components"]))
    rows = property(lambda self: self._p["results"])
    errors = property(lambda self: list(self._p["errors"]))
    driver = property(lambda self: self._p.get("driver", {}))
    partitions = property(lambda self: [tuple(p) for p in self._p.get("partitions", [])])
    parameters = property(lambda self: dict(self._p.get("parameters", {})))

    def __repr__(self) -> str:
        calls = sum(r["count"] for r in self.rows)
        return (f"<ffasim.Results {self.name!r}: {len(self.rows)} ABIs, {calls} calls, "
                f"{self.now_ns:.3f} ns simulated, {len(self.errors)} errors>")

    def row(self, abi: str, caller: str | None = None) -> dict[str, Any]:
        """The statistics row of `abi` (and `caller` if several callers use it)."""
        found = [r for r in self.rows if r["abi"] == abi and (caller is None or r["caller"] == caller)]
        if len(found) != 1:
            raise KeyError(f"{abi}{' from ' + caller if caller else ''}: "
                           f"{'no' if not found else len(found)} matching rows")
        return found[0]

    # --- DataFrames --------------------------------------------------------------------------
    @property
    def stats(self):
        """One row per (abi, caller, callee): count, min/median/p99/max/mean ns and cycles, and
        the mean ns per component (one column per component name)."""
        if self._stats_df is None:
            import pandas as pd
            comps = self._breakdown_components()
            recs = []
            for r in self.rows:
                rec = {k: r[k] for k in ("abi", "caller", "callee") + STAT_FIELDS}
                for c in comps:
                    rec[c] = r["mean_ns_by_component"].get(c, 0.0)
                recs.append(rec)
            self._stats_df = pd.DataFrame(recs, columns=["abi", "caller", "callee", *STAT_FIELDS, *comps])
        return self._stats_df

    @property
    def spans(self):
        """Every call as a row (needs spans kept, which ffasim.run does): abi, caller, callee,
        pe, start/end ns and cycles, duration_ns, x0-x2, result_x0/x2, and ns per component."""
        if self._spans_df is None:
            import pandas as pd
            cols = self._p.get("spans")
            if cols is None:
                raise ValueError("no spans were kept (use ffasim.run(spans=True) or "
                                 "ffasim.Simulator(keep_spans=True))")
            data = {k: cols[k] for k in SPAN_FIELDS}
            df = pd.DataFrame(data, columns=list(SPAN_FIELDS))
            df.insert(6, "duration_ns", df["end_ns"] - df["start_ns"])
            for c, values in cols["ns_by_component"].items():
                df[c] = values
            self._spans_df = df
        return self._spans_df

    def _breakdown_components(self) -> list[str]:
        used = {c for r in self.rows for c, v in r["mean_ns_by_component"].items() if v}
        ordered = [c for c in self.components if c in used]
        return ordered + sorted(used - set(ordered))

    # --- files -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """All figures (no spans), with floats rounded to the picosecond."""
        p = self._p
        return clean({
            "format": JSON_FORMAT,
            "scenario": {"name": p["name"], "source": p.get("source", ""),
                         "profile": p.get("profile", "default"), "seed": p.get("seed", 1),
                         "pes": p.get("pes"), "overrides": p.get("overrides", [])},
            "clock_hz": p["clock_hz"],
            "now_ns": p["now_ns"],
            "components": p["components"],
            "partitions": [{"id": i, "name": n} for i, n in p.get("partitions", [])],
            "results": p["results"],
            "errors": p["errors"],
            "driver": p.get("driver", {}),
            "parameters": p.get("parameters", {}),
        })

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, indent=2, ensure_ascii=True) + "\n"

    def to_csv(self) -> str:
        comps = self._breakdown_components()
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["abi", "caller", "callee", *STAT_FIELDS, *[f"ns.{c}" for c in comps]])
        for r in self.rows:
            w.writerow([r["abi"], r["caller"], r["callee"]]
                       + [_num(r[k]) for k in STAT_FIELDS]
                       + [_num(r["mean_ns_by_component"].get(c, 0.0)) for c in comps])
        return buf.getvalue()

    # --- text report -------------------------------------------------------------------------
    def report(self) -> str:
        p = self._p
        out: list[str] = []
        calls = sum(r["count"] for r in self.rows)
        src = f" ({p['source']})" if p.get("source") and p["source"] != "<scenario>" else ""
        out.append(f"scenario {p['name']}{src}")
        out.append(f"platform: {p.get('pes', '?')} PEs at {p['clock_hz'] / 1e9:.3f} GHz, "
                   f"profile {p.get('profile', 'default')}, seed {p.get('seed', 1)}")
        for name, value in p.get("overrides", []):
            out.append(f"override: {name} = {_num(value)}")
        out.append(f"simulated {p['now_ns'] / 1000:.3f} us, {calls} calls, "
                   f"{len(p['errors'])} errors")
        out.append("")
        out.append("latency per ABI (ns; cycles)")
        head = ["ABI", "CALLER", "CALLEE", "COUNT", "MIN", "MEDIAN", "P99", "MAX",
                "MIN_CYC", "MED_CYC", "P99_CYC", "MAX_CYC"]
        body = [[r["abi"], r["caller"], r["callee"], str(r["count"]),
                 f"{r['min_ns']:.1f}", f"{r['median_ns']:.1f}", f"{r['p99_ns']:.1f}",
                 f"{r['max_ns']:.1f}", str(r["min_cycles"]), str(r["median_cycles"]),
                 str(r["p99_cycles"]), str(r["max_cycles"])] for r in self.rows]
        out.extend(_table(head, body, left=3))
        comps = self._breakdown_components()
        if comps:
            out.append("")
            out.append("per-hop breakdown (mean ns per call)")
            head = ["ABI", "CALLER", "CALLEE", *[short_component(c) for c in comps], "TOTAL"]
            body = [[r["abi"], r["caller"], r["callee"],
                     *[f"{r['mean_ns_by_component'].get(c, 0.0):.1f}" for c in comps],
                     f"{r['mean_ns']:.1f}"] for r in self.rows]
            out.extend(_table(head, body, left=3))
        if p["errors"]:
            out.append("")
            out.append(f"errors ({len(p['errors'])}):")
            out.extend(f"  {e}" for e in p["errors"])
        return "\n".join(out) + "\n"


def _num(v: Any) -> str:
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(round(v, 3))
    return str(v)


def _table(head: list[str], body: list[list[str]], left: int) -> list[str]:
    """Fixed-width columns: the first `left` columns left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    lines = []
    for row in [head, *body]:
        cells = [c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return lines
