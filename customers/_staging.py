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
from customers.sources import EntitySpec, InvalidRow, SourcesConfig, open_connector, parse_row

_CHUNK = 5000
_ROLE_ORDER = {"reference": 0, "person": 1, "event": 2, "credit_application": 3}

Progress = Callable[[str], None]


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
    references: dict[str, dict[str, dict[str, JsonValue]]] = {}
    order = sorted(system.entities.items(), key=lambda item: _ROLE_ORDER[item[1].role])
    for entity_name, entity in order:
        subject = (
            system.person_entity(entity.subject_entity, system=system_name)
            if entity.role in ("event", "credit_application")
            else None
        )
        counts = _stage_entity(
            connection,
            (system_name, entity_name, subject),
            entity,
            connector.rows(entity_name, entity),
            references,
            load_id,
            now,
        )
        entities[entity_name] = counts
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


def _stage_entity(
    connection: Connection,
    names: tuple[str, str, str | None],
    entity: EntitySpec,
    rows: Iterator[Any],
    references: dict[str, dict[str, dict[str, JsonValue]]],
    load_id: int,
    now: datetime,
) -> EntityCounts:
    system, entity_name, subject_entity = names
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

    def quarantine(position: int, raw: str, reason: str, record_id: str | None = None) -> None:
        counts.quarantined += 1
        counts.reasons[_reason_kind(reason)] += 1
        quarantined.append(
            {
                "load_id": load_id,
                "source_system": system,
                "entity": entity_name,
                "position": position,
                "record_id": record_id,
                "raw": raw,
                "reason": reason,
                "quarantined_at": now,
            }
        )

    for raw_row in rows:
        counts.received += 1
        if raw_row.values is None:
            quarantine(raw_row.position, raw_row.raw, raw_row.error or "unreadable row")
            continue
        try:
            record = parse_row(raw_row.values, entity)
        except InvalidRow as exc:
            quarantine(raw_row.position, raw_row.raw, str(exc))
            continue
        # Before the lookups: an erased person's row must not reach quarantine because the reference
        # row it looks up (their own account, erased with them) is gone.
        if erased and (
            erased_hash(system, entity_name, record.record_id) in erased
            or (
                subject_entity
                and record.subject_id
                and erased_hash(system, subject_entity, record.subject_id) in erased
            )
        ):
            counts.suppressed += 1
            continue
        try:
            fields = dict(record.fields) if entity.lookups else record.fields
            for lookup_name, lookup in entity.lookups.items():
                key = raw_row.values.get(lookup.key)
                target = references.get(lookup.entity, {}).get(str(key)) if key not in (None, "") else None
                if target is None and key not in (None, ""):
                    raise InvalidRow(f"{lookup_name}: no {lookup.entity} record {key!r}")
                for name, column in lookup.fields.items():
                    value = (target or {}).get(column)
                    if value is not None:
                        fields[name] = value
        except InvalidRow as exc:
            quarantine(raw_row.position, raw_row.raw, str(exc))
            continue
        first = seen.get(record.record_id)
        if first is not None:
            reason = f"duplicate id: {record.record_id!r} already appeared in this load at position {first}"
            quarantine(raw_row.position, raw_row.raw, reason, record.record_id)
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
    return counts


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
