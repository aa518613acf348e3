"""The ffasim command line: `ffasim run`, `sweep`, `regress`, `profile`, `manifest check`.

Exit status: 0 success; 1 the run reported firmware/driver errors, a sweep point failed, ABI
timing drifted from the baseline, or a manifest has problems; 2 a usage or configuration mistake
(one line on stderr, no traceback); 3 an internal failure.
"""
from __future__ import annotations

import argparse
import faulthandler
import json
import os
import sys
from pathlib import Path
from typing import Sequence

from . import __version__, _paths
from . import scenario as _scenario
from .errors import BackendError, ConfigError, FfasimError
from .results import Results, clean

PROG = "ffasim"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one line (no usage dump) and exits with 2."""

    def error(self, message: str) -> None:  # noqa: D401
        sys.stderr.write(f"{self.prog}: {message} (see '{self.prog} --help')\n")
        sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Cycle-approximate simulator of the Arm FF-A firmware stack.",
                epilog="Run 'ffasim COMMAND --help' for the options of a command.")
    p.add_argument("--version", action="version", version=f"ffasim {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    r = sub.add_parser(
        "run", help="run a scenario and print latency per ABI",
        description="Run a scenario to completion and print, per ABI, the call count, the min, "
                    "median, p99 and max latency in ns and cycles, and the mean time per "
                    "component (per-hop breakdown).",
        epilog="Examples: ffasim run; ffasim run scenarios/default.yaml --profile n1sdp "
               "--set core.cpi=1.2 --set workload.0.count=10 --json out.json")
    r.add_argument("scenario", nargs="?", metavar="SCENARIO",
                   help="scenario YAML file (default: scenarios/default.yaml)")
    r.add_argument("--profile", metavar="NAME|FILE",
                   help="timing profile: a name in scenarios/profiles (e.g. n1sdp) or a file; "
                        "replaces the scenario's")
    r.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="sets",
                   help="override a profile parameter (e.g. core.clock_hz=2.6e9) or a scenario "
                        "value by dotted path (e.g. workload.0.count=10, nwd.linux_driver=false); "
                        "repeatable")
    r.add_argument("--json", metavar="FILE", help="write every figure as JSON")
    r.add_argument("--csv", metavar="FILE", help="write the per-ABI table as CSV")
    r.add_argument("--trace", metavar="FILE",
                   help="write a Perfetto/Chrome JSON trace (open it in ui.perfetto.dev)")
    r.add_argument("-q", "--quiet", action="store_true", help="print no report")
    r.set_defaults(func=cmd_run)

    pr = sub.add_parser(
        "profile", help="list the timing parameters",
        description="List every timing parameter with its unit, default, value and the source of "
                    "its default. With --profile or --set, show the values they give.")
    pr.add_argument("--profile", metavar="NAME|FILE", help="a profile name or file to apply")
    pr.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", dest="sets",
                    help="override a parameter; repeatable")
    pr.add_argument("--changed", action="store_true", help="list only parameters that differ "
                    "from their default")
    pr.add_argument("--json", metavar="FILE", help="write the parameters as JSON")
    pr.add_argument("--list", action="store_true", help="list the named profiles and exit")
    pr.add_argument("--markdown", metavar="FILE",
                    help="write the reference of every parameter (unit, default, source) and of "
                         "the named profiles as Markdown, and print nothing else "
                         "(docs/timing-profile.md is made this way)")
    pr.set_defaults(func=cmd_profile)

    sw = sub.add_parser(
        "sweep", help="run a scenario over a grid of parameters, one process per point",
        description="Run a scenario at every point of a grid (the cartesian product of the "
                    "--grid options), one simulation process per point, on a local pool or a "
                    "Dask cluster, and write one table: a row per point and ABI (or per call "
                    "with --spans), with one column per grid key, the point's seed and its "
                    "error if it failed. A failed point does not stop the others; the command "
                    "then lists the failures and exits with 1.",
        epilog="Example: ffasim sweep scenarios/optee_threads.yaml "
               "--grid platform.partitions.0.params.threads=1,2,4,8 --grid workload.0.pes=0-1,0-3,0-7 "
               "--out sweep.csv. Seeds: each point's scenario seed is derived from --seed and the "
               "point (see docs/python-api.md), so a point gives the same result in any sweep "
               "with the same seed.")
    sw.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    sw.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2,...", dest="grid",
                    help="a swept key (a profile parameter such as core.cpi or a scenario path "
                         "such as workload.0.count, as for --set) and its values, comma-separated "
                         "(YAML scalars; [a,b] is one list value); repeatable: the grid is the "
                         "cartesian product")
    sw.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="sets",
                    help="a fixed override for every point, as for 'ffasim run'; repeatable")
    sw.add_argument("--profile", metavar="NAME|FILE", help="timing profile replacing the scenario's")
    sw.add_argument("--jobs", type=int, metavar="N",
                    help="simulation processes at a time on this machine (default: the CPU count)")
    sw.add_argument("--scheduler", metavar="ADDR",
                    help="run the points on a Dask cluster (scheduler address, e.g. "
                         "tcp://10.0.0.5:8786) instead of the local pool")
    sw.add_argument("--seed", type=int, default=1, metavar="S",
                    help="sweep seed from which each point's seed is derived (default 1)")
    sw.add_argument("--spans", action="store_true",
                    help="write one row per call instead of one per ABI (large)")
    sw.add_argument("--timeout", type=float, metavar="SECONDS",
                    help="stop a point that takes longer (default: FFASIM_TIMEOUT, else none)")
    sw.add_argument("--out", required=True, metavar="FILE",
                    help="output file: .csv or .json (by extension)")
    sw.add_argument("--no-progress", action="store_true",
                    help="no progress bar (it is shown only when stderr is a terminal)")
    sw.set_defaults(func=cmd_sweep)

    rg = sub.add_parser(
        "regress", help="check ABI timing against a baseline file (CI)",
        description="Run the ABI timing suite (FFA_VERSION, PSCI_VERSION, direct-request echo "
                    "to the test SP, OP-TEE invoke and its direct requests) N times each on a "
                    "quiet platform, and compare count, min, average and max latency (ns) and the "
                    "average ns per component with the baseline file. Runs are deterministic, so "
                    "the comparison is exact unless --tolerance is given. On drift it prints a "
                    "table (ABI, statistic, baseline, now, delta %%) and exits with 1; --update "
                    "rewrites the baseline. The count, scenario, profile and overrides recorded "
                    "in the baseline are reused unless given here.",
        epilog="CI: ffasim regress --baseline baselines/abi_timing.json. A change that moves ABI "
               "timing updates the baseline in the same commit: ffasim regress --baseline "
               "baselines/abi_timing.json --update.")
    rg.add_argument("--baseline", required=True, metavar="FILE", help="baseline JSON file")
    rg.add_argument("--update", action="store_true",
                    help="measure and (re)write the baseline instead of comparing")
    rg.add_argument("--tolerance", type=float, default=0.0, metavar="PCT",
                    help="allowed drift of each statistic, in percent (default 0: exact); "
                         "counts are always exact")
    rg.add_argument("--count", type=int, metavar="N",
                    help="calls per ABI (default: the baseline's, else 1000)")
    rg.add_argument("--scenario", metavar="FILE",
                    help="the quiet platform (default: the baseline's, else scenarios/regress.yaml); "
                         "its workload is replaced by the suite's")
    rg.add_argument("--profile", metavar="NAME|FILE",
                    help="timing profile (default: the baseline's, else the scenario's)")
    rg.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="sets",
                    help="override a profile parameter or platform value, on top of the "
                         "baseline's overrides; repeatable")
    rg.add_argument("--jobs", type=int, metavar="N",
                    help="simulation processes at a time (default: the CPU count)")
    rg.add_argument("--no-progress", action="store_true", help="no progress bar")
    rg.set_defaults(func=cmd_regress)

    m = sub.add_parser("manifest", help="partition and SPMC manifest tools",
                       description="Partition and SPMC core manifest tools.")
    msub = m.add_subparsers(dest="manifest_command", metavar="COMMAND", parser_class=_Parser)
    msub.required = True
    mc = msub.add_parser(
        "check", help="check manifests (.dts or .dtb)",
        description="Check partition manifests (arm,ffa-manifest-1.0/1.1) and SPMC core "
                    "manifests (arm,ffa-core-manifest-1.0), .dts or .dtb. Prints one line per "
                    "problem, '<file>: <node>: <property>: <what was expected>', and exits with 1 "
                    "if there is any. Several partition manifests are also checked as a set "
                    "(duplicate IDs and UUIDs, overlapping memory regions).")
    mc.add_argument("files", nargs="+", metavar="FILE")
    mc.add_argument("--kind", choices=("auto", "partition", "core"), default="auto",
                    help="manifest kind (default: from the root 'compatible')")
    mc.set_defaults(func=cmd_manifest_check)
    return p


# --------------------------------------------------------------------------------------------


def _sets(texts: Sequence[str]) -> list[tuple[str, object]]:
    return [_scenario.parse_set(t) for t in texts]


def _write(path: str, text: str, option: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{option}: {path}: cannot write: {e.strerror or e}") from None


def _check_writable(path: str | None, option: str) -> None:
    if path is None:
        return
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise ConfigError(f"{option}: {path}: no such directory: {parent}")


def cmd_run(args: argparse.Namespace) -> int:
    from . import _engine

    scn = _scenario.load(args.scenario, _sets(args.sets), profile=args.profile,
                         override_origin="--set")
    for opt, path in (("--json", args.json), ("--csv", args.csv), ("--trace", args.trace)):
        _check_writable(path, opt)
    with _engine.stdout_to_stderr():
        res = Results(_engine.run_scenario(scn, spans=False, trace=args.trace))
    if not args.quiet:
        sys.stdout.write(res.report())
    if args.json:
        _write(args.json, res.to_json(), "--json")
    if args.csv:
        _write(args.csv, res.to_csv(), "--csv")
    if res.errors:
        sys.stderr.write(f"{PROG} run: {len(res.errors)} firmware/driver errors (listed in the report)\n")
        return 1
    return 0


def cmd_profile(args: argparse.Namespace) -> int:
    if args.markdown is not None:
        return _profile_markdown(args)
    if args.list:
        for name in ["default"] + _paths.available_profiles():
            sys.stdout.write(f"{name}\n")
        return 0
    from . import _engine

    be = _engine.backend()
    path, label = ("", "default")
    if args.profile is not None:
        path, label = _scenario.resolve_profile(args.profile, Path.cwd(), "--profile")
    scn = _scenario.Scenario(name="", source="", base_dir=Path.cwd())
    for name, value in _sets(args.sets):
        n = _scenario.as_number(value)
        if n is None:
            raise ConfigError(f"--set: {name}: expected a number, got '{value}'")
        scn.overrides.append(_scenario.Override(name, float(n), "--set", name))
    _engine.check_overrides(scn)
    overrides = [(o.name, o.value) for o in scn.overrides]
    try:
        rows = be.load_profile(path, overrides)
    except (RuntimeError, ValueError) as e:
        raise ConfigError(str(e).strip().splitlines()[0]) from None
    if args.changed:
        rows = [r for r in rows if r["value"] != r["default_value"]]
    if args.json:
        data = {r["name"]: {k: r[k] for k in ("unit", "value", "default_value", "origin", "doc", "source")}
                for r in rows}
        _write(args.json, json.dumps(clean(data), sort_keys=True, indent=2) + "\n", "--json")
    out = [f"profile {label}: {len(rows)} parameters"]
    for r in rows:
        val = _fmt(r["value"])
        line = f"{r['name']} = {val} {r['unit']}"
        if r["value"] != r["default_value"]:
            line += f"  (default {_fmt(r['default_value'])}; from {r['origin']})"
        out.append(line)
        out.append(f"    {r['doc']}")
        out.append(f"    source: {r['source']}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def _profile_markdown(args: argparse.Namespace) -> int:
    from . import _engine, profile_doc

    if args.profile is not None or args.sets or args.changed or args.json or args.list:
        raise ConfigError("--markdown documents the defaults and the named profiles; it cannot "
                          "be combined with --profile, --set, --changed, --json or --list")
    _check_writable(args.markdown, "--markdown")
    be = _engine.backend()
    named = []
    for name in _paths.available_profiles():
        path = _paths.profiles_dir() / f"{name}.yaml"
        try:
            named.append((name, path, be.load_profile(str(path), [])))
        except (RuntimeError, ValueError) as e:
            raise ConfigError(f"{_paths.display(path)}: {str(e).strip().splitlines()[0]}") from None
    _write(args.markdown, profile_doc.markdown(be.default_profile(), named), "--markdown")
    return 0


def _fmt(v: float) -> str:
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.6g}"


def parse_grid(texts: Sequence[str]) -> dict[str, list[object]]:
    """['core.cpi=1,1.5', 'workload.0.pes=[0,1],[2,3]'] -> {key: [values]} (YAML scalars; commas
    inside brackets or braces do not split)."""
    grid: dict[str, list[object]] = {}
    for text in texts:
        key, sep, raw = text.partition("=")
        key = key.strip()
        if not sep or not key or not raw.strip():
            raise ConfigError(f"--grid: {text}: expected key=value1,value2,...")
        if key in grid:
            raise ConfigError(f"--grid: {key}: given twice (list all its values in one --grid)")
        values = []
        for part in _split_top(raw):
            if not part.strip():
                raise ConfigError(f"--grid: {text}: empty value")
            values.append(_scenario.parse_set(f"{key}={part.strip()}")[1])
        grid[key] = values
    return grid


def _split_top(text: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def cmd_sweep(args: argparse.Namespace) -> int:
    import time
    import warnings

    import importlib

    from .errors import SweepWarning

    # The module, not ffasim.sweep (the package attribute is the function).
    sweep_mod = importlib.import_module(f"{__package__}.sweep")
    if not args.grid:
        raise ConfigError("sweep: give at least one --grid KEY=V1,V2,...")
    if args.jobs is not None and args.scheduler is not None:
        raise ConfigError("--jobs and --scheduler are exclusive (--jobs sizes the local pool)")
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError(f"--jobs: expected a positive integer, got {args.jobs}")
    if args.seed < 0:
        raise ConfigError(f"--seed: expected a non-negative integer, got {args.seed}")
    if Path(args.out).suffix.lower() not in (".csv", ".json"):
        raise ConfigError(f"--out: {args.out}: expected a .csv or .json file name")
    _check_writable(args.out, "--out")
    grid = parse_grid(args.grid)
    sets = dict(_sets(args.sets))
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SweepWarning)   # listed below, one line per point
        df = sweep_mod.sweep(args.scenario, grid, jobs=args.jobs, cluster=args.scheduler,
                             seed=args.seed, progress=not args.no_progress, overrides=sets,
                             profile=args.profile, table="spans" if args.spans else "stats",
                             timeout=args.timeout)
    wall = time.perf_counter() - t0
    meta = {"scenario": args.scenario, "seed": args.seed, "profile": args.profile,
            "overrides": {k: v for k, v in sets.items()}, "values": grid}
    sweep_mod.write(df, args.out, meta)
    failed = df.attrs.get("failed", [])
    points = int(df["point"].nunique()) if len(df) else 0
    sys.stdout.write(f"sweep: {points} point{'' if points == 1 else 's'} ({len(failed)} failed) in {wall:.1f} s; "
                     f"wrote {len(df)} rows to {args.out}\n")
    if failed:
        keys = df.attrs.get("grid", [])
        first = df.drop_duplicates("point").set_index("point")
        sys.stderr.write(f"{PROG} sweep: {len(failed)} of {points} points failed:\n")
        for i in failed:
            row = first.loc[i]
            desc = ", ".join(f"{k}={row[k]}" for k in keys)
            sys.stderr.write(f"  point {i} ({desc}): {row['error']}\n")
        return 1
    return 0


def cmd_regress(args: argparse.Namespace) -> int:
    from . import regress as rg

    if args.tolerance < 0:
        raise ConfigError(f"--tolerance: expected a percentage >= 0, got {args.tolerance:g}")
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError(f"--jobs: expected a positive integer, got {args.jobs}")
    path = Path(args.baseline)
    baseline = None
    if path.exists() or not args.update:
        baseline = rg.load_baseline(path)
    if args.update:
        _check_writable(args.baseline, "--baseline")
    settings = rg.Settings.combine(baseline, count=args.count, scenario=args.scenario,
                                   profile=args.profile, sets=_sets(args.sets))
    if baseline is not None and not args.update and settings.count != baseline.get("count"):
        raise ConfigError(f"--count: {settings.count} differs from the baseline's "
                          f"{baseline.get('count')}; statistics are comparable only for the same "
                          f"count (make a new baseline with --update)")
    m = rg.measure(settings, jobs=args.jobs, progress=not args.no_progress)
    ncases = len(m.data["abis"])
    if m.errors:
        sys.stdout.write(f"firmware/driver errors during the suite ({len(m.errors)}):\n")
        sys.stdout.write("".join(f"  {e}\n" for e in m.errors))
        sys.stderr.write(f"{PROG} regress: the suite reported {len(m.errors)} firmware/driver "
                         f"errors\n")
        return 1
    if args.update:
        if baseline is not None:
            changes = rg.compare(baseline, m.data)
            if changes:
                sys.stdout.write(f"changes from the previous {args.baseline}:\n")
                sys.stdout.write(rg.diff_table(changes))
        rg.save_baseline(path, m.data)
        sys.stdout.write(f"regress: wrote {args.baseline}: {ncases} ABIs x {settings.count} calls, "
                         f"profile {m.data['profile']}, scenario {m.data['scenario']}\n")
        return 0
    drifts = rg.compare(baseline, m.data, args.tolerance)
    how = "exact" if args.tolerance == 0 else f"tolerance {args.tolerance:g}%"
    if not drifts:
        sys.stdout.write(f"regress: {ncases} ABIs x {settings.count} calls match {args.baseline} "
                         f"({how})\n")
        return 0
    sys.stdout.write(f"ABI timing drifted from {args.baseline} ({how}; {settings.count} calls "
                     f"per ABI on PE {rg.MEASURED_PE} of {m.data['scenario']}, "
                     f"profile {m.data['profile']}):\n")
    sys.stdout.write(rg.diff_table(drifts))
    params = rg.parameter_changes(baseline, m.data)
    if params:
        sys.stdout.write("profile parameters that differ from the baseline's:\n")
        sys.stdout.write("".join(f"  {p}\n" for p in params))
    sys.stdout.write(f"If the change is intended, update the baseline in the same commit:\n"
                     f"  ./ffasim regress --baseline {args.baseline} --update\n")
    sys.stderr.write(f"{PROG} regress: {len(drifts)} statistics drifted from {args.baseline}\n")
    return 1


def cmd_manifest_check(args: argparse.Namespace) -> int:
    from . import _engine

    be = _engine.backend()
    problems = be.check_manifests(list(args.files), args.kind)
    for line in problems:
        sys.stdout.write(line + "\n")
    for f in args.files:
        if not any(line.startswith(f + ":") for line in problems):
            sys.stdout.write(f"{f}: ok\n")
    return 1 if problems else 0


# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1")
    faulthandler.enable()  # a crash in the C++ side names itself on stderr
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as e:
        sys.stderr.write(f"{e}\n")
        return 2
    except BackendError as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 3
    except FfasimError as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 3
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # a bug in ffasim, not the user's mistake
        if os.environ.get("FFASIM_DEBUG"):
            raise
        sys.stderr.write(f"{PROG}: internal error: {type(e).__name__}: {e} "
                         f"(set FFASIM_DEBUG=1 for the traceback)\n")
        return 3
