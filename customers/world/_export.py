"""Writing the exports the way the contract (world_spec.md) lays them out."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeAlias

from core import JsonObject

Columns: TypeAlias = dict[str, list[str]]
"""A CSV table by column, every value already its text ("" = missing)."""
SqlValue: TypeAlias = str | int | float | None


def write_csv(path: Path, header: Sequence[str], columns: Columns) -> int:
    """Write `columns` in `header` order (UTF-8, comma, RFC 4180 quoting); returns the number of rows."""
    if list(columns) != list(header):
        raise AssertionError(f"{path.name}: columns {list(columns)} differ from the header {list(header)}")
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise AssertionError(f"{path.name}: columns of different lengths {sorted(lengths)}")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(zip(*columns.values(), strict=True))
    return lengths.pop() if lengths else 0


def json_line(record: JsonObject) -> str:
    return json.dumps(record, ensure_ascii=False)


def write_lines(path: Path, lines: Iterable[str]) -> int:
    """Write JSON Lines already rendered (a few deliberately broken); returns the number of lines."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for line in lines:
            handle.write(line)
            handle.write("\n")
            count += 1
    return count


def write_json_array(path: Path, records: Sequence[JsonObject]) -> int:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write("[\n")
        handle.write(",\n".join(json_line(record) for record in records))
        handle.write("\n]\n")
    return len(records)


def write_table(
    connection: sqlite3.Connection, ddl: str, table: str, header: Sequence[str], rows: Sequence[Sequence[SqlValue]]
) -> int:
    connection.execute(ddl)
    marks = ", ".join("?" * len(header))
    connection.executemany(f"INSERT INTO {table} ({', '.join(header)}) VALUES ({marks})", rows)
    return len(rows)
