"""`solve_assignment`: a good plan fast, then the exact MILP with a search beside it, within a time budget.

1. Regret greedy and local search (shift, swap) give a feasible plan, in milliseconds for a few hundred jobs
   and about a second for 10,000.
2. HiGHS solves the whole MILP from that plan (a warm start) in a thread of its own, for the whole budget
   (less a margin on large models, where HiGHS can overrun its limit). Most problems are proved optimal in
   the first moments, and then nothing else runs: for a given seed the plan is the same every time.
3. If the MILP is still running after a short grace period, large-neighbourhood search works on the other
   core: it improves the best plan with small MILPs, hands each improvement to the running MILP (HiGHS's
   user-solution callback), and takes the MILP's own improvements. Its plans prune the MILP's tree; the
   bound stays the MILP's. Which plans the two trade depends on timing, so time-limited runs can differ.
Every plan returned is checked against the capacities from scratch; a MILP answer that rounding pushed over
a capacity is repaired rather than trusted.
"""

from __future__ import annotations

import math
import threading
import time

import numpy as np

from agents.assignment._arrays import ProblemArrays
from agents.assignment._errors import AssignmentError
from agents.assignment._exchange import SolutionExchange
from agents.assignment._greedy import greedy_start
from agents.assignment._lns import NeighbourhoodSearch
from agents.assignment._local_search import improve, repaired
from agents.assignment._milp import MilpModel, MilpOutcome
from agents.assignment._plan import AssignmentPlan, PlanStatus
from agents.assignment._problem import AssignmentProblem
from agents.assignment._selection import UNSERVED, Selection

LOCAL_SEARCH_SHARE = 0.03
"""Of the budget, the most the first local search may take."""
GRACE_SHARE = 0.1
"""Of the budget, how long the MILP runs alone before the neighbourhood search joins it."""
LARGE_MODEL_MARGIN = 0.3
"""Of the time left, what a large model's MILP is told to leave unused: HiGHS checks its clock only now and
then, and on a large model (many seconds per LP) it can overrun its limit by seconds."""
MAX_TIME_LIMIT = 86_400.0


