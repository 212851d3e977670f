"""Ingestion as the application runs it: stage and resolve, audit the run, propose uncertain merges."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from agents import AgentRunner
from core import JsonObject
from customers import Ingestor, IngestReport
from customers.sources import load_sources
from steward._progress import track
from steward._wiring import Steward

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
    """Run each agent that follows ingestion on what this ingest left for it (uncertain matches: merge
    proposals), skipping what is already waiting in the queue."""
    candidates = len(outcome.report.candidates)
    proposed = 0
    for name, runtime in app.runtimes.items():
        follow = runtime.definition.after_ingest
        if follow is None:
            continue
        inputs = follow(runtime.environment, outcome.report)
        if inputs:
            progress(f"{name}: proposing {len(inputs)} for review")
        runner = AgentRunner(runtime)
        for value in track(inputs, f"{name}: proposing"):
            run = runner.run(value)
            proposed += 1
            outcome.proposals[run.status] = outcome.proposals.get(run.status, 0) + 1
    outcome.already_proposed = max(candidates - proposed, 0)
