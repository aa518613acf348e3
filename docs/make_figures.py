"""Re-makes the figures of the user guide (docs/img/*.png and .svg) and prints the study's table.

    PYTHONPATH=python:build/python /usr/bin/python3 docs/make_figures.py

Deterministic: the same tree gives the same numbers (and byte-identical SVGs).
"""
from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent / "python"))

import ffasim  # noqa: E402
from ffasim import plots  # noqa: E402

THREADS = "platform.partitions.0.params.threads"
CLIENTS = "workload.0.pes"
CLIENT_LABELS = {"0-1": "2 clients (PEs 0-1)", "0-3": "4 clients (PEs 0-3)",
                 "0-7": "8 clients (PEs 0-7)"}


def study() -> None:
    df = ffasim.sweep(DOCS.parent / "scenarios" / "optee_threads.yaml",
                      {THREADS: list(range(1, 9)), CLIENTS: ["0-1", "0-3", "0-7"]})
    df["clients"] = df[CLIENTS].map(CLIENT_LABELS)
    kw = dict(abi="optee.invoke", hue="clients", hue_label="normal-world clients",
              xlabel="OP-TEE thread-pool size (CFG_NUM_THREADS)")
    plots.metric_vs_param(df, THREADS, metric="mean_ns", out=DOCS / "img" / "optee_threads_mean",
                          title="OP-TEE invoke (TA command 1): mean latency vs thread-pool size",
                          **kw)
    plots.metric_vs_param(df, THREADS, metric="max_ns", logy=True,
                          out=DOCS / "img" / "optee_threads_max",
                          title="OP-TEE invoke (TA command 1): worst latency vs thread-pool size",
                          **kw)
    inv = df[df.abi == "optee.invoke"]
    print("| threads | clients | calls | median (µs) | mean (µs) | p99 (µs) | max (µs) |")
    print("|--:|---|--:|--:|--:|--:|--:|")
    for r in inv.sort_values([CLIENTS, THREADS]).itertuples():
        d = r._asdict()
        print(f"| {d['_2']} | {d['_3']} | {r.count} | {r.median_ns / 1e3:.1f} | "
              f"{r.mean_ns / 1e3:.1f} | {r.p99_ns / 1e3:.1f} | {r.max_ns / 1e3:,.1f} |")


PAGES = "workload.0.pages"
LAYOUT = "workload.0.constituents"
OP = "workload.0.op"
MEM_OPS = ("mem.send", "mem.retrieve", "mem.relinquish", "mem.reclaim")


def memory_sharing() -> None:
    """docs/memory-sharing.md: cost of share/lend/donate, retrieve, relinquish, reclaim vs pages."""
    pages = [2 ** i for i in range(13)]  # 1 .. 4096
    df = ffasim.sweep(DOCS.parent / "scenarios" / "mem_share_cost.yaml",
                      {PAGES: pages, LAYOUT: ["contiguous", "scattered"], OP: ["share", "lend", "donate"]})
    df["pages"] = df[PAGES].astype(int).astype(str)  # equally spaced: the sizes double
    share = df[df[OP] == "share"]
    for op in ("mem.send", "mem.retrieve"):
        plots.metric_vs_param(share, "pages", abi=op, caller=None, metric="mean_ns", hue=LAYOUT,
                              hue_label="constituents", logy=True, xlabel="pages (4 KiB)",
                              title=f"FFA_MEM_SHARE to the test SP: {op} vs pages",
                              out=DOCS / "img" / f"mem_share_{op.split('.')[1]}")
    contiguous = df[df[LAYOUT] == "contiguous"]
    plots.metric_vs_param(contiguous, "pages", abi="mem.retrieve", caller=None, metric="mean_ns", hue=OP,
                          hue_label="transaction", logy=True, xlabel="pages (4 KiB), one constituent",
                          title="Retrieve by the test SP: share vs lend vs donate",
                          out=DOCS / "img" / "mem_share_ops")
    print("| op | constituents | pages | send (µs) | retrieve (µs) | relinquish (µs) | reclaim (µs) |")
    print("|---|---|--:|--:|--:|--:|--:|")
    rows = df[df.abi.isin(MEM_OPS)]
    for (op, layout, n), g in rows.groupby([OP, LAYOUT, PAGES], sort=False):
        if n not in (1, 16, 256, 4096):
            continue
        mean = {a: g[g.abi == a].mean_ns for a in MEM_OPS}
        cell = [f"{float(mean[a].iloc[0]) / 1e3:,.2f}" if len(mean[a]) else "—" for a in MEM_OPS]
        print(f"| {op} | {layout} | {n} | " + " | ".join(cell) + " |")


def tour() -> None:
    res = ffasim.run()
    plots.hop_bars(res, abis=["PSCI_VERSION", "FFA_VERSION", "FFA_MSG_SEND_DIRECT_REQ_32",
                              "FFA_MSG_SEND_DIRECT_REQ_64", "optee.invoke"],
                   title="Default scenario: where each call's time goes (mean per call)",
                   out=DOCS / "img" / "default_hops")


MM_SIZES = [16, 64, 256, 1024, 4096, 16384]
MM_OPS = {"mm.set_variable": "SetVariable", "mm.get_variable": "GetVariable"}


def mm_variables() -> None:
    """docs/mm-variables.md: SetVariable / GetVariable latency against the variable size."""
    grid = [{"workload.0.size": n, "workload.1.size": n} for n in MM_SIZES]
    df = ffasim.sweep(DOCS.parent / "scenarios" / "mm_variables.yaml", grid)
    ops = df[df.abi.isin(list(MM_OPS))]
    comps = [c for c in plots.component_columns(ops) if ops[c].sum() > 0]
    fig = plots._figure()
    ax = fig.add_subplot()
    for abi, label in MM_OPS.items():
        rows = ops[ops.abi == abi].sort_values("workload.0.size")
        ax.plot(rows["workload.0.size"], rows["mean_ns"] / 1e3, marker="o", label=label)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("variable size (bytes); GetVariable's buffer is the same size")
    ax.set_ylabel("mean latency (µs)")
    ax.set_ylim(bottom=0)
    ax.set_title("UEFI variables over FF-A MM communicate: latency vs size")
    ax.legend()
    ax.grid(True, alpha=0.3)
    plots.save(fig, DOCS / "img" / "mm_variables")
    print("| call | size (B) | mean (µs) | " + " | ".join(f"{c} (µs)" for c in comps) + " |")
    print("|---|--:|--:|" + "--:|" * len(comps))
    for abi, label in MM_OPS.items():
        for r in ops[ops.abi == abi].sort_values("workload.0.size").itertuples(index=False):
            row = dict(zip(ops.columns, r))
            print(f"| {label} | {row['workload.0.size']} | {row['mean_ns'] / 1e3:.1f} | "
                  + " | ".join(f"{row[c] / 1e3:.1f}" for c in comps) + " |")


if __name__ == "__main__":
    which = sys.argv[1:] or ["tour", "study", "mm_variables", "memory_sharing"]
    for name in which:
        globals()[name]()
