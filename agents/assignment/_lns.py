"""Large-neighbourhood search: free a few jobs, solve their MILP exactly with the rest held, keep what helps.

A neighbourhood is the jobs holding a few resources (one picked at random, the others drawn in proportion to
their spare capacity, so that tight resources are re-packed together with slack ones), and its MILP offers
them only the options that use one of those resources (for a warehouse: re-pack these warehouses); or, now
and then, a few jobs drawn at random with all their options. The MILP gets the capacity the other jobs leave
and the current choice as a start, so it can only stay or improve; equal-cost changes are kept too, to move
across plateaus. The neighbourhood
grows while its MILPs are solved fast without gain and shrinks when they run out of time.
"""

from __future__ import annotations

import math
import time

import numpy as np

from agents.assignment._arrays import Ints
from agents.assignment._exchange import SolutionExchange
from agents.assignment._local_search import repaired
from agents.assignment._milp import MilpModel, solve_milp
from agents.assignment._selection import UNSERVED, Selection, loads_of, use_positions

RANDOM_SHARE = 0.25
"""Share of neighbourhoods drawn as random jobs rather than around resources."""
REGRET_SHARE = 0.5
"""Share of neighbourhoods around resources that start from a job kept off its cheapest option."""
KICK_AFTER = 30
"""Steps without a better plan after which the search is kicked elsewhere."""
KICKED_JOBS = 2
CLOSED = True
"""Whether a neighbourhood around resources offers only the options that use them (smaller, faster MILPs)."""
FIRST_SIZE = 12
SMALLEST_SIZE = 4


