"""ffasim.Simulator: raw FF-A calls register by register, memory, the memory map."""
from __future__ import annotations

import pytest

import ffasim

from conftest import (CONFORMANCE, FFA_ERROR, FFA_ID_GET, FFA_NOT_SUPPORTED, FFA_SUCCESS_32,
                      FFA_VERSION, VERSION_1_2, abi_names)

pytestmark = pytest.mark.backend


def test_ffa_version_returns_the_spmc_version_in_x0(nwd):
    r = nwd.call(FFA_VERSION, VERSION_1_2)
    assert r.x0 == VERSION_1_2
    assert len(r) == 18


def test_ffa_id_get_from_the_normal_world_returns_id_0(nwd):
    r = nwd.call(FFA_ID_GET)
    assert r.w0 == FFA_SUCCESS_32
    assert r.w2 == 0


def test_ffa_version_with_bit_31_set_is_not_supported(nwd):
    r = nwd.call(FFA_VERSION, 0x80010002)
    assert r.w0 == FFA_NOT_SUPPORTED


def test_calls_from_a_pe_that_ran_a_workload(make_sim):
    # Without the driver only PE 0 and PEs with a workload are on (nothing issues CPU_ON).
    s = make_sim(CONFORMANCE, overrides={"workload.0.kind": "id_get", "workload.0.pes": 3})
    assert s.endpoint(0, pe=3).waiting
    r = s.endpoint(0, pe=3).call(FFA_VERSION, VERSION_1_2)
    assert r.x0 == VERSION_1_2


def test_every_pe_of_the_conformance_platform_can_be_driven(sim):
    assert sim.endpoint(0, pe=7).waiting
    assert sim.endpoint(0, pe=7).call(FFA_VERSION, VERSION_1_2).x0 == VERSION_1_2


def test_a_pe_that_is_off_cannot_be_driven(make_sim):
    s = make_sim(CONFORMANCE, overrides={"nwd.cpu_on_idle_pes": False})
    assert not s.endpoint(0, pe=5).waiting
    with pytest.raises(ffasim.SimulationError, match="endpoint 0x0000 is not waiting for host calls"):
        s.endpoint(0, pe=5).call(FFA_VERSION, VERSION_1_2)


def test_time_advances_with_calls(sim, nwd):
    t0 = sim.now_ns
    nwd.call(FFA_VERSION, VERSION_1_2)
    assert sim.now_ns > t0


def test_unknown_function_is_an_ffa_error(nwd):
    r = nwd.call(0x8400FF00)
    assert r.w0 == FFA_ERROR or r.w0 == FFA_NOT_SUPPORTED


def test_memory_write_read_round_trip(sim):
    data = bytes(range(256)) * 17
    sim.write(0x90001000 - 7, data)
    assert sim.read(0x90001000 - 7, len(data)) == data
    assert sim.read(0x90100000, 8) == bytes(8)  # unwritten memory reads as zero


def test_secure_and_non_secure_pa_spaces_are_separate(sim):
    sim.write(0x06FF0000, b"secure", secure=True)
    assert sim.read(0x06FF0000, 6, secure=True) == b"secure"
    with pytest.raises(ffasim.MemoryAccessError):
        sim.read(0x06FF0000, 6)  # no NS RAM there


def test_access_outside_ram_is_an_error(sim):
    with pytest.raises(ffasim.MemoryAccessError, match="outside every RAM region"):
        sim.write(0x1000, b"x")


def test_memory_map_has_ns_dram(sim):
    mm = sim.memory_map()
    ns = [e for e in mm if not e.secure]
    assert ns, mm
    assert min(e.base for e in ns) == 0x80000000
    assert sum(e.size for e in ns) == 0x80000000
    assert any(e.free for e in ns)
    secure_owners = {e.owner for e in mm if e.secure and e.in_use}
    assert "spmc" in secure_owners


def test_partitions_are_listed(sim):
    ids = [p for p, _ in sim.partitions]
    assert ids == [0x8001, 0x8002]


def test_unknown_endpoint_is_an_error(sim):
    with pytest.raises(ffasim.SimulationError, match="no endpoint 0x1234"):
        sim.endpoint(0x1234)


def test_registers_are_checked(nwd):
    with pytest.raises(TypeError):
        nwd.call(*range(19))
    with pytest.raises(ValueError):
        nwd.call(1 << 64)


