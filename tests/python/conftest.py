"""Shared fixtures of the Python tests (run with /usr/bin/python3 -m pytest tests/python).

    sim             a fresh Simulator on scenarios/conformance.yaml (no driver probe, no workload,
                    every PE waiting for host calls), closed after the test
    make_sim        factory: make_sim(platform=None, profile=None, overrides=None, **kw) -> Simulator,
                    all closed after the test
    nwd             sim.endpoint(0) on PE 0
    ffasim_cli      run the ./ffasim launcher: ffasim_cli("run", "x.yaml") -> CompletedProcess
    write_yaml      write_yaml(text, name="s.yaml") -> path of a scenario file in tmp_path

Tests that need the C++ module carry the `backend` marker and are skipped (with the reason)
when _ffasim has not been built.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))

import ffasim  # noqa: E402
from ffasim import _paths  # noqa: E402

CONFORMANCE = REPO / "scenarios" / "conformance.yaml"
DATA = Path(__file__).resolve().parent / "data"

# FF-A function IDs and status codes used by the tests (shared/reference/ffa-abi.md).
FFA_ERROR = 0x84000060
FFA_SUCCESS_32 = 0x84000061
FFA_VERSION = 0x84000063
FFA_ID_GET = 0x84000069
FFA_NOT_SUPPORTED = 0xFFFFFFFF  # -1 in w0 (FFA_VERSION) or w2 (FFA_ERROR)
VERSION_1_2 = 0x10002



def abi_names(name: str) -> tuple[str, str]:
    """The names a statistic of ABI `name` may carry: FF-A's own name for a call that only has
    an SMC32 form (FFA_VERSION) and the FID table's name with the width suffix (FFA_VERSION_32)."""
    return (name, f"{name}_32")


_EXT = _paths.extension_dir()
if _EXT is not None:
    # The launcher and worker processes use the same module as this run.
    os.environ.setdefault("FFASIM_BUILD", str(_EXT))
# A hung simulation fails its test instead of the whole session.
os.environ.setdefault("FFASIM_TIMEOUT", "300")


def pytest_collection_modifyitems(config, items):
    if _EXT is not None:
        return
    skip = pytest.mark.skip(reason="the _ffasim extension module is not built "
                                   "(ninja -C build _ffasim, or set FFASIM_BUILD)")
    for item in items:
        if "backend" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def make_sim():
    sims = []

    def make(platform=None, profile=None, overrides=None, **kw):
        s = ffasim.Simulator(platform, profile, overrides, **kw)
        sims.append(s)
        return s

    yield make
    for s in sims:
        s.close()


@pytest.fixture
def sim(make_sim):
    return make_sim(CONFORMANCE)


@pytest.fixture
def nwd(sim):
    return sim.endpoint(0, pe=0)


@pytest.fixture
def ffasim_cli(tmp_path):
    def run(*args, cwd=None, check=False):
        env = dict(os.environ)
        if _EXT is not None:
            env["FFASIM_BUILD"] = str(_EXT)
        env.pop("FFASIM_DEBUG", None)
        proc = subprocess.run([str(REPO / "ffasim"), *map(str, args)], cwd=cwd or REPO, env=env,
                              capture_output=True, text=True, timeout=600)
        if check and proc.returncode != 0:
            raise AssertionError(f"ffasim {' '.join(map(str, args))} exited {proc.returncode}:\n"
                                 f"{proc.stderr}")
        return proc
    return run


@pytest.fixture
def write_yaml(tmp_path):
    def write(text: str, name: str = "s.yaml") -> Path:
        p = tmp_path / name
        p.write_text(textwrap.dedent(text))
        return p
    return write
