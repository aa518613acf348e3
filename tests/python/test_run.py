"""Whole runs: the CLI report and files, determinism, and ffasim.run's DataFrames."""
from __future__ import annotations

import json

import pytest

import ffasim

from conftest import DATA, abi_names

pytestmark = pytest.mark.backend
SMALL = DATA / "small.yaml"


def test_run_of_a_small_scenario_is_byte_identical_twice(ffasim_cli, tmp_path):
    outs = []
    for i in range(2):
        j = tmp_path / f"r{i}.json"
        proc = ffasim_cli("run", SMALL, "--json", j)
        assert proc.returncode == 0, proc.stderr
        outs.append((proc.stdout, j.read_bytes()))
    assert outs[0] == outs[1]


def test_run_reports_every_workload_abi_with_counts(ffasim_cli, tmp_path):
    j = tmp_path / "r.json"
    proc = ffasim_cli("run", SMALL, "--json", j)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(j.read_text())
    rows = {(r["abi"], r["caller"]): r for r in data["results"]}
    version = [r for r in data["results"] if r["abi"] in abi_names("FFA_VERSION") and r["caller"] == "nwd"]
    assert len(version) == 1 and version[0]["count"] == 21  # the driver's probe and 20 calls
    assert rows[("PSCI_VERSION", "nwd")]["count"] == 20
    assert rows[("FFA_MSG_SEND_DIRECT_REQ_32", "nwd")]["count"] == 20
    for r in data["results"]:
        assert r["min_ns"] <= r["median_ns"] <= r["p99_ns"] <= r["max_ns"]
        assert r["min_cycles"] <= r["max_cycles"]
    assert data["errors"] == []
    assert "latency per ABI" in proc.stdout and "per-hop breakdown" in proc.stdout


def test_set_overrides_a_scenario_value_and_a_profile_parameter(ffasim_cli, tmp_path):
    j = tmp_path / "r.json"
    proc = ffasim_cli("run", SMALL, "--set", "workload.2.count=5", "--set", "core.clock_hz=2.6e9",
                      "--json", j)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(j.read_text())
    assert data["clock_hz"] == 2.6e9
    assert data["parameters"]["core.clock_hz"] == 2.6e9
    rows = {(r["abi"], r["caller"]): r for r in data["results"]}
    assert rows[("PSCI_VERSION", "nwd")]["count"] == 5


def test_trace_is_chrome_json(ffasim_cli, tmp_path):
    t = tmp_path / "t.json"
    proc = ffasim_cli("run", SMALL, "-q", "--trace", t)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    trace = json.loads(t.read_text())
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    assert len(events) > 0


def test_python_run_gives_dataframes():
    res = ffasim.run(SMALL, {"workload.1.count": 7})
    assert res.errors == []
    stats = res.stats
    row = stats[(stats.abi == "PSCI_VERSION") & (stats.caller == "nwd")].iloc[0]
    assert row["count"] == 20
    spans = res.spans
    psci = spans[(spans.abi == "PSCI_VERSION") & (spans.caller == "nwd")]
    assert len(psci) == 20
    assert (psci.duration_ns > 0).all()
    assert (spans.end_cycles >= spans.start_cycles).all()
    assert res.row("PSCI_VERSION", "nwd")["median_ns"] == pytest.approx(psci.duration_ns.median(), abs=1)


def test_python_run_and_cli_agree(ffasim_cli, tmp_path):
    j = tmp_path / "r.json"
    assert ffasim_cli("run", SMALL, "-q", "--json", j).returncode == 0
    cli = json.loads(j.read_text())
    res = ffasim.run(SMALL, spans=False)
    assert res.to_dict()["results"] == cli["results"]


def test_a_configuration_mistake_in_the_stack_is_one_line(write_yaml, tmp_path):
    (tmp_path / "broken.dts").write_text("/dts-v1/;\n/ { compatible = \"arm,ffa-manifest-1.0\"; };\n")
    p = write_yaml("platform:\n  partitions:\n    - {manifest: broken.dts, model: test}\n")
    with pytest.raises(ffasim.ConfigError) as e:
        ffasim.run(p)
    assert str(e.value).startswith(str(tmp_path / "broken.dts") + ": ")
    assert "\n" not in str(e.value)


def test_default_scenario_runs_its_whole_workload_without_errors(ffasim_cli, tmp_path):
    j = tmp_path / "d.json"
    proc = ffasim_cli("run", "--json", j)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("scenario default (scenarios/default.yaml)\n")
    data = json.loads(j.read_text())
    assert data["errors"] == []
    counts = {(r["abi"], r["caller"], r["callee"]): r["count"] for r in data["results"]}
    assert counts[("optee.invoke", "nwd", "sp:8001 op-tee")] == 800
    assert counts[("FFA_MSG_SEND_DIRECT_REQ_32", "nwd", "sp:8002 test-sp")] == 500
    assert counts[("FFA_MSG_SEND_DIRECT_REQ_64", "nwd", "sp:8002 test-sp")] == 500
    assert counts[("PSCI_VERSION", "nwd", "-")] == 200
    assert data["driver"]["invokes_done"] == 800
    assert data["driver"]["rpcs_served"] == 800  # one RPC per invoke (cmd.1.rpcs)


def test_n1sdp_profile_sets_the_clock(ffasim_cli, tmp_path):
    j = tmp_path / "n.json"
    proc = ffasim_cli("run", SMALL, "--profile", "n1sdp", "-q", "--json", j)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(j.read_text())
    assert data["clock_hz"] == 2.6e9 and data["scenario"]["profile"] == "n1sdp"


def test_a_bad_model_parameter_is_named_by_its_scenario_key(write_yaml):
    p = write_yaml("platform:\n  partitions:\n"
                   "    - {manifest: fvp_optee_sp_manifest.dts, model: optee, params: {thread: 8}}\n")
    with pytest.raises(ffasim.ConfigError) as e:
        ffasim.run(p)
    assert str(e.value).startswith(f"{p}: platform.partitions.0.params.thread: not an OP-TEE parameter")
