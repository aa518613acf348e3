"""ABI timing regression: the committed baseline (this is how CI runs `ffasim regress`), drift
tables, tolerance, --update, and the comparison logic on its own."""
from __future__ import annotations

import json

import pytest

from ffasim import regress

from conftest import REPO

BASELINE = REPO / "baselines" / "abi_timing.json"


# --- CI: the committed baseline -------------------------------------------------------------


@pytest.mark.backend
def test_abi_timing_matches_the_committed_baseline(ffasim_cli):
    """CI's regression gate. If this fails, a change moved ABI timing: check the table, and if
    the change is intended run `./ffasim regress --baseline baselines/abi_timing.json --update`
    and commit the baseline with the change."""
    proc = ffasim_cli("regress", "--baseline", BASELINE)
    assert proc.returncode == 0, f"\n{proc.stdout}{proc.stderr}"
    assert proc.stdout.startswith(f"regress: {len(regress.SUITE)} ABIs x 1000 calls match ")


def test_committed_baseline_covers_the_suite_and_is_canonical():
    text = BASELINE.read_text()
    data = json.loads(text)
    assert text == regress.dumps(data)   # sorted keys, as --update writes it
    assert data["count"] == regress.DEFAULT_COUNT
    assert data["scenario"] == regress.DEFAULT_SCENARIO and data["profile"] == "default"
    assert data["overrides"] == {}
    assert set(data["abis"]) == {c.name for c in regress.SUITE}
    for name, entry in data["abis"].items():
        assert entry["min_ns"] <= entry["avg_ns"] <= entry["max_ns"], name


@pytest.mark.parametrize("name", [c.name for c in regress.SUITE])
def test_per_hop_components_add_up_to_the_latency(name):
    entry = json.loads(BASELINE.read_text())["abis"][name]
    assert sum(entry["avg_ns_by_component"].values()) == pytest.approx(entry["avg_ns"], abs=0.01)


def test_suite_covers_the_modelled_abis():
    abis = {c.abi for c in regress.SUITE}
    assert {"FFA_VERSION", "PSCI_VERSION", "FFA_MSG_SEND_DIRECT_REQ_32", "optee.invoke"} <= abis
    assert len({c.name for c in regress.SUITE}) == len(regress.SUITE)


# --- drift --------------------------------------------------------------------------------


@pytest.mark.backend
def test_a_changed_profile_value_fails_with_a_diff_and_leaves_the_baseline(ffasim_cli):
    before = BASELINE.read_bytes()
    proc = ffasim_cli("regress", "--baseline", BASELINE, "--set", "spmd.smc_handler_insns=200")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"ABI timing drifted from {BASELINE} (exact; 1000 calls per ABI")
    assert lines[1].split() == ["ABI", "STATISTIC", "BASELINE", "NOW", "DELTA", "%"]
    # FFA_VERSION enters spmd_smc_handler twice (the call, then the SPMC's answer): 2 x 72 more
    # instructions at CPI 1 and 2 GHz = +72 ns.
    row = next(ln.split() for ln in lines if ln.startswith("FFA_VERSION ") and " avg_ns " in ln)
    base = json.loads(before)["abis"]["FFA_VERSION"]["avg_ns"]
    assert row[2:] == [f"{base:g}", f"{base + 72:g}", f"{72 / base * 100:+.3f}"]
    # PSCI_VERSION is answered in std_svc, before the SPMD's handler: unchanged, not listed.
    assert not any(ln.startswith("PSCI_VERSION") for ln in lines)
    assert "  spmd.smc_handler_insns: 128 -> 200" in lines
    assert proc.stdout.rstrip().endswith(f"./ffasim regress --baseline {BASELINE} --update")
    assert proc.stderr.startswith("ffasim regress: ") and proc.stderr.count("\n") == 1
    assert BASELINE.read_bytes() == before


@pytest.mark.backend
def test_tolerance_accepts_a_small_drift(ffasim_cli):
    proc = ffasim_cli("regress", "--baseline", BASELINE, "--set", "core.cpi=1.01",
                      "--tolerance", "2", "--no-progress")
    assert proc.returncode == 0, proc.stdout
    assert "(tolerance 2%)" in proc.stdout


