"""The composition root: builds every component from `Settings` and hands them out, typed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from agents import AgentRuntime, Supervisor, build_credit_agent
from agents.credit import RationaleWriter, TemplateRationale
from agents.identity import build_identity_agent
from core import Clock, ConfigurationError, SystemClock
from customers import CustomerRepository, load_survivorship
from policies import Policy, default_policy_dir, load_policy
from steward._audit_key import load_audit_signer
from steward._checkpoint import open_checkpointer
from steward._database import make_engine
from steward._migrations import upgrade
from steward._settings import Settings
from supervision import (
    ApprovalQueue,
    AuditLog,
    AutonomyStore,
    CheckpointSchedule,
    EvalReportStore,
    KpiStore,
    PolicyStore,
    UserDirectory,
)
from tools import ToolContext

if TYPE_CHECKING:
    from agents.scorecard import CreditAssessment, CreditScorecard

log = structlog.get_logger(__name__)


class LazyScorecard:
    """The credit scorecard, loaded from its file (or trained on the bundled data) on first use.

    Commands that never score (deciding a review, listing the queue) then never pay for the model.
    """

    def __init__(self, model_path: Path, training_csv: Path) -> None:
        self.model_path = model_path
        self.training_csv = training_csv
        self._model: CreditScorecard | None = None

    @property
    def model(self) -> CreditScorecard:
        if self._model is None:
            self._model = load_or_train_scorecard(self.model_path, self.training_csv)
        return self._model

    def assess(self, features: Any) -> CreditAssessment:
        return self.model.assess(features)


def load_or_train_scorecard(model_path: Path, training_csv: Path, *, retrain: bool = False) -> CreditScorecard:
    """Load the saved scorecard, or train it on `training_csv` and save it for next time.

    The scorecard's libraries (pandas, scikit-learn, optbinning) are imported here, on first use, so
    commands that never score start quickly.
    """
    from agents.scorecard import CreditScorecard, load_german_credit, train_scorecard

    if model_path.exists() and not retrain:
        return CreditScorecard.load(model_path)
    log.info("scorecard.training", data=str(training_csv))
    model = train_scorecard(load_german_credit(training_csv))
    model_path.parent.mkdir(parents=True, exist_ok=True)
    model.save(model_path)
    log.info("scorecard.trained", version=model.version, path=str(model_path))
    return model


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
    scorer: LazyScorecard
    policies: dict[str, Policy]
    """The policy files, as installed (version 0); `policy_store` has the versions in force."""
    policy_store: PolicyStore
    reports: EvalReportStore
    credit: AgentRuntime
    identity: AgentRuntime
    supervisor: Supervisor
    checkpointer: BaseCheckpointSaver[str]


def load_policies(policy_dir: Path | None) -> dict[str, Policy]:
    folder = policy_dir or default_policy_dir()
    policies = {policy.agent: policy for policy in (load_policy(p) for p in sorted(folder.glob("*.yaml")))}
    for agent in ("credit_approval", "identity_resolution"):
        if agent not in policies:
            raise ConfigurationError(
                f"no policy for the {agent} agent in {folder}: add {agent}.yaml "
                f"(copy the bundled policies/{agent}.yaml) or unset STEWARD_POLICY_DIR"
            )
    return policies


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
        scorer = LazyScorecard(settings.model_path, settings.german_credit_csv)
        policies = load_policies(settings.policy_dir)
        files = {agent: Path(policy.source).read_text(encoding="utf-8") for agent, policy in policies.items()}
        policy_store = PolicyStore(engine, clock, audit, bundled=files, what_if_seconds=settings.what_if_seconds)
        tools = ToolContext(customers=customers, clock=clock, scorer=scorer, grants=queue)
        rationale: RationaleWriter | None = None  # None: the agent writes its deterministic template
        if settings.llm_base_url:
            from agents.llm import LLMEndpoint, OpenAIRationale  # the openai client only when configured

            endpoint = LLMEndpoint(
                base_url=settings.llm_base_url, model=settings.llm_model, api_key=settings.llm_api_key
            )
            rationale = stack.enter_context(OpenAIRationale(endpoint, fallback=TemplateRationale()))
        credit = build_credit_agent(
            tools=tools,
            policies=policy_store.source("credit_approval"),
            queue=queue,
            autonomy=autonomy,
            clock=clock,
            review_sla=settings.review_sla,
            checkpointer=checkpointer,
            rationale=rationale,
        )
        identity = build_identity_agent(
            tools=tools,
            policies=policy_store.source("identity_resolution"),
            queue=queue,
            autonomy=autonomy,
            clock=clock,
            review_sla=settings.review_sla,
            checkpointer=checkpointer,
        )
        supervisor = Supervisor(
            queue=queue,
            autonomy=autonomy,
            kpis=kpis,
            users=users,
            agents={"credit_approval": credit, "identity_resolution": identity},
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
            scorer=scorer,
            policies=policies,
            policy_store=policy_store,
            reports=EvalReportStore(engine, clock, audit),
            credit=credit,
            identity=identity,
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
