"""The ffasim command line: `ffasim run`, `ffasim profile`, `ffasim manifest check`.

Exit status: 0 success; 1 the run reported firmware/driver errors, or a manifest has problems;
2 a usage or configuration mistake (one line on stderr, no traceback); 3 an internal failure.
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
    pr.set_defaults(func=cmd_profile)

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


def _fmt(v: float) -> str:
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.6g}"


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
