"""Policy versions: an ops manager's changes to a policy, validated, versioned and audited.

Each agent's policy is the latest saved version, or its file (version 0) while none was saved. A save
names the version it was based on (optimistic concurrency: of two managers editing at once the second
is told to reload), validates the YAML with the policy engine, and writes the version and its audit
entry in one transaction. The live gate asks `PolicyStore.current` on every decision: one indexed
query for the latest version number, and the parsed policy is cached per version, so a saved change
applies in every process at once, without a restart.
"""

from __future__ import annotations

import builtins
import dataclasses
import hashlib
import math
import time
import unicodedata
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar, cast, get_args

from pydantic import BaseModel, ConfigDict, computed_field
from sqlalchemy import Text, bindparam, func
from sqlalchemy import select as core_select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel

from core import Clock, ConfigurationError, NotFound
from policies import (
    FactProblem,
    FactSchema,
    HistoricCase,
    Policy,
    PolicyFactsError,
    PolicyFileError,
    ReviewVerdict,
    TimeBudget,
    WhatIfReport,
    check_conditions,
    parse_policy,
    what_if,
)
from supervision._audit import AuditLog
from supervision._errors import SupervisionError
from supervision._policy_text import line_of_key, refuse_aliases
from supervision._roles import RoleCatalog, policy_roles
from supervision._tables import AUTONOMY_STATE, PROPOSAL, UtcDateTime, _table

HISTORY_LIMIT = 500
"""How many of an agent's most recent proposals a what-if replays."""
WHAT_IF_SECONDS = 5.0
"""How long one what-if may run (validation, reading the history, the replay) before it is refused."""
MAX_POLICY_CHARS = 100_000
MAX_REASON_CHARS = 500
FILE_AUTHOR = "policy file"


class PolicyVersionRow(SQLModel, table=True):
    """One saved version of an agent's policy; versions count up from 1 per agent."""

    __tablename__ = "supervision_policy_version"

    agent: str = Field(primary_key=True, max_length=200)
    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    text: str = Field(sa_type=Text)
    """The YAML exactly as saved."""
    digest: str = Field(max_length=64)
    """SHA-256 (hex) of the text as UTF-8."""
    author: str = Field(max_length=200)
    reason: str = Field(max_length=MAX_REASON_CHARS)
    created_at: datetime = Field(sa_type=UtcDateTime)


POLICY_VERSION = _table(PolicyVersionRow)

_LATEST_NUMBER = core_select(func.max(POLICY_VERSION.c.version)).where(POLICY_VERSION.c.agent == bindparam("agent"))
_BEFORE = core_select(func.max(POLICY_VERSION.c.version)).where(
    POLICY_VERSION.c.agent == bindparam("agent"), POLICY_VERSION.c.version < bindparam("version")
)
_INFO_COLUMNS = (
    POLICY_VERSION.c.agent,
    POLICY_VERSION.c.version,
    POLICY_VERSION.c.digest,
    POLICY_VERSION.c.author,
    POLICY_VERSION.c.reason,
    POLICY_VERSION.c.created_at,
)
_VERDICTS: frozenset[str] = frozenset(get_args(ReviewVerdict))


class PolicyVersionInfo(BaseModel):
    """Who saved which version of an agent's policy, when and why (version 0 is the policy file)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agent: str
    version: int
    digest: str
    author: str
    reason: str
    created_at: datetime | None
    """None for version 0, the file Steward was installed with."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label(self) -> str:
        """How gate decisions name this version: ``v3:1a2b3c4d5e6f``."""
        return f"v{self.version}:{self.digest[:12]}"


class PolicyVersion(PolicyVersionInfo):
    """A version with its YAML text."""

    text: str

    def info(self) -> PolicyVersionInfo:
        """The same version without its text."""
        return PolicyVersionInfo.model_validate(self.model_dump(exclude={"text", "label"}))


class PolicyConflict(SupervisionError):
    """Someone saved a newer version since the editor loaded the one it changed."""

    def __init__(self, agent: str, expected_version: int, actual_version: int) -> None:
        super().__init__(
            f"the {agent} policy is at version {actual_version}, not {expected_version} as your change assumed: "
            "someone saved a newer version; reload it, re-apply your change and save again"
        )
        self.agent = agent
        self.expected_version = expected_version
        self.actual_version = actual_version


