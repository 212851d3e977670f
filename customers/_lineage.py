"""Field-level lineage: observations and staged source records become candidates, survivorship picks.

Two kinds of evidence feed a customer's fields: observations (`customer_observation`, one value per
row, as the demo applicant loader writes them) and the versions of staged source rows linked to the
customer (`staging_record`, one row of typed fields per version). Per field, each source record
offers its latest value as a candidate; the survivorship rule chooses, and the other differing
values are the field's conflicts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from pydantic import TypeAdapter

from customers._survivorship import Candidate, SurvivorshipRules, choose, choose_record
from customers._tables import as_utc
from customers._views import FieldValue, GoldenRecord
from customers.sources import parse_moment

DEFAULT_RULES = SurvivorshipRules()


class Observation(Protocol):
    """One stored observation: an `ObservationRow`, or a Core row of the same columns."""

    @property
    def id(self) -> int | None: ...
    @property
    def field(self) -> str: ...
    @property
    def value(self) -> Any: ...
    @property
    def source_system(self) -> str: ...
    @property
    def source_record_id(self) -> str: ...
    @property
    def observed_at(self) -> datetime: ...
    @property
    def recorded_at(self) -> datetime: ...


class StagedVersion(Protocol):
    """One version of a staged person row: a Core row of `staging_record`."""

    @property
    def id(self) -> int: ...
    @property
    def source_system(self) -> str: ...
    @property
    def record_id(self) -> str: ...
    @property
    def fields(self) -> Any: ...
    @property
    def field_times(self) -> Any: ...
    @property
    def is_current(self) -> bool: ...
    @property
    def observed_at(self) -> datetime: ...
    @property
    def received_at(self) -> datetime: ...


# Staged versions sort after observations of the same instant: their ids live in another table.
_STAGED_ORDER_OFFSET = 1 << 40


def _observation_candidate(row: Observation) -> Candidate:
    return Candidate(
        row.value,
        row.source_system,
        row.source_record_id,
        as_utc(row.observed_at),
        as_utc(row.recorded_at),
        row.id or 0,
    )


def _staged_candidates(row: StagedVersion) -> dict[str, Candidate]:
    times = row.field_times or {}
    observed, recorded = as_utc(row.observed_at), as_utc(row.received_at)
    return {
        name: Candidate(
            value,
            row.source_system,
            row.record_id,
            parse_moment(times[name]) if name in times else observed,
            recorded,
            _STAGED_ORDER_OFFSET + row.id,
        )
        for name, value in row.fields.items()
    }


def _as_value(candidate: Candidate, rule: str | None = None) -> dict[str, Any]:
    return {
        "value": candidate.value,
        "source_system": candidate.source_system,
        "source_record_id": candidate.source_record_id,
        "observed_at": candidate.observed_at,
        "rule": rule,
    }


def field_value(row: Observation) -> FieldValue:
    return FieldValue.model_validate(_as_value(_observation_candidate(row)))


_HISTORY = TypeAdapter(list[FieldValue])


def history(rows: Iterable[Observation], staged: Iterable[StagedVersion] = (), *, field: str) -> list[FieldValue]:
    """Every value a source reported for one field, oldest first."""
    candidates = [_observation_candidate(row) for row in rows]
    candidates += [c for version in staged if (c := _staged_candidates(version).get(field)) is not None]
    # One validation of the whole list: much cheaper than one model per value.
    return _HISTORY.validate_python([_as_value(c) for c in sorted(candidates, key=Candidate.recency)])


def _latest_per_record(
    observations: Iterable[Observation], staged: Iterable[StagedVersion]
) -> dict[str, dict[tuple[str, str], Candidate]]:
    """field → (system, record id) → that record's latest value of the field."""
    per_field: dict[str, dict[tuple[str, str], Candidate]] = {}

    def offer(field: str, candidate: Candidate) -> None:
        records = per_field.setdefault(field, {})
        key = (candidate.source_system, candidate.source_record_id)
        seen = records.get(key)
        if seen is None or candidate.recency() > seen.recency():
            records[key] = candidate

    for row in observations:
        offer(row.field, _observation_candidate(row))
    for version in staged:
        if version.is_current:  # a field the current version lacks was removed at the source
            for name, candidate in _staged_candidates(version).items():
                offer(name, candidate)
    return per_field


def golden_record(
    customer_id: str,
    observations: Iterable[Observation],
    staged: Iterable[StagedVersion] = (),
    rules: SurvivorshipRules = DEFAULT_RULES,
) -> GoldenRecord:
    """The golden record of one customer from all of its evidence."""
    per_field = _latest_per_record(observations, staged)
    chosen: dict[str, tuple[Candidate, str]] = {}
    for name, group in rules.groups.items():
        by_record: dict[tuple[str, str], dict[str, Candidate]] = {}
        for field in group.fields:
            for key, candidate in per_field.get(field, {}).items():
                by_record.setdefault(key, {})[field] = candidate
        if by_record:
            surviving = by_record[choose_record(by_record, group)]
            for field, candidate in surviving.items():
                chosen[field] = (candidate, f"{name}: {group.describe()}")
    for field, records in per_field.items():
        if field not in chosen and rules.group_of(field) is None:
            spec = rules.rule_for(field)
            chosen[field] = (choose(list(records.values()), spec), spec.describe())
    fields: dict[str, Any] = {}
    conflicts: dict[str, Any] = {}
    for field in sorted(chosen):
        winner, rule = chosen[field]
        fields[field] = _as_value(winner, rule)
        losing = [c for c in per_field[field].values() if c.value != winner.value]
        if losing:
            conflicts[field] = [_as_value(c) for c in sorted(losing, key=Candidate.recency, reverse=True)]
    # One validation of the whole record: much cheaper than one model per field.
    return GoldenRecord.model_validate({"customer_id": customer_id, "fields": fields, "conflicts": conflicts})
