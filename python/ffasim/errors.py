"""Exceptions of the ffasim package.

A user's mistake (a bad scenario file, an unknown profile parameter, a malformed manifest) is a
ConfigError whose message is one line naming the file or option, the key and what was expected;
the CLI prints it as is and exits with status 2. Anything else that stops a simulation is a
SimulationError.
"""


class FfasimError(Exception):
    """Base class of every error ffasim raises on purpose."""


class ConfigError(FfasimError, ValueError):
    """Bad input from the user: scenario, profile, override, manifest. One line."""


class ScenarioError(ConfigError):
    """A scenario file or mapping that does not follow the schema (see ffasim.scenario)."""


class BackendError(FfasimError):
    """The _ffasim extension module is missing or cannot be loaded."""


class SimulationError(FfasimError):
    """The simulation could not do what was asked (the worker died, an endpoint cannot be driven)."""


class MemoryAccessError(FfasimError, ValueError):
    """A host read or write outside every RAM region of the chosen PA space."""


class SweepWarning(UserWarning):
    """Some points of a sweep failed (each is a row with its parameters and its error)."""