class PolicyChangeRefused(SupervisionError):
    """A save without a usable reason or author; nothing was written."""


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class PolicyStore:
    """The versions of every agent's policy, and the policy in force now.

    `bundled` maps each agent to the YAML of its policy file: version 0, used until a version is saved.
    `what_if_seconds` is the time budget of one what-if (0 refuses every what-if), measured with `timer`
    (`time.monotonic`), which is read when a what-if starts and before each case it replays.
    `roles`, when given, is the installation's role catalog: a new version naming a role it does not
    declare is refused.
    `fact_schemas`, when given, maps agents to the facts each provides (`policies.FactSchema`): a new
    version whose conditions read a fact the agent does not provide, or use one with the wrong type, is
    refused (`policies.PolicyFactsError`, each problem with its line), and so is an installed file, at
    start (`ConfigurationError` naming the agent).
    """

    MAX_TEXT_CHARS: ClassVar[int] = MAX_POLICY_CHARS
    MAX_REASON_CHARS: ClassVar[int] = MAX_REASON_CHARS

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        audit: AuditLog,
        bundled: Mapping[str, str],
        *,
        what_if_seconds: float = WHAT_IF_SECONDS,
        timer: Callable[[], float] = time.monotonic,
        roles: RoleCatalog | None = None,
        fact_schemas: Mapping[str, FactSchema] | None = None,
    ) -> None:
        if not (math.isfinite(what_if_seconds) and what_if_seconds >= 0):
            raise ConfigurationError(f"the what-if budget must be 0 or more seconds, not {what_if_seconds}")
        self._engine = engine
        self._clock = clock
        self._audit = audit
        self.what_if_seconds = what_if_seconds
        self._timer = timer
        self._roles = roles
        self._fact_schemas: dict[str, FactSchema] = dict(fact_schemas or {})
        self._files: dict[str, PolicyVersion] = {}
        self._file_policies: dict[str, Policy] = {}
        for agent, text in bundled.items():
            file = PolicyVersion(
                agent=agent,
                version=0,
                text=text,
                digest=digest_of(text),
                author=FILE_AUTHOR,
                reason="the policy file Steward was installed with",
                created_at=None,
            )
            self._files[agent] = file
            self._file_policies[agent] = self._compile(file)
            self._refuse_unfit_file(agent, text)
        self._cache: dict[str, tuple[int, Policy]] = {}

    # -- reading --------------------------------------------------------------------------------

    def agents(self) -> builtins.list[str]:
        """The agents that have a policy, by name."""
        return sorted(self._files)

    def latest(self, agent: str) -> PolicyVersion:
        """The version in force: the latest saved, else the file; `NotFound` for an unknown agent."""
        file = self._file(agent)
        with self._engine.connect() as connection:
            row = connection.execute(
                core_select(POLICY_VERSION)
                .where(POLICY_VERSION.c.agent == agent)
                .order_by(POLICY_VERSION.c.version.desc())
                .limit(1)
            ).first()
        return file if row is None else PolicyVersion.model_validate(row._asdict())

    def get(self, agent: str, version: int) -> PolicyVersion:
        """One version (0 is the file); `NotFound` if there is no such version."""
        file = self._file(agent)
        if version == 0:
            return file
        with self._engine.connect() as connection:
            row = connection.execute(
                core_select(POLICY_VERSION).where(POLICY_VERSION.c.agent == agent, POLICY_VERSION.c.version == version)
            ).first()
        if row is None:
            raise NotFound(f"version of the {agent} policy", str(version))
        return PolicyVersion.model_validate(row._asdict())

    def history(self, agent: str) -> builtins.list[PolicyVersionInfo]:
        """Every version, newest first, ending with the file (version 0)."""
        file = self._file(agent)
        with self._engine.connect() as connection:
            rows = connection.execute(
                core_select(*_INFO_COLUMNS)
                .where(POLICY_VERSION.c.agent == agent)
                .order_by(POLICY_VERSION.c.version.desc())
            ).all()
        saved = [PolicyVersionInfo.model_validate(row._asdict()) for row in rows]
        return [*saved, file.info()]

    def current(self, agent: str) -> Policy:
        """The policy in force for `agent`, for the gate: one indexed query, parsed once per version."""
        with self._engine.connect() as connection:
            number = connection.execute(_LATEST_NUMBER, {"agent": agent}).scalar()
        if number is None:
            try:
                return self._file_policies[agent]
            except KeyError:
                raise self._unknown(agent) from None
        cached = self._cache.get(agent)
        if cached is not None and cached[0] == number:
            return cached[1]
        policy = self._compile(self.get(agent, int(number)))
        self._cache[agent] = (int(number), policy)
        return policy

    def source(self, agent: str) -> LivePolicy:
        """A `policies.PolicySource` for one agent's gate: always the version in force."""
        self._file(agent)
        return LivePolicy(self, agent)

    # -- changing -------------------------------------------------------------------------------

    def validate(self, agent: str, text: str) -> Policy:
        """Check `text` as the next policy of `agent`; raises `PolicyFileError` saying what and where.

        Beyond the engine's own checks, the policy must be `agent`'s, keep every action the current
        version has (the agent proposes them), keep the level each action stands on now and, given a
        role catalog, name only roles it declares and, given the agent's facts, read only those
        (`PolicyFactsError`).
        """
        self._file(agent)
        path = f"{agent}.yaml"
        if len(text) > MAX_POLICY_CHARS:
            raise PolicyFileError(path, None, f"is longer than {MAX_POLICY_CHARS:,} characters")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise PolicyFileError(path, None, "holds characters that are not valid Unicode text") from None
        refuse_aliases(text, path)
        try:
            candidate = parse_policy(text, path)
        except RecursionError:
            raise PolicyFileError(path, None, "nests too deeply to be a policy file") from None
        if candidate.agent != agent:
            raise PolicyFileError(
                path,
                line_of_key(text, "agent"),
                f"names the agent {candidate.agent!r}, but this is the policy of {agent!r}; write agent: {agent}",
            )
        if self._roles is not None:
            for named in policy_roles(candidate):
                if named.role not in self._roles:
                    line = line_of_key(text, named.role) or line_of_key(text, "escalate_to")
                    raise PolicyFileError(
                        path,
                        line,
                        f"actions.{named.action} names the role {named.role!r} in {named.where}, which no roles "
                        f"file declares; roles are: {', '.join(self._roles.names)}",
                    )
        problems = self.fact_problems(agent, text)
        if problems:
            raise PolicyFactsError(path, problems)
        current = self.current(agent)
        for action in current.actions:
            if action not in candidate.actions:
                raise PolicyFileError(
                    path,
                    line_of_key(text, "actions"),
                    f"actions.{action} is missing: the agent proposes it, so the policy must keep it "
                    "(to stop it running unattended, add a rule that says review or deny)",
                )
        for action, level in self._levels(agent).items():
            if action in candidate.actions and level not in candidate.levels(action):
                raise PolicyFileError(
                    path,
                    line_of_key(text, action),
                    f"actions.{action}.autonomy.levels has no level {level!r}, where the action stands now; "
                    "keep that level (or move the action to another level first)",
                )
        return candidate

    def fact_problems(self, agent: str, text: str) -> builtins.list[FactProblem]:
        """What in the policy YAML `text` does not fit the facts `agent` provides (none without its schema).

        Raises `PolicyFileError` when `text` is not a valid policy at all.
        """
        schema = self._fact_schemas.get(agent)
        return [] if schema is None else check_conditions(text, schema, f"{agent}.yaml")

    def _refuse_unfit_file(self, agent: str, text: str) -> None:
        """An installed policy file that reads facts its agent does not provide stops Steward at start."""
        problems = self.fact_problems(agent, text)
        if problems:
            refused = PolicyFactsError(f"{agent}.yaml (version 0)", problems)
            raise ConfigurationError(
                f"the installed policy file of agent {agent!r} does not fit the facts the agent provides; fix the "
                f"file or the agent's facts model: {refused}"
            )

    def save(self, agent: str, text: str, *, author: str, reason: str, expected_version: int) -> PolicyVersion:
        """Validate `text` and save it as the next version of `agent`'s policy, audited.

        `expected_version` is the version the change was based on; if another was saved since,
        `PolicyConflict` is raised and nothing is written.
        """
        reason = _checked_text("reason", reason, MAX_REASON_CHARS)
        author = _checked_text("author", author, 200)
        if expected_version < 0:
            raise ConfigurationError(
                f"expected_version must be 0 (the file) or a saved version, not {expected_version}"
            )
        self.validate(agent, text)
        version = expected_version + 1
        row = PolicyVersionRow(
            agent=agent,
            version=version,
            text=text,
            digest=digest_of(text),
            author=author,
            reason=reason,
            created_at=self._clock.now(),
        )
        saved = PolicyVersion.model_validate(row.model_dump())  # before the commit expires the row
        with Session(self._engine) as session:
            # Write first: the insert takes the write lock (SQLite) or waits on a rival insert of the same
            # version (PostgreSQL), so the check below sees every version committed before this one.
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                session.rollback()
                raise PolicyConflict(agent, expected_version, self.latest(agent).version) from None
            before = session.connection().execute(_BEFORE, {"agent": agent, "version": version}).scalar() or 0
            if before != expected_version:
                session.rollback()
                raise PolicyConflict(agent, expected_version, before)
            self._audit.append(
                session,
                kind="policy.changed",
                subject=f"policy:{agent}",
                actor=author,
                payload={
                    "agent": agent,
                    "from_version": expected_version,
                    "to_version": version,
                    "digest": saved.digest,
                    "reason": True,
                },
            )
            session.commit()
        return saved

    # -- what-if --------------------------------------------------------------------------------

    def what_if(self, agent: str, text: str, *, limit: int = HISTORY_LIMIT, examples: int = 5) -> WhatIfReport:
        """Validate `text` and replay the agent's last `limit` proposals under it and under the current version.

        Raises `policies.WhatIfBudgetExceeded` when `what_if_seconds` run out before the replay is done.
        """
        deadline = self._timer() + self.what_if_seconds
        budget = TimeBudget(self.what_if_seconds, lambda: self._timer() >= deadline)
        candidate = self.validate(agent, text)
        current = self.current(agent)
        cases = self.recent_cases(agent, current, limit=limit)
        budget.check(replayed=0)  # validating and reading may have used it all, even with no history
        return what_if(current, candidate, cases, examples=examples, budget=budget)

    def recent_cases(self, agent: str, policy: Policy, *, limit: int = HISTORY_LIMIT) -> builtins.list[HistoricCase]:
        """The agent's last `limit` proposals with their facts, newest first, each at its action's level now.

        Proposals whose data was erased (GDPR) have no facts left and are left out.
        """
        levels = self._levels(agent)
        statement = (
            core_select(
                PROPOSAL.c.id,
                PROPOSAL.c.action,
                PROPOSAL.c.status,
                PROPOSAL.c.facts,
                PROPOSAL.c.gate,
                PROPOSAL.c.verdict,
            )
            .where(PROPOSAL.c.agent == agent)
            .order_by(PROPOSAL.c.created_at.desc(), PROPOSAL.c.id.desc())
            .limit(max(0, limit))
        )
        with self._engine.connect() as connection:
            rows = connection.execute(statement).all()
        cases = []
        for row in rows:
            facts: dict[str, Any] = row.facts
            if facts.get("redacted") is True:
                continue
            level = levels.get(row.action)
            if level is None:
                level = policy.initial_level(row.action) if row.action in policy.actions else ""
            cases.append(
                HistoricCase(
                    proposal_id=row.id,
                    action=row.action,
                    facts=facts,
                    level=level,
                    status=row.status,
                    gate_outcome=row.gate["outcome"],
                    verdict=cast(ReviewVerdict, row.verdict) if row.verdict in _VERDICTS else None,
                )
            )
        return cases

    # -- inside ---------------------------------------------------------------------------------

    def _file(self, agent: str) -> PolicyVersion:
        try:
            return self._files[agent]
        except KeyError:
            raise self._unknown(agent) from None

    @staticmethod
    def _unknown(agent: str) -> NotFound:
        return NotFound("agent", agent)

    def _levels(self, agent: str) -> dict[str, str]:
        """Each action's stored autonomy level (actions that never moved are left out)."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                core_select(AUTONOMY_STATE.c.action, AUTONOMY_STATE.c.level).where(AUTONOMY_STATE.c.agent == agent)
            ).all()
        return {row.action: row.level for row in rows}

    @staticmethod
    def _compile(version: PolicyVersion) -> Policy:
        policy = parse_policy(version.text, f"{version.agent}.yaml (version {version.version})")
        return dataclasses.replace(policy, version=version.label)


class LivePolicy:
    """The policy in force for one agent, asked afresh for every decision (a `policies.PolicySource`)."""

    def __init__(self, store: PolicyStore, agent: str) -> None:
        self._store = store
        self.agent = agent

    def current(self) -> Policy:
        return self._store.current(self.agent)


def _checked_text(what: str, value: str, limit: int) -> str:
    """`value` stripped; refused when empty, too long, or holding control characters other than line breaks."""
    value = value.strip()
    if not value:
        raise PolicyChangeRefused(f"a policy change needs a {what}; say why the policy changes")
    if len(value) > limit:
        raise PolicyChangeRefused(f"the {what} is longer than {limit} characters; shorten it")
    if any(unicodedata.category(char) in ("Cc", "Cs") and char not in "\n\r\t" for char in value):
        raise PolicyChangeRefused(f"the {what} holds control characters; use plain text")
    return value
