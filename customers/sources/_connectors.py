"""Connectors: read an entity's rows from wherever a system keeps them, exactly as received.

A connector never validates: it hands every row over with its position (line or row number) and
its raw text, and a row it cannot even split into columns comes with an error instead of values,
so staging can quarantine it. Register your own with `register_connector`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from core import ConfigurationError, JsonValue
from customers.sources._config import EntitySpec, SystemSpec

RowValues = dict[str, JsonValue]


@dataclass(frozen=True, slots=True)
class RawRow:
    """One row as a source gave it: `values` by column, or `error` when it could not be read at all."""

    position: int
    raw: str
    values: RowValues | None = None
    error: str | None = None


class Connector(Protocol):
    """Reads the rows of one entity of one system."""

    def rows(self, entity_name: str, entity: EntitySpec) -> Iterator[RawRow]: ...

    def describe(self, entity: EntitySpec) -> str:
        """Where the entity's rows come from, for messages (a file path, a table)."""
        ...


ConnectorFactory = Callable[[SystemSpec, Path], Connector]
_FACTORIES: dict[str, ConnectorFactory] = {}


def register_connector(name: str, factory: ConnectorFactory) -> None:
    """Make `connector: NAME` in a source configuration build connectors with `factory(system, base_dir)`."""
    _FACTORIES[name] = factory


def open_connector(system_name: str, system: SystemSpec, base_dir: Path) -> Connector:
    factory = _FACTORIES.get(system.connector)
    if factory is None:
        known = ", ".join(sorted(_FACTORIES))
        raise ConfigurationError(f"system {system_name!r}: unknown connector {system.connector!r}; known: {known}")
    return factory(system, base_dir)


def _folder(system: SystemSpec, base_dir: Path) -> Path:
    folder = Path(system.location)
    return folder if folder.is_absolute() else base_dir / folder


def _file(folder: Path, entity: EntitySpec) -> Path:
    if entity.file is None:
        raise ConfigurationError(f"a file connector reads files; give `file:` for the entity at {folder}")
    path = folder / entity.file
    if not path.is_file():
        raise ConfigurationError(f"source file {path} does not exist")
    return path


class CsvConnector:
    """CSV files with a header line (UTF-8, RFC 4180 quoting), one per entity, in the system's folder."""

    def __init__(self, system: SystemSpec, base_dir: Path) -> None:
        self._folder = _folder(system, base_dir)

    def describe(self, entity: EntitySpec) -> str:
        return str(self._folder / (entity.file or "?"))

    def rows(self, entity_name: str, entity: EntitySpec) -> Iterator[RawRow]:
        path = _file(self._folder, entity)
        with path.open(newline="", encoding="utf-8", errors="replace") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return
            header = [name.strip() for name in header]
            missing = sorted(entity.columns() - set(header))
            if missing:
                raise ConfigurationError(f"{path}: the header has no column {', '.join(map(repr, missing))}")
            line = reader.line_num
            for values in reader:
                position, line = line + 1, reader.line_num
                if not values:
                    continue
                raw = _csv_line(values)
                if len(values) != len(header):
                    error = f"the line has {len(values)} values but the header has {len(header)} columns"
                    yield RawRow(position, raw, error=error)
                    continue
                yield RawRow(position, raw, values=dict(zip(header, values, strict=True)))


def _csv_line(values: list[str]) -> str:
    out: list[str] = []
    for value in values:
        out.append(f'"{value.replace(chr(34), chr(34) * 2)}"' if any(c in value for c in ',"\n\r') else value)
    return ",".join(out)


