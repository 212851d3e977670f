"""GDPR in the customer data: erasure (Art. 17) and export (Art. 15/20); retention is `_retention`.

Erasure removes everything held about a person from the customer tables: every version of every
source record linked to them (staging), their quarantined rows, timeline, observations, credit
applications and decisions, identity verdicts and links, the reference rows (lookups, such as a
CRM account) that only their records use and that name them (a private account is named after its
holder), and their orders' lines, holds and shipments (redacted: `_order_privacy`). What stays is
the customer id with the moment of erasure, and a keyed hash of each erased source record, so the
next import skips the person instead of bringing them back. Queue payloads and agent checkpoints
live in other packages; the application layer erases those with the same list of customer ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, Connection, Engine, String, cast, delete, insert, or_, select, update

from core import JsonObject, NotFound
from customers._order_privacy import (
    erase_orders,
    export_orders,
    order_entities,
    person_orders,
    person_quarantine,
    with_lines,
)
from customers._source_tables import (
    CUSTOMER_EVENT,
    CUSTOMER_LINK,
    ERASED_RECORD,
    IDENTITY_DECISION,
    QUARANTINE,
    STAGED,
    erased_hash,
)
from customers._tables import CREDIT_APPLICATION, CREDIT_DECISION, CUSTOMER, OBSERVATION, as_utc
from customers.sources import SourcesConfig

IDENTIFYING_FIELDS = ("email", "phone", "tax_id")
"""Values specific enough to find a person's rows in quarantine, where rows are not linked to anyone."""
_MIN_IDENTIFIER = 6


class ErasureReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    customer_id: str
    customer_ids: list[str]
    """The customer and every customer that had been merged into it."""
    source_records: int
    reference_records: int = 0
    """Reference rows (lookup targets) that only the person's records used, erased with them."""
    staged_versions: int
    quarantined_rows: int
    events: int
    observations: int
    applications: int
    decisions: int
    identity_decisions: int
    order_lines: int = 0
    """Staged lines of the person's orders."""
    shipments: int = 0
    """Shipments of their orders, redacted (the warehouse's figures stay, nothing names the order)."""
    holds: int = 0


Record = tuple[str, str, str]
"""A source row's key: (system, entity, record id)."""


def _record_filter(records: Iterable[Record]) -> list[ColumnElement[bool]]:
    return [
        (STAGED.c.source_system == system) & (STAGED.c.entity == entity) & (STAGED.c.record_id == record)
        for system, entity, record in records
    ]


def _family(connection: Connection, customer_id: str) -> list[str]:
    """The customer (after following merges) and every id merged into it, directly or not."""
    current = customer_id
    for _ in range(100):
        merged_into = connection.execute(select(CUSTOMER.c.merged_into).where(CUSTOMER.c.id == current)).first()
        if merged_into is None:
            raise NotFound("customer", customer_id)
        if merged_into[0] is None:
            break
        current = merged_into[0]
    family, frontier = [current], [current]
    while frontier:
        frontier = list(connection.execute(select(CUSTOMER.c.id).where(CUSTOMER.c.merged_into.in_(frontier))).scalars())
        family += frontier
    return family


def _identifiers(versions: Iterable[Any]) -> set[str]:
    found: set[str] = set()
    for version in versions:
        for name in IDENTIFYING_FIELDS:
            value = version.fields.get(name)
            if isinstance(value, str) and len(value) >= _MIN_IDENTIFIER:
                found.add(value)
        for value in version.payload.values():  # as received: "(030) 123-4567" as well as the digits
            if isinstance(value, str) and "@" in value and len(value) >= _MIN_IDENTIFIER:
                found.add(value)
    return found


def _looked_up(sources: SourcesConfig, versions: Sequence[Any]) -> set[Record]:
    """The reference rows the person's record versions point at through the configured lookups."""
    found: set[Record] = set()
    for version in versions:
        system = sources.systems.get(version.source_system)
        spec = system.entities.get(version.entity) if system is not None else None
        for lookup in spec.lookups.values() if spec is not None else ():
            key = version.payload.get(lookup.key)
            if key not in (None, ""):
                found.add((version.source_system, lookup.entity, str(key)))
    return found


def _used_by_others(connection: Connection, sources: SourcesConfig, reference: Record, mine: set[Record]) -> bool:
    """Whether a record not in `mine` (any version) looks the reference row up."""
    system, entity, key = reference
    for name, spec in sources.systems[system].entities.items():
        for lookup in spec.lookups.values():
            if lookup.entity != entity:
                continue
            referring = connection.execute(
                select(STAGED.c.record_id).where(
                    STAGED.c.source_system == system,
                    STAGED.c.entity == name,
                    cast(STAGED.c.payload[lookup.key].as_string(), String) == key,
                )
            ).scalars()
            if any((system, name, record) not in mine for record in referring):
                return True
    return False