def test_two_simulators_coexist(make_sim):
    a = make_sim(linux_driver=False)
    b = make_sim(linux_driver=False, overrides={"core.clock_hz": 2.6e9})
    assert a.clock_hz == 2.0e9 and b.clock_hz == 2.6e9
    assert a.endpoint(0).call(FFA_VERSION, VERSION_1_2).x0 == VERSION_1_2
    assert b.endpoint(0).call(FFA_VERSION, VERSION_1_2).x0 == VERSION_1_2


def test_default_simulator_boots_the_linux_driver(make_sim):
    s = make_sim()
    d = s.driver
    assert d["firmware_version"] == VERSION_1_2
    assert [dev["id"] for dev in d["devices"]] == [0x8001, 0x8002]
    assert s.errors() == []


def test_bad_override_is_a_config_error(make_sim):
    with pytest.raises(ffasim.ConfigError, match=r"^overrides: core\.clok_hz: unknown profile parameter"):
        make_sim(linux_driver=False, overrides={"core.clok_hz": 1})


def test_results_of_host_calls(sim, nwd):
    for _ in range(3):
        nwd.call(FFA_VERSION, VERSION_1_2)
    stats = sim.results().stats
    row = stats[stats.abi.isin(abi_names("FFA_VERSION")) & (stats.caller == "nwd")]
    assert int(row["count"].iloc[0]) == 3


FFA_MSG_SEND_DIRECT_REQ_32 = 0x8400006F
FFA_MSG_SEND_DIRECT_RESP_32 = 0x84000070
TEST_SP = 0x8002
CMD_HOST = 4


def test_the_host_can_hold_the_test_sp_and_answer_for_it(sim, nwd):
    # NWd -> test SP: CMD_HOST hands the SP's vCPU to the host; the NWd call stays pending.
    assert nwd.call(FFA_MSG_SEND_DIRECT_REQ_32, TEST_SP, 0, CMD_HOST) is None
    sp = sim.endpoint(TEST_SP)
    assert sp.waiting
    got = sp.last_input()
    assert (got.w0, got.w1, got.x3) == (FFA_MSG_SEND_DIRECT_REQ_32, TEST_SP, CMD_HOST)
    r = sp.call(FFA_ID_GET)
    assert (r.w0, r.w2) == (FFA_SUCCESS_32, TEST_SP)
    # The SP answers the NWd: a handoff, so the SP's own call does not return yet.
    assert sp.call(FFA_MSG_SEND_DIRECT_RESP_32, TEST_SP << 16, 0, 0, 42) is None
    back = nwd.last_input()
    assert (back.w0, back.w1, back.x4) == (FFA_MSG_SEND_DIRECT_RESP_32, TEST_SP << 16, 42)
    assert sim.errors() == []


def test_a_partition_not_held_by_the_host_cannot_be_driven(sim):
    with pytest.raises(ffasim.SimulationError, match="not waiting for host calls"):
        sim.endpoint(TEST_SP).call(FFA_ID_GET)


def test_spans_and_trace_when_kept(make_sim, tmp_path):
    s = make_sim(CONFORMANCE, keep_spans=True, keep_trace=True)
    s.endpoint(0).call(FFA_VERSION, VERSION_1_2)
    spans = s.results().spans
    last = spans.iloc[-1]
    assert last.abi in abi_names("FFA_VERSION") and last.caller == "nwd" and last.duration_ns > 0
    assert last.x0 == FFA_VERSION and last.result_x0 == VERSION_1_2
    s.write_trace(tmp_path / "t.json")
    assert (tmp_path / "t.json").stat().st_size > 0


def test_spans_and_trace_need_to_be_asked_for(sim):
    with pytest.raises(ValueError, match="no spans were kept"):
        sim.results().spans
    with pytest.raises(ffasim.SimulationError, match="keep_trace=True"):
        sim.write_trace("t.json")


def test_the_test_sps_stage2_maps_its_image_and_not_optees_memory(sim):
    assert sim.stage2_access(0x8002, 0x7000000, secure=True) == "rw-"
    assert sim.stage2_access(0x8002, 0x6280000, secure=True) == "---"
    assert sim.stage2_access(0x8002, 0x80200000) == "---"
    assert sim.guest_errors() == []
