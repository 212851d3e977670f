"""The assignment MILP, for all jobs or for a few (a neighbourhood of the large-neighbourhood search).

One binary per option that fits; per job, its options sum to 1 (with a continuous unserved column costing
the penalty, when a job may be left out); per resource, the options' uses stay within the capacity given
(the whole capacity, or what the jobs outside the neighbourhood leave). Built column by column straight
from the sparse arrays, so 200,000 options take well under a second.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np

from agents.assignment._arrays import Floats, Ints, ProblemArrays
from agents.assignment._exchange import SolutionExchange
from agents.assignment._highs import Status, has_solution, new_highs, run
from agents.assignment._selection import UNSERVED, capacity_slack, use_positions

LARGE_MODEL = 50_000
"""Columns beyond which HiGHS's MIP presolve is skipped: on assignment models it removes nothing, and on
large ones its probing takes seconds before the first bound."""


@dataclass(frozen=True)
class MilpOutcome:
    """How a MILP run ended: the option per job of the run (`UNSERVED` for none) when it found a solution,
    and the proven lower bound of the model's objective (-inf when it proved nothing)."""

    status: Status
    chosen: Ints | None
    bound: float


def options_of_jobs(arrays: ProblemArrays, jobs: Ints) -> tuple[Ints, Ints]:
    """All usable options of `jobs`, and for each the position of its job in `jobs`."""
    first, last = arrays.job_start[jobs], arrays.job_start[jobs + 1]
    counts = last - first
    which = np.repeat(np.arange(len(jobs), dtype=np.int64), counts)
    offsets = np.repeat(first - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    return arrays.by_job[offsets + np.arange(int(counts.sum()), dtype=np.int64)], which


class MilpModel:
    """The MILP over `jobs` with `capacity` per resource; `penalty` None means every job must be served."""

    def __init__(
        self,
        arrays: ProblemArrays,
        jobs: Ints,
        capacity: Floats,
        *,
        penalty: float | None,
        near: Ints | None = None,
        keep: Ints | None = None,
        drop: Ints | None = None,
    ) -> None:
        """With `near` (resources), only options that use one of them are in the model, and those in `keep`;
        options in `drop` are left out."""
        self.arrays = arrays
        self.jobs = jobs
        self.penalty = penalty
        options, row = options_of_jobs(arrays, jobs)
        positions, which = use_positions(arrays, options)
        resource, amount = arrays.resource[positions], arrays.amount[positions]
        limit = capacity + capacity_slack(capacity)
        too_big = np.bincount(which[amount > limit[resource]], minlength=len(options)) > 0
        if near is not None:
            touching = np.bincount(which[np.isin(resource, near)], minlength=len(options)) > 0
            too_big |= ~touching & ~np.isin(options, keep if keep is not None else np.zeros(0, dtype=np.int64))
        if drop is not None:
            too_big |= np.isin(options, drop)
        options, row = options[~too_big], row[~too_big]
        has_uses = arrays.start[options + 1] > arrays.start[options]
        first = np.full(len(options), -1, dtype=np.int64)
        first[has_uses] = arrays.resource[arrays.start[options[has_uses]]]
        order = np.lexsort((row, first))  # columns grouped by the resource they load first, as GAP is written
        options, row = options[order], row[order]
        positions, which = use_positions(arrays, options)
        resource, amount = arrays.resource[positions], arrays.amount[positions]
        self.options = options
        self.row = row
        used = amount > 0
        resource_rows, row_of_use = np.unique(resource[used], return_inverse=True)
        self.lp = self._lp(capacity[resource_rows], which[used], row_of_use, amount[used])

    @property
    def large(self) -> bool:
        return bool(self.lp.num_col_ > LARGE_MODEL)

    def objective(self, chosen: Ints) -> float:
        """The model's objective of `chosen` (an option or `UNSERVED` per job of the model)."""
        served = chosen >= 0
        return float(self.arrays.cost[chosen[served]].sum()) + (self.penalty or 0.0) * int((~served).sum())

    def values(self, chosen: Ints) -> Floats | None:
        """The column values of `chosen`, or None when it is not a solution of this model."""
        picked = np.isin(self.options, chosen[chosen >= 0])
        served = np.bincount(self.row[picked], minlength=len(self.jobs))
        if (served > 1).any() or (self.penalty is None and (served == 0).any()):
            return None
        if int(served.sum()) != int((chosen >= 0).sum()):
            return None  # a chosen option is not in the model (it no longer fits)
        slack = (served == 0).astype(np.float64) if self.penalty is not None else np.zeros(0)
        return np.concatenate((picked.astype(np.float64), slack))

    def chosen(self, values: Floats) -> Ints:
        """The option per job of the model that column `values` pick (`UNSERVED` for none)."""
        chosen = np.full(len(self.jobs), UNSERVED, dtype=np.int64)
        picked = np.asarray(values)[: len(self.options)] > 0.5
        chosen[self.row[picked]] = self.options[picked]
        return chosen

    def solve(
        self,
        *,
        start: Ints | None,
        time_limit: float,
        seed: int,
        exchange: SolutionExchange | None = None,
        presolve: bool = True,
    ) -> MilpOutcome:
        """Run HiGHS from `start` (an option or `UNSERVED` per job of the model, if it is a solution).

        With an `exchange`, every better solution HiGHS finds is offered to it, and the better plans other
        searches put there are given to HiGHS while it runs. HiGHS's presolve removes nothing from these
        models; skipping it and the start heuristics (`presolve` False, for a neighbourhood's small MILP, which
        has its start) makes such a MILP about twice as fast.
        """
        highs = new_highs(time_limit=time_limit, seed=seed)
        if self.large or not presolve:
            highs.setOptionValue("presolve", "off")
        if not presolve:  # a neighbourhood: it starts from a plan, so HiGHS's own start heuristics are moot
            for heuristic in ("feasibility_jump", "rins", "rens", "root_reduced_cost"):
                highs.setOptionValue(f"mip_heuristic_run_{heuristic}", False)
        highs.passModel(self.lp)
        warm = self.values(start) if start is not None else None
        if warm is not None:
            solution = highspy.HighsSolution()
            solution.col_value = warm
            solution.value_valid = True
            highs.setSolution(solution)
        if exchange is not None:
            self._connect(highs, exchange)
        status = run(highs)
        if exchange is not None:
            exchange.close(optimal=status == "optimal")
        bound = float(highs.getInfo().mip_dual_bound) if status in ("optimal", "time_limit") else -math.inf
        bound = bound if math.isfinite(bound) else -math.inf
        if not has_solution(highs):
            return MilpOutcome(status=status, chosen=None, bound=bound)
        return MilpOutcome(status=status, chosen=self.chosen(np.asarray(highs.getSolution().col_value)), bound=bound)

    def _connect(self, highs: highspy.Highs, exchange: SolutionExchange) -> None:
        def found(event: highspy.highs.HighsCallbackEvent) -> None:
            chosen = self.chosen(np.asarray(event.data_out.mip_solution))
            exchange.offer_from_milp(self.objective(chosen), chosen)

        def asked(event: highspy.highs.HighsCallbackEvent) -> None:
            offered = exchange.take_for_milp(better_than=float(event.data_out.mip_primal_bound))
            values = self.values(offered) if offered is not None else None
            if values is not None and event.data_in is not None:
                event.data_in.setSolution(values)

        def stop_when_late(event: highspy.highs.HighsCallbackEvent) -> None:
            if time.perf_counter() > exchange.deadline:
                event.interrupt()

        highs.cbMipImprovingSolution.subscribe(found)
        highs.cbMipUserSolution.subscribe(asked)
        highs.cbMipInterrupt.subscribe(stop_when_late)

    def _lp(self, resource_capacity: Floats, use_column: Ints, use_row: Ints, use_amount: Floats) -> highspy.HighsLp:
        n_jobs, n_options = len(self.jobs), len(self.options)
        n_slack = n_jobs if self.penalty is not None else 0
        per_column = 1 + np.bincount(use_column, minlength=n_options)
        start = np.zeros(n_options + n_slack + 1, dtype=np.int64)
        np.cumsum(np.concatenate((per_column, np.ones(n_slack, dtype=np.int64))), out=start[1:])
        index = np.empty(int(start[-1]), dtype=np.int32)
        value = np.empty(int(start[-1]), dtype=np.float64)
        index[start[:n_options]] = self.row
        value[start[:n_options]] = 1.0
        uses = per_column - 1
        within = np.arange(len(use_column)) - np.repeat(np.cumsum(uses) - uses, uses)
        index[start[use_column] + 1 + within] = n_jobs + use_row
        value[start[use_column] + 1 + within] = use_amount
        index[start[n_options : n_options + n_slack]] = np.arange(n_slack)
        value[start[n_options : n_options + n_slack]] = 1.0
        lp = highspy.HighsLp()
        lp.num_col_ = n_options + n_slack
        lp.num_row_ = n_jobs + len(resource_capacity)
        lp.col_cost_ = np.concatenate((self.arrays.cost[self.options], np.full(n_slack, self.penalty or 0.0)))
        lp.col_lower_ = np.zeros(n_options + n_slack)
        lp.col_upper_ = np.ones(n_options + n_slack)
        lp.row_lower_ = np.concatenate((np.ones(n_jobs), np.full(len(resource_capacity), -highspy.kHighsInf)))
        lp.row_upper_ = np.concatenate((np.ones(n_jobs), resource_capacity))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = start.astype(np.int32)
        lp.a_matrix_.index_ = index
        lp.a_matrix_.value_ = value
        kinds = [highspy.HighsVarType.kInteger] * n_options + [highspy.HighsVarType.kContinuous] * n_slack
        lp.integrality_ = kinds
        return lp


def solve_milp(
    arrays: ProblemArrays,
    jobs: Ints,
    capacity: Floats,
    *,
    penalty: float | None,
    start: Ints | None,
    time_limit: float,
    seed: int,
    near: Ints | None = None,
    drop: Ints | None = None,
) -> MilpOutcome:
    """Build and solve the MILP over `jobs` in one call (a neighbourhood of the search: no presolve)."""
    model = MilpModel(arrays, jobs, capacity, penalty=penalty, near=near, keep=start, drop=drop)
    return model.solve(start=start if drop is None else None, time_limit=time_limit, seed=seed, presolve=False)
