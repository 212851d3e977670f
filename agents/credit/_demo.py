"""The credit agent's part in `steward demo`: a simulated history that gives the ladder evidence, then new
applications as they would arrive today.

What is simulated: the reviewers (they decide from the German credit labels of the applicants the world
borrows, with a seeded chance of missing a bad applicant), the loan outcomes (the labels) and the ops
manager who signs off the promotions the history earns. The agent, gate, queue and ladder are real.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from agents._demo import DemoContext, DemoScenario, DemoUser
from agents.credit._scorer import MODEL_FILE, TRAINING_FILE, load_or_train_scorecard
from core import ConfigurationError
from customers import OutcomeLabel, read_outcome_labels
from supervision import QueueItem
from tools import IncompleteCustomerRecord

OFFICER = "credit_officer"
SENIOR = "senior_credit_officer"
OPS_MANAGER = "ops_manager"

# The simulated history's reviewers are separate accounts, so the demo's own users start with a clean slate.
SIMULATED_REVIEWERS: dict[str, DemoUser] = {
    "sim-officer-1": DemoUser("Simulated officer 1", (OFFICER,)),
    "sim-officer-2": DemoUser("Simulated officer 2", (OFFICER,)),
    "sim-senior-1": DemoUser("Simulated senior 1", (SENIOR, OFFICER)),
    "sim-senior-2": DemoUser("Simulated senior 2", (SENIOR, OFFICER)),
}

MISSED_BAD_RATE = 0.6
"""Chance that a simulated reviewer approves a credit that will go bad (they cannot see the future)."""
OVERRIDE_DECLINE_RATE = 0.3
"""Chance that a simulated reviewer overrides the agent's decline of an applicant who would have repaid."""
LEFT_TO_EXPIRE_RATE = 0.03
"""Share of reviews nobody gets to before their SLA runs out."""

NOT_ASSESSED = "not assessed: incomplete golden record"


@dataclass(frozen=True)
class SimulatedReviewer:
    """Decides a pending proposal the way a careful but fallible officer would, from the label."""

    rng: random.Random

    def verdict(self, item: QueueItem, label: Literal["good", "bad"]) -> Literal["approve", "reject"]:
        match item.action:
            case "approve_credit":
                if label == "bad" and self.rng.random() > MISSED_BAD_RATE:
                    return "reject"
                return "approve"
            case "decline_credit":
                if label == "good" and self.rng.random() < OVERRIDE_DECLINE_RATE:
                    return "reject"
                return "approve"
            case _:
                return "approve"

    def reviewers_for(self, item: QueueItem) -> list[str]:
        """Who signs: an officer when the amount is within an officer's limit, else seniors; two for four eyes."""
        review = item.gate.review
        officer_limit = review.role_limits.get(OFFICER)
        within = review.amount is None or (officer_limit is None or review.amount <= officer_limit)
        pool = ["sim-officer-1", "sim-officer-2"] if within else ["sim-senior-1", "sim-senior-2"]
        return pool[: review.approvals_required]


def first_request(world: Path) -> datetime:
    """When the world's first credit request arrived at the ERP."""
    with (world / "erp" / "credit_requests.csv").open(newline="", encoding="utf-8") as handle:
        return min(datetime.fromisoformat(r["requested_at"]) for r in csv.DictReader(handle))


def world_labels(world: Path, german_credit_csv: Path) -> dict[str, OutcomeLabel]:
    """Credit request id → the German credit label of the applicant it borrows (simulation only)."""
    by_row = read_outcome_labels(german_credit_csv)
    with (world / "truth" / "people.csv").open(newline="", encoding="utf-8") as handle:
        row_of = {r["person_id"]: int(r["german_credit_row"]) for r in csv.DictReader(handle)}
    with (world / "truth" / "records.csv").open(newline="", encoding="utf-8") as handle:
        person_of = {r["record_id"]: r["person_id"] for r in csv.DictReader(handle) if r["source_system"] == "erp"}
    with (world / "erp" / "credit_requests.csv").open(newline="", encoding="utf-8") as handle:
        return {
            r["request_id"]: by_row[f"A-{row_of[person_of[r['customer_no']]]:04d}"]
            for r in csv.DictReader(handle)
            if r["customer_no"] in person_of
        }