def _names_them(connection: Connection, reference: Record, values: set[str]) -> bool:
    """Whether some version of the reference row holds one of the person's values (surname, e-mail, ...)."""
    payloads = connection.execute(select(STAGED.c.payload).where(*_record_filter([reference]))).scalars()
    texts = [" ".join(str(v) for v in payload.values()).casefold() for payload in payloads]
    return any(value.casefold() in text for value in values for text in texts)


def _own_references(
    connection: Connection, sources: SourcesConfig | None, versions: Sequence[Any], records: Iterable[Record]
) -> list[Record]:
    """The reference rows the person's records look up, that no other record ever did, and that hold
    their surname or an identifier: a private account named after them.

    A shared row (a household or company account with several contacts) stays, and so does one that
    says nothing about the person (a company account whose only contact this was).
    """
    if sources is None:
        return []
    surnames = {version.fields.get("surname") for version in versions}
    values = _identifiers(versions) | {name for name in surnames if isinstance(name, str) and len(name) > 1}
    mine = set(records)
    return [
        reference
        for reference in sorted(_looked_up(sources, versions))
        if not _used_by_others(connection, sources, reference, mine) and _names_them(connection, reference, values)
    ]


def erase_customer(
    engine: Engine, customer_id: str, now: datetime, *, sources: SourcesConfig | None = None
) -> ErasureReport:
    """Erase the person's data from every customer table, in one transaction.

    With the source configuration (`sources`), the reference rows that only the person's records look
    up are erased too (and remembered, so the next import skips them).
    """
    with engine.begin() as connection:
        family = _family(connection, customer_id)
        links = connection.execute(select(CUSTOMER_LINK).where(CUSTOMER_LINK.c.customer_id.in_(family))).all()
        records = [(row.source_system, row.entity, row.record_id) for row in links]
        subject_filter = [
            (STAGED.c.source_system == system)
            & (STAGED.c.subject_id == record)
            & STAGED.c.role.in_(("event", "credit_application"))
            for system, _, record in records
        ]
        versions = (
            connection.execute(
                select(STAGED.c.source_system, STAGED.c.entity, STAGED.c.fields, STAGED.c.payload).where(
                    or_(*_record_filter(records))
                )
            ).all()
            if records
            else []
        )
        identifiers = _identifiers(versions)
        references = _own_references(connection, sources, versions, records)
        orders = person_orders(connection, records, order_entities(sources))
        lined = with_lines(connection, orders)
        named, stuck = person_quarantine(connection, sources, records, orders)
        order_lines, shipments, holds = erase_orders(connection, orders, family)
        person_filter = _record_filter([*records, *references])
        staged = 0
        for filters in (person_filter, subject_filter):
            for start in range(0, len(filters), 200):
                staged += connection.execute(delete(STAGED).where(or_(*filters[start : start + 200]))).rowcount
        quarantine_filters = [QUARANTINE.c.raw.contains(value, autoescape=True) for value in sorted(identifiers)]
        quarantine_filters += [
            (QUARANTINE.c.source_system == system)
            & (QUARANTINE.c.entity == entity)
            & (QUARANTINE.c.record_id == record)
            for system, entity, record in [*records, *references]
        ]
        quarantine_filters += [QUARANTINE.c.id.in_(named[start : start + 500]) for start in range(0, len(named), 500)]
        quarantined = 0
        for start in range(0, len(quarantine_filters), 200):
            quarantined += connection.execute(
                delete(QUARANTINE).where(or_(*quarantine_filters[start : start + 200]))
            ).rowcount
        refs = ["/".join(record) for record in records]
        identity = connection.execute(
            delete(IDENTITY_DECISION).where(
                or_(IDENTITY_DECISION.c.left_record.in_(refs), IDENTITY_DECISION.c.right_record.in_(refs))
            )
        ).rowcount
        applications = list(
            connection.execute(
                select(CREDIT_APPLICATION.c.id).where(CREDIT_APPLICATION.c.customer_id.in_(family))
            ).scalars()
        )
        decisions = connection.execute(
            delete(CREDIT_DECISION).where(CREDIT_DECISION.c.application_id.in_(applications))
        ).rowcount
        connection.execute(delete(CREDIT_APPLICATION).where(CREDIT_APPLICATION.c.id.in_(applications)))
        events = connection.execute(delete(CUSTOMER_EVENT).where(CUSTOMER_EVENT.c.customer_id.in_(family))).rowcount
        observations = connection.execute(delete(OBSERVATION).where(OBSERVATION.c.customer_id.in_(family))).rowcount
        connection.execute(delete(CUSTOMER_LINK).where(CUSTOMER_LINK.c.customer_id.in_(family)))
        hashes = {erased_hash(*record) for record in [*records, *references, *lined, *stuck]}
        known = select(ERASED_RECORD.c.record_hash).where(ERASED_RECORD.c.record_hash.in_(sorted(hashes)))
        hashes -= set(connection.execute(known).scalars())
        if hashes:
            connection.execute(insert(ERASED_RECORD), [{"record_hash": h, "erased_at": now} for h in sorted(hashes)])
        connection.execute(update(CUSTOMER).where(CUSTOMER.c.id.in_(family)).values(erased_at=now))
    return ErasureReport(
        customer_id=family[0],
        customer_ids=family,
        source_records=len(records),
        reference_records=len(references),
        staged_versions=staged,
        quarantined_rows=quarantined,
        events=events,
        observations=observations,
        applications=len(applications),
        decisions=decisions,
        identity_decisions=identity,
        order_lines=order_lines,
        shipments=shipments,
        holds=holds,
    )


