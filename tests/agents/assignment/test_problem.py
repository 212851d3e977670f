"""An assignment problem is checked when it is made: every bad number is refused with where it was."""

from __future__ import annotations

import math
from typing import Any

import pytest

from agents.assignment import AssignmentError, AssignmentProblem, InvalidAssignmentProblem, Option, solve_assignment
from core import StewardError


def make(**changes: Any) -> AssignmentProblem:
    fields: dict[str, Any] = {
        "jobs": 2,
        "options": (Option(job=0, cost=1.0, uses=((0, 1.0),)), Option(job=1, cost=2.0, uses=((1, 2.0),))),
        "capacities": (1.0, 2.0),
        "unassigned_cost": None,
    }
    fields.update(changes)
    return AssignmentProblem(**fields)


@pytest.mark.parametrize(
    ("changes", "where", "problem"),
    [
        ({"jobs": -1}, "jobs", "between 0"),
        ({"jobs": 2.5}, "jobs", "whole number"),
        ({"capacities": (1.0, math.inf)}, "capacities[1]", "finite"),
        ({"capacities": (1.0, -2.0)}, "capacities[1]", "negative"),
        ({"capacities": (1.0, "2")}, "capacities[1]", "number"),
        ({"unassigned_cost": math.nan}, "unassigned_cost", "finite"),
        ({"options": (Option(job=0, cost=math.nan),)}, "options[0].cost", "finite"),
        ({"options": (Option(job=0, cost=1.0), Option(job=0, cost=1e13))}, "options[1].cost", "at most"),
        ({"options": (Option(job=2, cost=1.0),)}, "options[0].job", "between 0 and 1"),
        ({"options": (Option(job=-1, cost=1.0),)}, "options[0].job", "between 0 and 1"),
        ({"options": (Option(job=0.5, cost=1.0),)}, "options[0].job", "whole number"),  # type: ignore[arg-type]
        ({"options": (Option(job=0, cost=1.0, uses=((2, 1.0),)),)}, "options[0].uses[0]", "between 0 and 1"),
        ({"options": (Option(job=0, cost=1.0, uses=((0, -1.0),)),)}, "options[0].uses[0]", "negative"),
        ({"options": (Option(job=1, cost=1.0, uses=((0, 1.0), (1, math.inf))),)}, "options[0].uses[1]", "finite"),
        ({"options": (Option(job=0, cost=1.0, uses=((1, 1.0), (1, 2.0))),)}, "options[0].uses[1]", "twice"),
        ({"options": (Option(job=0, cost=1.0, uses=((1,),)),)}, "options[0].uses", "pairs"),  # type: ignore[arg-type]
        ({"options": ("not an option",)}, "options[0]", "must be an Option"),
        ({"options": (Option(job=0, cost=1.0, uses=((0, 1.0),) * 10_001),)}, "options[0].uses", "at most"),
    ],
)
def test_a_bad_problem_is_refused_naming_the_place(changes: dict[str, Any], where: str, problem: str) -> None:
    with pytest.raises(InvalidAssignmentProblem, match=problem) as raised:
        make(**changes)
    assert raised.value.where == where
    assert isinstance(raised.value, StewardError)


def test_an_empty_problem_is_solved_with_nothing_to_do() -> None:
    plan = solve_assignment(AssignmentProblem(jobs=0, options=(), capacities=()), time_limit=1.0)
    assert plan.chosen == ()
    assert plan.objective == 0.0
    assert plan.status == "optimal"


@pytest.mark.parametrize("time_limit", [0, -1.0, math.inf, math.nan, 10**9])
def test_the_time_limit_must_be_a_positive_number_of_seconds(time_limit: float) -> None:
    with pytest.raises(AssignmentError, match="time_limit"):
        solve_assignment(make(), time_limit=time_limit)


def test_the_seed_must_be_a_whole_number() -> None:
    with pytest.raises(AssignmentError, match="seed"):
        solve_assignment(make(), seed=-1)


def test_an_option_bigger_than_its_capacity_is_never_chosen() -> None:
    problem = make(
        options=(Option(job=0, cost=1.0, uses=((0, 5.0),)), Option(job=0, cost=9.0, uses=((1, 1.0),))),
        jobs=1,
    )
    assert not problem.arrays.usable[0]
    plan = solve_assignment(problem, time_limit=2.0)
    assert plan.chosen == (1,)
