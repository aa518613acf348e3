"""The user guide stays true: the generated timing-profile page is current, the scenario reference
names every key the loader accepts, and every relative link resolves."""
from __future__ import annotations

import re

import pytest

from ffasim import scenario

from conftest import REPO

DOCS = REPO / "docs"


@pytest.mark.backend
def test_timing_profile_page_is_current(ffasim_cli, tmp_path):
    fresh = tmp_path / "timing-profile.md"
    proc = ffasim_cli("profile", "--markdown", fresh)
    assert proc.returncode == 0, proc.stderr
    committed = (DOCS / "timing-profile.md").read_text()
    assert committed == fresh.read_text(), (
        "docs/timing-profile.md is stale (a timing parameter or a named profile changed): "
        "run ./ffasim profile --markdown docs/timing-profile.md and commit it")


def _keys_in(text: str) -> set[str]:
    """Every `code` span outside fenced blocks."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return set(re.findall(r"`([^`\n]+)`", text))


def test_scenario_reference_names_every_key_kind_and_parameter():
    documented = _keys_in((DOCS / "scenario-format.md").read_text())
    expected = {*scenario.TOP_KEYS, *scenario.PLATFORM_KEYS, *scenario.PARTITION_KEYS,
                *scenario.MEMORY_KEYS, *scenario.NWD_KEYS, *scenario.WORKLOAD_COMMON,
                *scenario.MODELS, *scenario.SPMC_FLAVOURS, *scenario.WORKLOAD_KINDS,
                *(p for params in scenario.WORKLOAD_KINDS.values() for p in params)}
    missing = sorted(expected - documented)
    assert not missing, f"docs/scenario-format.md does not document: {', '.join(missing)}"


def _links(md: str) -> list[str]:
    return [m for m in re.findall(r"\]\(([^)\s]+)\)", md)
            if not re.match(r"[a-z]+:", m) and not m.startswith("#")]


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")) + ["../README.md"])
def test_relative_links_resolve(page):
    path = (DOCS / page).resolve()
    broken = [link for link in _links(path.read_text())
              if not (path.parent / link.split("#")[0]).exists()]
    assert not broken, f"{path.relative_to(REPO)}: broken links: {', '.join(broken)}"
