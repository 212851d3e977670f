"""Finding a person's data anywhere in a database: every table, every row, every column read as text.

The tables are reflected from the database itself, so the scan covers the SQLModel tables, LangGraph's
checkpoint tables and anything added later, without a list to keep up to date. Values are compared
case-insensitively; binary columns (LangGraph's msgpack blobs hold strings as UTF-8) are decoded first.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path

from sqlalchemy import MetaData, create_engine, select
from sqlalchemy.engine import Engine


def _as_text(value: object) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def table_texts(engine: Engine) -> dict[str, list[str]]:
    """Every table of the database (as reflected) → one case-folded text per row (all columns)."""
    metadata = MetaData()
    metadata.reflect(bind=engine)
    texts: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            texts[table.name] = [
                " ".join(_as_text(value) for value in row).casefold() for row in connection.execute(select(table))
            ]
    return texts


def sqlite_texts(path: Path) -> dict[str, list[str]]:
    """`table_texts` of a SQLite file (LangGraph's checkpoints.sqlite beside the database)."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        return table_texts(engine)
    finally:
        engine.dispose()


def found(texts: dict[str, list[str]], needles: Collection[str]) -> dict[str, list[str]]:
    """Each table in which some needle occurs → the needles it holds."""
    hits: dict[str, list[str]] = {}
    for table, rows in texts.items():
        held = sorted(needle for needle in needles if any(needle.casefold() in row for row in rows))
        if held:
            hits[table] = held
    return hits


def bytes_found(path: Path, needles: Collection[str]) -> list[str]:
    """The needles whose bytes are anywhere in a file and its WAL (free pages and old rows included).

    A value is looked for as written, ASCII-lower-cased, and JSON-escaped (SQLite stores JSON text
    with non-ASCII characters as \\u escapes).
    """
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        data += wal.read_bytes()
    lowered = data.lower()
    left: list[str] = []
    for needle in sorted(needles):
        forms = {needle.encode(), json.dumps(needle)[1:-1].encode()}
        if any(form in data or form.lower() in lowered for form in forms):
            left.append(needle)
    return left
