"""FF-A notifications through the Python facade: the per-vCPU switch of the scenario file."""
from __future__ import annotations

import pytest

from conftest import CONFORMANCE, FFA_ERROR, FFA_SUCCESS_32, FFA_VERSION, VERSION_1_2

pytestmark = pytest.mark.backend

BITMAP_CREATE, BIND = 0x8400007D, 0x8400007F
PER_VCPU = 1
INVALID_PARAMETERS = 0xFFFFFFFE


def _bind_per_vcpu(sim):
    nwd = sim.endpoint(0, pe=0)
    assert nwd.call(FFA_VERSION, VERSION_1_2).x0 == VERSION_1_2
    assert nwd.call(BITMAP_CREATE, 0, 8).x0 == FFA_SUCCESS_32
    return nwd.call(BIND, 0x8002 << 16, PER_VCPU, 1 << 5)


def test_a_per_vcpu_bind_is_invalid_parameters_by_default(make_sim):
    r = _bind_per_vcpu(make_sim(CONFORMANCE))
    assert (r.x0, r.w2) == (FFA_ERROR, INVALID_PARAMETERS)


def test_the_scenario_switch_accepts_per_vcpu_binds(make_sim):
    r = _bind_per_vcpu(make_sim(CONFORMANCE, overrides={"platform.per_vcpu_notifications": True}))
    assert r.x0 == FFA_SUCCESS_32


def test_the_set_get_workload_delivers_every_notification_to_its_callback():
    import ffasim
    res = ffasim.run({"platform": {"pes": 2},
                      "workload": [{"kind": "notification_set_get", "pes": 1, "count": 50,
                                    "target": 0x8002, "id": 7, "delay_sri": 0}]})
    d = res.driver
    assert res.errors == []
    assert (d["sri_handled"], d["info_gets"], d["notification_gets"]) == (50, 50, 50)
    assert d["notif_callbacks"] == {7: 50}
    assert d["notif_unhandled"] == 0
    row = [r for r in res.rows if r["abi"] == "notification.set_get"]
    assert len(row) == 1 and row[0]["count"] == 50 and row[0]["callee"].startswith("sp:8002")


def test_a_notification_id_above_63_is_one_line(write_yaml):
    import ffasim
    p = write_yaml("workload:\n  - {kind: notification_set_get, pes: 0, target: 0x8002, id: 64}\n")
    with pytest.raises(ffasim.ConfigError, match=r"workload\[0\]\.params\.id: expected a notification ID from 0 to 63"):
        ffasim.run(p)


def test_the_simulator_counts_a_delayed_sri_raised_on_the_return_to_the_normal_world(make_sim):
    sim = make_sim(CONFORMANCE)
    nwd = sim.endpoint(0, pe=0)
    assert nwd.call(FFA_VERSION, VERSION_1_2).x0 == VERSION_1_2
    assert nwd.call(BITMAP_CREATE, 0, 8).x0 == FFA_SUCCESS_32
    assert nwd.call(BIND, 0x8002 << 16, 0, 1 << 2).x0 == FFA_SUCCESS_32
    # Test SP command 10 (CMD_NOTIFICATION_SET): FFA_NOTIFICATION_SET(0x8002 -> 0, delay SRI, ID 2); x3 = 0 on success.
    r = nwd.call(0x8400006F, 0x8002, 0, 10, 0, 2, 1 << 2, 0)
    assert (r.x0, r.x3) == (0x84000070, 0)
    assert sim.notifications == {"sri_raised": 1, "sri_delayed": 1, "npi_recorded": 0}
