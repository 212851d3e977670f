"""Where a text survives in a SQLite database's files: live values, the pages holding its bytes (whichever
table or index owns them, or the free list), and the write-ahead log and rollback journal beside the file.

Erasure tests ask `traces_of(path, customer_id)` after compacting the files (Steward's erasure vacuums
and truncates the log): anything left is a trace, be it a value still stored, a deleted row's bytes in
a page, or an old page image in the log. Each trace starts with the table that owns it, then a colon, so
`outside(traces, {"supervision_audit"})` keeps the traces anywhere but in the tables allowed to hold ids.
The text is looked for as written and JSON-escaped (SQLite keeps JSON with non-ASCII as \\u escapes),
ignoring ASCII case.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterator
from contextlib import closing
from pathlib import Path

_WAL_HEADER = 32
_FRAME_HEADER = 24


def _forms(text: str) -> set[bytes]:
    return {form.lower() for form in (text.encode(), json.dumps(text)[1:-1].encode())}


def _holds(data: bytes, forms: Collection[bytes]) -> bool:
    lowered = data.lower()
    return any(form in lowered for form in forms)


def _as_bytes(value: object) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode("utf-8", errors="surrogatepass")


def _page_size(header: bytes) -> int:
    size = int.from_bytes(header[16:18], "big")
    return 65536 if size == 1 else size


def _live_values(connection: sqlite3.Connection, forms: Collection[bytes]) -> Iterator[str]:
    tables = connection.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    for (table,) in tables:
        quoted = table.replace('"', '""')
        columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{quoted}")')]
        counts = [0] * len(columns)
        for row in connection.execute(f'SELECT * FROM "{quoted}"'):
            for index, value in enumerate(row):
                if value is not None and _holds(_as_bytes(value), forms):
                    counts[index] += 1
        for column, count in zip(columns, counts, strict=True):
            if count:
                yield f"{table}: {count} value(s) in column {column}"


def _owners(connection: sqlite3.Connection) -> dict[int, str]:
    """Each page in use → who owns it: `table` or `table index NAME` (page 1 is the schema's)."""
    tables = dict(connection.execute("SELECT name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index')"))
    owners: dict[int, str] = {}
    for name, page in connection.execute("SELECT name, pageno FROM dbstat"):
        table = tables.get(name, name)
        owners[page] = table if table == name else f"{table} index {name}"
    return owners


def _pages(path: Path, owners: dict[int, str], forms: Collection[bytes]) -> Iterator[str]:
    data = path.read_bytes()
    if not data:
        return
    size = _page_size(data[:100])
    found = False
    for start in range(0, len(data), size):
        if _holds(data[start : start + size], forms):
            found = True
            number = start // size + 1
            owner = owners.get(number)
            yield f"{owner}: page {number}" if owner else f"free space: page {number}"
    if not found and _holds(data, forms):
        yield f"{path.name}: bytes across a page boundary"


def _log(path: Path, forms: Collection[bytes]) -> Iterator[str]:
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        data = wal.read_bytes()
        if len(data) > _WAL_HEADER:
            size = int.from_bytes(data[8:12], "big")
            frame = _FRAME_HEADER + size
            for number, start in enumerate(range(_WAL_HEADER, len(data), frame), start=1):
                image = data[start : start + frame]
                if _holds(image, forms):
                    page = int.from_bytes(image[:4], "big")
                    yield f"write-ahead log: frame {number} (an image of page {page})"
            if _holds(data, forms) and not any(
                _holds(data[s : s + frame], forms) for s in range(_WAL_HEADER, len(data), frame)
            ):
                yield "write-ahead log: bytes across frames"
    journal = path.with_name(path.name + "-journal")
    if journal.exists() and _holds(journal.read_bytes(), forms):
        yield "rollback journal: bytes"


def traces_of(db_path: Path, text: str) -> list[str]:
    """Every place in the SQLite file `db_path` (and its log and journal) that holds `text`; [] if none.

    A value still stored reads ``table: N value(s) in column C``; a page holding the bytes, live or
    deleted, reads ``table: page N`` (``table index NAME: page N`` for an index, ``free space: page N``
    for a page no table uses); the log's page images read ``write-ahead log: frame N (...)``.
    """
    forms = _forms(text)
    with closing(sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
        traces = list(_live_values(connection, forms))
        owners = _owners(connection)
    traces += _pages(db_path, owners, forms)
    traces += _log(db_path, forms)
    return traces


def outside(traces: Collection[str], tables: Collection[str]) -> list[str]:
    """The traces not owned by one of `tables` (those allowed to keep the text, such as the audit chain)."""
    return [trace for trace in traces if trace.split(":", 1)[0].split(" index ", 1)[0] not in tables]
