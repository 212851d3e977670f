"""The gate: given an action, its facts and the current autonomy level, decide auto, review or deny.

Order of judgement: hard limits (all of them; deny beats review), then rules (first match), then the
autonomy level (shadow and review-all always ask a person; a band runs the action only when its own
condition or a lower band's holds), then the file's `default`. Anything that cannot be evaluated
fails closed: it never runs automatically.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, assert_never

from policies._authority import Authority
from policies._autonomy import AutonomyLadder
from policies._condition import Bindings, Expression
from policies._errors import ConditionError, PolicyError
from policies._schema import ActionSpec, PolicyFileSpec, Restriction, ReviewSpec, RuleSpec
from policies._types import DecisionSource, Facts, GateDecision, Outcome, ReviewClock, ReviewRequirement

LevelKind = Literal["shadow", "review_all", "band"]


@dataclass(frozen=True)
class Rule:
    """A compiled hard limit or rule."""

    name: str
    when: Expression
    outcome: Restriction
    reason: str

    @classmethod
    def from_spec(cls, spec: RuleSpec) -> "Rule":
        return cls(name=spec.name, when=Expression.compile(spec.when), outcome=spec.outcome, reason=spec.reason)


@dataclass(frozen=True)
class Level:
    """A compiled rung of the ladder; only bands carry a condition."""

    name: str
    auto_when: Expression | None


def level_kind(index: int) -> LevelKind:
    """The first level is shadow, the second reviews all, every later one is an auto band."""
    if index == 0:
        return "shadow"
    if index == 1:
        return "review_all"
    return "band"


@dataclass(frozen=True)
class _Verdict:
    """A decision before the review requirement and versions are attached."""

    outcome: Outcome
    source: DecisionSource
    matched: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ActionPolicy:
    """Everything the gate needs for one action: limits, rules, authority and ladder, compiled."""

    name: str
    description: str
    default: Restriction
    hard_limits: tuple[Rule, ...]
    """The file's hard limits followed by the action's own."""
    rules: tuple[Rule, ...]
    levels: tuple[Level, ...]
    authority: Authority
    ladder: AutonomyLadder
    review: ReviewClock = field(default_factory=ReviewClock)
    """How long a review of the action may wait, and what happens then (the ``review:`` block)."""

    @classmethod
    def from_spec(cls, file: PolicyFileSpec, name: str, spec: ActionSpec) -> "ActionPolicy":
        autonomy = spec.autonomy
        return cls(
            name=name,
            description=spec.description,
            default=file.default,
            hard_limits=tuple(Rule.from_spec(limit) for limit in [*file.hard_limits, *spec.hard_limits]),
            rules=tuple(Rule.from_spec(rule) for rule in spec.rules),
            levels=tuple(
                Level(level.name, Expression.compile(level.auto_when) if level.auto_when else None)
                for level in autonomy.levels
            ),
            authority=Authority.from_spec(spec.authority or file.authority),
            ladder=AutonomyLadder(
                levels=tuple(level.name for level in autonomy.levels),
                window=autonomy.window,
                promotion=autonomy.promotion,
                demotion=autonomy.demotion,
            ),
            review=_review_clock(spec.review),
        )

    def gate(self, facts: Facts, level: str, policy_version: str) -> GateDecision:
        """Decide this action on `facts` at autonomy `level` (see the module docstring).

        At the shadow level `review.shadow` is set on every decision, whatever decided it.
        """
        index = self.ladder.index(level)
        bindings = Bindings.of(facts)
        requirement, authority_notes = self.authority.requirement(bindings)
        kind = level_kind(index)
        if kind == "shadow":
            requirement = requirement.model_copy(update={"shadow": True})
        verdict = (
            self._hard_limits(bindings)
            or self._rules(bindings)
            or self._autonomy(bindings, index, kind, authority_notes)
        )
        return GateDecision(
            outcome=verdict.outcome,
            source=verdict.source,
            matched=verdict.matched,
            reasons=verdict.reasons + authority_notes,
            autonomy_level=level,
            review=requirement,
            policy_version=policy_version,
        )

    def _fail_closed(self, source: DecisionSource, name: str, what: str, exc: ConditionError) -> _Verdict:
        reason = (
            f"The {what} {name!r} could not be evaluated ({exc.reason}), so the action cannot run "
            f"automatically; outcome {self.default}."
        )
        return _Verdict(self.default, source, name, (reason,))

    def _hard_limits(self, facts: Bindings) -> _Verdict | None:
        hits: list[tuple[str, Restriction, str]] = []
        for limit in self.hard_limits:
            try:
                if limit.when.holds(facts):
                    hits.append((limit.name, limit.outcome, limit.reason))
            except ConditionError as exc:
                failed = self._fail_closed("hard_limit", limit.name, "hard limit", exc)
                hits.append((limit.name, self.default, failed.reasons[0]))
        if not hits:
            return None
        outcome: Restriction = "deny" if any(hit[1] == "deny" for hit in hits) else "review"
        matched = next(name for name, hit_outcome, _ in hits if hit_outcome == outcome)
        return _Verdict(outcome, "hard_limit", matched, tuple(reason for _, _, reason in hits))

    def _rules(self, facts: Bindings) -> _Verdict | None:
        for rule in self.rules:
            try:
                if rule.when.holds(facts):
                    return _Verdict(rule.outcome, "rule", rule.name, (rule.reason,))
            except ConditionError as exc:
                return self._fail_closed("rule", rule.name, "rule", exc)
        return None

    def _autonomy(self, facts: Bindings, index: int, kind: LevelKind, authority_notes: Sequence[str]) -> _Verdict:
        name = self.levels[index].name
        match kind:
            case "shadow":
                reason = f"Autonomy level {name!r} is shadow mode: a person decides, the agent is compared."
                return _Verdict("review", "autonomy", name, (reason,))
            case "review_all":
                return _Verdict("review", "autonomy", name, (f"Autonomy level {name!r}: every proposal is reviewed.",))
            case "band":
                return self._band(facts, index, authority_notes)
            case _:
                assert_never(kind)

    def _band(self, facts: Bindings, index: int, authority_notes: Sequence[str]) -> _Verdict:
        for band in self.levels[2 : index + 1]:
            assert band.auto_when is not None, "the schema requires auto_when on every band"
            try:
                if not band.auto_when.holds(facts):
                    continue
            except ConditionError as exc:
                return self._fail_closed("autonomy", band.name, "autonomy band", exc)
            if authority_notes:
                reason = f"Band {band.name!r} matched but authority is unclear; outcome {self.default}."
                return _Verdict(self.default, "autonomy", band.name, (reason,))
            reason = f"Within autonomy band {band.name!r}: {band.auto_when.source}"
            return _Verdict("auto", "autonomy", band.name, (reason,))
        level = self.levels[index].name
        reason = f"No autonomy band up to {level!r} covers this case; the policy default is {self.default}."
        return _Verdict(self.default, "default", "default", (reason,))


def _review_clock(spec: ReviewSpec | None) -> ReviewClock:
    if spec is None:
        return ReviewClock()
    return ReviewClock(
        sla=spec.sla, on_timeout=spec.on_timeout, escalate_to=spec.escalate_to, escalated_sla=spec.escalated_sla
    )


@dataclass(frozen=True)
class Policy:
    """A loaded policy file: one agent's actions, each with its gate and autonomy ladder."""

    agent: str
    description: str
    version: str
    """First 12 hex digits of the SHA-256 of the file's bytes; the policy store prefixes its version number."""
    source: str
    """Where the policy was read from (a path, or ``"<string>"``)."""
    actions: dict[str, ActionPolicy]

    def action(self, name: str) -> ActionPolicy:
        """The policy of action `name`; raises `PolicyError` if the file does not cover it."""
        try:
            return self.actions[name]
        except KeyError:
            known = ", ".join(sorted(self.actions))
            raise PolicyError(
                f"the {self.agent} policy ({self.source}) has no action {name!r}; known actions: {known}"
            ) from None

    def levels(self, action: str) -> list[str]:
        """The autonomy levels of `action`, lowest first."""
        return list(self.action(action).ladder.levels)

    def initial_level(self, action: str) -> str:
        """Where a new action starts: the first (shadow) level."""
        return self.action(action).ladder.levels[0]

    def ladder(self, action: str) -> AutonomyLadder:
        """The autonomy ladder of `action`, to move it on fresh KPIs."""
        return self.action(action).ladder

    def gate(self, action: str, facts: Facts, level: str) -> GateDecision:
        """Decide `action` on `facts` at autonomy `level`: auto, review or deny, and who may review."""
        return self.action(action).gate(facts, level, self.version)

    def review_clock(self, action: str) -> ReviewClock:
        """How long a review of `action` may wait and what happens when it waited too long (its ``review:``
        block; without one, the installation's default wait, then expiry)."""
        return self.action(action).review

    def review_requirement(self, action: str, facts: Facts) -> ReviewRequirement:
        """Who may decide `action` on `facts`, without gating it (e.g. to re-check an edited proposal)."""
        return self.action(action).authority.requirement(facts)[0]
