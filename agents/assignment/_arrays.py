"""An assignment problem checked and turned into arrays: options by job, their uses as a sparse matrix.

Everything the solver does reads these arrays; building them is where the problem is validated, so a bad
number is reported once, with the place it was found, and never reaches the solver.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from agents.assignment._errors import InvalidAssignmentProblem
from agents.assignment._option import Option

MAX_JOBS = 1_000_000
MAX_OPTIONS = 5_000_000
MAX_RESOURCES = 1_000_000
MAX_USES = 20_000_000
MAX_USES_PER_OPTION = 10_000
MAX_MAGNITUDE = 1e12
"""Largest absolute cost, amount or capacity: beyond it a MILP solver's tolerances stop meaning anything."""

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class ProblemArrays:
    """Options as arrays (`job`, `cost`) with their uses in compressed rows (`start`, `resource`, `amount`).

    `usable` marks the options that could ever be chosen: each use fits its resource's whole capacity, and
    the option costs no more than leaving its job unserved. `by_job[job_start[j]:job_start[j + 1]]` are job
    j's usable options, cheapest first.
    """

    jobs: int
    resources: int
    job: Ints
    cost: Floats
    start: Ints
    resource: Ints
    amount: Floats
    capacity: Floats
    unassigned_cost: float | None
    usable: Flags
    job_start: Ints
    by_job: Ints

    @property
    def options(self) -> int:
        return len(self.job)

    def uses_of(self, option: int) -> tuple[Ints, Floats]:
        """The resources option `option` uses and how much of each."""
        lo, hi = self.start[option], self.start[option + 1]
        return self.resource[lo:hi], self.amount[lo:hi]

    def options_of(self, job: int) -> Ints:
        """Job `job`'s usable options, cheapest first."""
        return self.by_job[self.job_start[job] : self.job_start[job + 1]]


def _fail(where: str, problem: str) -> InvalidAssignmentProblem:
    return InvalidAssignmentProblem(where, problem)


