"""Survivorship: which of the values the sources report for a field becomes the golden value, and why.

Rules are declared per field (or per group of fields that must come from one record, like the parts
of an address) in a YAML file:

    default: most_recent
    fields:
      email: {rule: source_priority, sources: [crm, shop, erp, marketing, ticketing]}
      date_of_birth: most_frequent
    groups:
      address: {fields: [street, house_number, postcode, city], rule: most_recent}

- ``most_recent``: the value observed last (ties: recorded last).
- ``source_priority``: the value of the first system in `sources` that reports one (systems not
  listed come after, in recency order).
- ``most_complete``: the longest value (for a group: the record with most of the group's fields).
- ``most_frequent``: the value the most source records agree on.

Every rule breaks its ties by recency, so the outcome never depends on read order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core import ConfigurationError, JsonValue

DEFAULT_SURVIVORSHIP_FILE = Path(__file__).resolve().parent / "survivorship.yaml"
"""The bundled rules: trusted sources for names and tax ids, most frequent birth date, newest address."""

RuleName = Literal["most_recent", "source_priority", "most_complete", "most_frequent"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One source record's value of one field: what survivorship chooses among."""

    value: JsonValue
    source_system: str
    source_record_id: str
    observed_at: datetime
    recorded_at: datetime
    order: int

    def recency(self) -> tuple[datetime, datetime, int]:
        return (self.observed_at, self.recorded_at, self.order)


class RuleSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: RuleName = "most_recent"
    sources: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: object) -> object:
        return {"rule": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _sources_given(self) -> RuleSpec:
        if self.rule == "source_priority" and not self.sources:
            raise ValueError("source_priority needs `sources`: the systems in order of trust")
        return self

    def describe(self) -> str:
        return f"source_priority({', '.join(self.sources)})" if self.rule == "source_priority" else self.rule


class GroupSpec(RuleSpec):
    fields: tuple[str, ...] = Field(min_length=2)


class SurvivorshipRules(BaseModel):
    """The rules of one installation; the default (most recent wins everywhere) needs no file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default: RuleSpec = RuleSpec()
    fields: dict[str, RuleSpec] = {}
    groups: dict[str, GroupSpec] = {}

    @model_validator(mode="after")
    def _one_rule_per_field(self) -> SurvivorshipRules:
        seen: dict[str, str] = {}
        for name, group in self.groups.items():
            for field in group.fields:
                if field in self.fields:
                    raise ValueError(f"field {field!r} has its own rule and is in group {name!r}; keep one")
                if field in seen:
                    raise ValueError(f"field {field!r} is in groups {seen[field]!r} and {name!r}")
                seen[field] = name
        return self

    def group_of(self, field: str) -> tuple[str, GroupSpec] | None:
        for name, group in self.groups.items():
            if field in group.fields:
                return name, group
        return None

    def rule_for(self, field: str) -> RuleSpec:
        return self.fields.get(field, self.default)


def load_survivorship(path: Path) -> SurvivorshipRules:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigurationError(f"cannot read survivorship rules {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return SurvivorshipRules.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '<top>'}: {error['msg']}" for error in exc.errors()
        )
        raise ConfigurationError(f"{path}: invalid survivorship rules: {problems}") from None


def _length(value: JsonValue) -> int:
    return len(value) if isinstance(value, str) else (0 if value is None else 1)


def choose(candidates: Sequence[Candidate], spec: RuleSpec) -> Candidate:
    """The surviving candidate of one field under `spec` (candidates: one per source record)."""
    match spec.rule:
        case "most_recent":
            return max(candidates, key=Candidate.recency)
        case "source_priority":
            rank = {system: index for index, system in enumerate(spec.sources)}
            best = min(rank.get(c.source_system, len(rank)) for c in candidates)
            return max((c for c in candidates if rank.get(c.source_system, len(rank)) == best), key=Candidate.recency)
        case "most_complete":
            return max(candidates, key=lambda c: (_length(c.value), c.recency()))
        case "most_frequent":
            votes = Counter(repr(c.value) for c in candidates)
            return max(candidates, key=lambda c: (votes[repr(c.value)], c.recency()))
    raise AssertionError(spec.rule)


def choose_record(by_record: dict[tuple[str, str], dict[str, Candidate]], spec: GroupSpec) -> tuple[str, str]:
    """The source record whose values of a group's fields survive together."""

    def newest(fields: dict[str, Candidate]) -> Candidate:
        return max(fields.values(), key=Candidate.recency)

    records = list(by_record.items())
    match spec.rule:
        case "most_recent":
            return max(records, key=lambda item: newest(item[1]).recency())[0]
        case "source_priority":
            rank = {system: index for index, system in enumerate(spec.sources)}
            return max(records, key=lambda item: (-rank.get(item[0][0], len(rank)), newest(item[1]).recency()))[0]
        case "most_complete":
            return max(records, key=lambda item: (len(item[1]), newest(item[1]).recency()))[0]
        case "most_frequent":
            votes = Counter(repr(sorted((k, repr(c.value)) for k, c in fields.items())) for _, fields in records)
            return max(
                records,
                key=lambda item: (
                    votes[repr(sorted((k, repr(c.value)) for k, c in item[1].items()))],
                    newest(item[1]).recency(),
                ),
            )[0]
    raise AssertionError(spec.rule)
