"""GDPR in the customer data: erasure (Art. 17), export (Art. 15/20) and retention.

Erasure removes everything held about a person from the customer tables: every version of every
source record linked to them (staging), their quarantined rows, timeline, observations, credit
applications and decisions, identity verdicts and links, and the reference rows (lookups, such as a
CRM account) that only their records use and that name them: a private account is named after its
holder. What stays is the customer id with the moment of erasure, and a keyed hash of each erased
source record, so the next import skips the person instead of bringing them back. Queue payloads
and agent checkpoints live in other packages; the application layer erases those with the same list
of customer ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import ColumnElement, Connection, Engine, String, cast, delete, func, insert, or_, select, update

from core import ConfigurationError, JsonObject, NotFound
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

DEFAULT_RETENTION_FILE = Path(__file__).resolve().parent / "retention.yaml"


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
        person_filter = _record_filter([*records, *references])
        staged = 0
        for filters in (person_filter, subject_filter):
            for start in range(0, len(filters), 200):
                staged += connection.execute(delete(STAGED).where(or_(*filters[start : start + 200]))).rowcount
        quarantine_filters = [QUARANTINE.c.raw.contains(value, autoescape=True) for value in sorted(identifiers)]
        quarantine_filters += [
            (QUARANTINE.c.source_system == system) & (QUARANTINE.c.record_id == record)
            for system, _, record in [*records, *references]
        ]
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
        hashes = {erased_hash(*record) for record in [*records, *references]}
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
    )


def export_customer_data(engine: Engine, customer_id: str) -> JsonObject:
    """Everything the customer tables hold about a person, machine-readable (source rows as received)."""
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
        quarantined = (
            connection.execute(
                select(QUARANTINE).where(or_(*[QUARANTINE.c.raw.contains(v, autoescape=True) for v in identifiers]))
            ).all()
            if identifiers
            else []
        )
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
    }


# -- retention ----------------------------------------------------------------------------------


class RetentionRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    applies_to: Literal["quarantine", "superseded_versions", "events", "customers"]
    action: Literal["delete", "anonymise"]
    older_than_days: int = Field(gt=0)
    """Age of the row (quarantined, superseded, occurred); for customers: time since their last activity."""
    kinds: tuple[str, ...] = ()
    """For events: only these kinds (empty: every kind)."""
    reason: str = ""


class RetentionRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: tuple[RetentionRule, ...]


class RetentionOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule: str
    applies_to: str
    action: str
    cutoff: datetime
    matched: int
    customer_ids: list[str] = []
    """For a customers rule: who is to be anonymised (the caller erases them everywhere)."""


def load_retention(path: Path) -> RetentionRules:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"cannot read retention rules {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from exc
    try:
        rules = RetentionRules.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '<top>'}: {e['msg']}" for e in exc.errors())
        raise ConfigurationError(f"{path}: invalid retention rules: {problems}") from None
    for rule in rules.rules:
        if (rule.applies_to == "customers") != (rule.action == "anonymise"):
            raise ConfigurationError(f"{path}: rule {rule.name}: customers are anonymised, other rows deleted")
    return rules


def _inactive_customers(connection: Connection, cutoff: datetime) -> list[str]:
    """Live customers whose last event, source record change and application are all before `cutoff`."""
    live = select(CUSTOMER.c.id).where(CUSTOMER.c.merged_into.is_(None), CUSTOMER.c.erased_at.is_(None))
    recent_event = select(CUSTOMER_EVENT.c.customer_id).where(CUSTOMER_EVENT.c.occurred_at >= cutoff)
    recent_record = (
        select(CUSTOMER_LINK.c.customer_id)
        .join(
            STAGED,
            (STAGED.c.source_system == CUSTOMER_LINK.c.source_system)
            & (STAGED.c.entity == CUSTOMER_LINK.c.entity)
            & (STAGED.c.record_id == CUSTOMER_LINK.c.record_id),
        )
        .where(STAGED.c.observed_at >= cutoff)
    )
    recent_application = select(CREDIT_APPLICATION.c.customer_id).where(CREDIT_APPLICATION.c.received_at >= cutoff)
    recent_observation = select(OBSERVATION.c.customer_id).where(OBSERVATION.c.observed_at >= cutoff)
    query = live.where(
        CUSTOMER.c.id.not_in(recent_event),
        CUSTOMER.c.id.not_in(recent_record),
        CUSTOMER.c.id.not_in(recent_application),
        CUSTOMER.c.id.not_in(recent_observation),
    ).order_by(CUSTOMER.c.id)
    return list(connection.execute(query).scalars())


def apply_retention(engine: Engine, rules: RetentionRules, now: datetime, *, apply: bool) -> list[RetentionOutcome]:
    """What each rule matches (and, with `apply`, deletes); customers to anonymise are returned, not erased."""
    outcomes: list[RetentionOutcome] = []
    with engine.begin() as connection:
        for rule in rules.rules:
            cutoff = now - timedelta(days=rule.older_than_days)
            ids: list[str] = []
            if rule.applies_to == "quarantine":
                where = QUARANTINE.c.quarantined_at < cutoff
                matched = connection.execute(select(func.count()).select_from(QUARANTINE).where(where)).scalar_one()
                if apply:
                    connection.execute(delete(QUARANTINE).where(where))
            elif rule.applies_to == "superseded_versions":
                where = STAGED.c.is_current.is_(False) & (STAGED.c.received_at < cutoff)
                matched = connection.execute(select(func.count()).select_from(STAGED).where(where)).scalar_one()
                if apply:
                    connection.execute(delete(STAGED).where(where))
            elif rule.applies_to == "events":
                where = CUSTOMER_EVENT.c.occurred_at < cutoff
                if rule.kinds:
                    where = where & CUSTOMER_EVENT.c.kind.in_(rule.kinds)
                matched = connection.execute(select(func.count()).select_from(CUSTOMER_EVENT).where(where)).scalar_one()
                if apply:
                    connection.execute(delete(CUSTOMER_EVENT).where(where))
            else:
                ids = _inactive_customers(connection, cutoff)
                matched = len(ids)
            outcomes.append(
                RetentionOutcome(
                    rule=rule.name,
                    applies_to=rule.applies_to,
                    action=rule.action,
                    cutoff=cutoff,
                    matched=int(matched),
                    customer_ids=ids,
                )
            )
        if not apply:
            connection.rollback()
    return outcomes
