"""Nothing imports upward: each package may import only the packages below it (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

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