class NeighbourhoodSearch:
    """Improves `selection` (the best plan is `self.selection`); `model` is the whole problem's MILP, whose
    jobs and unserved penalty the neighbourhoods share. With an `exchange`, the search trades plans with that
    MILP running in another thread, and stops when that MILP has proved its plan optimal."""

    def __init__(
        self,
        selection: Selection,
        model: MilpModel,
        *,
        rng: np.random.Generator,
        step_limit: float,
        exchange: SolutionExchange | None = None,
    ) -> None:
        self.selection = selection
        self.model = model
        self.penalty = model.penalty
        self.exchange = exchange
        self.rng = rng
        self.step_limit = step_limit
        self.size = FIRST_SIZE
        self.steps = 0
        self.improvements = 0
        self._idle = 0
        self._holders: tuple[Ints, Ints] | None = None
        self.best = selection.copy()
        self._since_best = 0

    def run(self, deadline: float) -> None:
        servable = self.model.jobs
        if len(servable) == 0:
            return
        while (left := deadline - time.perf_counter()) > 0.01:
            if self.exchange is not None:
                if self.exchange.optimal:
                    break
                self._trade()
            jobs, near = self._neighbourhood(servable)
            kick = self._since_best >= KICK_AFTER
            took = time.perf_counter()
            optimal, gained = self._step(jobs, near, min(self.step_limit, left), kick=kick)
            took = time.perf_counter() - took
            self.steps += 1
            self._since_best = 0 if kick else self._since_best + 1
            if self.selection.score() < _lower(self.best.score()):
                self.best = self.selection.copy()
                self.improvements += 1
                self._since_best = 0
                if self.exchange is not None:
                    chosen = self.best.chosen[servable]
                    self.exchange.offer_from_search(self.model.objective(chosen), chosen)
            if gained:
                self._idle = 0
            elif optimal and took < self.step_limit / 4:
                self._idle += 1
            if not optimal:
                self.size = max(SMALLEST_SIZE, math.floor(self.size * 0.8))
                self._idle = 0
            elif self._idle >= 10:
                self.size = min(len(servable), math.ceil(self.size * 1.25))
                self._idle = 0
        self.selection = self.best

    def _trade(self) -> None:
        """Take the MILP's plan when it is better than ours."""
        assert self.exchange is not None
        servable = self.model.jobs
        offered = self.exchange.take_from_milp(better_than=self.model.objective(self.best.chosen[servable]))
        if offered is None:
            return
        chosen = np.full(self.selection.arrays.jobs, UNSERVED, dtype=np.int64)
        chosen[servable] = offered
        candidate = repaired(Selection(self.selection.arrays, chosen, self.selection.penalty))
        if candidate.score() < self.best.score():
            self.selection, self.best = candidate, candidate.copy()
            self._holders = None
            self._since_best = 0

    def _step(self, jobs: Ints, near: Ints | None, limit: float, *, kick: bool = False) -> tuple[bool, bool]:
        """Re-solve `jobs` (with options near resources `near`, if given); returns (the MILP finished, the plan
        got cheaper). A `kick` forces a few of the jobs off their options and takes the result even if it
        costs more: after many steps without a better plan, the search moves elsewhere (the best is kept)."""
        selection = self.selection
        arrays = selection.arrays
        current = selection.chosen[jobs]
        held = current[current >= 0]
        residual = arrays.capacity - selection.load + loads_of(arrays, held)
        before = float(selection.job_cost()[jobs].sum())
        forced = self.rng.choice(held, size=min(len(held), KICKED_JOBS), replace=False) if kick else None
        outcome = solve_milp(
            arrays,
            jobs,
            residual,
            penalty=self.penalty,
            start=current,
            time_limit=limit,
            seed=int(self.rng.integers(2**31 - 1)),
            near=near if CLOSED else None,
            drop=forced,
        )
        if outcome.chosen is None:
            return outcome.status == "optimal", False
        after_cost = np.where(outcome.chosen >= 0, arrays.cost[np.maximum(outcome.chosen, 0)], selection.penalty)
        after = float(after_cost.sum())
        if (after > before + 1e-9 * max(1.0, abs(before)) and not kick) or np.array_equal(outcome.chosen, current):
            return outcome.status == "optimal", False
        for job, option in zip(jobs.tolist(), outcome.chosen.tolist(), strict=True):
            selection.assign(job, option)
        self._holders = None
        return outcome.status == "optimal", after < before - 1e-9 * max(1.0, abs(before))

    def _neighbourhood(self, servable: Ints) -> tuple[Ints, Ints | None]:
        """Jobs to free, and the resources they were picked by (None for random jobs)."""
        size = min(self.size, len(servable))
        if self.rng.random() < RANDOM_SHARE:
            return np.sort(self.rng.choice(servable, size=size, replace=False)), None
        bounds, holding = self._resource_holders()
        active = np.flatnonzero(np.diff(bounds) > 0)
        if len(active) == 0:
            return np.sort(self.rng.choice(servable, size=size, replace=False)), None
        arrays = self.selection.arrays
        spare = np.clip(arrays.capacity[active] - self.selection.load[active], 0.0, None)
        weight = spare / np.maximum(arrays.capacity[active], 1e-12) + 1e-3
        seeds = self._seed_resources(servable) if self.rng.random() < REGRET_SHARE else []
        first = seeds[0] if seeds else int(self.rng.choice(active))
        picked: list[Ints] = [holding[bounds[first] : bounds[first + 1]]]
        resources = [first]
        for resource in seeds[1:]:
            picked.append(holding[bounds[resource] : bounds[resource + 1]])
            resources.append(resource)
        count = sum(len(p) for p in picked)
        order = self.rng.choice(active, size=len(active), replace=False, p=weight / weight.sum())
        for resource in order.tolist():
            if count >= size:
                break
            if resource not in resources:
                picked.append(holding[bounds[resource] : bounds[resource + 1]])
                resources.append(resource)
                count += len(picked[-1])
        jobs = np.unique(np.concatenate(picked))
        unserved = np.intersect1d(self.selection.unserved, servable)
        if len(unserved):
            extra = self.rng.choice(unserved, size=min(len(unserved), max(1, size // 4)), replace=False)
            jobs = np.union1d(jobs, extra)
        if len(jobs) > 2 * size:
            jobs = np.sort(self.rng.choice(jobs, size=2 * size, replace=False))
        return jobs, np.asarray(resources, dtype=np.int64)

    def _seed_resources(self, servable: Ints) -> list[int]:
        """The resources of a job's current option and of its cheapest option, the job drawn in proportion to
        what its current option costs beyond its cheapest: where a cheaper plan would have to make room."""
        arrays = self.selection.arrays
        extra = self.selection.job_cost()[servable] - arrays.cost[arrays.by_job[arrays.job_start[servable]]]
        if not (extra > 0).any():
            return []
        job = int(self.rng.choice(servable, p=np.clip(extra, 0.0, None) / np.clip(extra, 0.0, None).sum()))
        cheapest = int(arrays.by_job[arrays.job_start[job]])
        current = int(self.selection.chosen[job])
        found = arrays.uses_of(cheapest)[0].tolist() + (arrays.uses_of(current)[0].tolist() if current >= 0 else [])
        return list(dict.fromkeys(found))

    def _resource_holders(self) -> tuple[Ints, Ints]:
        """The jobs holding each resource: resource r's are `holding[bounds[r]:bounds[r + 1]]` (recomputed
        only after the plan changed)."""
        if self._holders is None:
            arrays = self.selection.arrays
            served = np.flatnonzero(self.selection.chosen >= 0)
            positions, which = use_positions(arrays, self.selection.chosen[served])
            resources, jobs = arrays.resource[positions], served[which]
            order = np.argsort(resources, kind="stable")
            bounds = np.searchsorted(resources[order], np.arange(arrays.resources + 1))
            self._holders = (bounds.astype(np.int64), jobs[order])
        return self._holders


def _lower(score: float) -> float:
    return score - 1e-9 * max(1.0, abs(score))
