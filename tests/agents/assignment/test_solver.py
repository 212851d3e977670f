"""The assignment solver: optimal on small problems (checked by brute force), unserved jobs listed, a plan
within any time limit, and every plan within capacity."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest

from agents.assignment import AssignmentPlan, AssignmentProblem, Option, solve_assignment


def brute_force(problem: AssignmentProblem) -> tuple[float, int]:
    """The least objective over every choice of at most one option per job (serving as many jobs as
    possible first when every job must be served), and how many jobs it leaves out."""
    by_job: list[list[int | None]] = [[None] for _ in range(problem.jobs)]
    for index, option in enumerate(problem.options):
        by_job[option.job].append(index)
    best: tuple[int, float] | None = None
    for picks in itertools.product(*by_job):
        load = [0.0] * len(problem.capacities)
        for pick in picks:
            if pick is not None:
                for resource, amount in problem.options[pick].uses:
                    load[resource] += amount
        if any(used > cap + 1e-9 for used, cap in zip(load, problem.capacities, strict=True)):
            continue
        left_out = sum(index is None for index in picks)
        cost = sum(problem.options[i].cost for i in picks if i is not None)
        if problem.unassigned_cost is not None:
            key = (0, cost + problem.unassigned_cost * left_out)
        else:
            key = (left_out, cost)
        if best is None or key < best:
            best = key
    assert best is not None
    return (best[1], best[0]) if problem.unassigned_cost is None else (best[1], -1)


def random_problem(seed: int, *, unassigned_cost: float | None) -> AssignmentProblem:
    """A few jobs, each option using a site's capacity and the stock of an item there (routing-shaped)."""
    rng = np.random.default_rng(seed)
    jobs, sites, items = int(rng.integers(2, 6)), int(rng.integers(1, 4)), 2
    options = []
    for job in range(jobs):
        item = int(rng.integers(items))
        for site in range(sites):
            if rng.random() < 0.8:
                uses = ((site, float(rng.integers(1, 5))), (sites + site * items + item, float(rng.integers(1, 3))))
                options.append(Option(job=job, cost=float(rng.integers(1, 30)), uses=uses))
    capacities = [float(rng.integers(0, 9)) for _ in range(sites)] + [
        float(rng.integers(0, 4)) for _ in range(sites * items)
    ]
    return AssignmentProblem(
        jobs=jobs, options=tuple(options), capacities=tuple(capacities), unassigned_cost=unassigned_cost
    )


def within_capacity(problem: AssignmentProblem, plan: AssignmentPlan) -> bool:
    load = [0.0] * len(problem.capacities)
    for job, index in enumerate(plan.chosen):
        if index is not None:
            assert problem.options[index].job == job
            for resource, amount in problem.options[index].uses:
                load[resource] += amount
    return all(used <= cap + 1e-9 for used, cap in zip(load, problem.capacities, strict=True))


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("unassigned_cost", [None, 12.0])
def test_small_problems_are_solved_to_the_brute_force_optimum(seed: int, unassigned_cost: float | None) -> None:
    problem = random_problem(seed, unassigned_cost=unassigned_cost)
    best, left_out = brute_force(problem)

    plan = solve_assignment(problem, time_limit=5.0, seed=seed)

    assert within_capacity(problem, plan)
    assert plan.objective == pytest.approx(best)
    if unassigned_cost is None:
        assert len(plan.unserved) == left_out
    assert plan.status == "optimal"
    assert plan.gap_pct == 0.0
    assert plan.bound == pytest.approx(plan.objective)
    assert set(plan.unserved) == {job for job, index in enumerate(plan.chosen) if index is None}


def test_the_classic_gap_instance_gap1_1_reaches_its_published_optimum() -> None:
    """OR-Library gap1 problem 1 (5 agents, 15 jobs): minimum 261 (Cattrysse et al. 1994)."""
    from tests.agents.assignment.orlib import gap1_1

    plan = solve_assignment(gap1_1(), time_limit=10.0)

    assert plan.objective == 261
    assert plan.status == "optimal"
    assert plan.unserved == ()


def test_a_job_without_options_is_unserved_at_once_and_the_rest_are_served() -> None:
    problem = AssignmentProblem(
        jobs=3,
        options=(Option(job=0, cost=5.0, uses=((0, 1.0),)), Option(job=2, cost=7.0, uses=((0, 1.0),))),
        capacities=(2.0,),
    )

    plan = solve_assignment(problem, time_limit=2.0)

    assert plan.unserved == (1,)
    assert plan.chosen == (0, None, 1)
    assert plan.objective == 12.0
    assert plan.status == "optimal"


