"""Local search on a selection: shift one job to a cheaper option, or shift two jobs together (a swap).

A shift that fits is taken at once, the most saving first (candidates are found for all jobs at once with
array operations, so 10,000 jobs cost milliseconds). A swap is for the move a shift cannot make: job j's
cheaper option is blocked by a resource that job k holds, and moving k elsewhere at the same time frees it
for a net saving. Both stop at a deadline.
"""

from __future__ import annotations

import time

import numpy as np

from agents.assignment._arrays import Flags, Floats, Ints
from agents.assignment._selection import UNSERVED, Selection, capacity_slack, use_positions

SAVING = 1e-9
"""A move must save more than this (relative to the costs involved) to count."""


def improve(selection: Selection, deadline: float, rng: np.random.Generator) -> None:
    """Shift and swap until neither helps or `deadline` (a `time.perf_counter()` value) passes."""
    while time.perf_counter() < deadline:
        shifted = shift_pass(selection)
        swapped = swap_pass(selection, deadline, rng) if time.perf_counter() < deadline else 0
        if not shifted and not swapped:
            return


def repaired(selection: Selection) -> Selection:
    """`selection` with no resource over capacity (rounding in a MILP answer can cause that): jobs leave each
    over-full resource, dearest first, then shifts put them back wherever they fit."""
    over = selection.over_capacity()
    if len(over) == 0:
        return selection
    arrays = selection.arrays
    fixed = Selection(arrays, selection.chosen.copy(), selection.penalty)
    served = np.flatnonzero(fixed.chosen >= 0)
    positions, which = use_positions(arrays, fixed.chosen[served])
    for resource in over.tolist():
        holders = served[which[arrays.resource[positions] == resource]]
        for job in holders[np.argsort(-arrays.cost[fixed.chosen[holders]], kind="stable")].tolist():
            if fixed.load[resource] <= arrays.capacity[resource]:
                break
            fixed.assign(job, UNSERVED)
    fixed = Selection(arrays, fixed.chosen, fixed.penalty)
    shift_pass(fixed)
    return fixed


def shift_pass(selection: Selection) -> int:
    """Take every single-job move to a cheaper option that fits, most saving first; returns how many."""
    arrays = selection.arrays
    options = arrays.by_job
    saving = arrays.cost[options] - selection.job_cost()[arrays.job[options]]
    better = saving < -SAVING * np.maximum(1.0, np.abs(arrays.cost[options]))
    candidates, saving = options[better], saving[better]
    if len(candidates) == 0:
        return 0
    fit = _fit_now(selection, candidates)
    candidates, saving = candidates[fit], saving[fit]
    moved = 0
    cost = arrays.cost
    for option in candidates[np.argsort(saving, kind="stable")].tolist():
        job = int(arrays.job[option])
        current = int(selection.chosen[job])
        if (current < 0 or cost[option] < cost[current]) and selection.fits(option):
            selection.assign(job, option)
            moved += 1
    return moved


def _fit_now(selection: Selection, candidates: Ints) -> Flags:
    """Which of `candidates` fit, each on its own, after their job gives up its current option."""
    arrays = selection.arrays
    positions, which = use_positions(arrays, candidates)
    resource, amount = arrays.resource[positions], arrays.amount[positions]
    jobs = arrays.job[candidates][which]
    served = np.flatnonzero(selection.chosen >= 0)
    held_positions, held_which = use_positions(arrays, selection.chosen[served])
    held_keys = served[held_which] * arrays.resources + arrays.resource[held_positions]
    order = np.argsort(held_keys)
    held_keys, held_amounts = held_keys[order], arrays.amount[held_positions][order]
    keys = jobs * arrays.resources + resource
    at = np.minimum(np.searchsorted(held_keys, keys), max(len(held_keys) - 1, 0))
    freed: Floats = np.where(held_keys[at] == keys, held_amounts[at], 0.0) if len(held_keys) else np.zeros(len(keys))
    limit = arrays.capacity + capacity_slack(arrays.capacity)
    over = selection.load[resource] - freed + amount > limit[resource]
    fits: Flags = np.bincount(which[over], minlength=len(candidates)) == 0
    return fits