class JsonConnector:
    """JSON files: a `.json` file holding an array of objects, or a `.jsonl` file with one object per line."""

    def __init__(self, system: SystemSpec, base_dir: Path) -> None:
        self._folder = _folder(system, base_dir)

    def describe(self, entity: EntitySpec) -> str:
        return str(self._folder / (entity.file or "?"))

    def rows(self, entity_name: str, entity: EntitySpec) -> Iterator[RawRow]:
        path = _file(self._folder, entity)
        if path.suffix == ".jsonl":
            yield from self._lines(path)
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigurationError(f"{path}: not a JSON document ({exc}); nothing from it was read") from exc
        if not isinstance(data, list):
            raise ConfigurationError(f"{path}: expected a JSON array of objects")
        for index, item in enumerate(data, start=1):
            yield _json_row(index, item)

    @staticmethod
    def _lines(path: Path) -> Iterator[RawRow]:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                text_line = line.rstrip("\n")
                if not text_line.strip():
                    continue
                try:
                    item = json.loads(text_line)
                except json.JSONDecodeError as exc:
                    yield RawRow(number, text_line, error=f"not valid JSON: {exc.msg} at column {exc.colno}")
                    continue
                yield _json_row(number, item, raw=text_line)


def _json_row(position: int, item: object, raw: str | None = None) -> RawRow:
    text_raw = raw if raw is not None else json.dumps(item, ensure_ascii=False, sort_keys=True)
    if not isinstance(item, dict):
        return RawRow(position, text_raw, error="expected a JSON object")
    return RawRow(position, text_raw, values={str(k): _plain(v) for k, v in item.items()})


def _plain(value: object) -> JsonValue:
    """A column value as JSON: SQL dates and decimals become text, nested JSON stays as it is."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


class SqlConnector:
    """Any database SQLAlchemy can reach: `location` is its URL, each entity a `table` or a `query`.

    A relative SQLite path is taken from the configuration file's folder.
    """

    def __init__(self, system: SystemSpec, base_dir: Path) -> None:
        url = make_url(system.location)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")  # psycopg 3 is what Steward installs
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            database = Path(url.database)
            if not database.is_absolute():
                database = base_dir / database
            if not database.is_file():
                raise ConfigurationError(f"SQLite source database {database} does not exist")
            url = url.set(database=str(database))
        self._url = url
        self._engine = create_engine(url)

    def describe(self, entity: EntitySpec) -> str:
        where = entity.table or "query"
        return f"{self._url.render_as_string(hide_password=True)} {where}"

    def rows(self, entity_name: str, entity: EntitySpec) -> Iterator[RawRow]:
        if entity.table is not None:
            if not entity.table.replace("_", "").replace(".", "").isalnum():
                raise ConfigurationError(f"table name {entity.table!r} is not a plain identifier")
            statement = text(f"SELECT * FROM {entity.table}")
        elif entity.query is not None:
            statement = text(entity.query)
        else:
            raise ConfigurationError(f"entity {entity_name!r}: a SQL source needs `table:` or `query:`")
        try:
            with self._engine.connect() as connection:
                result = connection.execution_options(stream_results=True, yield_per=5000).execute(statement)
                columns = list(result.keys())
                missing = sorted(entity.columns() - set(columns))
                if missing:
                    raise ConfigurationError(
                        f"{self.describe(entity)}: no column {', '.join(map(repr, missing))} in the result"
                    )
                for number, row in enumerate(result, start=1):
                    values = {name: _plain(value) for name, value in zip(columns, row, strict=True)}
                    yield RawRow(number, json.dumps(values, ensure_ascii=False, sort_keys=True), values=values)
        except SQLAlchemyError as exc:
            raise ConfigurationError(f"cannot read {self.describe(entity)}: {exc.__class__.__name__}: {exc}") from exc
        finally:
            self._engine.dispose()


class FileConnector:
    """A folder of exports in mixed formats: `.csv` files as CSV, `.json` and `.jsonl` files as JSON."""

    def __init__(self, system: SystemSpec, base_dir: Path) -> None:
        self._csv = CsvConnector(system, base_dir)
        self._json = JsonConnector(system, base_dir)

    def describe(self, entity: EntitySpec) -> str:
        return self._csv.describe(entity)

    def rows(self, entity_name: str, entity: EntitySpec) -> Iterator[RawRow]:
        suffix = Path(entity.file or "").suffix.lower()
        if suffix in (".json", ".jsonl"):
            return self._json.rows(entity_name, entity)
        return self._csv.rows(entity_name, entity)


register_connector("files", FileConnector)
register_connector("csv", CsvConnector)
register_connector("json", JsonConnector)
register_connector("sql", SqlConnector)
