"""ffasim: a cycle-approximate simulator of the Arm FF-A firmware stack.

    import ffasim
    res = ffasim.run()                          # scenarios/default.yaml
    res.stats                                   # DataFrame: latency per ABI, per-hop breakdown
    res.spans                                   # DataFrame: every call
    sim = ffasim.Simulator(linux_driver=False)  # a live simulation in its own process
    sim.endpoint(0).call(0x84000063, 0x10002)   # FFA_VERSION from the normal world, PE 0
    df = ffasim.sweep(None, {"core.cpi": [1, 1.5]})  # one process per point, one DataFrame
    from ffasim import plots                    # CDFs, per-hop bars, metric vs parameter

Every simulation runs in a worker process (SystemC elaborates once per process), so any number
of Simulators can coexist. The command line is `ffasim` (python3 -m ffasim).
"""
__version__ = "0.1.0"

from .errors import (BackendError, ConfigError, FfasimError, MemoryAccessError, ScenarioError,
                     SimulationError, SweepWarning)
from .results import Results
from .scenario import Scenario
from .scenario import load as load_scenario
from .simulator import Endpoint, MemoryMapEntry, Regs, Simulator, run
from .sweep import point_seed, sweep  # noqa: E402  (the function shadows the submodule's name)

__all__ = ["run", "sweep", "point_seed", "Simulator", "Endpoint", "Regs", "MemoryMapEntry",
           "Results", "Scenario", "load_scenario", "FfasimError", "ConfigError", "ScenarioError", "SimulationError",
           "MemoryAccessError", "BackendError", "SweepWarning", "__version__"]
