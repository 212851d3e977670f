"""Errors the policy engine raises on purpose.

`PolicyError` is the root; each subclass carries the data a caller needs to explain the refusal or fix
the policy file, and its message says what to do next.
"""

from collections.abc import Iterable, Sequence
from pathlib import Path

from core import StewardError
from policies._facts import FactProblem


class PolicyError(StewardError):
    """A policy could not be loaded or applied (unknown action or level, authority refused, ...)."""


class PolicyFileError(PolicyError):
    """A policy file is missing, is not valid YAML, breaks the schema or holds CEL that does not compile."""

    def __init__(self, path: str | Path, line: int | None, reason: str) -> None:
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {reason}")
        self.path = str(path)
        self.line = line
        self.reason = reason


class PolicyFactsError(PolicyFileError):
    """Conditions read facts the agent does not provide, or use facts with types CEL cannot combine.

    `problems` lists each with its line; the message names the first one's line and lists them all.
    """

    SHOWN: int = 10

    def __init__(self, path: str | Path, problems: Sequence[FactProblem]) -> None:
        if not problems:
            raise ValueError("PolicyFactsError needs at least one problem")
        first, *rest = problems
        reason = f"{first.where}: {first.message}"
        if rest:
            reason += "".join(f"; also {problem}" for problem in rest[: self.SHOWN - 1])
        if len(problems) > self.SHOWN:
            reason += f"; and {len(problems) - self.SHOWN} more"
        super().__init__(path, first.line, reason)
        self.problems = tuple(problems)


class ConditionError(PolicyError):
    """A CEL condition raised or returned a non-boolean while being evaluated on some facts."""

    def __init__(self, expression: str, reason: str) -> None:
        super().__init__(
            f"condition {expression!r} could not be evaluated: {reason}; "
            "check that the agent passes every fact the condition reads, with the right type"
        )
        self.expression = expression
        self.reason = reason


class WhatIfBudgetExceeded(PolicyError):
    """A what-if ran out of its time budget before it replayed every case; it reports nothing."""

    def __init__(self, seconds: float, replayed: int) -> None:
        super().__init__(
            f"the what-if ran out of its time budget of {seconds:g} seconds after replaying {replayed} case(s), "
            "and reports nothing; simplify the candidate policy's conditions, or ask an administrator to raise "
            "the budget"
        )
        self.seconds = seconds
        self.replayed = replayed


class AuthorityError(PolicyError):
    """A reviewer may not give this verdict on this proposal."""


class MissingAuthority(AuthorityError):
    """None of the reviewer's roles is allowed to decide this amount."""

    def __init__(self, reviewer_id: str, amount: float | None, allowed_roles: Iterable[str]) -> None:
        roles = sorted(allowed_roles)
        listed = ", ".join(roles) if roles else "none"
        what = f"an amount of {amount:,.2f}" if amount is not None else "this proposal"
        super().__init__(
            f"reviewer {reviewer_id!r} has no role that may decide {what} (roles allowed: {listed}); "
            "hand it to a reviewer holding one of those roles"
        )
        self.reviewer_id = reviewer_id
        self.amount = amount
        self.allowed_roles = tuple(roles)


class FourEyesViolation(AuthorityError):
    """The reviewer already approved this proposal; the second approval must come from someone else."""

    def __init__(self, reviewer_id: str) -> None:
        super().__init__(
            f"reviewer {reviewer_id!r} already approved this proposal; "
            "a second, different reviewer must give the other approval"
        )
        self.reviewer_id = reviewer_id


class SelfApproval(AuthorityError):
    """The reviewer requested the action and may not approve it too."""

    def __init__(self, reviewer_id: str) -> None:
        super().__init__(
            f"reviewer {reviewer_id!r} requested this action and may not approve it; another reviewer must decide it"
        )
        self.reviewer_id = reviewer_id
