"""`steward demo`: a generated world of five source systems, ingested into golden records, then a
simulated credit history that gives the ladder evidence, and new applications.

Everything runs through the real components (connectors, staging, identity resolution, database,
checkpointer, agent graphs, policy gate, queue, audit, ladder). What is simulated: the source systems'
exports (`customers.world`, borrowing German credit applicants, CDNOW purchases and CFPB
complaints), the reviewers (they decide from the dataset's labels with a seeded chance of missing a
bad applicant) and the loan outcomes (the labels).
"""

from __future__ import annotations

import csv
import random
import secrets
import shutil
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from agents import CreditApprovalAgent
from core import ConfigurationError, FixedClock
from customers import OutcomeLabel, read_outcome_labels
from customers.world import SOURCES_FILE, generate_world
from evals import score_against_truth
from steward._database import is_sqlite
from steward._evals import save_report, world_metrics
from steward._ingest import IngestOutcome, propose_merges, run_ingest
from steward._settings import Settings
from steward._status import autonomy_rows
from steward._wiring import Steward, open_steward
from supervision import QueueItem
from tools import IncompleteCustomerRecord

DEMO_USERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "officer": ("Olivia Officer", ("credit_officer",)),
    "senior": ("Sam Senior", ("senior_credit_officer", "credit_officer")),
    "head": ("Hana Head-of-Credit", ("head_of_credit", "senior_credit_officer", "credit_officer")),
    "ops": ("Oscar Ops", ("ops_manager",)),
    "auditor": ("Ada Auditor", ("auditor",)),
    "engineer": ("Erin Engineer", ("engineer",)),
}
# The simulated history's reviewers are separate accounts, so the demo users start with a clean slate.
SIMULATED_REVIEWERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sim-officer-1": ("Simulated officer 1", ("credit_officer",)),
    "sim-officer-2": ("Simulated officer 2", ("credit_officer",)),
    "sim-senior-1": ("Simulated senior 1", ("senior_credit_officer", "credit_officer")),
    "sim-senior-2": ("Simulated senior 2", ("senior_credit_officer", "credit_officer")),
}

MISSED_BAD_RATE = 0.6
"""Chance that a simulated reviewer approves a credit that will go bad (they cannot see the future)."""
OVERRIDE_DECLINE_RATE = 0.3
"""Chance that a simulated reviewer overrides the agent's decline of an applicant who would have repaid."""
LEFT_TO_EXPIRE_RATE = 0.03
"""Share of reviews nobody gets to before their SLA runs out."""


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
        officer_limit = review.role_limits.get("credit_officer")
        within = review.amount is None or (officer_limit is None or review.amount <= officer_limit)
        pool = ["sim-officer-1", "sim-officer-2"] if within else ["sim-senior-1", "sim-senior-2"]
        return pool[: review.approvals_required]


def _fresh_home(settings: Settings) -> None:
    if not is_sqlite(settings.resolved_database_url):
        return
    if settings.home.exists():
        shutil.rmtree(settings.home)
    settings.home.mkdir(parents=True)


def _seed_users(app: Steward) -> dict[str, str]:
    """Add the demo and simulated users; the demo users get fresh random passwords, returned by user."""
    for user_id, (name, roles) in {**DEMO_USERS, **SIMULATED_REVIEWERS}.items():
        app.users.add(user_id, name=name, roles=roles)
    passwords = {user_id: secrets.token_urlsafe(12) for user_id in DEMO_USERS}
    for user_id, password in passwords.items():
        app.users.set_password(user_id, password)
    return passwords


def _world_labels(world: Path, german_credit_csv: Path) -> dict[str, OutcomeLabel]:
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


def _print_ingest(outcome: IngestOutcome) -> None:
    report = outcome.report
    for load in report.loads:
        received = sum(c.received for c in load.entities.values())
        staged = sum(c.staged for c in load.entities.values())
        quarantined = sum(c.quarantined for c in load.entities.values())
        print(f"    {load.system:10} received {received:6}  staged {staged:6}  quarantined {quarantined:4}")
    print(f"    counts reconcile (received = staged + quarantined): {'yes' if report.reconciles else 'NO'}")
    resolution = report.resolution
    if resolution is not None:
        print(
            f"  identity resolution: {resolution.person_records} person records → {resolution.customers} customers; "
            f"{len(resolution.candidates)} uncertain matches (proposed for review at the end)"
        )
    print(
        f"  signals timeline: {report.events_updated} events; "
        f"credit applications from the ERP: {len(report.applications_added)}"
    )


