"""`steward demo`: a generated world of five source systems, ingested into golden records, then each
installed agent's demo scenario (the credit agent's: a simulated history that gives the ladder evidence,
and new applications), the autonomy it earned, and the proposals that follow ingest.

Everything runs through the real components (connectors, staging, identity resolution, database,
checkpointer, agent graphs, policy gate, queue, audit, ladder). What is simulated: the source systems'
exports (`customers.world`, borrowing German credit applicants, CDNOW purchases and CFPB
complaints), and whatever each agent's scenario (`AgentDefinition.demo`) says it simulates: for credit,
the reviewers (they decide from the dataset's labels with a seeded chance of missing a bad applicant)
and the loan outcomes (the labels).
"""

from __future__ import annotations

import secrets
import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agents import AgentDefinition, AgentRegistry, DemoContext, DemoUser, agent_registry
from core import ConfigurationError, FixedClock
from customers.world import SOURCES_FILE, generate_world
from evals import score_against_truth
from steward._database import is_sqlite
from steward._evals import save_report, world_metrics
from steward._ingest import IngestOutcome, propose_merges, run_ingest
from steward._progress import track
from steward._roles import load_roles
from steward._settings import Settings
from steward._status import autonomy_rows
from steward._wiring import Steward, open_steward

DEMO_USERS: dict[str, DemoUser] = {
    "officer": DemoUser("Olivia Officer", ("credit_officer",)),
    "senior": DemoUser("Sam Senior", ("senior_credit_officer", "credit_officer")),
    "head": DemoUser("Hana Head-of-Credit", ("head_of_credit", "senior_credit_officer", "credit_officer")),
    "planner": DemoUser("Pia Planner", ("logistics_planner",)),
    "ops": DemoUser("Oscar Ops", ("ops_manager",)),
    "auditor": DemoUser("Ada Auditor", ("auditor",)),
    "engineer": DemoUser("Erin Engineer", ("engineer",)),
}
"""The people who try the demo (each gets a password); the scenarios' simulated accounts come after them."""

EVERY = 1_000_000
"""A queue listing's limit that holds all of one agent's proposals in a demo installation."""


def _say(line: str) -> None:
    print(line, flush=True)


def _fresh_home(settings: Settings) -> None:
    if not is_sqlite(settings.resolved_database_url):
        return
    if settings.home.exists():
        shutil.rmtree(settings.home)
    settings.home.mkdir(parents=True)


def _demo_users(registry: AgentRegistry) -> dict[str, DemoUser]:
    """The demo's people, then each scenario's simulated accounts (in registry order); an id is used once."""
    users = dict(DEMO_USERS)
    for definition in registry.values():
        for user_id, user in (definition.demo.users if definition.demo else {}).items():
            if user_id in users:
                raise ConfigurationError(f"agent {definition.name!r}: its demo account {user_id!r} is taken")
            users[user_id] = user
    return users


def _seed_users(app: Steward, users: dict[str, DemoUser]) -> dict[str, str]:
    """Add the demo and simulated users; the demo users get fresh random passwords, returned by user.

    Their roles are checked against the installation's roles (the bundled file declares them all) first.
    """
    load_roles(app.settings).require(role for user in users.values() for role in user.roles)
    for user_id, user in users.items():
        app.users.add(user_id, name=user.name, roles=user.roles)
    passwords = {user_id: secrets.token_urlsafe(12) for user_id in DEMO_USERS}
    for user_id, password in passwords.items():
        app.users.set_password(user_id, password)
    return passwords


def _starts_at(registry: AgentRegistry, world: Path, now: datetime) -> datetime:
    """A day before the earliest scenario's story starts in the world (now, when no scenario says)."""
    starts = [d.demo.starts_at(world) for d in registry.values() if d.demo and d.demo.starts_at]
    return min(starts) - timedelta(days=1) if starts else now


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


def _print_autonomy(app: Steward) -> None:
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


def _propose_after_ingest(app: Steward, outcome: IngestOutcome) -> None:
    """Run the agents that follow ingestion, then count each one's new proposals by action and status."""
    followers = [definition for definition in app.registry.values() if definition.after_ingest is not None]
    before = {d.name: {item.id for item in app.queue.list(agent=d.name, limit=EVERY)} for d in followers}
    propose_merges(app, outcome)
    for definition in followers:
        known = before[definition.name]
        made = [item for item in app.queue.list(agent=definition.name, limit=EVERY) if item.id not in known]
        print()
        for spec in definition.actions:
            statuses = Counter(item.status for item in made if item.action == spec.name)
            by_status = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items())) or "none"
            print(
                f"{_title(definition)}: {statuses.total()} {spec.name} proposals ({by_status})"
                + (f": {definition.demo.review_note}" if definition.demo and definition.demo.review_note else "")
            )


def _title(definition: AgentDefinition) -> str:
    return definition.title or definition.name


def run_demo(settings: Settings, *, history: int, new: int, seed: int, people: int) -> int:
    if history < 0 or new < 0:
        raise ConfigurationError("--history and --new must be zero or more")
    if people < 100:
        raise ConfigurationError("--people must be at least 100")
    registry = agent_registry(settings.agent_modules)
    users = _demo_users(registry)
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
    clock = FixedClock(_starts_at(registry, world, now))
    with open_steward(settings, clock=clock) as app:
        if app.queue.list(limit=1):
            raise ConfigurationError(
                "the demo needs an empty database and this PostgreSQL database already holds proposals; "
                "point STEWARD_DATABASE_URL at a new database (the demo never wipes PostgreSQL)"
            )
        print(f"\nIngest ({app.engine.url.get_backend_name()}): steward ingest")
        passwords = _seed_users(app, users)
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
        for name, definition in app.registry.items():
            if definition.demo is None or definition.demo.play is None:
                continue
            definition.demo.play(
                DemoContext(
                    runner=app.runner(name),
                    supervisor=app.supervisor,
                    queue=app.queue,
                    autonomy=app.autonomy,
                    customers=app.customers,
                    clock=clock,
                    now=now,
                    world=world,
                    seed=seed,
                    history=history,
                    new=new,
                    users=users,
                    print=_say,
                    progress=track,
                )
            )
        clock.current = max(clock.current, now)
        _print_autonomy(app)
        _propose_after_ingest(app, outcome)
        print("\nWho needs attention this week (steward attention --top 5):")
        for entry in app.customers.attention(5):
            print(f"  {entry.customer_id}  score {entry.score:.2f}: {'; '.join(r.text for r in entry.reasons)[:150]}")
        verification = app.audit.verify()
        print(f"\nAudit chain {'intact' if verification.ok else 'BROKEN'}: {verification.count} entries")
        print(
            "\nUsers: officer (credit officer, up to the policy's officer limit), senior (senior credit officer),"
            "\n       head (head of credit), planner (logistics planner), ops (ops manager), auditor, engineer."
            "\nNext: steward queue list --status pending"
            "\n      steward queue show ID"
            "\n      steward queue decide ID --approve --as officer"
            "\n      steward attention --top 10; steward customer show CUSTOMER_ID"
            "\n      steward autonomy status; steward audit verify"
            f"\nSource exports: {world} (edit one and run `steward ingest` to see incremental updates)"
        )
        print("\nDemo logins for the web UI (steward serve; demo data only):")
        for user_id, password in passwords.items():
            print(f"login: {user_id}  password: {password}  role: {DEMO_USERS[user_id].roles[0]}")
    return 0
