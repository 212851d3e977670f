"""Regret greedy: serve first the job that would lose most if its best option were taken from it.

The classic construction for generalised assignment (Martello and Toth's MTHG): each job's regret is the
difference between its best and second-best option that still fits; the job with the largest regret is
served with its best option, the capacities shrink, and the regrets are brought up to date lazily (a job
whose regret fell since it was queued goes back into the queue).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import numpy as np

from agents.assignment._arrays import Floats, Ints, ProblemArrays
from agents.assignment._local_search import swap_pass
from agents.assignment._selection import Selection, capacity_slack

Desirability = Callable[[ProblemArrays], Floats]
"""Per option, how undesirable it is to choose it (lower is better)."""


def by_cost(arrays: ProblemArrays) -> Floats:
    return arrays.cost


def by_pressure(arrays: ProblemArrays) -> Floats:
    """The share of each resource's capacity an option takes, summed: for problems where capacity is tight."""
    owners = np.repeat(np.arange(arrays.options, dtype=np.int64), np.diff(arrays.start))
    capacity = arrays.capacity[arrays.resource]
    share = np.divide(arrays.amount, capacity, out=np.zeros(len(capacity)), where=capacity > 0)
    return np.asarray(np.bincount(owners, weights=share, minlength=arrays.options), dtype=np.float64)


def regret_greedy(arrays: ProblemArrays, penalty: float, desirability: Floats) -> Selection:
    """One regret-greedy construction with `desirability` per option; jobs that cannot fit stay unserved."""
    kept = arrays.by_job
    order = kept[np.lexsort((desirability[kept], arrays.job[kept]))]
    starts = arrays.job_start
    residual = arrays.capacity + capacity_slack(arrays.capacity)
    resource, amount, start = arrays.resource, arrays.amount, arrays.start
    chosen = np.full(arrays.jobs, -1, dtype=np.int64)

    def best_two(job: int) -> list[int]:
        found: list[int] = []
        for option in order[starts[job] : starts[job + 1]].tolist():
            lo, hi = start[option], start[option + 1]
            if lo == hi or bool(np.all(amount[lo:hi] <= residual[resource[lo:hi]])):
                found.append(option)
                if len(found) == 2:
                    break
        return found

    def regret(found: list[int]) -> float:
        return float(desirability[found[1]] - desirability[found[0]]) if len(found) > 1 else np.inf

    queue: list[tuple[float, int]] = []
    for job in np.flatnonzero(np.diff(starts)).tolist():
        found = best_two(job)
        if found:
            queue.append((-regret(found), job))
    heapq.heapify(queue)
    while queue:
        queued, job = heapq.heappop(queue)
        found = best_two(job)
        if not found:
            continue
        now = regret(found)
        if now < -queued and queue and -queue[0][0] > now:
            heapq.heappush(queue, (-now, job))
            continue
        option = found[0]
        lo, hi = start[option], start[option + 1]
        residual[resource[lo:hi]] -= amount[lo:hi]
        chosen[job] = option
    return Selection(arrays, chosen, penalty)


def greedy_start(arrays: ProblemArrays, penalty: float, deadline: float, rng: np.random.Generator) -> Selection:
    """A cost-led regret greedy; if it leaves servable jobs out, swaps try to fit them in, and a capacity-led
    greedy (for problems where capacity, not cost, is what matters) is tried too; the better one wins."""
    best = regret_greedy(arrays, penalty, by_cost(arrays))
    if len(_servable(arrays, best.unserved)):
        swap_pass(best, deadline, rng, _servable(arrays, best.unserved))
    if len(_servable(arrays, best.unserved)):
        other = regret_greedy(arrays, penalty, by_pressure(arrays))
        if other.score() < best.score():
            best = other
    return best


def _servable(arrays: ProblemArrays, jobs: Ints) -> Ints:
    return jobs[arrays.job_start[jobs + 1] > arrays.job_start[jobs]]
