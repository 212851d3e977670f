"""The composition root: builds every component from `Settings` and hands them out, typed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import structlog
from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from agents import (
    AgentEnvironment,
    AgentRegistry,
    AgentRunner,
    AgentRuntime,
    Supervisor,
    agent_registry,
    build_agent,
    fact_schema,
)
from core import Clock, ConfigurationError, SystemClock
from customers import CustomerRepository, FulfilmentRepository, load_survivorship
from customers.sources import load_sources
from policies import FactSchema, Policy, default_policy_dir, load_policy
from steward._audit_key import load_audit_signer
from steward._checkpoint import open_checkpointer
from steward._database import make_engine
from steward._migrations import upgrade
from steward._roles import load_roles
from steward._settings import Settings
from supervision import (
    ApprovalQueue,
    AuditLog,
    AutonomyStore,
    CheckpointSchedule,
    EvalReportStore,
    KpiStore,
    PolicyStore,
    RoleCatalog,
    UserDirectory,
    check_policy_roles,
)
from tools import ToolContext

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Steward:
    """Every wired component of one Steward installation."""

    settings: Settings
    engine: Engine
    clock: Clock
    audit: AuditLog
    queue: ApprovalQueue
    autonomy: AutonomyStore
    kpis: KpiStore
    users: UserDirectory
    customers: CustomerRepository
    policies: dict[str, Policy]
    """The policy files, as installed (version 0); `policy_store` has the versions in force."""
    policy_store: PolicyStore
    reports: EvalReportStore
    roles: RoleCatalog
    """The reviewer roles: the bundled ones and the deployment's (`Settings.roles_file`)."""
    registry: AgentRegistry
    """The installed agents: the bundled ones, then the deployment's (`Settings.agent_modules`)."""
    runtimes: dict[str, AgentRuntime]
    """Each installed agent, built: its compiled graph and supervised step."""
    supervisor: Supervisor
    checkpointer: BaseCheckpointSaver[str]

    def runner(self, agent: str) -> AgentRunner:
        """The runner of an installed agent (a `ConfigurationError` naming the installed ones otherwise)."""
        name = self.registry.require(agent).name
        return AgentRunner(self.runtimes[name], review_ladders=lambda: self.supervisor.review_ladders(name))


def policy_file(agent: str, own: Path | None, policy_dir: Path | None) -> Path:
    """Where an agent's policy is read from: ``<policy_dir>/<agent>.yaml`` when the deployment set a folder
    (an agent that brings its own file may leave it out), else the agent's own file, else the bundled one."""
    if policy_dir is not None and (own is None or (policy_dir / f"{agent}.yaml").is_file()):
        return policy_dir / f"{agent}.yaml"
    return own or default_policy_dir() / f"{agent}.yaml"


def _fact_schemas(registry: AgentRegistry) -> dict[str, FactSchema]:
    """Each agent's facts model as the policy checker reads it; a model it cannot read names the agent."""
    schemas: dict[str, FactSchema] = {}
    for name, definition in registry.items():
        try:
            schemas[name] = fact_schema(definition.facts_model)
        except ConfigurationError as exc:
            raise ConfigurationError(f"agent {name!r}: its facts model cannot be checked against: {exc}") from exc
    return schemas


def load_policies(registry: AgentRegistry, policy_dir: Path | None) -> dict[str, Policy]:
    """Every installed agent's policy, checked against the agent: same name, the same actions."""
    policies: dict[str, Policy] = {}
    for name, definition in registry.items():
        path = policy_file(name, definition.policy_file, policy_dir)
        if not path.is_file():
            hint = " or unset STEWARD_POLICY_DIR" if policy_dir is not None else ""
            raise ConfigurationError(
                f"agent {name!r}: no policy file at {path} (copy the agent's bundled {name}.yaml there{hint})"
            )
        policy = load_policy(path)
        if policy.agent != name:
            raise ConfigurationError(f"agent {name!r}: its policy file {path} is for the agent {policy.agent!r}")
        declared, governed = set(definition.action_map), set(policy.actions)
        if governed - declared:
            raise ConfigurationError(
                f"agent {name!r}: its policy {path} names the action(s) {', '.join(sorted(governed - declared))}, "
                f"which the agent does not have (it has {', '.join(definition.action_map)})"
            )
        if declared - governed:
            raise ConfigurationError(
                f"agent {name!r}: its policy {path} has no entry for the action(s) "
                f"{', '.join(sorted(declared - governed))}: every action needs its rules and autonomy ladder"
            )
        policies[name] = policy
    return policies


