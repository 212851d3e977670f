"""`ingest`: stage the source systems, resolve identities, update the timeline and the applications.

The order matters and each step is its own transaction: a system's staging lands whole or not at
all; resolution then links every current person record to a customer; events and credit
applications follow their person records to those customers. A failure in a later step leaves the
staged rows in place, and the next run picks up from them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy import insert as core_insert

from core import JsonValue
from customers._repository import CustomerRepository
from customers._resolution import MergeCandidate, ResolutionReport, resolve_and_link
from customers._source_tables import CUSTOMER_EVENT, CUSTOMER_LINK, STAGED
from customers._staging import SystemLoad, stage_system
from customers._tables import CREDIT_APPLICATION, as_utc
from customers._views import ApplicationIn
from customers.sources import SourcesConfig, parse_moment

Progress = Callable[[str], None]

AUTO_MATCH_FROM = 0.9
"""Record pairs at least this likely to be one person are linked without asking anyone."""
REVIEW_MATCH_FROM = 0.5
"""Pairs from here up to the automatic threshold become `merge_customers` proposals."""

_EVENT_CORE_FIELDS = ("occurred_at",)


@dataclass
class IngestReport:
    loads: list[SystemLoad] = field(default_factory=list)
    resolution: ResolutionReport | None = None
    events_updated: int = 0
    events_without_customer: int = 0
    applications_added: list[str] = field(default_factory=list)
    applications_waiting: int = 0

    @property
    def candidates(self) -> list[MergeCandidate]:
        return self.resolution.candidates if self.resolution else []

    @property
    def reconciles(self) -> bool:
        return all(counts.reconciles for load in self.loads for counts in load.entities.values())

    def as_json(self) -> dict[str, JsonValue]:
        systems: dict[str, JsonValue] = {}
        for load in self.loads:
            totals = {"received": 0, "staged": 0, "quarantined": 0}
            for counts in load.entities.values():
                totals["received"] += counts.received
                totals["staged"] += counts.staged
                totals["quarantined"] += counts.quarantined
            systems[load.system] = {
                "load_id": load.load_id,
                **totals,
                "reconciles": totals["received"] == totals["staged"] + totals["quarantined"],
                "entities": {name: counts.as_json() for name, counts in load.entities.items()},
            }
        return {
            "systems": systems,
            "reconciles": self.reconciles,
            "resolution": self.resolution.as_json() if self.resolution else None,
            "events_updated": self.events_updated,
            "events_without_customer": self.events_without_customer,
            "applications_added": len(self.applications_added),
            "applications_waiting_for_their_person": self.applications_waiting,
        }


def resolve_identities(
    repo: CustomerRepository, *, auto_from: float = AUTO_MATCH_FROM, review_from: float = REVIEW_MATCH_FROM
) -> ResolutionReport:
    """Resolve identities again over every staged person record, without staging anything.

    Links are sticky and a kept-apart pair stays apart, so this is safe to repeat; its `candidates` are
    the uncertain matches as they stand now.
    """
    with repo.engine.begin() as connection:
        return resolve_and_link(connection, as_utc(repo.clock.now()), auto_from=auto_from, review_from=review_from)


class Ingestor:
    """Brings source systems into the golden record, as a `SourcesConfig` describes them."""

    def __init__(
        self,
        repo: CustomerRepository,
        config: SourcesConfig,
        *,
        auto_from: float = AUTO_MATCH_FROM,
        review_from: float = REVIEW_MATCH_FROM,
    ) -> None:
        self._repo = repo
        self._config = config
        self._auto_from = auto_from
        self._review_from = review_from

    @property
    def config(self) -> SourcesConfig:
        return self._config

    def ingest(self, systems: Sequence[str] | None = None, progress: Progress = lambda _: None) -> IngestReport:
        names = list(systems) if systems else list(self._config.systems)
        for name in names:
            self._config.system(name)  # unknown names fail before anything is read
        report = IngestReport()
        engine = self._repo.engine
        for name in names:
            progress(f"staging {name} ({self._config.system(name).connector})")
            with engine.begin() as connection:
                report.loads.append(stage_system(connection, self._config, name, self._now(), progress))
        progress("resolving identities")
        with engine.begin() as connection:
            report.resolution = resolve_and_link(
                connection, self._now(), auto_from=self._auto_from, review_from=self._review_from
            )
        with engine.begin() as connection:
            report.events_updated, report.events_without_customer = self._apply_events(connection)
        report.applications_added, report.applications_waiting = self._apply_applications()
        return report

    def _now(self) -> Any:
        return as_utc(self._repo.clock.now())

    def _apply_events(self, connection: Any) -> tuple[int, int]:
        """Bring the timeline up to the current version of every staged event row."""
        known = {
            (row.source_system, row.entity, row.record_id): (row.id, row.staged_id)
            for row in connection.execute(
                select(
                    CUSTOMER_EVENT.c.id,
                    CUSTOMER_EVENT.c.source_system,
                    CUSTOMER_EVENT.c.entity,
                    CUSTOMER_EVENT.c.record_id,
                    CUSTOMER_EVENT.c.staged_id,
                )
            )
        }
        rows = connection.execute(
            select(
                STAGED.c.id,
                STAGED.c.source_system,
                STAGED.c.entity,
                STAGED.c.record_id,
                STAGED.c.subject_id,
                STAGED.c.fields,
            ).where(STAGED.c.role == "event", STAGED.c.is_current.is_(True))
        )
        fresh: list[dict[str, Any]] = []
        stale: list[int] = []
        for row in rows:
            key = (row.source_system, row.entity, row.record_id)
            seen = known.get(key)
            if seen is not None and seen[1] == row.id:
                continue
            if seen is not None:
                stale.append(seen[0])
            system = self._config.systems.get(row.source_system)
            entity = system.entities.get(row.entity) if system else None
            if system is None or entity is None or entity.kind is None:
                continue  # a system no longer configured: its staged rows stay, the timeline keeps what it had
            fields = dict(row.fields)
            occurred = parse_moment(str(fields.pop("occurred_at")))
            fresh.append(
                {
                    "source_system": row.source_system,
                    "entity": row.entity,
                    "record_id": row.record_id,
                    "subject_entity": system.person_entity(entity.subject_entity, system=row.source_system),
                    "subject_id": row.subject_id,
                    "customer_id": None,
                    "kind": entity.kind,
                    "occurred_at": occurred,
                    "staged_id": row.id,
                    "details": fields,
                }
            )
        for start in range(0, len(stale), 900):
            connection.execute(delete(CUSTOMER_EVENT).where(CUSTOMER_EVENT.c.id.in_(stale[start : start + 900])))
        for start in range(0, len(fresh), 5000):
            connection.execute(core_insert(CUSTOMER_EVENT), fresh[start : start + 5000])
        linked = (
            select(CUSTOMER_LINK.c.customer_id)
            .where(
                CUSTOMER_LINK.c.source_system == CUSTOMER_EVENT.c.source_system,
                CUSTOMER_LINK.c.entity == CUSTOMER_EVENT.c.subject_entity,
                CUSTOMER_LINK.c.record_id == CUSTOMER_EVENT.c.subject_id,
            )
            .scalar_subquery()
        )
        connection.execute(
            update(CUSTOMER_EVENT).where(CUSTOMER_EVENT.c.customer_id.is_(None)).values(customer_id=linked)
        )
        orphans = connection.execute(select(CUSTOMER_EVENT.c.id).where(CUSTOMER_EVENT.c.customer_id.is_(None))).all()
        return len(fresh), len(orphans)

    def _apply_applications(self) -> tuple[list[str], int]:
        """Record staged credit requests as applications once their person record has a customer."""
        engine = self._repo.engine
        with engine.connect() as connection:
            recorded = set(connection.execute(select(CREDIT_APPLICATION.c.id)).scalars())
            rows = connection.execute(
                select(STAGED).where(STAGED.c.role == "credit_application", STAGED.c.is_current.is_(True))
            ).all()
            # Every link is read only when some application still needs its customer.
            links = (
                {
                    (row.source_system, row.entity, row.record_id): row.customer_id
                    for row in connection.execute(
                        select(
                            CUSTOMER_LINK.c.source_system,
                            CUSTOMER_LINK.c.entity,
                            CUSTOMER_LINK.c.record_id,
                            CUSTOMER_LINK.c.customer_id,
                        )
                    )
                }
                if any(row.record_id not in recorded for row in rows)
                else {}
            )
        added: list[str] = []
        waiting = 0
        with self._repo.batch() as batch:
            for row in rows:
                if row.record_id in recorded:
                    continue
                system = self._config.systems.get(row.source_system)
                entity = system.entities.get(row.entity) if system else None
                if system is None or entity is None:
                    continue
                person = system.person_entity(entity.subject_entity, system=row.source_system)
                customer = links.get((row.source_system, person, row.subject_id))
                if customer is None:
                    waiting += 1
                    continue
                fields = row.fields
                received = fields.get("requested_at")
                batch.add_application(
                    ApplicationIn(
                        id=row.record_id,
                        customer_id=customer,
                        amount=float(fields["amount"]),
                        duration_months=int(fields["duration_months"]),
                        purpose=str(fields["purpose"]),
                        installment_rate=int(fields["installment_rate"]),
                        requested_by=str(fields["requested_by"]) if fields.get("requested_by") else "intake",
                        received_at=parse_moment(str(received)) if received else None,
                        source_system=row.source_system,
                        source_record_id=row.record_id,
                    )
                )
                added.append(row.record_id)
        return added, waiting
