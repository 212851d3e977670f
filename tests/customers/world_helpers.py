"""A small generated world (session-scoped, generated once) and helpers to copy and change it."""

from __future__ import annotations

import csv
import shutil
import sqlite3
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


def order_lines(world: Path) -> dict[tuple[str, str], str]:
    """(system, line id) → order id, from the ERP's and the shop's exports."""
    with (world / "erp" / "order_lines.csv").open(newline="", encoding="utf-8") as handle:
        lines = {("erp", row["line_id"]): row["order_id"] for row in csv.DictReader(handle)}
    connection = sqlite3.connect(world / "shop" / "shop.sqlite")
    try:
        lines |= {
            ("shop", str(line)): str(order)
            for line, order in connection.execute("SELECT line_id, order_id FROM order_lines")
        }
    finally:
        connection.close()
    return lines


def knock_on_rows(world: Path) -> int:
    """Rows quarantined because another row is broken: the order of a broken line, and the other lines of
    an order in quarantine (the line's order, or an order without its address)."""
    with (world / "truth" / "faults.csv").open(newline="", encoding="utf-8") as handle:
        faults = [row for row in csv.DictReader(handle) if row["fault"].startswith("malformed")]
    lines = order_lines(world)
    broken_lines = {(f["source_system"], f["record_id"]) for f in faults if f["entity"] == "order_lines"}
    refused = {(system, lines[(system, line)]) for system, line in broken_lines}
    orders_of_lines = len(refused)
    refused |= {(f["source_system"], f["record_id"]) for f in faults if "missing address" in f["fault"]}
    siblings = sum(
        1
        for (system, line), order in lines.items()
        if (system, order) in refused and (system, line) not in broken_lines
    )
    return orders_of_lines + siblings


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
