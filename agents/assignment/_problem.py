"""The problem the solver takes: jobs, the options that serve them, and the resources the options use."""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.assignment._arrays import ProblemArrays, problem_arrays
from agents.assignment._option import Option


@dataclass(frozen=True)
class AssignmentProblem:
    """Choose at most one option per job so that no resource is used beyond its capacity, at least cost.

    With `unassigned_cost` None every job should be served; a job that cannot be (no option, or capacity
    runs out) is listed as unserved in the plan. With a number, leaving a job unserved costs that much and
    the solver serves as many as pays. The problem is checked when it is made (`InvalidAssignmentProblem`).
    """

    jobs: int
    options: tuple[Option, ...]
    capacities: tuple[float, ...]
    unassigned_cost: float | None = None
    arrays: ProblemArrays = field(init=False, repr=False, compare=False)
    """The same problem checked and in array form, as the solver reads it."""

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "arrays", problem_arrays(self.jobs, self.options, self.capacities, self.unassigned_cost)
        )
