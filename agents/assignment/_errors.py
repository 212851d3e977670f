"""Errors of the assignment solver: a problem that cannot be solved as given."""

from __future__ import annotations

from core import StewardError


class AssignmentError(StewardError):
    """The assignment solver could not do what was asked; the message says why."""


class InvalidAssignmentProblem(AssignmentError):
    """An `AssignmentProblem` breaks a rule (a non-finite cost, a negative use, a resource out of range, too
    large); `where` names the part (`options[12].uses[0]`, `capacities[3]`, ...)."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"invalid assignment problem: {where}: {problem}")
        self.where = where
        self.problem = problem