def solve_assignment(problem: AssignmentProblem, *, time_limit: float = 10.0, seed: int = 0) -> AssignmentPlan:
    """The cheapest plan found within `time_limit` seconds, with the solver's proven bound and the gap.

    For a given `seed` the plan is the same whenever the MILP finishes within the grace period (most
    problems); a run cut short by the time limit depends on how far the machine got.
    """
    if isinstance(time_limit, bool) or not isinstance(time_limit, int | float) or not 0 < time_limit <= MAX_TIME_LIMIT:
        raise AssignmentError(f"time_limit must be a number of seconds in (0, {MAX_TIME_LIMIT:g}], got {time_limit!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise AssignmentError(f"seed must be a whole number >= 0, got {seed!r}")
    began = time.perf_counter()
    deadline = began + float(time_limit)
    arrays = problem.arrays
    rng = np.random.default_rng(seed)
    penalty = arrays.unassigned_cost if arrays.unassigned_cost is not None else _big_penalty(arrays)
    selection = greedy_start(arrays, penalty, began + LOCAL_SEARCH_SHARE * time_limit, rng)
    improve(selection, began + LOCAL_SEARCH_SHARE * time_limit, rng)
    servable = np.flatnonzero(np.diff(arrays.job_start) > 0)
    if len(servable) == 0:
        return _plan(arrays, selection, None, penalty, "regret", time.perf_counter() - began)
    model = MilpModel(arrays, servable, arrays.capacity, penalty=_model_penalty(arrays, selection, penalty))
    exchange = SolutionExchange(deadline)
    outcomes: list[MilpOutcome] = []
    failures: list[BaseException] = []

    def solve() -> None:
        try:
            left = deadline - time.perf_counter()
            left -= LARGE_MODEL_MARGIN * left if model.large else 0.02
            start = selection.chosen[servable]
            outcomes.append(model.solve(start=start, time_limit=left, seed=seed, exchange=exchange))
        except BaseException as error:  # handed to the caller's thread below
            failures.append(error)
            exchange.close()

    method = ["regret", "local", "milp"]
    thread = threading.Thread(target=solve, name="assignment-milp", daemon=True)
    thread.start()
    try:
        exchange.finished.wait(timeout=GRACE_SHARE * time_limit)
        if not exchange.optimal:
            search = NeighbourhoodSearch(
                selection.copy(), model, rng=rng, step_limit=_step_limit(time_limit), exchange=exchange
            )
            search.run(deadline)
            if search.selection.score() < selection.score():
                selection = search.selection
            method.append("lns")
    except BaseException:
        exchange.deadline = -math.inf  # HiGHS stops at its next callback
        raise
    finally:
        thread.join()  # never leave HiGHS running past the call (a process ending under it aborts)
    if failures:
        raise failures[0]
    outcome = outcomes[0]
    found = outcome.chosen
    if found is not None:
        chosen = np.full(arrays.jobs, UNSERVED, dtype=np.int64)
        chosen[servable] = found
        candidate = repaired(Selection(arrays, chosen, penalty))
        if candidate.score() <= selection.score():
            selection = candidate
    return _plan(arrays, selection, outcome, penalty, "+".join(method), time.perf_counter() - began)


def _big_penalty(arrays: ProblemArrays) -> float:
    """An unserved cost so high that serving one more job always pays: more than the cost of any plan
    minus that of any other (each job's dearest option in absolute terms, summed)."""
    options = arrays.by_job
    if len(options) == 0:
        return 1.0
    dearest = np.zeros(arrays.jobs)
    np.maximum.at(dearest, arrays.job[options], np.abs(arrays.cost[options]))
    return float(dearest.sum() + 1.0)


def _model_penalty(arrays: ProblemArrays, selection: Selection, penalty: float) -> float | None:
    """The unserved cost in the MILP: the problem's, or none at all while every servable job is served."""
    if arrays.unassigned_cost is not None:
        return arrays.unassigned_cost
    unserved = selection.unserved
    return penalty if (np.diff(arrays.job_start)[unserved] > 0).any() else None


def _step_limit(time_limit: float) -> float:
    return min(1.0, max(0.05, time_limit / 20))


def _plan(
    arrays: ProblemArrays,
    selection: Selection,
    outcome: MilpOutcome | None,
    penalty: float,
    method: str,
    seconds: float,
) -> AssignmentPlan:
    if len(selection.over_capacity()):
        raise AssignmentError("internal error: the plan found uses a resource beyond its capacity")
    unserved = selection.unserved
    cost = selection.cost()
    unassigned = arrays.unassigned_cost
    objective = cost + (unassigned * len(unserved) if unassigned is not None else 0.0)
    servable = np.diff(arrays.job_start) > 0
    left_out = int(servable[unserved].sum())
    bound = _cheapest_bound(arrays, left_out)
    if outcome is not None and math.isfinite(outcome.bound):
        milp_bound = outcome.bound
        if unassigned is not None:
            milp_bound += unassigned * int((~servable).sum())
        elif left_out:
            milp_bound -= penalty * left_out
        bound = max(bound, milp_bound)
    if _whole_costs(arrays):
        bound = math.ceil(bound - 1e-6)
    bound = min(bound, objective)
    gap = 100.0 * (objective - bound) / max(abs(objective), 1e-9)
    status: PlanStatus
    if gap <= 1e-9:
        status, gap = "optimal", 0.0
    elif outcome is not None and math.isfinite(outcome.bound):
        status = "time_limit"
    else:
        status = "heuristic"
    chosen = tuple(int(o) if o >= 0 else None for o in selection.chosen.tolist())
    return AssignmentPlan(
        chosen=chosen,
        unserved=tuple(unserved.tolist()),
        objective=objective,
        bound=float(bound),
        gap_pct=gap,
        status=status,
        method=method,
        seconds=seconds,
    )


def _cheapest_bound(arrays: ProblemArrays, left_out: int) -> float:
    """Each job at its cheapest option (or unserved cost): a bound that needs no solver."""
    lowest = np.full(arrays.jobs, np.inf)
    np.minimum.at(lowest, arrays.job[arrays.by_job], arrays.cost[arrays.by_job])
    unassigned = arrays.unassigned_cost
    if unassigned is not None:
        return float(np.minimum(lowest, unassigned).sum())
    finite = np.sort(lowest[np.isfinite(lowest)])
    return float(finite[: len(finite) - left_out].sum())


def _whole_costs(arrays: ProblemArrays) -> bool:
    costs = arrays.cost[arrays.by_job]
    whole = bool(np.all(costs == np.floor(costs)))
    unassigned = arrays.unassigned_cost
    return whole and (unassigned is None or float(unassigned).is_integer())
