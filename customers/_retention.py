"""Retention (GDPR Art. 5(1)(e)): rules in `retention.yaml` saying which rows to delete, and whom to anonymise.

Quarantined rows, superseded source versions and old events are deleted by age; customers inactive
for longer than a rule allows are returned for the caller to erase everywhere (`erase_customer` here,
the queue and checkpoints elsewhere).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Connection, Engine, delete, func, select

from core import ConfigurationError
from customers._source_tables import CUSTOMER_EVENT, CUSTOMER_LINK, QUARANTINE, STAGED
from customers._tables import CREDIT_APPLICATION, CUSTOMER, OBSERVATION

DEFAULT_RETENTION_FILE = Path(__file__).resolve().parent / "retention.yaml"


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
