"""MM communicate from Python: the workload kinds and their parameters, the MM scenario, and a run
whose operations, partition ID and variable calls come back in the Results."""
from __future__ import annotations

import pytest

import ffasim
from ffasim import scenario

from conftest import REPO

MM = REPO / "scenarios" / "mm_variables.yaml"


def test_the_mm_kinds_take_size_index_and_expect():
    assert scenario.WORKLOAD_KINDS["mm_set_variable"] == ("size", "index", "attributes", "expect", "think_cycles")
    assert scenario.WORKLOAD_KINDS["mm_get_variable"] == ("size", "index", "expect", "think_cycles")
    assert "mm" in scenario.MODELS
    assert {"mm_shm_base", "mm_shm_size"} <= set(scenario.NWD_KEYS)


def test_the_mm_scenario_loads_with_its_carve_out_and_the_mm_partition():
    cfg = ffasim.load_scenario(MM).config()
    assert cfg["mm_shm_base"] == 0x88100000 and cfg["mm_shm_size"] == 0x40000
    assert [p["model"] for p in cfg["partitions"]] == ["optee", "test", "mm"]
    assert cfg["workload"][0] == {"kind": "mm_set_variable", "pes": [0], "count": 20,
                                  "params": {"index": 1.0, "size": 1024.0}}
    assert cfg["workload"][1]["kind"] == "mm_get_variable"


def test_a_parameter_of_another_kind_is_one_line_naming_it(write_yaml):
    p = write_yaml("workload:\n  - {kind: mm_get_variable, pes: 0, attributes: 7}\n")
    with pytest.raises(ffasim.ScenarioError) as e:
        ffasim.load_scenario(p)
    assert str(e.value) == (f"{p}: workload.0.attributes: unknown key (expected one of kind, pes, count, "
                            f"size, index, expect, think_cycles)")


@pytest.mark.backend
def test_a_run_reports_each_variable_call_as_one_operation_to_the_mm_sp():
    res = ffasim.run(MM, {"workload.0.count": 2, "workload.1.count": 2,
                          "workload.0.size": 256, "workload.1.size": 256})
    assert res.errors == []
    rows = {r["abi"]: r for r in res.rows}
    assert rows["mm.set_variable"]["count"] == 2 and rows["mm.get_variable"]["count"] == 2
    assert rows["mm.set_variable"]["callee"] == "sp:8003 mm-sp"
    # SetVariable is two doorbells (property query, then SET_VARIABLE); GetVariable one; plus the
    # GET_PAYLOAD_SIZE at boot.
    assert rows["FFA_MSG_SEND_DIRECT_REQ_64"]["count"] == 2 * 2 + 2 + 1
    d = res.driver
    assert d["mm_found"] and d["mm_id"] == 0x8003
    assert [c["op"] for c in d["mm_calls"]] == ["mm_set_variable"] * 2 + ["mm_get_variable"] * 2
    assert all(c["status"] == 0 for c in d["mm_calls"])
    assert d["mm_calls"][3]["data_size"] == 256
    assert d["mm_calls"][3]["checksum"] == d["mm_calls"][1]["checksum"]  # the last value set
