"""Sweeps: grids, per-point seeds, the local pool, a loopback Dask cluster, failed points, files."""
from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

import ffasim
from ffasim import ConfigError, SweepWarning
from ffasim.cli import parse_grid
from ffasim.sweep import describe, expand_grid, plan

from conftest import DATA, REPO

SMALL = DATA / "small.yaml"
OPTEE_THREADS = REPO / "scenarios" / "optee_threads.yaml"


def _quiet_sweep(*args, **kw):
    """ffasim.sweep with its SweepWarning captured: (frame, warning messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = ffasim.sweep(*args, progress=False, **kw)
    return df, [str(w.message) for w in caught if issubclass(w.category, SweepWarning)]


# --- grids and seeds (no simulation) --------------------------------------------------------


def test_a_mapping_grid_is_the_cartesian_product_in_key_order():
    points = expand_grid({"core.cpi": [1, 1.5], "workload.0.count": [5, 6, 7]})
    assert len(points) == 6
    assert points[0] == {"core.cpi": 1, "workload.0.count": 5}
    assert points[-1] == {"core.cpi": 1.5, "workload.0.count": 7}


def test_a_list_grid_gives_its_points_and_a_scalar_is_one_value():
    assert expand_grid([{"core.cpi": 1}, {"core.cpi": 2, "seed": 4}]) == [
        {"core.cpi": 1}, {"core.cpi": 2, "seed": 4}]
    assert expand_grid({"core.cpi": 1.25}) == [{"core.cpi": 1.25}]


@pytest.mark.parametrize("grid, message", [
    ({}, "grid: expected at least one key"),
    ({"core.cpi": []}, "grid: core.cpi: no values"),
    ([], "grid: expected at least one point"),
    ("core.cpi=1", "grid: expected a mapping of keys to values or a list of points, got str"),
    ([{"core.cpi": 1}, 3], "grid: point 1: expected a mapping of keys to values, got int"),
])
def test_bad_grids_are_one_line(grid, message):
    with pytest.raises(ConfigError) as e:
        expand_grid(grid)
    assert str(e.value) == message


def test_point_seed_depends_on_the_sweep_seed_and_the_point_only():
    a = ffasim.point_seed(1, {"core.cpi": 1.5, "workload.0.count": 3})
    assert a == ffasim.point_seed(1, {"workload.0.count": 3, "core.cpi": 1.5})  # key order
    assert a == ffasim.point_seed(1, {"core.cpi": 1.5, "workload.0.count": 3.0})  # 3 == 3.0
    assert a != ffasim.point_seed(2, {"core.cpi": 1.5, "workload.0.count": 3})
    assert a != ffasim.point_seed(1, {"core.cpi": 1.5, "workload.0.count": 4})
    assert 0 <= a < 2**32
    # The documented derivation: SHA-256 of the canonical JSON, first 4 bytes big-endian.
    import hashlib
    text = '[1,[["core.cpi",1.5],["workload.0.count",3]]]'
    assert a == int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def test_each_point_scenario_carries_its_seed_and_a_grid_seed_is_kept():
    points = plan(SMALL, [{"core.cpi": 1}, {"core.cpi": 2, "seed": 42}], seed=9)
    assert points[0].scenario.seed == ffasim.point_seed(9, {"core.cpi": 1}) == points[0].seed
    assert points[1].scenario.seed == 42 == points[1].seed


def test_a_bad_value_fails_its_point_in_planning_and_names_the_grid():
    points = plan(SMALL, {"workload.0.count": [3, "x"]})
    assert points[0].error is None
    assert points[1].error == "grid: workload.0.count: expected a positive integer, got 'x'"


def test_cli_grid_values_split_on_top_level_commas_only():
    assert parse_grid(["core.cpi=1,1.5", "workload.0.pes=[0,1],[2,3],0-3"]) == {
        "core.cpi": [1, 1.5], "workload.0.pes": [[0, 1], [2, 3], "0-3"]}
    with pytest.raises(ConfigError, match="given twice"):
        parse_grid(["core.cpi=1", "core.cpi=2"])
    with pytest.raises(ConfigError, match="expected key=value1,value2"):
        parse_grid(["core.cpi"])


def test_describe_names_a_point():
    assert describe({"core.cpi": 1.5, "nwd.linux_driver": False, "workload.0.pes": [0, 1]}) == (
        "core.cpi=1.5, nwd.linux_driver=false, workload.0.pes=[0,1]")


# --- running ----------------------------------------------------------------------------------


@pytest.mark.backend
def test_unknown_grid_key_fails_the_whole_sweep_before_running():
    with pytest.raises(ConfigError) as e:
        ffasim.sweep(SMALL, {"core.cpii": [1, 2]}, progress=False)
    assert str(e.value) == ("grid: core.cpii: unknown profile parameter or scenario key "
                            "(did you mean 'core.cpi'?)")


@pytest.mark.backend
def test_local_sweep_gives_one_frame_with_a_column_per_grid_key():
    df, warned = _quiet_sweep(SMALL, {"core.clock_hz": [1e9, 2e9], "workload.2.count": [3, 4]},
                              jobs=2)
    assert warned == []
    assert list(df.columns[:6]) == ["point", "core.clock_hz", "workload.2.count", "seed", "error",
                                    "run_errors"]
    assert sorted(df["point"].unique()) == [0, 1, 2, 3]
    assert df["error"].isna().all() and (df["run_errors"] == 0).all()
    psci = df[(df.abi == "PSCI_VERSION") & (df.caller == "nwd")].set_index("point")
    assert list(psci["count"]) == [3, 4, 3, 4]
    # Cycles do not depend on the clock; time halves when it doubles.
    assert psci.loc[0, "median_cycles"] == psci.loc[2, "median_cycles"]
    assert psci.loc[0, "median_ns"] == pytest.approx(2 * psci.loc[2, "median_ns"])
    # Each point is exactly the single run with the same overrides and seed.
    one = ffasim.run(SMALL, {"core.clock_hz": 1e9, "workload.2.count": 4,
                             "seed": int(psci.loc[1, "seed"])}, spans=False)
    assert one.row("PSCI_VERSION", "nwd")["median_ns"] == psci.loc[1, "median_ns"]
    mine = df[df.point == 1].iloc[:, 6:].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine[list(one.stats.columns)], one.stats, check_dtype=False)
    assert df.attrs["grid"] == ["core.clock_hz", "workload.2.count"]


@pytest.mark.backend
def test_a_failed_point_is_a_row_with_its_error_and_the_others_finish():
    # threads=0 passes the scenario schema and is refused by the OP-TEE model in the worker.
    grid = {"platform.partitions.0.params.threads": [1, 0, 4]}
    df, warned = _quiet_sweep(OPTEE_THREADS, grid, overrides={"workload.0.count": 5})
    first = df.drop_duplicates("point").set_index("point")
    assert first.loc[1, "error"] == ("grid: platform.partitions.0.params.threads: expected a whole "
                                     "number of threads (1..1024)")
    assert pd.isna(first.loc[1, "abi"]) and (df.point == 1).sum() == 1
    assert first.loc[0, "error"] is None and first.loc[2, "error"] is None
    assert (df[(df.point != 1) & (df.abi == "optee.invoke")]["count"] == 20).all()
    assert df.attrs["failed"] == [1]
    assert len(warned) == 1 and warned[0].startswith("1 of 3 sweep points failed:\n  point 1 "
                                                     "(platform.partitions.0.params.threads=0): ")


@pytest.mark.backend
def test_sweeps_are_reproducible_and_the_seed_changes_only_the_seeds():
    grid = {"workload.0.count": [2, 3]}
    a, _ = _quiet_sweep(SMALL, grid, seed=5, jobs=1)
    b, _ = _quiet_sweep(SMALL, grid, seed=5, jobs=2)
    c, _ = _quiet_sweep(SMALL, grid, seed=6, jobs=2)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.drop_duplicates("point")["seed"]) == [ffasim.point_seed(5, {"workload.0.count": n})
                                                        for n in (2, 3)]
    assert set(a["seed"]).isdisjoint(set(c["seed"]))
    # Nothing in today's models draws from the seed: the figures are the same.
    pd.testing.assert_frame_equal(a.drop(columns="seed"), c.drop(columns="seed"))


@pytest.mark.backend
def test_spans_table_has_one_row_per_call():
    df, _ = _quiet_sweep(SMALL, {"workload.1.count": [2, 5]}, table="spans")
    v = df[(df.abi.isin(["FFA_VERSION", "FFA_VERSION_32"])) & (df.caller == "nwd") & (df.pe == 2)]
    assert list(v.groupby("workload.1.count").size()) == [2, 5]
    assert (v.duration_ns > 0).all()


@pytest.mark.backend
@pytest.mark.filterwarnings("ignore::DeprecationWarning")   # tornado's make_current, in Dask
def test_dask_local_cluster_on_loopback_gives_the_same_frame():
    distributed = pytest.importorskip("distributed")
    grid = {"core.cpi": [1, 2], "workload.0.count": [2, 0]}   # count 0: two failed points
    local, _ = _quiet_sweep(SMALL, grid)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  protocol="tcp://", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        by_address, warned = _quiet_sweep(SMALL, grid, cluster=cluster.scheduler_address)
        with distributed.Client(cluster, set_as_default=False) as client:
            by_client, _ = _quiet_sweep(SMALL, grid, cluster=client)
    pd.testing.assert_frame_equal(local, by_address)
    pd.testing.assert_frame_equal(local, by_client)
    assert by_address.attrs["failed"] == [1, 3] and len(warned) == 1


def test_jobs_and_cluster_are_exclusive():
    with pytest.raises(ConfigError, match="cannot be combined"):
        ffasim.sweep(SMALL, {"core.cpi": [1]}, jobs=2, cluster="tcp://127.0.0.1:1")


# --- the command line -------------------------------------------------------------------------


@pytest.mark.backend
def test_cli_sweep_writes_csv_and_json_and_exits_1_on_a_failed_point(ffasim_cli, tmp_path):
    csv_path, json_path = tmp_path / "s.csv", tmp_path / "s.json"
    proc = ffasim_cli("sweep", SMALL, "--grid", "workload.2.count=2,3", "--grid", "core.cpi=1,1.5",
                      "--jobs", "2", "--out", csv_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("sweep: 4 points (0 failed) in ")
    df = pd.read_csv(csv_path)
    assert list(df.columns[:5]) == ["point", "workload.2.count", "core.cpi", "seed", "error"]
    assert df["point"].nunique() == 4
    proc = ffasim_cli("sweep", SMALL, "--grid", "workload.2.count=2,x", "--out", json_path)
    assert proc.returncode == 1
    assert proc.stderr == ("ffasim sweep: 1 of 2 points failed:\n  point 1 (workload.2.count=x): "
                           "grid: workload.2.count: expected a positive integer, got 'x'\n")
    data = json.loads(json_path.read_text())
    assert data["failed"] == [1] and data["grid"] == ["workload.2.count"]
    assert {r["point"] for r in data["rows"]} == {0, 1}
    assert json_path.read_text() == json.dumps(data, sort_keys=True, indent=1) + "\n"


@pytest.mark.parametrize("args, message", [
    (["--grid", "core.cpi=1", "--out", "x.txt"], "--out: x.txt: expected a .csv or .json file name\n"),
    (["--out", "x.csv"], "sweep: give at least one --grid KEY=V1,V2,...\n"),
    (["--grid", "core.cpi=1", "--jobs", "2", "--scheduler", "tcp://h:1", "--out", "x.csv"],
     "--jobs and --scheduler are exclusive (--jobs sizes the local pool)\n"),
])
def test_cli_sweep_mistakes_are_one_line(ffasim_cli, args, message):
    proc = ffasim_cli("sweep", SMALL, *args)
    assert (proc.returncode, proc.stderr) == (2, message)
