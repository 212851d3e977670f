"""Ingestion as the application runs it: stage and resolve, audit the run, propose uncertain merges."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from agents.identity import AGENT as IDENTITY_AGENT
from agents.identity import IdentityResolutionAgent
from core import JsonObject
from customers import Ingestor, IngestReport, MergeCandidate
from customers.sources import load_sources
from steward._wiring import Steward
from supervision import QueueItem

Progress = Callable[[str], None]


@dataclass
class IngestOutcome:
    report: IngestReport
    proposals: dict[str, int] = field(default_factory=dict)
    """Merge proposals made by this run, by their queue status (pending, executed, denied...)."""
    already_proposed: int = 0

    def as_json(self) -> JsonObject:
        data = self.report.as_json()
        data["merge_proposals"] = dict(self.proposals)
        data["merge_candidates_already_in_queue"] = self.already_proposed
        return data


def _pair(customer_id: object, other: object) -> frozenset[str]:
    return frozenset((str(customer_id), str(other)))


def _pending_pairs(items: Sequence[QueueItem]) -> set[frozenset[str]]:
    return {_pair(i.arguments.get("customer_id"), i.arguments.get("other_customer_id")) for i in items}


def run_ingest(
    app: Steward, systems: Sequence[str] | None = None, progress: Progress = lambda _: None, *, propose: bool = True
) -> IngestOutcome:
    """Ingest the configured systems (or only `systems`) and hand uncertain matches to the identity agent
    (with `propose=False` the caller does that later, with `propose_merges`)."""
    config = load_sources(app.settings.sources_file)
    report = Ingestor(app.customers, config).ingest(systems, progress)
    outcome = IngestOutcome(report)
    with Session(app.engine) as session:
        payload = report.as_json()
        app.audit.append(
            session,
            kind="ingest.completed",
            subject="ingest:" + ",".join(str(load.load_id) for load in report.loads),
            actor="steward ingest",
            payload={"systems": payload["systems"], "resolution": payload["resolution"]},
        )
        session.commit()
    if propose:
        propose_merges(app, outcome, progress)
    return outcome


def propose_merges(app: Steward, outcome: IngestOutcome, progress: Progress = lambda _: None) -> None:
    """Run the identity agent on each uncertain match not already waiting in the queue."""
    pending = _pending_pairs(app.queue.list(status="pending", agent=IDENTITY_AGENT, limit=1_000_000))
    agent = IdentityResolutionAgent(app.identity)
    candidates: list[MergeCandidate] = outcome.report.candidates
    if candidates:
        progress(f"proposing {len(candidates)} uncertain matches for review")
    for candidate in candidates:
        if _pair(candidate.customer_id, candidate.other_customer_id) in pending:
            outcome.already_proposed += 1
            continue
        run = agent.run(candidate)
        outcome.proposals[run.status] = outcome.proposals.get(run.status, 0) + 1
