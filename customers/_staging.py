"""Staging: every received row is kept as received, or quarantined with the reason; counts reconcile.

A system's load is one transaction: it either lands whole (its run row, staged versions and
quarantined rows together) or not at all. A row whose content did not change since its current
version is counted as unchanged and writes nothing, so re-reading an export is cheap.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from core import JsonValue
from customers._source_tables import ERASED_RECORD, INGEST_RUN, QUARANTINE, STAGED, erased_hash
from customers._tables import as_utc
from customers.sources import (
    Connector,
    EntitySpec,
    InvalidRow,
    ParsedRecord,
    RawRow,
    SourcesConfig,
    SystemSpec,
    open_connector,
    parse_row,
)

_CHUNK = 5000
_ROLE_ORDER = {"reference": 0, "person": 1, "event": 2, "credit_application": 3, "order_line": 4}
"""Staging order within a system: lookups find their reference rows, order lines find their orders."""

Progress = Callable[[str], None]
References = dict[str, dict[str, dict[str, JsonValue]]]
"""Per reference entity: record id → its current typed fields."""
Check = Callable[[ParsedRecord], str | None]
"""A further reason to quarantine a parsed row (after its lookups), or None."""


@dataclass
class EntityCounts:
    """What one entity's load did. received = new + changed + unchanged + quarantined + suppressed, always."""

    received: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    quarantined: int = 0
    suppressed: int = 0
    """Rows of erased people: skipped and not stored, so an erasure survives re-imports."""
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def staged(self) -> int:
        return self.new + self.changed + self.unchanged

    @property
    def reconciles(self) -> bool:
        return self.received == self.staged + self.quarantined + self.suppressed

    def as_json(self) -> dict[str, JsonValue]:
        return {
            "received": self.received,
            "staged": self.staged,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "suppressed_erased": self.suppressed,
            "quarantine_reasons": dict(self.reasons.most_common()),
        }


@dataclass
class SystemLoad:
    system: str
    load_id: int
    entities: dict[str, EntityCounts]

    @property
    def changed_anything(self) -> bool:
        return any(counts.new or counts.changed for counts in self.entities.values())


_HASH_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
"""What `json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))` does, built once."""


def content_hash(values: dict[str, JsonValue]) -> str:
    text = _HASH_ENCODER.encode(values)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _readable(value: JsonValue) -> str | None:
    """A column's value as an id for a quarantined row (None when absent or not a single value)."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = str(value).strip()  # as `parse_row` reads an id
        return text[:200] or None
    return None


def _reason_kind(reason: str) -> str:
    """The quarantine reason without the row's own values, for counting."""
    return reason.split(":", 1)[0] if ":" in reason else reason


def stage_system(
    connection: Connection, config: SourcesConfig, system_name: str, now: datetime, progress: Progress
) -> SystemLoad:
    system = config.system(system_name)
    connector = open_connector(system_name, system, config.base_dir)
    load_id = connection.execute(
        insert(INGEST_RUN).values(source_system=system_name, started_at=now, counts={}).returning(INGEST_RUN.c.id)
    ).scalar_one()
    entities: dict[str, EntityCounts] = {}
    references: References = {}
    refused: dict[str, dict[str, str]] = {}
    """Per order entity: the orders quarantined in this load, with the reason."""
    order = sorted(system.entities.items(), key=lambda item: _ROLE_ORDER[item[1].role])
    for entity_name, entity in order:
        parent = system.parent_entity(entity, system=system_name)
        check: Check = _no_check
        if entity.role == "order_line" and parent is not None:
            check = _line_check(connection, system_name, parent, refused.get(parent, {}))
        elif entity.role == "event" and entity.kind == "order":
            check = _order_check(_invalid_lines(system_name, entity_name, system, connector, references))
        counts, quarantined = _stage_entity(
            connection,
            (system_name, entity_name, parent),
            entity,
            connector.rows(entity_name, entity),
            (references, check),
            load_id,
            now,
        )
        entities[entity_name] = counts
        refused[entity_name] = quarantined
        if entity.role == "reference":
            references[entity_name] = _current_fields(connection, system_name, entity_name)
        progress(
            f"  {system_name}.{entity_name}: {counts.received} received, {counts.new} new, {counts.changed} changed, "
            f"{counts.unchanged} unchanged, {counts.quarantined} quarantined"
        )
    connection.execute(
        update(INGEST_RUN)
        .where(INGEST_RUN.c.id == load_id)
        .values(finished_at=now, counts={name: counts.as_json() for name, counts in entities.items()})
    )
    return SystemLoad(system_name, load_id, entities)


