"""Scenario files: every mistake is one line naming the file, the key path and what was expected."""
from __future__ import annotations

import pytest

import ffasim
from ffasim import _paths
from ffasim import scenario as sc

from conftest import REPO


def error_of(path_or_data, overrides=None, **kw) -> str:
    with pytest.raises(ffasim.ScenarioError) as e:
        ffasim.load_scenario(path_or_data, overrides, **kw)
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def test_default_scenario_loads_with_its_workload():
    s = ffasim.load_scenario()
    assert s.name == "default"
    assert s.pes == 8
    kinds = [(w["kind"], w["pes"], w["count"]) for w in s.workload]
    assert kinds == [("optee_invoke", [0, 1, 2, 3], 200), ("direct_echo", [4], 500),
                     ("direct_echo", [4], 500), ("ffa_version", [5], 200),
                     ("psci_version", [5], 200)]
    assert s.workload[2]["params"] == {"target": 0x8002, "smc64": 1.0}


def test_default_scenario_config_uses_stack_field_names():
    cfg = ffasim.load_scenario().config(keep_spans=True)
    assert cfg["pe_count"] == 8 and cfg["linux_driver"] is True and cfg["keep_spans"] is True
    optee = cfg["partitions"][0]
    assert optee["model"] == "optee"
    assert optee["manifest"] == str(REPO / "scenarios/platforms/fvp_optee_sp_manifest.dts")
    assert optee["params"]["cmd.1.rpcs"] == "1"
    assert cfg["optee_shm_base"] == 0x88000000  # the stack hands the carve-out to OP-TEE


def test_per_vcpu_notifications_reaches_the_stack_config_only_when_given(write_yaml):
    assert "per_vcpu_notifications" not in ffasim.load_scenario().config()
    p = write_yaml("platform: {per_vcpu_notifications: true}\n")
    assert ffasim.load_scenario(p).config()["per_vcpu_notifications"] is True


def test_unknown_workload_key_names_file_path_and_expected_keys(write_yaml):
    p = write_yaml("""
        workload:
          - {kind: direct_echo, pes: [0], cuont: 10, target: 0x8002}
    """, "x.yaml")
    assert error_of(p) == (f"{p}: workload.0.cuont: unknown key (expected one of kind, pes, count, "
                           f"target, smc64, think_cycles); did you mean 'count'?")


def test_unknown_top_level_key(write_yaml):
    p = write_yaml("name: a\nworkloads: []\n")
    assert error_of(p) == (f"{p}: workloads: unknown key (expected one of name, platform, profile, "
                           f"overrides, nwd, workload, interrupts, seed); did you mean 'workload'?")


def test_unknown_platform_key_without_a_close_match(write_yaml):
    p = write_yaml("platform:\n  gic: v3\n")
    assert error_of(p) == (f"{p}: platform.gic: unknown key (expected one of pes, pes_per_cluster, "
                           f"quantum_ns, memory, spmc_manifest, partitions, spmc_flavour, "
                           f"partition_info_size, per_vcpu_notifications)")


def test_unknown_workload_kind_lists_the_kinds(write_yaml):
    p = write_yaml("workload:\n  - {kind: echo, pes: 0}\n")
    assert error_of(p) == (f"{p}: workload.0.kind: expected one of optee_invoke, direct_echo, "
                           f"direct_req2_echo, ffa_version, id_get, psci_version, features, "
                           f"partition_info_get, mm_set_variable, mm_get_variable, notification_set_get, mem_share, got 'echo'")


def test_mem_share_op_and_constituents_are_given_by_name(write_yaml):
    p = write_yaml("workload:\n  - {kind: mem_share, pes: 0, target: 0x8002, pages: 8, op: lend, "
                   "constituents: scattered}\n")
    s = ffasim.load_scenario(p)
    assert s.workload[0]["params"] == {"target": 0x8002, "pages": 8.0, "op": 1.0, "constituents": 1.0}


