"""What-if: replay recent cases under the current policy and under a candidate, and count what changes.

Both policies judge every case with the facts stored with its proposal, at the level the case's action
stands on now, so the difference comes from the policy change alone. The report says, per action and
in total, how many cases each policy would run automatically, review or deny, how many would newly
run without a person, and how many of the candidate's automated cases a reviewer had overridden
(rejected or edited): the cases a person caught that the candidate would have let through.

A replay may be given a `TimeBudget`: it asks the budget before each case and stops with
`WhatIfBudgetExceeded` once the time is up. The policy checker keeps each case cheap (see
`policies._cost`); the budget bounds their sum. The replay reads no clock itself.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from core import JsonValue
from policies._engine import Policy
from policies._errors import PolicyError, WhatIfBudgetExceeded
from policies._types import Outcome, ReviewVerdict

OVERRIDDEN: frozenset[ReviewVerdict] = frozenset({"reject", "edit"})
"""Verdicts by which a reviewer disagreed with what the agent proposed."""


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class HistoricCase(_Value):
    """One past proposal, as the what-if replays it."""

    proposal_id: str
    action: str
    facts: Mapping[str, JsonValue]
    """The facts the gate saw when the proposal was made."""
    level: str
    """The autonomy level to judge at: where the action stands now."""
    status: str
    """What became of the proposal (executed, rejected, expired, ...)."""
    gate_outcome: Outcome
    """What the gate decided at the time."""
    verdict: ReviewVerdict | None = None
    """What the reviewer decided; None when no person did (auto, denied, expired, still pending)."""


class OutcomeCounts(_Value):
    auto: int = 0
    review: int = 0
    deny: int = 0


class WhatIfLine(_Value):
    """The counts for one action, or for all of them (`action` None)."""

    action: str | None
    cases: int
    """Cases replayed, including those that could not be judged."""
    current: OutcomeCounts
    candidate: OutcomeCounts
    changed: int
    """Cases whose outcome differs between the two policies."""
    newly_automated: int
    """Automated by the candidate, not by the current policy."""
    no_longer_automated: int
    automated_reviewed: int
    """Of the candidate's automated cases, those a person had decided."""
    automated_overridden: int
    """Of the candidate's automated cases, those a reviewer had rejected or edited."""
    unjudged: int = 0
    """Cases one of the policies cannot judge (it lacks the action or the level)."""


class ChangedCase(_Value):
    """A case whose outcome the candidate changes, to show as an example."""

    proposal_id: str
    action: str
    level: str
    status: str
    current: Outcome
    candidate: Outcome
    candidate_matched: str
    """The hard limit, rule or band that decided under the candidate."""
    verdict: ReviewVerdict | None


class WhatIfReport(_Value):
    agent: str
    current_version: str
    candidate_version: str
    total: WhatIfLine
    actions: tuple[WhatIfLine, ...] = Field(description="One line per action, by name.")
    examples: tuple[ChangedCase, ...] = Field(
        description="Changed cases, those newly automated that a reviewer had overridden first."
    )


@dataclass(frozen=True)
class TimeBudget:
    """How long a replay may run: `exhausted` says whether the time is up (e.g. a `time.monotonic` deadline)."""

    seconds: float
    """The budget, as the refusal states it."""
    exhausted: Callable[[], bool]

    def check(self, replayed: int) -> None:
        """Raise `WhatIfBudgetExceeded` if the time is up, `replayed` cases in."""
        if self.exhausted():
            raise WhatIfBudgetExceeded(self.seconds, replayed)


@dataclass
class _Tally:
    cases: int = 0
    unjudged: int = 0
    changed: int = 0
    newly_automated: int = 0
    no_longer_automated: int = 0
    automated_reviewed: int = 0
    automated_overridden: int = 0
    current: dict[Outcome, int] = field(default_factory=lambda: {"auto": 0, "review": 0, "deny": 0})
    candidate: dict[Outcome, int] = field(default_factory=lambda: {"auto": 0, "review": 0, "deny": 0})

    def add(self, case: HistoricCase, now: Outcome | None, then: Outcome | None) -> None:
        self.cases += 1
        if now is None or then is None:
            self.unjudged += 1
            return
        self.current[now] += 1
        self.candidate[then] += 1
        self.changed += now != then
        self.newly_automated += then == "auto" and now != "auto"
        self.no_longer_automated += now == "auto" and then != "auto"
        if then == "auto" and case.verdict is not None:
            self.automated_reviewed += 1
            self.automated_overridden += case.verdict in OVERRIDDEN

    def line(self, action: str | None) -> WhatIfLine:
        return WhatIfLine(
            action=action,
            cases=self.cases,
            current=OutcomeCounts(**self.current),
            candidate=OutcomeCounts(**self.candidate),
            changed=self.changed,
            newly_automated=self.newly_automated,
            no_longer_automated=self.no_longer_automated,
            automated_reviewed=self.automated_reviewed,
            automated_overridden=self.automated_overridden,
            unjudged=self.unjudged,
        )


def _judge(policy: Policy, case: HistoricCase) -> tuple[Outcome, str] | None:
    """The policy's outcome and what decided it; None if the policy has no such action or level."""
    try:
        decision = policy.gate(case.action, case.facts, case.level)
    except PolicyError:
        return None
    return decision.outcome, decision.matched


def what_if(
    current: Policy,
    candidate: Policy,
    cases: Iterable[HistoricCase],
    *,
    examples: int = 5,
    budget: TimeBudget | None = None,
) -> WhatIfReport:
    """Replay `cases` under both policies and count the differences (see the module docstring).

    `examples` changed cases are kept, newly automated ones that a reviewer had overridden first,
    then other newly automated ones, then the rest, each group in the order of `cases`. With a
    `budget`, the replay raises `WhatIfBudgetExceeded` before the first case it has no time left for.
    """
    total = _Tally()
    by_action: dict[str, _Tally] = {}
    changed: list[tuple[int, int, ChangedCase]] = []
    for index, case in enumerate(cases):
        if budget is not None:
            budget.check(index)
        now, then = _judge(current, case), _judge(candidate, case)
        now_outcome = None if now is None else now[0]
        then_outcome = None if then is None else then[0]
        total.add(case, now_outcome, then_outcome)
        by_action.setdefault(case.action, _Tally()).add(case, now_outcome, then_outcome)
        if now is None or then is None or now[0] == then[0]:
            continue
        newly = then[0] == "auto"
        rank = 0 if newly and case.verdict in OVERRIDDEN else 1 if newly else 2
        example = ChangedCase(
            proposal_id=case.proposal_id,
            action=case.action,
            level=case.level,
            status=case.status,
            current=now[0],
            candidate=then[0],
            candidate_matched=then[1],
            verdict=case.verdict,
        )
        changed.append((rank, index, example))
    changed.sort(key=lambda ranked: (ranked[0], ranked[1]))
    return WhatIfReport(
        agent=candidate.agent,
        current_version=current.version,
        candidate_version=candidate.version,
        total=total.line(None),
        actions=tuple(by_action[name].line(name) for name in sorted(by_action)),
        examples=tuple(example for _, _, example in changed[: max(0, examples)]),
    )
