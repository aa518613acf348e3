"""Plot helpers: each writes a non-empty PNG and SVG with a title, labelled axes and a legend."""
from __future__ import annotations

import warnings

import pytest

import ffasim
from ffasim import plots

from conftest import DATA

pytestmark = pytest.mark.backend
SMALL = DATA / "small.yaml"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def res():
    return ffasim.run(SMALL)


@pytest.fixture(scope="module")
def swept():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ffasim.sweep(SMALL, {"core.cpi": [1, 1.5, 2], "workload.1.count": [4, 8]},
                            table="stats", progress=False)


def _check_files(base):
    png, svg = base.with_suffix(".png"), base.with_suffix(".svg")
    assert png.read_bytes().startswith(PNG_MAGIC) and png.stat().st_size > 5000
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "</svg>" in text


def _check_axes(fig, xunit):
    ax = fig.axes[0]
    assert ax.get_title()
    assert f"({xunit})" in ax.get_xlabel() or f"({xunit})" in ax.get_ylabel()
    assert ax.get_legend() is not None


def test_latency_cdf_per_configuration(res, tmp_path):
    other = ffasim.run(SMALL, profile="n1sdp")
    fig = plots.latency_cdf({"default": res, "n1sdp": other}, "FFA_MSG_SEND_DIRECT_REQ_32",
                            callee="sp:8002", out=tmp_path / "cdf.png")
    _check_files(tmp_path / "cdf")
    _check_axes(fig, "ns")
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "default (n=20)", "n1sdp (n=20)"]


def test_latency_cdf_of_a_spans_sweep_groups_by_the_grid(tmp_path):
    df = ffasim.sweep(SMALL, {"core.cpi": [1, 2]}, table="spans", progress=False)
    fig = plots.latency_cdf(df, "PSCI_VERSION", out=tmp_path / "cdf2")
    _check_files(tmp_path / "cdf2")
    legend = fig.axes[0].get_legend()
    assert legend.get_title().get_text() == "core.cpi"
    assert len(legend.get_texts()) == 2


def test_hop_bars_per_abi(res, tmp_path):
    fig = plots.hop_bars(res, abis=["PSCI_VERSION", "FFA_MSG_SEND_DIRECT_REQ_32"], out=tmp_path / "hops")
    _check_files(tmp_path / "hops")
    _check_axes(fig, "ns")
    comps = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "spmd" in comps and "sp:8002 test-sp" in comps


def test_hop_bars_of_one_sweep_point(swept, tmp_path):
    plots.hop_bars(swept[swept.point == 0], out=tmp_path / "hops0")
    _check_files(tmp_path / "hops0")
    with pytest.raises(ValueError, match="several sweep points"):
        plots.hop_bars(swept)


def test_metric_against_a_swept_parameter(swept, tmp_path):
    fig = plots.metric_vs_param(swept, "core.cpi", abi="FFA_MSG_SEND_DIRECT_REQ_32",
                                callee="sp:8002", metric="median_ns", hue="workload.1.count",
                                out=tmp_path / "m")
    _check_files(tmp_path / "m")
    _check_axes(fig, "ns")
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2 and list(lines[0].get_xdata()) == [1.0, 1.5, 2.0]
    y = lines[0].get_ydata()
    assert y[0] < y[1] < y[2]   # slower code, longer calls


def test_svg_is_byte_identical_when_remade(res, tmp_path):
    for name in ("a", "b"):
        plots.hop_bars(res, abis=["PSCI_VERSION"], out=tmp_path / name)
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


def test_bad_selections_say_what_is_missing(res, swept):
    with pytest.raises(ValueError, match="no FFA_BOGUS calls"):
        plots.latency_cdf(res, "FFA_BOGUS")
    with pytest.raises(ValueError, match="no column 'core.cpii'"):
        plots.metric_vs_param(swept, "core.cpii", abi="PSCI_VERSION")
    with pytest.raises(ValueError, match="expected spans"):
        plots.latency_cdf(swept, "PSCI_VERSION")
    with pytest.raises(ValueError, match=r"several callees \(sp:8001, sp:8002\): give callee="):
        plots.latency_cdf(res, "FFA_MSG_SEND_DIRECT_REQ_32")
