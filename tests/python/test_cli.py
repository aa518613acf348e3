"""The command line: --help everywhere, one-line errors with exit status 2, no tracebacks."""
from __future__ import annotations

import pytest

from conftest import REPO


@pytest.mark.parametrize("args", [[], ["run"], ["sweep"], ["regress"], ["profile"], ["manifest"],
                                  ["manifest", "check"]])
def test_help_of_every_command(ffasim_cli, args):
    proc = ffasim_cli(*args, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"usage: ffasim {' '.join(args)}".rstrip())
    assert proc.stderr == ""


def test_help_of_run_names_its_options(ffasim_cli):
    out = ffasim_cli("run", "--help").stdout
    for opt in ("SCENARIO", "--profile", "--set", "--json", "--trace", "--csv"):
        assert opt in out


def test_no_command_is_a_one_line_usage_error(ffasim_cli):
    proc = ffasim_cli()
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "required" in proc.stderr


def test_unknown_option_is_one_line(ffasim_cli):
    proc = ffasim_cli("run", "--bogus")
    assert proc.returncode == 2
    assert proc.stderr == "ffasim: unrecognized arguments: --bogus (see 'ffasim --help')\n"


def test_bad_scenario_key_is_one_line_exit_2(ffasim_cli, write_yaml):
    p = write_yaml("workload:\n  - {kind: ffa_version, pes: 0, cuont: 3}\n", "x.yaml")
    proc = ffasim_cli("run", p)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == (f"{p}: workload.0.cuont: unknown key (expected one of kind, pes, count, "
                           f"think_cycles); did you mean 'count'?\n")


def test_relative_scenario_path_is_reported_as_given(ffasim_cli, write_yaml, tmp_path):
    write_yaml("seed: -1\n", "neg.yaml")
    proc = ffasim_cli("run", "neg.yaml", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (2, "neg.yaml: seed: expected a non-negative integer, got -1\n")


def test_bad_set_is_one_line(ffasim_cli):
    proc = ffasim_cli("run", "--set", "workload.0.count=zero")
    assert (proc.returncode, proc.stderr) == (2, "--set: workload.0.count: expected a positive integer, got 'zero'\n")
    proc = ffasim_cli("run", "--set", "novalue")
    assert (proc.returncode, proc.stderr) == (2, "--set: novalue: expected key=value\n")


def test_unknown_profile_is_one_line(ffasim_cli):
    proc = ffasim_cli("run", "--profile", "n9")
    assert proc.returncode == 2
    assert proc.stderr.startswith("--profile: unknown profile 'n9' (expected one of default, a53-gic400, n1sdp")
    assert proc.stderr.count("\n") == 1


def test_profile_list_names_the_profiles(ffasim_cli):
    proc = ffasim_cli("profile", "--list")
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[:3] == ["default", "a53-gic400", "n1sdp"]


@pytest.mark.backend
def test_unknown_profile_parameter_suggests_the_closest(ffasim_cli):
    proc = ffasim_cli("run", "--set", "core.clok_hz=3e9")
    assert (proc.returncode, proc.stderr) == (
        2, "--set: core.clok_hz: unknown profile parameter (did you mean 'core.clock_hz'?)\n")


@pytest.mark.backend
def test_profile_lists_every_parameter_with_unit_default_and_source(ffasim_cli):
    proc = ffasim_cli("profile")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("profile default: ")
    assert "core.clock_hz = 2000000000 Hz" in lines
    assert any(ln.startswith("    source: ") for ln in lines)


@pytest.mark.backend
def test_profile_n1sdp_changes_the_clock(ffasim_cli):
    proc = ffasim_cli("profile", "--profile", "n1sdp", "--changed")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "profile n1sdp: 1 parameters"
    assert proc.stdout.splitlines()[1].startswith("core.clock_hz = 2600000000 Hz  (default 2000000000; from ")


@pytest.mark.backend
def test_manifest_check_accepts_the_platform_manifests(ffasim_cli):
    files = [f"scenarios/platforms/{n}.dts" for n in
             ("fvp_spmc_manifest", "fvp_optee_sp_manifest", "fvp_test_sp_manifest")]
    proc = ffasim_cli("manifest", "check", *files)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [f"{f}: ok" for f in files]


@pytest.mark.backend
def test_manifest_check_prints_one_line_per_problem(ffasim_cli):
    f = "tests/data/manifests/many_problems.dts"
    proc = ffasim_cli("manifest", "check", f)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) > 3
    assert all(ln.startswith(f"{f}: ") for ln in lines)
    assert proc.stderr == ""


@pytest.mark.backend
def test_manifest_check_finds_problems_across_a_set(ffasim_cli):
    a, b = "tests/data/manifests/set_a.dts", "tests/data/manifests/set_b_same_id.dts"
    proc = ffasim_cli("manifest", "check", a, b)
    assert proc.returncode == 1
    assert len(proc.stdout.splitlines()) >= 1


@pytest.mark.backend
def test_manifest_missing_file_is_one_problem(ffasim_cli):
    proc = ffasim_cli("manifest", "check", "nope.dts")
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "nope.dts: file not found\n", "")


def test_launcher_runs_from_any_directory(ffasim_cli, tmp_path):
    proc = ffasim_cli("--version", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("ffasim ")
    assert (REPO / "ffasim").stat().st_mode & 0o111