def _replay_history(
    app: Steward,
    clock: FixedClock,
    agent: CreditApprovalAgent,
    ids: list[str],
    labels: Mapping[str, str],
    seed: int,
) -> Counter[str]:
    """Run past applications through the real pipeline with simulated reviewers and outcomes."""
    reviewer = SimulatedReviewer(random.Random(seed))
    counts: Counter[str] = Counter()
    for n, application_id in enumerate(ids, start=1):
        received = app.customers.application(application_id).received_at
        clock.current = max(clock.current, received + timedelta(hours=2))
        try:
            run = agent.run(application_id)
        except IncompleteCustomerRecord:
            counts["not assessed: incomplete golden record"] += 1
            continue
        label: Literal["good", "bad"] = "bad" if labels[application_id] == "bad" else "good"
        item = app.queue.get(run.proposal_id)
        if item.status == "pending":
            if reviewer.rng.random() < LEFT_TO_EXPIRE_RATE:
                counts["left to expire"] += 1
            else:
                verdict = reviewer.verdict(item, label)
                for who in reviewer.reviewers_for(item):
                    item = app.supervisor.decide(item.id, reviewer_id=who, verdict=verdict, comment="simulated")
                    if item.status != "pending":
                        break
                counts[f"reviewed: {verdict}"] += 1
        else:
            counts[f"gate: {item.status}"] += 1
        item = app.queue.get(run.proposal_id)
        if item.status == "executed" and item.action == "approve_credit":
            app.supervisor.record_outcome(item.id, label)
            counts[f"outcome: {label}"] += 1
        for request in app.autonomy.pending_requests():
            # The simulated ops manager signs off each promotion the KPIs call for during the history;
            # after it, new requests wait for a real one (the Autonomy page, or `steward autonomy sign-off`).
            app.autonomy.sign_off(request.id, actor="ops", approve=True, note="simulated sign-off (demo history)")
            counts["promotions signed off (simulated)"] += 1
        if n % 50 == 0 or n == len(ids):
            print(f"  … {n}/{len(ids)} past applications replayed", flush=True)
    clock.advance(timedelta(days=7))
    counts["expired"] = len(app.supervisor.expire_overdue())
    return counts