def _current_fields(connection: Connection, system: str, entity: str) -> dict[str, dict[str, JsonValue]]:
    rows = connection.execute(
        select(STAGED.c.record_id, STAGED.c.fields).where(
            STAGED.c.source_system == system, STAGED.c.entity == entity, STAGED.c.is_current.is_(True)
        )
    )
    return {row.record_id: row.fields for row in rows}


def _with_lookups(
    values: dict[str, JsonValue], record: ParsedRecord, entity: EntitySpec, references: References
) -> dict[str, JsonValue]:
    """The record's fields plus those its lookups bring; `InvalidRow` when a looked-up row is missing."""
    fields = dict(record.fields) if entity.lookups else record.fields
    for lookup_name, lookup in entity.lookups.items():
        key = values.get(lookup.key)
        target = references.get(lookup.entity, {}).get(str(key)) if key not in (None, "") else None
        if target is None and key not in (None, ""):
            raise InvalidRow(f"{lookup_name}: no {lookup.entity} record {key!r}")
        for name, column in lookup.fields.items():
            value = (target or {}).get(column)
            if value is not None:
                fields[name] = value
    return fields


def _no_check(record: ParsedRecord) -> str | None:
    return None


def _order_check(invalid_lines: dict[str, str]) -> Check:
    """An order with an invalid line goes to quarantine with the line's reason."""

    def check(record: ParsedRecord) -> str | None:
        return invalid_lines.get(record.record_id)

    return check


def _line_check(connection: Connection, system: str, order_entity: str, refused: dict[str, str]) -> Check:
    """A line belongs to an order staged and current, not to one quarantined in this load or unknown."""
    known = set(
        connection.execute(
            select(STAGED.c.record_id).where(
                STAGED.c.source_system == system, STAGED.c.entity == order_entity, STAGED.c.is_current.is_(True)
            )
        ).scalars()
    )

    def check(record: ParsedRecord) -> str | None:
        order_id = str(record.subject_id)
        if order_id in refused:
            return f"order: its {order_entity} record {order_id!r} is in quarantine ({refused[order_id]})"
        if order_id not in known:
            return f"order: no {order_entity} record {order_id!r}"
        return None

    return check


def _invalid_lines(
    system_name: str, order_entity: str, system: SystemSpec, connector: Connector, references: References
) -> dict[str, str]:
    """Orders of `order_entity` with a line that will go to quarantine, with the first such line's reason.

    Read before the orders are staged, so an order never reaches a plan without one of its lines.
    """
    invalid: dict[str, str] = {}
    for name, entity in system.entities.items():
        if entity.role != "order_line" or system.order_entity(entity.order_entity, system=system_name) != order_entity:
            continue
        for raw_row in connector.rows(name, entity):
            if raw_row.values is None or entity.order is None:
                continue
            order_id = raw_row.values.get(entity.order)
            if order_id in (None, "") or str(order_id).strip() in invalid:
                continue
            try:
                record = parse_row(raw_row.values, entity)
                _with_lookups(raw_row.values, record, entity, references)
            except InvalidRow as exc:
                line = raw_row.values.get(entity.id) or f"{name} at position {raw_row.position}"
                invalid[str(order_id).strip()] = f"order line: {line!r} is invalid: {exc}"
    return invalid