class _Holders:
    """Which jobs hold each resource now, kept up to date as jobs move."""

    def __init__(self, selection: Selection) -> None:
        arrays = selection.arrays
        served = np.flatnonzero(selection.chosen >= 0)
        positions, which = use_positions(arrays, selection.chosen[served])
        self._by_resource: dict[int, set[int]] = {}
        for resource, job in zip(arrays.resource[positions].tolist(), served[which].tolist(), strict=True):
            self._by_resource.setdefault(resource, set()).add(job)

    def of(self, resource: int) -> list[int]:
        return sorted(self._by_resource.get(resource, ()))

    def move(self, job: int, old: list[int], new: list[int]) -> None:
        for resource in old:
            self._by_resource.get(resource, set()).discard(job)
        for resource in new:
            self._by_resource.setdefault(resource, set()).add(job)


def swap_pass(selection: Selection, deadline: float, rng: np.random.Generator, jobs: Ints | None = None) -> int:
    """Two-job moves (j to a blocked cheaper option, k out of j's way) that save in total, for every job j or
    those in `jobs`; returns how many."""
    return _Swaps(selection).run(deadline, rng, jobs)


class _Swaps:
    """The swap neighbourhood, on plain Python numbers (these loops touch a handful of values each)."""

    def __init__(self, selection: Selection) -> None:
        self.selection = selection
        self.arrays = selection.arrays
        self.cost: list[float] = self.arrays.cost.tolist()
        self.limit: list[float] = (self.arrays.capacity + capacity_slack(self.arrays.capacity)).tolist()
        self.holders = _Holders(selection)
        self._uses: dict[int, list[tuple[int, float]]] = {}

    def run(self, deadline: float, rng: np.random.Generator, jobs: Ints | None) -> int:
        swapped = 0
        order = rng.permutation(self.arrays.jobs) if jobs is None else rng.permutation(jobs)
        for job in order.tolist():
            if time.perf_counter() > deadline:
                break
            here = self.job_cost(job)
            for option in self.arrays.options_of(job).tolist():
                gain = here - self.cost[option]
                if gain <= SAVING * max(1.0, abs(here)):
                    break
                delta = self.change([(job, option)])
                blocked = [r for r, d in delta.items() if d > 0 and self.selection.load[r] + d > self.limit[r]]
                moves = [(job, option)]
                if blocked:
                    partner = self.partner(job, option, gain, blocked)
                    if partner is None:
                        continue
                    moves.append(partner)
                for moved_job, moved_option in moves:
                    old = [r for r, _ in self.uses_of(int(self.selection.chosen[moved_job]))]
                    self.selection.assign(moved_job, moved_option)
                    self.holders.move(moved_job, old, [r for r, _ in self.uses_of(moved_option)])
                swapped += 1
                break
        return swapped

    def partner(self, job: int, option: int, gain: float, blocked: list[int]) -> tuple[int, int] | None:
        """A job k and an option for it that, moved together with `job` to `option`, fit and save in total."""
        for resource in blocked:
            for other in self.holders.of(resource):
                if other == job:
                    continue
                there = self.job_cost(other)
                for other_option in self.arrays.options_of(other).tolist():
                    extra = self.cost[other_option] - there
                    if extra >= gain - SAVING * max(1.0, abs(there)):
                        break
                    if other_option != self.selection.chosen[other] and self.fits(
                        self.change([(job, option), (other, other_option)])
                    ):
                        return other, other_option
        return None

    def uses_of(self, option: int) -> list[tuple[int, float]]:
        if option < 0:
            return []
        if option not in self._uses:
            resources, amounts = self.arrays.uses_of(option)
            self._uses[option] = list(zip(resources.tolist(), amounts.tolist(), strict=True))
        return self._uses[option]

    def job_cost(self, job: int) -> float:
        option = int(self.selection.chosen[job])
        return self.cost[option] if option >= 0 else self.selection.penalty

    def change(self, moves: list[tuple[int, int]]) -> dict[int, float]:
        """The net change of load per resource if each job in `moves` switched to its option."""
        delta: dict[int, float] = {}
        for job, option in moves:
            for resource, amount in self.uses_of(int(self.selection.chosen[job])):
                delta[resource] = delta.get(resource, 0.0) - amount
            for resource, amount in self.uses_of(option):
                delta[resource] = delta.get(resource, 0.0) + amount
        return delta

    def fits(self, delta: dict[int, float]) -> bool:
        load = self.selection.load
        return all(d <= 0 or load[r] + d <= self.limit[r] for r, d in delta.items())
