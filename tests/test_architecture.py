"""Nothing imports upward: each package may import only the packages below it (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from agents import BUNDLED

ROOT = Path(__file__).resolve().parents[1]
OURS = {"core", "customers", "tools", "policies", "supervision", "agents", "approval_ui", "evals", "steward"}
BELOW_AGENTS = {"core", "customers", "tools", "policies", "supervision"}
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "customers": {"core"},
    "tools": {"core", "customers"},
    "policies": {"core"},
    "supervision": {"core", "policies"},
    "agents": BELOW_AGENTS,
    "approval_ui": BELOW_AGENTS | {"agents"},
    "evals": BELOW_AGENTS | {"agents"},
    "steward": OURS - {"steward"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_is_below_it(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"package {package} has no modules"
    violations = {str(path.relative_to(ROOT)): sorted(_imports(path) - ALLOWED[package] - {package}) for path in files}
    assert {file: bad for file, bad in violations.items() if bad} == {}


def test_other_packages_use_the_public_face_not_private_modules() -> None:
    offenders = []
    for package in ALLOWED:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    top, *rest = node.module.split(".")
                    if top in OURS and top != package and any(part.startswith("_") for part in rest):
                        offenders.append(f"{path.relative_to(ROOT)}: from {node.module}")
    assert offenders == []


RAILS = ("steward", "supervision", "approval_ui", "policies")
"""The packages every agent shares: no agent's name and no action name of an agent belongs in them."""
RAIL_FILES = {".py", ".html", ".yaml", ".yml", ".js", ".css", ".mako"}


def test_no_agent_or_action_name_appears_in_the_shared_packages() -> None:
    """Agent knowledge lives in agents/<agent>/ and the agent's policy file (policies/<agent>.yaml, so those
    are not read); anywhere else in the rails, a name in a string, comment or identifier is an offence."""
    names = sorted({d.name for d in BUNDLED} | {spec.name for d in BUNDLED for spec in d.actions})
    assert len(names) > len(BUNDLED), "the bundled agents and their actions give the names to look for"
    word = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, names)) + r")(?![A-Za-z0-9_])")
    offences = []
    for package in RAILS:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix not in RAIL_FILES or "__pycache__" in path.parts:
                continue
            if path.parent == ROOT / "policies" and path.suffix in {".yaml", ".yml"}:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                offences += [f"{path.relative_to(ROOT)}:{number}: {found}" for found in word.findall(line)]
    assert not offences, "agent or action names in the shared packages:\n" + "\n".join(offences)
