"""Where things live: the repository, the built extension module, platforms and profiles.

The package runs from the source tree (python/ffasim): the repository root is two levels up.
FFASIM_ROOT overrides the root and FFASIM_BUILD the directory holding _ffasim*.so.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PYTHON_DIR = PACKAGE_DIR.parent


def repo_root() -> Path:
    env = os.environ.get("FFASIM_ROOT")
    return Path(env).resolve() if env else PYTHON_DIR.parent


def scenarios_dir() -> Path:
    return repo_root() / "scenarios"


def platforms_dir() -> Path:
    return scenarios_dir() / "platforms"


def profiles_dir() -> Path:
    return scenarios_dir() / "profiles"


def default_scenario() -> Path:
    return scenarios_dir() / "default.yaml"


def build_python_dir() -> Path:
    env = os.environ.get("FFASIM_BUILD")
    return Path(env).resolve() if env else repo_root() / "build" / "python"


def extension_dir() -> Path | None:
    """The directory of the _ffasim extension module, without importing it (None if not built)."""
    spec = importlib.util.find_spec("_ffasim")
    if spec is not None and spec.origin:
        return Path(spec.origin).resolve().parent
    candidate = build_python_dir()
    if any(candidate.glob("_ffasim*.so")):
        return candidate
    return None


def ensure_extension_on_path() -> None:
    """Makes `import _ffasim` find the built module when the launcher did not set PYTHONPATH."""
    if importlib.util.find_spec("_ffasim") is None:
        d = build_python_dir()
        if str(d) not in sys.path:
            sys.path.append(str(d))


def available_profiles() -> list[str]:
    d = profiles_dir()
    return sorted(p.stem for p in d.glob("*.yaml")) if d.is_dir() else []


def display(path: Path | str) -> str:
    """A path as shown in messages: relative to the working directory when it is below it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