def test_mem_share_unknown_op_lists_the_names(write_yaml):
    p = write_yaml("workload:\n  - {kind: mem_share, pes: 0, target: 0x8002, op: borrow}\n")
    assert error_of(p) == f"{p}: workload.0.op: expected one of share, lend, donate, got 'borrow'"


def test_mem_share_cost_scenario_runs_a_scattered_lend_with_fragments():
    res = ffasim.run(REPO / "scenarios/mem_share_cost.yaml",
                     overrides={"workload.0.pages": 512, "workload.0.constituents": "scattered",
                                "workload.0.op": "lend"})
    stats = res.stats
    counts = dict(zip(stats["abi"], stats["count"]))
    assert counts["FFA_MEM_LEND_32"] == 4 and counts["FFA_MEM_FRAG_TX"] == 8
    assert counts["mem.retrieve"] == 4 and counts["mem.reclaim"] == 4


def test_missing_required_workload_param(write_yaml):
    p = write_yaml("workload:\n  - {kind: direct_echo, pes: 0}\n")
    assert error_of(p) == f"{p}: workload.0.target: missing (required by kind direct_echo)"


def test_pe_beyond_the_platform(write_yaml):
    p = write_yaml("platform: {pes: 2}\nworkload:\n  - {kind: ffa_version, pes: [0, 2]}\n")
    assert error_of(p) == f"{p}: workload.0.pes.1: PE 2 does not exist (the platform has 2 PEs: 0-1)"


def test_wrong_types(write_yaml):
    p = write_yaml("platform: {pes: many}\n")
    assert error_of(p) == f"{p}: platform.pes: expected a positive integer, got 'many'"
    p = write_yaml("nwd: {linux_driver: maybe}\n")
    assert error_of(p) == f"{p}: nwd.linux_driver: expected true or false, got 'maybe'"
    p = write_yaml("workload: {kind: ffa_version}\n")
    assert error_of(p) == f"{p}: workload: expected a list of workload items, got a mapping"
    p = write_yaml("platform: {spmc_flavour: opteed}\n")
    assert error_of(p) == (f"{p}: platform.spmc_flavour: expected one of hafnium, tfa-el3-spmc, "
                           f"got 'opteed'")
    p = write_yaml("platform: {partition_info_size: 32}\n")
    assert error_of(p) == f"{p}: platform.partition_info_size: expected one of 24, 48, got 32"
    p = write_yaml("platform: {per_vcpu_notifications: sometimes}\n")
    assert error_of(p) == (f"{p}: platform.per_vcpu_notifications: expected true or false, "
                           f"got 'sometimes'")


def test_missing_manifest_names_where_it_looked(write_yaml, tmp_path):
    p = write_yaml("platform:\n  partitions:\n    - {manifest: nope.dts, model: test}\n")
    looked = f"{_paths.display(tmp_path)}, {_paths.display(_paths.platforms_dir())}"
    assert error_of(p) == (f"{p}: platform.partitions.0.manifest: file not found: nope.dts "
                           f"(looked in {looked})")


def test_manifest_resolves_in_the_scenario_dir_then_platforms(write_yaml, tmp_path):
    (tmp_path / "mine.dts").write_text("/dts-v1/;\n/ {};\n")
    p = write_yaml("platform:\n  spmc_manifest: fvp_spmc_manifest.dts\n  partitions:\n"
                   "    - {manifest: mine.dts, model: test}\n")
    s = ffasim.load_scenario(p)
    assert s.platform["partitions"][0]["manifest"] == str(tmp_path / "mine.dts")
    assert s.platform["spmc_manifest"] == str(REPO / "scenarios/platforms/fvp_spmc_manifest.dts")


def test_invalid_yaml_and_duplicate_keys_give_line_numbers(write_yaml):
    p = write_yaml("seed: 1\nseed: 2\n")
    assert error_of(p) == f"{p}:2:1: invalid YAML: duplicate key 'seed' (first on line 1)"
    p = write_yaml("workload: [1\n")
    assert error_of(p).startswith(f"{p}:2:1: invalid YAML: ")


