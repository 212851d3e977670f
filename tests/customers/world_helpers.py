"""A small generated world (session-scoped, generated once) and helpers to copy and change it."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

from customers.world import SOURCES_FILE, generate_world
from steward import BUNDLED_DATA

AS_OF = date(2026, 11, 2)
PEOPLE = 300


def make_world(folder: Path, *, people: int = PEOPLE, seed: int = 11) -> Path:
    """Generate a world into `folder` with the bundled source configuration; returns sources.yaml."""
    generate_world(folder, people=people, seed=seed, as_of=AS_OF, data_dir=BUNDLED_DATA)
    shutil.copy(SOURCES_FILE, folder / "sources.yaml")
    return folder / "sources.yaml"


def copy_world(template: Path, folder: Path) -> Path:
    shutil.copytree(template, folder)
    return folder / "sources.yaml"


def malformed_rows(world: Path) -> int:
    with (world / "truth" / "faults.csv").open(newline="", encoding="utf-8") as handle:
        return sum(1 for row in csv.DictReader(handle) if row["fault"].startswith("malformed"))


def rewrite_csv_row(path: Path, record_id: str, changes: dict[str, str]) -> dict[str, str]:
    """Change columns of the row whose first column is `record_id`; returns the row before the change."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    [row] = [r for r in rows if r[fields[0]] == record_id]
    before = dict(row)
    row.update(changes)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return before
