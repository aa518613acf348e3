"""Plot helpers (matplotlib, Agg): latency CDF per configuration, per-hop stacked bars per ABI, a
metric against a swept parameter. Each returns the matplotlib Figure and, given `out`, saves it
as PNG and SVG (`out` without suffix, or with .png/.svg: both files are written).

    from ffasim import plots
    res = ffasim.run()
    plots.hop_bars(res, out="hops")                              # hops.png, hops.svg
    plots.latency_cdf({"default": res, "n1sdp": ffasim.run(profile="n1sdp")},
                      "optee.invoke", out="cdf")
    df = ffasim.sweep("scenarios/optee_threads.yaml", {...})
    plots.metric_vs_param(df, "platform.partitions.0.params.threads", abi="optee.invoke",
                          metric="mean_ns", hue="workload.0.pes", out="threads")

The figures are made without pyplot, so importing this module changes no global matplotlib state
(an interactive session keeps its backend). Times are shown in ns, or in µs when the largest value
is 10 µs or more; the axis label says which.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence, Union

from .results import STAT_FIELDS, Results, short_component

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

SpansLike = Union[Results, "pd.DataFrame", Mapping[str, Union[Results, "pd.DataFrame"]]]

FORMATS = ("png", "svg")
DPI = 150

METRIC_LABELS = {
    "min_ns": "minimum latency", "median_ns": "median latency", "p99_ns": "99th-percentile latency",
    "max_ns": "maximum latency", "mean_ns": "mean latency", "count": "calls",
    "min_cycles": "minimum latency", "median_cycles": "median latency",
    "p99_cycles": "99th-percentile latency", "max_cycles": "maximum latency",
    "duration_ns": "latency",
}


# --------------------------------------------------------------------------------------------
# Common


def _figure(width: float = 7.5, height: float = 4.5):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig: "Figure", out: str | Path) -> list[Path]:
    """Writes fig as out.png and out.svg (a .png or .svg suffix on `out` is replaced)."""
    base = Path(out)
    if base.suffix.lower() in (".png", ".svg"):
        base = base.with_suffix("")
    if not base.parent.is_dir():
        raise ValueError(f"{out}: no such directory: {base.parent}")
    paths = []
    for fmt in FORMATS:
        p = base.with_name(f"{base.name}.{fmt}")
        # SVG: no date, a fixed hash salt, so a re-made figure is byte-identical.
        meta = {"Date": None} if fmt == "svg" else {"Software": None}
        import matplotlib
        with matplotlib.rc_context({"svg.hashsalt": "ffasim"}):
            fig.savefig(p, format=fmt, dpi=DPI, metadata=meta)
        paths.append(p)
    return paths


def _time_scale(max_ns: float) -> tuple[float, str]:
    return (1e3, "µs") if max_ns >= 1e4 else (1.0, "ns")


def _finish(fig, out):
    if out is not None:
        save(fig, out)
    return fig


def _arrow(caller: str, callee: str) -> str:
    callee = short_component(str(callee))
    return f"{caller} → {callee}" if callee not in ("-", "", "None") else str(caller)


# --------------------------------------------------------------------------------------------
# Latency CDF per configuration


def _spans_of(data: Any):
    if isinstance(data, Results):
        return data.spans
    return data


def latency_cdf(data: SpansLike, abi: str, *, caller: str | None = "nwd",
                callee: str | None = None, by: str | Sequence[str] | None = None,
                logx: bool | None = None, title: str | None = None,
                out: str | Path | None = None) -> "Figure":
    """Empirical CDF of one ABI's latency, one curve per configuration.

    data: a Results (spans kept, as ffasim.run does), a spans DataFrame (Results.spans, or
      ffasim.sweep(..., table="spans")), or {label: Results or spans DataFrame}.
    abi: the call or operation ("optee.invoke", "FFA_MSG_SEND_DIRECT_REQ_32").
    caller / callee: keep calls from this caller ("nwd"; None: any) to this callee (short
      name "sp:8001" or full; None: any).
    by: for a DataFrame, the column(s) naming a configuration (default: the sweep's grid keys,
      df.attrs["grid"], if any; else one curve).
    logx: log-scale latency axis (default: when the slowest call is over 20x the fastest).
    title: replaces the default title. out: also save as out.png and out.svg.
    """
    import numpy as np

    groups: list[tuple[str, Any]] = []
    if isinstance(data, Mapping):
        for label, d in data.items():
            groups.append((str(label), _select(_spans_of(d), abi, caller, callee)))
        legend_title = None
    else:
        df = _select(_spans_of(data), abi, caller, callee)
        if by is None:
            by = list(getattr(data, "attrs", {}).get("grid", [])) or None
        keys = [by] if isinstance(by, str) else list(by or [])
        legend_title = ", ".join(keys) if keys else None
        if keys:
            for vals, g in df.groupby(keys if len(keys) > 1 else keys[0], sort=True, dropna=False):
                vals = vals if isinstance(vals, tuple) else (vals,)
                groups.append((", ".join(_fmt_value(v) for v in vals), g))
        else:
            groups.append((abi, df))
    groups = [(label, g) for label, g in groups if len(g)]
    if not groups:
        raise ValueError(f"no {abi} calls{_who(caller, callee)} in the data")
    hi = max(float(g["duration_ns"].max()) for _, g in groups)
    lo = min(float(g["duration_ns"].min()) for _, g in groups)
    scale, unit = _time_scale(hi)
    if logx is None:
        logx = lo > 0 and hi / lo > 20
    fig = _figure()
    ax = fig.add_subplot()
    for label, g in groups:
        x = np.sort(g["duration_ns"].to_numpy(dtype=float)) / scale
        y = np.arange(1, len(x) + 1) / len(x)
        ax.step(np.concatenate([[x[0]], x]), np.concatenate([[0.0], y]), where="post",
                label=f"{label} (n={len(x)})", linewidth=1.6)
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(f"latency ({unit})")
    ax.set_ylabel("fraction of calls ≤ latency")
    ax.set_ylim(0, 1.02)
    ax.grid(True, which="major", alpha=0.35)
    ax.set_title(title or f"{abi} latency CDF{_who(caller, callee)}")
    ax.legend(title=legend_title, loc="lower right", fontsize="small", title_fontsize="small")
    return _finish(fig, out)


def _who(caller, callee) -> str:
    parts = []
    if caller:
        parts.append(f"from {caller}")
    if callee:
        parts.append(f"to {short_component(callee)}")
    return f" ({' '.join(parts)})" if parts else ""


def _select(df, abi, caller, callee):
    if "duration_ns" not in df.columns:
        raise ValueError("expected spans (a duration_ns column): use Results.spans or "
                         "ffasim.sweep(..., table='spans')")
    m = df["abi"] == abi
    if caller is not None:
        m &= df["caller"] == caller
    if callee is not None:
        m &= df["callee"].astype(str).map(short_component) == short_component(callee)
    out = df[m]
    _one_callee(out, abi, caller, callee)
    return out


def _one_callee(rows, abi, caller, callee) -> None:
    """Calls of one ABI to different callees are different things: ask which one."""
    if callee is None and len(rows):
        callees = sorted({short_component(str(c)) for c in rows["callee"]})
        if len(callees) > 1:
            raise ValueError(f"{abi}{_who(caller, None)} goes to several callees "
                             f"({', '.join(callees)}): give callee=")


def _fmt_value(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# --------------------------------------------------------------------------------------------
# Per-hop stacked bars


def component_columns(stats: "pd.DataFrame") -> list[str]:
    """The per-component columns of a stats frame: those after the last statistic (max_cycles),
    as Results.stats and ffasim.sweep lay them out."""
    cols = list(stats.columns)
    last = max(cols.index(c) for c in STAT_FIELDS if c in cols)
    return cols[last + 1:]


def hop_bars(data: "Results | pd.DataFrame", *, abis: Sequence[str] | None = None,
             caller: str | None = "nwd", components: Sequence[str] | None = None,
             title: str | None = None, out: str | Path | None = None) -> "Figure":
    """Per-hop breakdown: one horizontal bar per (ABI, caller, callee), stacked by the mean ns
    each component held the PE, with the mean latency written at the bar's end.

    data: a Results or a stats DataFrame of one configuration (Results.stats, or one point of a
      sweep: df[df.point == 3]).
    abis: the ABIs to show, in this order (default: every ABI the caller made).
    caller: keep rows of this caller ("nwd"; None: every caller).
    components: the component columns (default: component_columns(stats), those with time).
    title: replaces the default title. out: also save as out.png and out.svg.
    """
    import numpy as np

    stats = data.stats if isinstance(data, Results) else data
    if "point" in stats.columns and stats["point"].nunique() > 1:
        raise ValueError("hop_bars: the frame holds several sweep points; select one "
                         "(df[df.point == i])")
    rows = stats
    if caller is not None:
        rows = rows[rows["caller"] == caller]
    if abis is not None:
        parts = [rows[rows["abi"] == a] for a in abis]
        missing = [a for a, p in zip(abis, parts) if p.empty]
        if missing:
            raise ValueError(f"hop_bars: no rows for {', '.join(missing)}"
                             f"{' from ' + caller if caller else ''}")
        import pandas as pd
        rows = pd.concat(parts)
    if rows.empty:
        raise ValueError("hop_bars: no rows to plot")
    comps = list(components) if components is not None else component_columns(stats)
    comps = [c for c in comps if float(rows[c].fillna(0).abs().sum()) > 0]
    totals = rows["mean_ns"].to_numpy(dtype=float)
    scale, unit = _time_scale(float(totals.max()))
    labels = [f"{r.abi}\n{_arrow(r.caller, r.callee)}" for r in rows.itertuples()]
    n = len(rows)
    fig = _figure(9.5, max(2.6, 0.55 * n + 1.4))
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    left = np.zeros(n)
    colors = _palette(len(comps))
    for c, color in zip(comps, colors):
        w = rows[c].fillna(0).to_numpy(dtype=float) / scale
        ax.barh(y, w, left=left, height=0.62, label=c, color=color, edgecolor="white",
                linewidth=0.6)
        left += w
    for yi, t in zip(y, totals):
        ax.text(t / scale, yi, f"  {_short(t / scale)} {unit}", va="center", fontsize="small")
    ax.set_yticks(y, labels, fontsize="small")
    ax.set_xlabel(f"mean time per call ({unit})")
    ax.set_xlim(0, float(totals.max()) / scale * 1.22)
    ax.grid(True, axis="x", alpha=0.35)
    ax.set_axisbelow(True)
    ax.set_title(title or "Per-hop breakdown: where each call's time goes")
    ax.legend(title="component", loc="upper left", bbox_to_anchor=(1.01, 1.0),
              fontsize="small", title_fontsize="small", frameon=False)
    return _finish(fig, out)


def _short(v: float) -> str:
    """Three significant figures at most: 32.4, 1.41, 0.197."""
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}" if v >= 1 else f"{v:.3f}"


def _palette(n: int):
    from matplotlib import colormaps
    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]


# --------------------------------------------------------------------------------------------
# Metric against a swept parameter


def metric_vs_param(df: "pd.DataFrame", param: str, *, abi: str, metric: str = "median_ns",
                    caller: str | None = "nwd", callee: str | None = None,
                    hue: str | None = None, logy: bool = False, xlabel: str | None = None,
                    hue_label: str | None = None, title: str | None = None,
                    out: str | Path | None = None) -> "Figure":
    """One ABI's metric against a swept parameter, one line per value of `hue`.

    df: a sweep frame (ffasim.sweep, or its CSV read with pandas).
    param: the grid column on the x axis. metric: a statistic column (median_ns, mean_ns,
      p99_ns, max_ns, min_ns, count, *_cycles, or a component column).
    abi / caller / callee: the rows plotted (callee as a short name "sp:8001", or None).
    hue: another grid column: one line per value. xlabel / hue_label: axis and legend titles
      (default: the column names). logy: log-scale metric axis.
    title: replaces the default title. out: also save as out.png and out.svg.
    Failed points (error set) are left out.
    """
    rows = df
    if "error" in rows.columns:
        rows = rows[rows["error"].isna()]
    m = rows["abi"] == abi
    if caller is not None:
        m &= rows["caller"] == caller
    if callee is not None:
        m &= rows["callee"].astype(str).map(short_component) == short_component(callee)
    rows = rows[m]
    for col in (param, metric) + ((hue,) if hue else ()):
        if col not in df.columns:
            raise ValueError(f"metric_vs_param: no column {col!r}")
    if rows.empty:
        raise ValueError(f"metric_vs_param: no {abi} rows{_who(caller, callee)}")
    _one_callee(rows, abi, caller, callee)
    if caller is None and rows["caller"].nunique() > 1:
        raise ValueError(f"{abi} has several callers ({', '.join(sorted(rows['caller'].unique()))})"
                         f": give caller=")
    keys = [param] + ([hue] if hue else [])
    if rows.duplicated(keys).any():
        others = [k for k in df.attrs.get("grid", []) if k not in keys]
        raise ValueError(f"metric_vs_param: several rows per {' and '.join(keys)}"
                         + (f"; select one value of {', '.join(others)} first, or use it as hue"
                            if others else "; give caller= or callee="))
    if metric.endswith("_cycles") or metric == "count":
        scale, unit = 1.0, "cycles" if metric != "count" else "calls"
    else:  # ns: the statistics and the per-component columns
        scale, unit = _time_scale(float(rows[metric].max()))
    what = METRIC_LABELS.get(metric, f"mean time in {metric}")
    numeric = _is_numeric(rows[param])
    fig = _figure()
    ax = fig.add_subplot()
    groups = list(rows.groupby(hue, sort=True)) if hue else [(None, rows)]
    cats = sorted(rows[param].unique(), key=_sort_key) if not numeric else None
    for label, g in groups:
        if numeric:
            g = g.sort_values(param)
            x = g[param].to_numpy(dtype=float)
        else:
            g = g.assign(_x=[cats.index(v) for v in g[param]]).sort_values("_x")
            x = g["_x"].to_numpy()
        ax.plot(x, g[metric].to_numpy(dtype=float) / scale, marker="o", linewidth=1.6,
                label=_fmt_value(label) if label is not None else None)
    if not numeric:
        ax.set_xticks(range(len(cats)), [_fmt_value(c) for c in cats])
    elif all(float(v).is_integer() for v in rows[param]):
        from matplotlib.ticker import MaxNLocator
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel or param)
    ax.set_ylabel(f"{what} ({unit})")
    ax.grid(True, alpha=0.35)
    ax.set_title(title or f"{abi}{_who(caller, callee)}: {what} vs {xlabel or param}")
    if hue:
        ax.legend(title=hue_label or hue, fontsize="small", title_fontsize="small")
    return _finish(fig, out)


def _is_numeric(s) -> bool:
    import pandas as pd
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _sort_key(v: Any):
    """Natural order for categorical values: '0-1' < '0-3' < '0-7' < '0-15'."""
    import re
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(v))]