def play(context: DemoContext) -> None:
    """The scorecard, the simulated history, then the new applications, each with its counts."""
    say = context.print
    environment = context.environment
    model = load_or_train_scorecard(environment.home / MODEL_FILE, environment.data_dir / TRAINING_FILE)
    say(f"\n  credit scorecard {model.version} (decline above PD {model.cutoff:.1%})")
    labels = world_labels(context.world, environment.data_dir / TRAINING_FILE)
    pending = sorted(context.customers.pending_applications(), key=lambda a: (a.received_at, a.id))
    ids = [a.id for a in pending if a.id in labels]
    history, new = context.history, context.new
    if history + new > len(ids):
        raise ConfigurationError(f"--history plus --new is more than the {len(ids)} credit applications")
    say(
        f"\nSIMULATED history: {history} past applications as they arrived. Reviewer decisions and loan outcomes "
        f"are simulated from the dataset's labels (seed {context.seed}), and a simulated ops manager signs off the "
        "promotions the KPIs call for; everything else is real."
    )
    counts = _replay_history(context, ids[:history], labels)
    for key in sorted(counts):
        say(f"    {key:24} {counts[key]}")
    context.clock.current = max(context.clock.current, context.now)
    _run_new(context, ids[history : history + new])


def _replay_history(context: DemoContext, ids: list[str], labels: Mapping[str, str]) -> Counter[str]:
    """Run past applications through the real pipeline with simulated reviewers and outcomes."""
    say = context.print
    reviewer = SimulatedReviewer(random.Random(context.seed))
    ops = context.user_with_role(OPS_MANAGER)
    clock, supervisor, queue, autonomy = context.clock, context.supervisor, context.queue, context.autonomy
    counts: Counter[str] = Counter()
    for n, application_id in enumerate(context.progress(ids, "past applications (simulated)"), start=1):
        received = context.customers.application(application_id).received_at
        clock.current = max(clock.current, received + timedelta(hours=2))
        try:
            run = context.runner.run(application_id)
        except IncompleteCustomerRecord:
            counts[NOT_ASSESSED] += 1
            continue
        label: Literal["good", "bad"] = "bad" if labels[application_id] == "bad" else "good"
        item = queue.get(run.proposal_id)
        if item.status == "pending":
            if reviewer.rng.random() < LEFT_TO_EXPIRE_RATE:
                counts["left to expire"] += 1
            else:
                verdict = reviewer.verdict(item, label)
                for who in reviewer.reviewers_for(item):
                    item = supervisor.decide(item.id, reviewer_id=who, verdict=verdict, comment="simulated")
                    if item.status != "pending":
                        break
                counts[f"reviewed: {verdict}"] += 1
        else:
            counts[f"gate: {item.status}"] += 1
        item = queue.get(run.proposal_id)
        if item.status == "executed" and item.action == "approve_credit":
            supervisor.record_outcome(item.id, label)
            counts[f"outcome: {label}"] += 1
        for request in autonomy.pending_requests():
            # The simulated ops manager signs off each promotion the KPIs call for during the history;
            # after it, new requests wait for a real one (the Autonomy page, or `steward autonomy sign-off`).
            autonomy.sign_off(request.id, actor=ops, approve=True, note="simulated sign-off (demo history)")
            counts["promotions signed off (simulated)"] += 1
        if n % 50 == 0 or n == len(ids):
            say(f"  … {n}/{len(ids)} past applications replayed")
    clock.advance(timedelta(days=7))
    counts["expired"] = len(supervisor.expire_overdue())
    return counts


def _run_new(context: DemoContext, ids: list[str]) -> None:
    """Today's applications: what the gate executed, what waits for review, what it denied."""
    say = context.print
    say(f"\nNew applications: {len(ids)}")
    statuses: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    for application_id in context.progress(ids, "new applications"):
        try:
            run = context.runner.run(application_id)
        except IncompleteCustomerRecord:
            statuses[NOT_ASSESSED] += 1
            continue
        statuses[run.status] += 1
        actions[f"{run.action} → {run.status}"] += 1
    say(f"  auto-executed        {statuses['executed']}")
    say(f"  waiting for review   {statuses['pending']}")
    say(f"  denied               {statuses['denied']}")
    if statuses["failed"]:
        say(f"  failed               {statuses['failed']}")
    if statuses[NOT_ASSESSED]:
        say(f"  not assessed         {statuses[NOT_ASSESSED]} (incomplete record)")
    for key in sorted(actions):
        say(f"    {key:34} {actions[key]}")


CREDIT_DEMO = DemoScenario(play=play, starts_at=first_request, users=SIMULATED_REVIEWERS)
"""The credit agent's part in `steward demo`: its story starts with the world's first credit request."""
