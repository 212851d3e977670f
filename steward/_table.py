"""Aligned text tables for the CLI: each column as wide as its widest cell, no trailing spaces.

Cells are shown on one line whatever they hold: control characters (a newline or an escape sequence in a name
someone typed) are written as `\\n`, `\\x1b`..., so a value cannot break the table or drive the terminal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Sequence

EMPTY = "-"
"""How a missing value (None) is shown."""


def cell_text(value: object) -> str:
    """`value` as one printable line (None as `-`)."""
    if value is None:
        return EMPTY
    text = str(value)
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _width(text: str) -> int:
    """Columns `text` takes on a terminal: wide East Asian characters take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text
    )


def table_lines(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    right: Collection[int] = (),
    indent: str = "",
    gap: int = 2,
) -> list[str]:
    """The header line and one line per row; the columns numbered in `right` (numbers) are right-aligned."""
    cells = [[cell_text(h) for h in headers], *([cell_text(value) for value in row] for row in rows)]
    for number, line in enumerate(cells):
        if len(line) != len(headers):
            raise ValueError(f"table row {number} has {len(line)} cells for {len(headers)} columns")
    widths = [max(_width(line[column]) for line in cells) for column in range(len(headers))]
    lines: list[str] = []
    for line in cells:
        padded = []
        for column, text in enumerate(line):
            fill = " " * (widths[column] - _width(text))
            padded.append(fill + text if column in right else text + fill)
        lines.append((indent + (" " * gap).join(padded)).rstrip())
    return lines


def print_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    right: Collection[int] = (),
    indent: str = "",
    gap: int = 2,
) -> None:
    """Print `table_lines(...)` to stdout."""
    for line in table_lines(headers, rows, right=right, indent=indent, gap=gap):
        print(line)