def _whole_number(value: object, where: str, upper: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise _fail(where, f"must be a whole number, got {value!r}")
    if not 0 <= int(value) <= upper:
        raise _fail(where, f"must be between 0 and {upper:,}, got {value}")
    return int(value)


def _floats(values: Sequence[object], where: Callable[[int], str]) -> Floats:
    """`values` as floats; the first that is not a finite number within MAX_MAGNITUDE is reported."""
    try:
        array = np.asarray(values)
    except (TypeError, ValueError):
        array = np.asarray(values, dtype=object)
    if array.ndim != 1 or array.dtype.kind not in "fiu":
        converted = np.empty(len(values))
        for index, value in enumerate(values):
            if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
                raise _fail(where(index), f"must be a number, got {value!r}")
            try:
                converted[index] = float(value)
            except OverflowError:
                converted[index] = np.inf
        array = converted
    array = array.astype(np.float64)
    bad = ~np.isfinite(array) | (np.abs(array) > MAX_MAGNITUDE)
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise _fail(where(index), f"must be a finite number of at most {MAX_MAGNITUDE:g}, got {values[index]!r}")
    return array


def _ints(values: Sequence[object], where: Callable[[int], str], upper: int) -> Ints:
    """`values` as whole numbers in [0, upper); the first that is not is reported."""
    array = np.asarray(values) if values else np.zeros(0, dtype=np.int64)
    if array.dtype.kind not in "iu":
        for index, value in enumerate(values):
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise _fail(where(index), f"must be a whole number, got {value!r}")
        index = next(i for i, v in enumerate(values) if not 0 <= int(str(v)) < upper)  # beyond int64
        raise _fail(where(index), f"must be between 0 and {upper - 1:,}, got {values[index]}")
    array = array.astype(np.int64)
    bad = (array < 0) | (array >= upper)
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise _fail(where(index), f"must be between 0 and {upper - 1:,}, got {values[index]}")
    return array


def _read_options(
    options: Sequence[Option],
) -> tuple[list[object], list[object], list[int], list[object], list[object]]:
    jobs: list[object] = []
    costs: list[object] = []
    counts: list[int] = []
    resources: list[object] = []
    amounts: list[object] = []
    for index, option in enumerate(options):
        if not isinstance(option, Option):
            raise _fail(f"options[{index}]", f"must be an Option, got {type(option).__name__}")
        jobs.append(option.job)
        costs.append(option.cost)
        uses = option.uses
        if not isinstance(uses, tuple | list):
            raise _fail(f"options[{index}].uses", "must be a tuple of (resource, amount) pairs")
        if len(uses) > MAX_USES_PER_OPTION:
            raise _fail(f"options[{index}].uses", f"at most {MAX_USES_PER_OPTION:,} resources per option")
        counts.append(len(uses))
        try:
            for resource, amount in uses:
                resources.append(resource)
                amounts.append(amount)
        except (TypeError, ValueError):
            raise _fail(f"options[{index}].uses", "must be a tuple of (resource, amount) pairs") from None
        if len(resources) > MAX_USES:
            raise _fail("options", f"at most {MAX_USES:,} uses in all")
    return jobs, costs, counts, resources, amounts


def problem_arrays(
    jobs: int, options: Sequence[Option], capacities: Sequence[float], unassigned_cost: float | None
) -> ProblemArrays:
    """Check a problem and return it as arrays; `InvalidAssignmentProblem` names the first thing wrong."""
    jobs = _whole_number(jobs, "jobs", MAX_JOBS)
    if not isinstance(options, tuple | list):
        raise _fail("options", "must be a tuple of Option")
    if len(options) > MAX_OPTIONS:
        raise _fail("options", f"at most {MAX_OPTIONS:,} options, got {len(options):,}")
    if not isinstance(capacities, tuple | list):
        raise _fail("capacities", "must be a tuple of numbers")
    if len(capacities) > MAX_RESOURCES:
        raise _fail("capacities", f"at most {MAX_RESOURCES:,} resources, got {len(capacities):,}")
    capacity = _floats(capacities, lambda i: f"capacities[{i}]")
    if (capacity < 0).any():
        index = int(np.flatnonzero(capacity < 0)[0])
        raise _fail(f"capacities[{index}]", f"must not be negative, got {capacities[index]!r}")
    if unassigned_cost is not None:
        unassigned_cost = float(_floats([unassigned_cost], lambda _: "unassigned_cost")[0])
    job_list, cost_list, counts, resource_list, amount_list = _read_options(options)
    job = _ints(job_list, lambda i: f"options[{i}].job", jobs) if jobs else _no_jobs(job_list)
    cost = _floats(cost_list, lambda i: f"options[{i}].cost")
    start = np.zeros(len(options) + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    owner = np.repeat(np.arange(len(options), dtype=np.int64), counts)

    def at(use: int) -> str:
        option = int(owner[use])
        return f"options[{option}].uses[{use - int(start[option])}]"

    resource = _ints(resource_list, at, len(capacity)) if len(capacity) else _no_resources(owner)
    amount = _floats(amount_list, at)
    if (amount < 0).any():
        use = int(np.flatnonzero(amount < 0)[0])
        raise _fail(at(use), f"amount must not be negative, got {amount_list[use]!r}")
    keys = owner * max(len(capacity), 1) + resource
    ordered = np.argsort(keys, kind="stable")
    repeated = np.flatnonzero(keys[ordered][1:] == keys[ordered][:-1])
    if len(repeated):
        use = int(ordered[repeated[0] + 1])
        raise _fail(at(use), f"resource {int(resource[use])} is named twice in one option")
    return _arranged(jobs, job, cost, start, resource, amount, capacity, unassigned_cost, owner)


def _no_jobs(job_list: list[object]) -> Ints:
    if job_list:
        raise _fail("options[0].job", "the problem has no jobs, so it can have no options")
    return np.zeros(0, dtype=np.int64)


def _no_resources(owner: Ints) -> Ints:
    if len(owner):
        raise _fail(f"options[{int(owner[0])}].uses", "the problem has no resources (capacities is empty)")
    return np.zeros(0, dtype=np.int64)


def _arranged(
    jobs: int,
    job: Ints,
    cost: Floats,
    start: Ints,
    resource: Ints,
    amount: Floats,
    capacity: Floats,
    unassigned_cost: float | None,
    owner: Ints,
) -> ProblemArrays:
    over = amount > capacity[resource] * (1 + 1e-12) if len(resource) else np.zeros(0, dtype=np.bool_)
    usable = np.ones(len(job), dtype=np.bool_)
    usable[owner[over]] = False
    if unassigned_cost is not None:
        usable &= cost <= unassigned_cost
    kept = np.flatnonzero(usable)
    order = kept[np.lexsort((cost[kept], job[kept]))]
    job_start = np.zeros(jobs + 1, dtype=np.int64)
    np.cumsum(np.bincount(job[order], minlength=jobs), out=job_start[1:])
    return ProblemArrays(
        jobs=jobs,
        resources=len(capacity),
        job=job,
        cost=cost,
        start=start,
        resource=resource,
        amount=amount,
        capacity=capacity,
        unassigned_cost=unassigned_cost,
        usable=usable,
        job_start=job_start,
        by_job=order.astype(np.int64),
    )