def open_fulfilment(engine: Engine, settings: Settings, clock: Clock) -> FulfilmentRepository | None:
    """Orders, stock and carriers as the source configuration lays them out; None while there is no readable
    configuration (the fulfilment tools then say so), so that nothing else depends on it."""
    if not settings.sources_file.is_file():
        return None
    try:
        return FulfilmentRepository(engine, load_sources(settings.sources_file), clock=clock)
    except ConfigurationError as exc:
        log.warning("fulfilment.unavailable", error=str(exc))
        return None


@contextmanager
def open_steward(settings: Settings, *, clock: Clock | None = None) -> Iterator[Steward]:
    """Open the database (migrated to the latest schema), the checkpointer and the agents."""
    clock = clock or SystemClock()
    url = settings.resolved_database_url
    with ExitStack() as stack:
        engine = make_engine(url)
        stack.callback(engine.dispose)
        upgrade(engine)
        checkpointer = stack.enter_context(open_checkpointer(url, settings.checkpoint_path))
        audit = AuditLog(
            engine,
            clock,
            signer=load_audit_signer(settings.audit_key_path),
            schedule=CheckpointSchedule(
                entries=settings.audit_checkpoint_entries, interval=settings.audit_checkpoint_interval
            ),
            trusted_keys=settings.audit_trusted_keys,
        )
        queue = ApprovalQueue(engine, clock, audit)
        autonomy = AutonomyStore(engine, clock, audit)
        kpis = KpiStore(engine, clock)
        users = UserDirectory(engine, clock)
        customers = CustomerRepository(engine, clock, load_survivorship(settings.survivorship_file))
        registry = agent_registry(settings.agent_modules)
        policies = load_policies(registry, settings.policy_dir)
        files = {agent: Path(policy.source).read_text(encoding="utf-8") for agent, policy in policies.items()}
        roles = load_roles(settings)
        policy_store = PolicyStore(
            engine,
            clock,
            audit,
            bundled=files,
            what_if_seconds=settings.what_if_seconds,
            roles=roles,
            fact_schemas=_fact_schemas(registry),
        )
        check_policy_roles({agent: policy_store.current(agent) for agent in policy_store.agents()}, roles)
        tools = ToolContext(
            customers=customers,
            clock=clock,
            scorer=None,
            grants=queue,
            fulfilment=open_fulfilment(engine, settings, clock),
        )
        llm = None  # None: every agent uses its deterministic models
        if settings.llm_base_url:
            from agents.llm import LLMEndpoint  # the openai client only when configured

            llm = LLMEndpoint(base_url=settings.llm_base_url, model=settings.llm_model, api_key=settings.llm_api_key)
        environment = AgentEnvironment(
            tools=tools,
            clock=clock,
            queue=queue,
            home=settings.home.resolve(),
            data_dir=settings.data_dir,
            llm=llm,
            resources=stack,
        )
        runtimes = {
            name: build_agent(
                definition,
                environment,
                policies=policy_store.source(name),
                autonomy=autonomy,
                review_sla=settings.review_sla,
                checkpointer=checkpointer,
            )
            for name, definition in registry.items()
        }
        supervisor = Supervisor(
            queue=queue,
            autonomy=autonomy,
            kpis=kpis,
            users=users,
            agents=runtimes,
        )
        yield Steward(
            settings=settings,
            engine=engine,
            clock=clock,
            audit=audit,
            queue=queue,
            autonomy=autonomy,
            kpis=kpis,
            users=users,
            customers=customers,
            policies=policies,
            policy_store=policy_store,
            reports=EvalReportStore(engine, clock, audit),
            roles=roles,
            registry=registry,
            runtimes=runtimes,
            supervisor=supervisor,
            checkpointer=checkpointer,
        )
        _anchor_what_was_appended(audit)


def _anchor_what_was_appended(audit: AuditLog) -> None:
    """Sign the audit chain's head when this process appended entries since its last checkpoint.

    Runs as Steward closes after a successful command (or when the web app stops); a failure is logged, not
    raised, because the command's work is done and the next checkpoint covers these entries too.
    """
    try:
        checkpoint = audit.checkpoint_if_pending()
    except SQLAlchemyError as exc:
        log.warning("audit.checkpoint_failed", error=str(exc))
        return
    if checkpoint is not None:
        log.info("audit.checkpoint", head=str(checkpoint.head), at=checkpoint.at.isoformat())