def export_customer_data(engine: Engine, customer_id: str, *, sources: SourcesConfig | None = None) -> JsonObject:
    """Everything the customer tables hold about a person, machine-readable (source rows as received).

    With the source configuration, order lines are looked for under the order entities only.
    """
    with engine.connect() as connection:
        family = _family(connection, customer_id)
        links = connection.execute(select(CUSTOMER_LINK).where(CUSTOMER_LINK.c.customer_id.in_(family))).all()
        versions: list[Any] = []
        for link in links:
            versions += connection.execute(
                select(STAGED)
                .where(
                    STAGED.c.source_system == link.source_system,
                    STAGED.c.entity == link.entity,
                    STAGED.c.record_id == link.record_id,
                )
                .order_by(STAGED.c.version)
            ).all()
        events = connection.execute(
            select(CUSTOMER_EVENT)
            .where(CUSTOMER_EVENT.c.customer_id.in_(family))
            .order_by(CUSTOMER_EVENT.c.occurred_at)
        ).all()
        observations = connection.execute(select(OBSERVATION).where(OBSERVATION.c.customer_id.in_(family))).all()
        applications = connection.execute(
            select(CREDIT_APPLICATION).where(CREDIT_APPLICATION.c.customer_id.in_(family))
        ).all()
        decisions = connection.execute(
            select(CREDIT_DECISION).where(CREDIT_DECISION.c.application_id.in_([a.id for a in applications]))
        ).all()
        identifiers = _identifiers(versions)
        records = [(link.source_system, link.entity, link.record_id) for link in links]
        orders = person_orders(connection, records, order_entities(sources))
        fulfilment = export_orders(connection, orders, family)
        named, _ = person_quarantine(connection, sources, records, orders)
        found = [QUARANTINE.c.raw.contains(v, autoescape=True) for v in identifiers]
        found += [QUARANTINE.c.id.in_(named[start : start + 500]) for start in range(0, len(named), 500)]
        quarantined = connection.execute(select(QUARANTINE).where(or_(*found))).all() if found else []
    return {
        "customer_ids": list(family),
        "source_records": [
            {
                "source_system": v.source_system,
                "entity": v.entity,
                "record_id": v.record_id,
                "version": v.version,
                "current": v.is_current,
                "received_at": as_utc(v.received_at).isoformat(),
                "as_received": v.payload,
                "fields": v.fields,
            }
            for v in versions
        ],
        "links": [
            {
                "source_system": link.source_system,
                "entity": link.entity,
                "record_id": link.record_id,
                "reason": link.reason,
                "linked_at": as_utc(link.linked_at).isoformat(),
            }
            for link in links
        ],
        "timeline": [
            {
                "kind": e.kind,
                "occurred_at": as_utc(e.occurred_at).isoformat(),
                "source_system": e.source_system,
                "record_id": e.record_id,
                "details": e.details,
            }
            for e in events
        ],
        "observations": [
            {
                "field": o.field,
                "value": o.value,
                "source_system": o.source_system,
                "source_record_id": o.source_record_id,
                "observed_at": as_utc(o.observed_at).isoformat(),
            }
            for o in observations
        ],
        "credit_applications": [
            {k: (as_utc(v).isoformat() if isinstance(v, datetime) else v) for k, v in a._mapping.items()}
            for a in applications
        ],
        "credit_decisions": [
            {k: (as_utc(v).isoformat() if isinstance(v, datetime) else v) for k, v in d._mapping.items()}
            for d in decisions
        ],
        "quarantined_rows": [
            {
                "source_system": q.source_system,
                "entity": q.entity,
                "position": q.position,
                "raw": q.raw,
                "reason": q.reason,
            }
            for q in quarantined
        ],
        **fulfilment,
    }
