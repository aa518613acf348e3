"""Sweep scaling benchmark: a 200-point sweep of the default scenario on the local pool against 200
sequential single runs (ffasim.run in a loop), both one simulation process per point.

    PYTHONPATH=python:build/python /usr/bin/python3 bench/sweep_bench.py [--points 200] [--jobs N]

Prints both wall times, the speed-up and the parallel efficiency (speed-up / jobs); the target is
linear scaling within 15% (efficiency >= 0.85). Each mode runs --repeat times (default 2),
alternating, and the best wall time of each counts, so that a burst of other work on the machine
does not decide the result; the load average is printed beside. A benchmark, not a test: CI does
not run it.

The grid varies core.cpi and OP-TEE's thread-pool size (so the points differ in work), with the
default scenario's workload (6445 calls per point); --count scales the workload if a machine is
slow (it multiplies every workload item's count).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))

import ffasim  # noqa: E402
from ffasim import _paths  # noqa: E402
from ffasim.sweep import expand_grid  # noqa: E402

# The default scenario's workload counts (scenarios/default.yaml).
DEFAULT_COUNTS = (200, 500, 500, 200, 200)


def grid(points: int) -> list[dict]:
    threads = list(range(1, 9))
    cpis = [round(1.0 + 0.05 * i, 2) for i in range(-(-points // len(threads)))]
    return expand_grid({"core.cpi": cpis, "platform.partitions.0.params.threads": threads})[:points]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--count", type=float, default=1.0,
                    help="scale every workload count by this factor (default 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=2, help="rounds of each mode (best counts)")
    args = ap.parse_args()

    points = grid(args.points)
    fixed = {f"workload.{i}.count": max(1, round(c * args.count))
             for i, c in enumerate(DEFAULT_COUNTS)}
    scenario = _paths.default_scenario()
    print(f"sweep_bench: {len(points)} points of {_paths.display(scenario)} (workload counts "
          f"{', '.join(map(str, fixed.values()))}), {args.jobs} jobs on {os.cpu_count()} CPUs, "
          f"best of {args.repeat}; load average {os.getloadavg()[0]:.2f}")

    def run_sweep():
        with warnings.catch_warnings():
            warnings.simplefilter("error", ffasim.SweepWarning)
            return ffasim.sweep(scenario, points, jobs=args.jobs, seed=args.seed, overrides=fixed)

    def run_sequential():
        return [ffasim.run(scenario, {**fixed, **p, "seed": ffasim.point_seed(args.seed, p)},
                           spans=False) for p in points]

    t_sweep = t_seq = float("inf")
    for r in range(args.repeat):
        t0 = time.perf_counter()
        sequential = run_sequential()
        t_seq = min(t_seq, time.perf_counter() - t0)
        t0 = time.perf_counter()
        df = run_sweep()
        t_sweep = min(t_sweep, time.perf_counter() - t0)
        print(f"  round {r + 1}: sequential {t_seq:.2f} s, sweep {t_sweep:.2f} s (best so far); "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)

    # The same figures either way.
    for i in (0, len(points) // 2, len(points) - 1):
        row = df[(df.point == i) & (df.abi == "optee.invoke")].iloc[0]
        assert row["mean_ns"] == sequential[i].row("optee.invoke")["mean_ns"], i

    speedup = t_seq / t_sweep
    eff = speedup / args.jobs
    print(f"sequential: {len(points)} single runs in {t_seq:7.2f} s "
          f"({t_seq / len(points) * 1e3:6.1f} ms per run)")
    print(f"sweep:      {len(points)} points     in {t_sweep:7.2f} s "
          f"({t_sweep / len(points) * 1e3:6.1f} ms per point, {args.jobs} jobs)")
    print(f"speed-up {speedup:.2f}x on {args.jobs} jobs: parallel efficiency {eff:.0%} "
          f"(target >= 85%: {'met' if eff >= 0.85 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
