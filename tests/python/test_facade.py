"""The Python facade: what `import ffasim` offers, typed and documented, with scenarios from
files or built in Python and results as DataFrames."""
from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

import ffasim
from ffasim import plots, regress

from conftest import REPO


def test_every_exported_name_exists():
    for name in ffasim.__all__:
        assert hasattr(ffasim, name), name


def test_sweep_is_the_function_even_after_importing_its_module():
    mod = importlib.import_module("ffasim.sweep")
    assert inspect.ismodule(mod) and mod.sweep is ffasim.sweep
    assert callable(ffasim.sweep) and not inspect.ismodule(ffasim.sweep)


@pytest.mark.parametrize("fn", [ffasim.run, ffasim.sweep, ffasim.point_seed, ffasim.Simulator,
                                plots.latency_cdf, plots.hop_bars, plots.metric_vs_param,
                                plots.save, regress.measure, regress.compare])
def test_public_entry_points_have_typed_documented_parameters(fn):
    doc = inspect.getdoc(fn)
    assert doc, f"{fn.__qualname__} has no docstring"
    target = fn.__init__ if inspect.isclass(fn) else fn
    for p in list(inspect.signature(target).parameters.values()):
        if p.name in ("self",) or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        assert p.annotation is not inspect.Parameter.empty, f"{fn.__qualname__}({p.name}) is untyped"
        if fn in (ffasim.run, ffasim.sweep, ffasim.Simulator, plots.latency_cdf,
                  plots.hop_bars, plots.metric_vs_param):
            assert p.name in doc, f"{fn.__qualname__}: parameter {p.name} is not documented"


def test_plots_do_not_touch_global_matplotlib_state():
    code = ("import sys; sys.path.insert(0, 'python'); import matplotlib; "
            "b = matplotlib.get_backend(); from ffasim import plots; "
            "fig = plots._figure(); fig.add_subplot().plot([1, 2]); "
            "print('matplotlib.pyplot' in sys.modules, matplotlib.get_backend() == b)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]


@pytest.mark.backend
def test_a_scenario_built_in_python_runs_and_gives_dataframes():
    scn = {"name": "py", "platform": {"pes": 2}, "nwd": {"linux_driver": False},
           "workload": [{"kind": "psci_version", "pes": [1], "count": 3}]}
    res = ffasim.run(scn, {"core.clock_hz": 1e9})
    assert res.name == "py" and res.clock_hz == 1e9
    row = res.stats.set_index("abi").loc["PSCI_VERSION"]
    assert row["count"] == 3 and row["min_cycles"] == row["min_ns"]   # 1 GHz: 1 cycle = 1 ns
    assert list(res.spans.columns[:7]) == ["abi", "caller", "callee", "pe", "start_ns", "end_ns",
                                           "duration_ns"]
