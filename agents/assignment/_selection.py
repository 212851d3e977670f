"""A working solution: the option chosen for each job (or none) and the load it puts on each resource."""

from __future__ import annotations

import numpy as np

from agents.assignment._arrays import Floats, Ints, ProblemArrays

UNSERVED = -1
"""`Selection.chosen[job]` of a job left out."""


def capacity_slack(capacity: Floats) -> Floats:
    """How far a load may pass a capacity before it counts as over: rounding, never a real excess."""
    return 1e-9 * np.maximum(1.0, np.abs(capacity))


def use_positions(arrays: ProblemArrays, options: Ints) -> tuple[Ints, Ints]:
    """For each use of `options`: its position in `arrays.resource`/`amount`, and which of `options` it is."""
    counts = arrays.start[options + 1] - arrays.start[options]
    which = np.repeat(np.arange(len(options), dtype=np.int64), counts)
    firsts = np.repeat(arrays.start[options] - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    return firsts + np.arange(int(counts.sum()), dtype=np.int64), which


def loads_of(arrays: ProblemArrays, options: Ints) -> Floats:
    """What `options` use of each resource together, summed from scratch."""
    positions, _ = use_positions(arrays, options)
    load = np.bincount(arrays.resource[positions], weights=arrays.amount[positions], minlength=arrays.resources)
    return np.asarray(load, dtype=np.float64)


class Selection:
    """The chosen option per job (`UNSERVED` for none) and the resulting `load` per resource.

    `penalty` is what leaving a job unserved costs in the search: the problem's `unassigned_cost`, or, when
    every job must be served, a cost larger than any reshuffle of the others could save.
    """

    def __init__(self, arrays: ProblemArrays, chosen: Ints, penalty: float) -> None:
        self.arrays = arrays
        self.chosen = chosen
        self.penalty = penalty
        self.load = loads_of(arrays, chosen[chosen >= 0])
        self._limit = arrays.capacity + capacity_slack(arrays.capacity)

    @classmethod
    def empty(cls, arrays: ProblemArrays, penalty: float) -> Selection:
        return cls(arrays, np.full(arrays.jobs, UNSERVED, dtype=np.int64), penalty)

    def copy(self) -> Selection:
        return Selection(self.arrays, self.chosen.copy(), self.penalty)

    @property
    def unserved(self) -> Ints:
        return np.flatnonzero(self.chosen == UNSERVED)

    def cost(self) -> float:
        """The cost of the chosen options alone."""
        picked = self.chosen[self.chosen >= 0]
        return float(self.arrays.cost[picked].sum())

    def score(self) -> float:
        """What the search minimises: the chosen options' cost plus `penalty` per unserved job."""
        return self.cost() + self.penalty * len(self.unserved)

    def job_cost(self) -> Floats:
        """Per job, what it costs now: its option's cost, or `penalty` when unserved."""
        return np.where(self.chosen >= 0, self.arrays.cost[np.maximum(self.chosen, 0)], self.penalty)

    def fits(self, option: int) -> bool:
        """Whether the job of `option` could switch to it without passing any capacity."""
        resources, amounts = self.arrays.uses_of(option)
        if len(resources) == 0:
            return True
        after = self.load[resources] + amounts
        current = self.chosen[self.arrays.job[option]]
        if current >= 0:
            freed_resources, freed = self.arrays.uses_of(int(current))
            if len(freed_resources):
                after -= _amounts_on(resources, freed_resources, freed)
        return bool(np.all(after <= self._limit[resources]))

    def assign(self, job: int, option: int) -> None:
        """Serve `job` with `option` (or leave it unserved with `UNSERVED`), moving the loads."""
        current = int(self.chosen[job])
        if current >= 0:
            resources, amounts = self.arrays.uses_of(current)
            self.load[resources] -= amounts
        if option >= 0:
            resources, amounts = self.arrays.uses_of(option)
            self.load[resources] += amounts
        self.chosen[job] = option

    def over_capacity(self) -> Ints:
        """The resources the chosen options use beyond capacity, counted from scratch."""
        load = loads_of(self.arrays, self.chosen[self.chosen >= 0])
        return np.flatnonzero(load > self._limit)


def _amounts_on(resources: Ints, other_resources: Ints, other_amounts: Floats) -> Floats:
    """For each of `resources`, the amount `other_*` uses of it (0 when it does not)."""
    out = np.zeros(len(resources))
    for resource, amount in zip(other_resources.tolist(), other_amounts.tolist(), strict=True):
        out[resources == resource] += amount
    return out