@pytest.mark.backend
def test_update_writes_a_baseline_that_then_matches_and_records_its_settings(ffasim_cli, tmp_path):
    b = tmp_path / "b.json"
    proc = ffasim_cli("regress", "--baseline", b, "--update", "--count", "20", "--set", "core.cpi=1.5")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(b.read_text())
    assert data["count"] == 20 and data["overrides"] == {"core.cpi": 1.5}
    assert data["parameters"]["core.cpi"] == 1.5
    assert all(e["count"] == 20 * (2 if "optee.invoke sp" in n and n.startswith("FFA") else 1)
               for n, e in data["abis"].items())
    # The baseline's count and overrides are reused: no option needed to compare.
    proc = ffasim_cli("regress", "--baseline", b)
    assert proc.returncode == 0, proc.stdout
    assert "x 20 calls match" in proc.stdout
    proc = ffasim_cli("regress", "--baseline", b, "--count", "30")
    assert proc.returncode == 2
    assert proc.stderr.startswith("--count: 30 differs from the baseline's 20;")


@pytest.mark.parametrize("content, message", [
    (None, "no such file (make one with --update)"),
    ("{", "invalid JSON"),
    ('{"format": 1}', "not an ffasim regress baseline"),
])
def test_bad_baseline_files_are_one_line(ffasim_cli, tmp_path, content, message):
    b = tmp_path / "b.json"
    if content is not None:
        b.write_text(content)
    proc = ffasim_cli("regress", "--baseline", b)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"--baseline: {b}") and message in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_workload_keys_are_refused(ffasim_cli, tmp_path):
    proc = ffasim_cli("regress", "--baseline", BASELINE, "--set", "workload.0.count=3")
    assert (proc.returncode, proc.stderr) == (
        2, "--set: workload.0.count: the regression suite defines the workload "
           "(use --count for the number of calls)\n")


# --- the comparison itself ------------------------------------------------------------------


def _entry(avg, count=10, **comps):
    return {"count": count, "min_ns": avg, "avg_ns": avg, "max_ns": avg,
            "avg_ns_by_component": comps or {"spmd": avg}}


def test_compare_is_exact_by_default_and_counts_are_always_exact():
    base = {"abis": {"A": _entry(100.0), "B": _entry(50.0)}}
    assert regress.compare(base, base) == []
    now = {"abis": {"A": _entry(100.001), "B": _entry(50.0, count=11)}}
    drifts = regress.compare(base, now)
    assert [(d.abi, d.stat) for d in drifts] == [("A", "min_ns"), ("A", "avg_ns"), ("A", "max_ns"),
                                                 ("A", "avg_ns[spmd]"), ("B", "count")]
    assert [(d.abi, d.stat) for d in regress.compare(base, now, tolerance_pct=50)] == [("B", "count")]


def test_compare_reports_new_and_removed_cases_and_components():
    base = {"abis": {"A": _entry(100.0, spmd=60.0, spmc=40.0), "Old": _entry(1.0)}}
    now = {"abis": {"A": _entry(100.0, spmd=60.0, sp=40.0), "New": _entry(2.0)}}
    drifts = {(d.abi, d.stat): d for d in regress.compare(base, now)}
    assert drifts[("A", "avg_ns[spmc]")].now == 0.0
    assert drifts[("A", "avg_ns[sp]")].baseline == 0.0
    assert drifts[("New", "(case)")].baseline is None
    assert drifts[("Old", "(case)")].now is None
    table = regress.diff_table(list(drifts.values()))
    assert "new case" in table and "removed" in table


def test_diff_table_is_aligned_with_signed_percentages():
    table = regress.diff_table([regress.Drift("FFA_VERSION", "avg_ns", 1410.0, 1446.0)])
    head, row = table.splitlines()
    assert head.split() == ["ABI", "STATISTIC", "BASELINE", "NOW", "DELTA", "%"]
    assert row.split() == ["FFA_VERSION", "avg_ns", "1410", "1446", "+2.553"]
    assert len(head) == len(row)
