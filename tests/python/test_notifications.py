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