def test_with_an_unassigned_cost_a_job_without_options_costs_it() -> None:
    problem = AssignmentProblem(
        jobs=2, options=(Option(job=0, cost=5.0, uses=((0, 1.0),)),), capacities=(1.0,), unassigned_cost=100.0
    )

    plan = solve_assignment(problem, time_limit=2.0)

    assert plan.unserved == (1,)
    assert plan.objective == 105.0
    assert plan.bound == 105.0


def test_when_capacity_runs_out_the_plan_lists_who_is_left_and_serves_the_rest_cheapest() -> None:
    """Three jobs need one unit each of a resource with two: one must be left out, the dearest one to serve."""
    options = tuple(Option(job=j, cost=float(c), uses=((0, 1.0),)) for j, c in enumerate((4, 9, 2)))
    problem = AssignmentProblem(jobs=3, options=options, capacities=(2.0,))

    plan = solve_assignment(problem, time_limit=2.0)

    assert plan.unserved == (1,)
    assert plan.chosen == (0, None, 2)
    assert plan.objective == 6.0
    assert plan.status == "optimal"


def test_a_job_is_left_out_when_leaving_it_is_cheaper_than_any_option() -> None:
    problem = AssignmentProblem(
        jobs=2,
        options=(Option(job=0, cost=50.0), Option(job=1, cost=3.0)),
        capacities=(),
        unassigned_cost=10.0,
    )

    plan = solve_assignment(problem, time_limit=2.0)

    assert plan.chosen == (None, 1)
    assert plan.objective == 13.0


def tight_problem(agents: int, jobs: int, seed: int) -> AssignmentProblem:
    """Chu and Beasley's type D: costs fall as uses rise, capacity at 80 % of the average need."""
    rng = np.random.default_rng(seed)
    use = rng.integers(1, 101, size=(agents, jobs))
    cost = 111 - use + rng.integers(-10, 11, size=(agents, jobs))
    capacity = np.floor(0.8 * use.sum(axis=1) / agents)
    options = tuple(
        Option(job=j, cost=float(cost[i, j]), uses=((i, float(use[i, j])),)) for j in range(jobs) for i in range(agents)
    )
    return AssignmentProblem(jobs=jobs, options=options, capacities=tuple(capacity.tolist()))


def test_a_time_out_still_returns_a_feasible_plan_with_its_gap() -> None:
    problem = tight_problem(10, 120, seed=1)

    plan = solve_assignment(problem, time_limit=1.0)

    assert plan.seconds < 2.0
    assert plan.unserved == ()
    assert within_capacity(problem, plan)
    assert plan.bound <= plan.objective
    assert plan.gap_pct == pytest.approx(100 * (plan.objective - plan.bound) / plan.objective)
    assert plan.status in ("time_limit", "optimal")
    if plan.status == "time_limit":
        assert plan.gap_pct > 0


def test_the_same_seed_gives_the_same_plan() -> None:
    problem = tight_problem(3, 15, seed=2)

    first = solve_assignment(problem, time_limit=5.0, seed=3)
    second = solve_assignment(problem, time_limit=5.0, seed=3)

    assert first.status == "optimal"
    assert first.chosen == second.chosen


def test_solving_prints_nothing_on_standard_output() -> None:
    """HiGHS prints a banner on the first instance of a process; it must not reach a command's JSON."""
    script = (
        "from agents.assignment import AssignmentProblem, Option, solve_assignment\n"
        "p = AssignmentProblem(jobs=1, options=(Option(job=0, cost=1.0, uses=((0, 1.0),)),), capacities=(1.0,))\n"
        "solve_assignment(p, time_limit=1.0)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout == ""


def test_a_plan_over_capacity_is_repaired_not_trusted() -> None:
    """Rounding can leave a MILP answer a hair over a capacity; the plan is checked from scratch and the
    dearest job on the over-full resource moves to where it fits."""
    from agents.assignment._local_search import repaired
    from agents.assignment._selection import Selection

    options = (
        Option(job=0, cost=1.0, uses=((0, 1.0),)),
        Option(job=1, cost=3.0, uses=((0, 1.0),)),
        Option(job=1, cost=8.0, uses=((1, 1.0),)),
    )
    problem = AssignmentProblem(jobs=2, options=options, capacities=(1.0, 1.0))
    over = Selection(problem.arrays, np.array([0, 1]), penalty=100.0)
    assert over.over_capacity().tolist() == [0]

    fixed = repaired(over)

    assert fixed.chosen.tolist() == [0, 2]
    assert fixed.over_capacity().tolist() == []
