"""Report, JSON and CSV formatting (no simulation: a hand-made payload)."""
from __future__ import annotations

import json

from ffasim.results import Results, clean

PAYLOAD = {
    "name": "t", "source": "t.yaml", "profile": "default", "seed": 1, "pes": 2,
    "overrides": [["core.cpi", 1.5]], "clock_hz": 2.0e9, "now_ns": 12345.6789,
    "components": ["idle", "nwd", "spmd", "spmc", "sp:8002 test-sp"],
    "results": [
        {"abi": "FFA_MSG_SEND_DIRECT_REQ_32", "caller": "nwd", "callee": "sp:8002 test-sp",
         "count": 3, "min_ns": 400.0, "median_ns": 410.5, "p99_ns": 420.25, "max_ns": 430.0,
         "mean_ns": 413.0000000001, "min_cycles": 800, "median_cycles": 821, "p99_cycles": 841,
         "max_cycles": 860,
         "mean_ns_by_component": {"nwd": 100.0, "spmd": 113.0, "spmc": 150.0, "sp:8002 test-sp": 50.0}},
        {"abi": "PSCI_VERSION", "caller": "nwd", "callee": "-", "count": 1, "min_ns": 150.0,
         "median_ns": 150.0, "p99_ns": 150.0, "max_ns": 150.0, "mean_ns": 150.0,
         "min_cycles": 300, "median_cycles": 300, "p99_cycles": 300, "max_cycles": 300,
         "mean_ns_by_component": {"nwd": 50.0, "spmd": 100.0}},
    ],
    "errors": [], "driver": {"firmware_version": 0x10002}, "partitions": [[0x8002, "test-sp"]],
    "parameters": {"core.cpi": 1.5},
}

REPORT = """\
scenario t (t.yaml)
platform: 2 PEs at 2.000 GHz, profile default, seed 1
override: core.cpi = 1.5
simulated 12.346 us, 4 calls, 0 errors

latency per ABI (ns; cycles)
ABI                         CALLER  CALLEE           COUNT    MIN  MEDIAN    P99    MAX  MIN_CYC  MED_CYC  P99_CYC  MAX_CYC
FFA_MSG_SEND_DIRECT_REQ_32  nwd     sp:8002 test-sp      3  400.0   410.5  420.2  430.0      800      821      841      860
PSCI_VERSION                nwd     -                    1  150.0   150.0  150.0  150.0      300      300      300      300

per-hop breakdown (mean ns per call)
ABI                         CALLER  CALLEE             nwd   spmd   spmc  sp:8002  TOTAL
FFA_MSG_SEND_DIRECT_REQ_32  nwd     sp:8002 test-sp  100.0  113.0  150.0     50.0  413.0
PSCI_VERSION                nwd     -                 50.0  100.0    0.0      0.0  150.0
"""


def test_report_is_a_fixed_table():
    assert Results(PAYLOAD).report() == REPORT


def test_report_lists_errors():
    p = dict(PAYLOAD, errors=["spmc: FFA_RUN from nwd: FFA_DENIED"])
    assert Results(p).report().endswith("\nerrors (1):\n  spmc: FFA_RUN from nwd: FFA_DENIED\n")


def test_json_sorts_keys_and_rounds_to_the_picosecond():
    text = Results(PAYLOAD).to_json()
    data = json.loads(text)
    assert data["now_ns"] == 12345.679
    assert data["results"][0]["mean_ns"] == 413.0
    assert data["scenario"] == {"name": "t", "source": "t.yaml", "profile": "default", "seed": 1,
                                "pes": 2, "overrides": [["core.cpi", 1.5]]}
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2) + "\n"
    assert Results(PAYLOAD).to_json() == text


def test_csv_has_one_column_per_component():
    lines = Results(PAYLOAD).to_csv().splitlines()
    assert lines[0] == ("abi,caller,callee,count,min_ns,median_ns,p99_ns,max_ns,mean_ns,min_cycles,"
                        "median_cycles,p99_cycles,max_cycles,ns.nwd,ns.spmd,ns.spmc,ns.sp:8002 test-sp")
    assert lines[2] == "PSCI_VERSION,nwd,-,1,150,150,150,150,150,300,300,300,300,50,100,0,0"


def test_stats_dataframe():
    df = Results(PAYLOAD).stats
    assert list(df["abi"]) == ["FFA_MSG_SEND_DIRECT_REQ_32", "PSCI_VERSION"]
    assert df.loc[1, "spmd"] == 100.0 and df.loc[1, "spmc"] == 0.0


def test_clean():
    assert clean({"a": [1.23456, -0.0, 2]}) == {"a": [1.235, 0.0, 2]}
