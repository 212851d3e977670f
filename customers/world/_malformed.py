"""Rows broken the way exports break: a date in a local format, a lost id, a sign or a currency in an amount.

About 0.3% of the rows of a file, at least one in any file of a hundred rows or more; every broken
row is listed in truth/faults.csv as ``malformed: <what> (<column>)``. Reference rows others look up
(CRM accounts) and the credit requests stay whole, so no valid record is lost through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

import numpy as np

from core import JsonObject
from customers.world._export import Columns, SqlValue
from customers.world._population import System
from customers.world._records import Ledger

Breakage = Literal["unparseable date", "missing id", "negative amount", "non-numeric amount"]
RATE: Final = 0.003


def _broken(kind: Breakage, value: str) -> str:
    match kind:
        case "unparseable date":  # exported in the local format: 31.12.2025 or 31.12.2025 14:05
            day = f"{value[8:10]}.{value[5:7]}.{value[:4]}"
            return f"{day} {value[11:16]}" if len(value) > 10 else day
        case "missing id":
            return ""
        case "negative amount":
            return f"-{value}"
        case "non-numeric amount":
            return value.replace(".", ",") if "." in value else f"USD {value}"


class Breaker:
    """Breaks a few rows of each table it is given, and notes them in the ledger (a no-op when disabled)."""

    def __init__(self, rng: np.random.Generator, ledger: Ledger, *, enabled: bool) -> None:
        self._rng = rng
        self._ledger = ledger
        self._enabled = enabled

    def _pick(self, size: int, share: float) -> list[int]:
        """Rows to break: `share` of the file's budget (a file broken in two ways splits it)."""
        if not self._enabled or size < 100:
            return []
        count = max(1, round(size * RATE * share))
        return sorted(self._rng.choice(size, size=count, replace=False).tolist())

    def _kind(self, breaks: Sequence[tuple[Breakage, str]]) -> tuple[Breakage, str]:
        return breaks[int(self._rng.integers(len(breaks)))]

    def columns(
        self, system: System, entity: str, columns: Columns, id_column: str, breaks: Sequence[tuple[Breakage, str]]
    ) -> None:
        """Break rows of a CSV table in place; only non-empty values are broken."""
        ids = list(columns[id_column])
        for row in self._pick(len(ids), 1.0):
            kind, column = self._kind(breaks)
            if columns[column][row]:
                columns[column][row] = _broken(kind, columns[column][row])
                self._ledger.fault(system, entity, [ids[row]], f"malformed: {kind} ({column})")

    def objects(
        self,
        system: System,
        entity: str,
        records: list[JsonObject],
        id_field: str,
        breaks: Sequence[tuple[Breakage, str]],
        *,
        share: float = 1.0,
    ) -> None:
        """Break values of JSON objects in place (a number becomes the broken text)."""
        for row in self._pick(len(records), share):
            kind, field = self._kind(breaks)
            value = records[row][field]
            if value is not None and value != "":
                records[row][field] = _broken(kind, str(value))
                self._ledger.fault(system, entity, [str(records[row][id_field])], f"malformed: {kind} ({field})")

    def rows(
        self,
        system: System,
        entity: str,
        header: Sequence[str],
        rows: list[list[SqlValue]],
        breaks: Sequence[tuple[Breakage, str]],
    ) -> None:
        """Break values of database rows in place; the first column is the id."""
        for row in self._pick(len(rows), 1.0):
            kind, column = self._kind(breaks)
            at = header.index(column)
            value = rows[row][at]
            if value is not None and value != "":
                rows[row][at] = None if kind == "missing id" else _broken(kind, str(value))
                self._ledger.fault(system, entity, [str(rows[row][0])], f"malformed: {kind} ({column})")

    def truncate(
        self, system: System, entity: str, lines: list[str], ids: Sequence[str], *, share: float = 1.0
    ) -> None:
        """Cut a few JSON lines short, as an export interrupted mid-write leaves them."""
        for row in self._pick(len(lines), share):
            line = lines[row]
            lines[row] = line[: int(self._rng.integers(len(line) // 3, len(line) - 1))]
            self._ledger.fault(system, entity, [ids[row]], "malformed: truncated JSON line")
