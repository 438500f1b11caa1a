"""pyproject.toml: every dependency has a floor, above the releases with known security fixes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))

# The first release with the fix for each known advisory; floors may be higher, never lower.
FIXED_IN = {
    "aiohttp": (3, 14, 5),  # request smuggling (3.10.11, 3.12.14), DoS and header advisories (3.13.4, 3.14.5)
    "pytest": (9, 0, 3),  # CVE-2025-71176
    "setuptools": (78, 1, 1),  # CVE-2025-47273
}


def floors() -> dict[str, tuple[int, ...]]:
    project = PYPROJECT["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"] + PYPROJECT["build-system"]["requires"]
    found = {}
    for spec in specs:
        match = re.fullmatch(r"([\w.-]+)(?:\[[\w,]+\])?>=([\d.]+)(?:,<[\d.]+)?", spec)
        assert match, f"{spec!r} has no lower bound"
        found[match[1].lower()] = tuple(int(part) for part in match[2].split("."))
    return found


def test_floors_exclude_releases_with_known_security_fixes() -> None:
    found = floors()
    for name, fixed in FIXED_IN.items():
        assert found[name] >= fixed, f"{name} allows releases before {fixed}"


def test_zstandard_is_a_dev_dependency_so_the_zstd_transport_test_runs() -> None:
    assert "zstandard" in floors()


def test_the_readme_says_which_python_is_needed() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    needed = PYPROJECT["project"]["requires-python"].removeprefix(">=")
    assert f"Python {needed} or newer" in readme