def test_missing_file():
    assert error_of("no/such.yaml") == "no/such.yaml: no such file"


def test_profile_by_name_and_unknown_profile(write_yaml):
    s = ffasim.load_scenario(write_yaml("profile: n1sdp\n"))
    assert s.profile == str(REPO / "scenarios/profiles/n1sdp.yaml") and s.profile_label == "n1sdp"
    p = write_yaml("profile: n2\n")
    assert error_of(p).startswith(f"{p}: profile: unknown profile 'n2' (expected one of default, ")


def test_overrides_of_scenario_paths_and_profile_parameters():
    s = ffasim.load_scenario(None, {"workload.0.count": 10, "nwd.linux_driver": False,
                                    "core.cpi": "1.5", "overrides.spmd.smc_handler_insns": 100,
                                    "platform.pes": 6, "nwd.smc_pre_insns": 20})
    assert s.workload[0]["count"] == 10
    assert s.nwd["linux_driver"] is False
    assert s.pes == 6
    assert [(o.name, o.value, o.where) for o in s.overrides] == [
        ("spmd.smc_handler_insns", 100.0, "overrides"), ("core.cpi", 1.5, "overrides"),
        ("nwd.smc_pre_insns", 20.0, "overrides")]


def test_set_errors_name_the_option():
    assert error_of(None, [("platform.pes", 0)], override_origin="--set") == \
        "--set: platform.pes: expected a positive integer, got 0"
    assert error_of(None, [("workload.9.count", 1)], override_origin="--set") == \
        "--set: workload.9.count: no item 9 (the list has 5 items)"
    assert error_of(None, [("core.cpi", "fast")], override_origin="--set") == \
        "--set: core.cpi: expected a number, got 'fast'"


def test_set_can_append_a_workload_item():
    s = ffasim.load_scenario(REPO / "scenarios/conformance.yaml",
                             [("workload.0.kind", "id_get"), ("workload.0.pes", "0-2")])
    assert s.workload == [{"kind": "id_get", "pes": [0, 1, 2], "count": 1, "params": {}}]


@pytest.mark.parametrize("text,value", [("a=1", 1), ("a=false", False), ("a=2.6e9", "2.6e9"),
                                        ("a=0x8002", 0x8002), ("a=[0, 1]", [0, 1]), ("a=", "")])
def test_parse_set(text, value):
    assert sc.parse_set(text) == ("a", value)


def test_numbers_accept_yaml_1_1_oddities():
    assert sc.as_number("2.6e9") == 2.6e9 and sc.as_number("0x40") == 64
    assert sc.as_number(True) is None and sc.as_number("fast") is None
    assert sc.as_int(2.0) == 2 and sc.as_int(2.5) is None


def test_nested_partition_params_are_flattened(write_yaml):
    p = write_yaml("platform:\n  partitions:\n    - manifest: fvp_optee_sp_manifest.dts\n"
                   "      model: optee\n      params: {cmd: {1: {rpcs: 2, work_cycles: 1.5e4}}}\n")
    s = ffasim.load_scenario(p)
    assert s.platform["partitions"][0]["params"] == {"cmd.1.rpcs": "2", "cmd.1.work_cycles": "1.5e4"}


def test_scenario_as_a_mapping():
    s = ffasim.load_scenario({"name": "m", "workload": [{"kind": "id_get", "pes": 1, "count": 3}]})
    assert s.source == "<scenario>" and s.workload[0]["pes"] == [1]
    msg = error_of({"workload": [{"kind": "id_get", "pes": 1, "count": 0}]})
    assert msg == "<scenario>: workload.0.count: expected a positive integer, got 0"


def test_is_scenario_path():
    assert sc.is_scenario_path("workload.0.count") and sc.is_scenario_path("seed")
    assert sc.is_scenario_path("nwd.linux_driver") and sc.is_scenario_path("platform.pes")
    assert not sc.is_scenario_path("nwd.smc_pre_insns") and not sc.is_scenario_path("core.cpi")