def run_demo(settings: Settings, *, history: int, new: int, seed: int, people: int) -> int:
    if history < 0 or new < 0:
        raise ConfigurationError("--history and --new must be zero or more")
    if people < 100:
        raise ConfigurationError("--people must be at least 100")
    _fresh_home(settings)
    now = datetime.now(UTC)
    world = settings.home / "world"
    settings = settings.model_copy(update={"sources": world / "sources.yaml"})
    print(f"Steward demo in {settings.home.resolve()}")
    print(f"SIMULATED source systems: generating a world of {people} people (seed {seed}) in {world}")
    summary = generate_world(world, people=people, seed=seed, as_of=now.date(), data_dir=settings.data_dir)
    shutil.copy(SOURCES_FILE, world / "sources.yaml")
    print(
        f"  {sum(summary.counts.values()):,} rows from crm, erp, shop, ticketing, marketing "
        "(German credit applicants, CDNOW purchases, CFPB complaints; typos, nicknames, moves, duplicates)"
    )
    labels = _world_labels(world, settings.german_credit_csv)
    with (world / "erp" / "credit_requests.csv").open(newline="", encoding="utf-8") as handle:
        first_request = min(datetime.fromisoformat(r["requested_at"]) for r in csv.DictReader(handle))
    clock = FixedClock(first_request - timedelta(days=1))
    with open_steward(settings, clock=clock) as app:
        if app.queue.list(limit=1):
            raise ConfigurationError(
                "the demo needs an empty database and this PostgreSQL database already holds proposals; "
                "point STEWARD_DATABASE_URL at a new database (the demo never wipes PostgreSQL)"
            )
        print(f"\nIngest ({app.engine.url.get_backend_name()}): steward ingest")
        passwords = _seed_users(app)
        outcome = run_ingest(app, propose=False)
        _print_ingest(outcome)
        score = score_against_truth(app.customers, world / "truth")
        saved = save_report(
            app.reports,
            "identity_demo_world",
            score,
            world_metrics(score),
            dataset=f"demo world: {people} people, seed {seed}",
            actor="steward-demo",
        )
        print(
            f"    identity against the generator's truth: precision {score.precision:.3f}, recall {score.recall:.3f}, "
            f"F1 {score.f1:.3f} (eval report {saved.id}, at /evals)"
        )
        model = app.scorer.model
        print(f"\n  credit scorecard {model.version} (decline above PD {model.cutoff:.1%})")
        pending = sorted(app.customers.pending_applications(), key=lambda a: (a.received_at, a.id))
        ids = [a.id for a in pending if a.id in labels]
        if history + new > len(ids):
            raise ConfigurationError(f"--history plus --new is more than the {len(ids)} credit applications")
        agent = CreditApprovalAgent(app.credit)
        print(
            f"\nSIMULATED history: {history} past applications as they arrived. Reviewer decisions and loan outcomes "
            f"are simulated from the dataset's labels (seed {seed}), and a simulated ops manager signs off the "
            "promotions the KPIs call for; everything else is real."
        )
        counts = _replay_history(app, clock, agent, ids[:history], labels, seed)
        for key in sorted(counts):
            print(f"    {key:24} {counts[key]}")
        clock.current = max(clock.current, now)
        print(f"\nNew applications: {new}")
        statuses: Counter[str] = Counter()
        actions: Counter[str] = Counter()
        for application_id in ids[history : history + new]:
            try:
                run = agent.run(application_id)
            except IncompleteCustomerRecord:
                statuses["not assessed: incomplete golden record"] += 1
                continue
            statuses[run.status] += 1
            actions[f"{run.action} → {run.status}"] += 1
        print(f"  auto-executed        {statuses['executed']}")
        print(f"  waiting for review   {statuses['pending']}")
        print(f"  denied               {statuses['denied']}")
        if statuses["failed"]:
            print(f"  failed               {statuses['failed']}")
        if statuses["not assessed: incomplete golden record"]:
            print(f"  not assessed         {statuses['not assessed: incomplete golden record']} (incomplete record)")
        for key in sorted(actions):
            print(f"    {key:34} {actions[key]}")
        print("\nAutonomy (KPIs over each action's window; expiries are not counted as rejections):")
        for row in autonomy_rows(app):
            kpi = row["kpi"]
            print(
                f"  {row['action']:20} level {row['level']:10} agreement {kpi['agreed']}/{kpi['reviewed']} "
                f"(Wilson lower bound {kpi['agreement_lower_bound']:.1%}), bad outcomes "
                f"{kpi['bad_outcomes']}/{kpi['outcomes_observed']}"
            )
            if row["last_change"]:
                print(f"    last change: {row['last_change']}")
        for request in app.autonomy.pending_requests():
            print(
                f"  {request.action} waits for sign-off to move {request.from_level} → {request.to_level} "
                f"(request {request.id}: steward autonomy requests, or the Autonomy page as ops)"
            )
        propose_merges(app, outcome)
        print(
            f"\nIdentity: {sum(outcome.proposals.values())} merge_customers proposals "
            f"({', '.join(f'{n} {s}' for s, n in sorted(outcome.proposals.items())) or 'none'}): "
            "a person confirms or rejects each possible duplicate"
        )
        print("\nWho needs attention this week (steward attention --top 5):")
        for entry in app.customers.attention(5):
            print(f"  {entry.customer_id}  score {entry.score:.2f}: {'; '.join(r.text for r in entry.reasons)[:150]}")
        verification = app.audit.verify()
        print(f"\nAudit chain {'intact' if verification.ok else 'BROKEN'}: {verification.count} entries")
        print(
            "\nUsers: officer (credit officer, up to the policy's officer limit), senior (senior credit officer),"
            "\n       head (head of credit), ops (ops manager), auditor, engineer."
            "\nNext: steward queue list --status pending"
            "\n      steward queue show ID"
            "\n      steward queue decide ID --approve --as officer"
            "\n      steward attention --top 10; steward customer show CUSTOMER_ID"
            "\n      steward autonomy status; steward audit verify"
            f"\nSource exports: {world} (edit one and run `steward ingest` to see incremental updates)"
        )
        print("\nDemo logins for the web UI (steward serve; demo data only):")
        for user_id, password in passwords.items():
            print(f"login: {user_id}  password: {password}  role: {DEMO_USERS[user_id][1][0]}")
    return 0