def _stage_entity(
    connection: Connection,
    names: tuple[str, str, str | None],
    entity: EntitySpec,
    rows: Iterator[Any],
    lookups: tuple[References, Check],
    load_id: int,
    now: datetime,
) -> tuple[EntityCounts, dict[str, str]]:
    """Stage one entity's rows; returns the counts and the ids quarantined (when readable) with the reason."""
    system, entity_name, subject_entity = names
    references, check = lookups
    current = {
        row.record_id: (row.id, row.content_hash, row.version)
        for row in connection.execute(
            select(STAGED.c.id, STAGED.c.record_id, STAGED.c.content_hash, STAGED.c.version).where(
                STAGED.c.source_system == system, STAGED.c.entity == entity_name, STAGED.c.is_current.is_(True)
            )
        )
    }
    counts = EntityCounts()
    erased = set(connection.execute(select(ERASED_RECORD.c.record_hash)).scalars())
    seen: dict[str, int] = {}
    staged: list[dict[str, Any]] = []
    quarantined: list[dict[str, Any]] = []
    superseded: list[int] = []
    refused: dict[str, str] = {}

    def quarantine(raw_row: RawRow, reason: str, *, refuse: bool = True) -> None:
        """Keep the row as received with the reason, naming its id and its person or order when readable."""
        values = raw_row.values or {}
        record_id = _readable(values.get(entity.id))
        if refuse and record_id is not None:
            refused.setdefault(record_id, reason)
        counts.quarantined += 1
        counts.reasons[_reason_kind(reason)] += 1
        quarantined.append(
            {
                "load_id": load_id,
                "source_system": system,
                "entity": entity_name,
                "position": raw_row.position,
                "record_id": record_id,
                "subject_id": _readable(values.get(entity.parent_column)) if entity.parent_column else None,
                "raw": raw_row.raw,
                "reason": reason,
                "quarantined_at": now,
            }
        )

    for raw_row in rows:
        counts.received += 1
        if raw_row.values is None:
            quarantine(raw_row, raw_row.error or "unreadable row")
            continue
        # Before validation and lookups: an erased person's row never reaches quarantine, neither for a
        # broken value nor because the reference row it looks up (their own account, erased with them) is gone.
        if erased:
            record_id = _readable(raw_row.values.get(entity.id))
            parent = _readable(raw_row.values.get(entity.parent_column)) if entity.parent_column else None
            if (record_id is not None and erased_hash(system, entity_name, record_id) in erased) or (
                subject_entity and parent is not None and erased_hash(system, subject_entity, parent) in erased
            ):
                counts.suppressed += 1
                continue
        try:
            record = parse_row(raw_row.values, entity)
        except InvalidRow as exc:
            quarantine(raw_row, str(exc))
            continue
        try:
            fields = _with_lookups(raw_row.values, record, entity, references)
        except InvalidRow as exc:
            quarantine(raw_row, str(exc))
            continue
        refusal = check(record)
        if refusal is not None:
            quarantine(raw_row, refusal)
            continue
        first = seen.get(record.record_id)
        if first is not None:
            reason = f"duplicate id: {record.record_id!r} already appeared in this load at position {first}"
            quarantine(raw_row, reason, refuse=False)
            continue
        seen[record.record_id] = raw_row.position
        digest = content_hash(raw_row.values)
        existing = current.get(record.record_id)
        if existing is not None and existing[1] == digest:
            counts.unchanged += 1
            continue
        if existing is None:
            counts.new += 1
            version = 1
        else:
            counts.changed += 1
            superseded.append(existing[0])
            version = existing[2] + 1
        staged.append(
            {
                "source_system": system,
                "entity": entity_name,
                "role": entity.role,
                "record_id": record.record_id,
                "subject_id": record.subject_id,
                "version": version,
                "payload": raw_row.values,
                "fields": fields,
                "field_times": {k: v.isoformat() for k, v in record.field_observed_at.items()} or None,
                "content_hash": digest,
                "is_current": True,
                "observed_at": as_utc(record.observed_at or now),
                "received_at": now,
                "load_id": load_id,
            }
        )
        if len(staged) >= _CHUNK:
            _flush(connection, staged, quarantined, superseded)
    _flush(connection, staged, quarantined, superseded)
    return counts, refused


def _flush(
    connection: Connection, staged: list[dict[str, Any]], quarantined: list[dict[str, Any]], superseded: list[int]
) -> None:
    for start in range(0, len(superseded), 900):
        ids = superseded[start : start + 900]
        connection.execute(update(STAGED).where(STAGED.c.id.in_(ids)).values(is_current=False))
    if staged:
        connection.execute(insert(STAGED), staged)
    if quarantined:
        connection.execute(insert(QUARANTINE), quarantined)
    staged.clear()
    quarantined.clear()
    superseded.clear()
