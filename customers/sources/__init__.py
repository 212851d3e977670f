"""Source systems: their configuration, the connectors that read them, and row validation."""

from customers.sources._config import (
    KNOWN_TYPES,
    EntitySpec,
    FieldSpec,
    FieldType,
    Lookup,
    Role,
    SourcesConfig,
    SystemSpec,
    load_sources,
)
from customers.sources._connectors import (
    Connector,
    ConnectorFactory,
    CsvConnector,
    FileConnector,
    JsonConnector,
    RawRow,
    RowValues,
    SqlConnector,
    open_connector,
    register_connector,
)
from customers.sources._parse import InvalidRow, ParsedRecord, parse_moment, parse_row

__all__ = [
    "KNOWN_TYPES",
    "Connector",
    "ConnectorFactory",
    "CsvConnector",
    "EntitySpec",
    "FieldSpec",
    "FieldType",
    "FileConnector",
    "InvalidRow",
    "JsonConnector",
    "Lookup",
    "ParsedRecord",
    "RawRow",
    "Role",
    "RowValues",
    "SourcesConfig",
    "SqlConnector",
    "SystemSpec",
    "load_sources",
    "open_connector",
    "parse_moment",
    "parse_row",
    "register_connector",
]
