"""Scoring the assignment solver on OR-Library's generalised assignment instances (the order-routing eval).

Each instance is solved by `agents.assignment.solve_assignment`, the solver the routing agent uses, as
jobs (orders) assigned to agents (warehouses) with one capacity each. Only this module reads the reference
values; the plan's feasibility (each job served once, no capacity exceeded) and its cost are checked here
from the instance file's own numbers, never taken from the solver.
"""

from __future__ import annotations

import csv
import math
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from agents.assignment import AssignmentPlan, AssignmentProblem, Option, solve_assignment
from core import ConfigurationError

REFERENCE_FILE = "gap_reference_values.csv"
INSTANCE_FOLDER = "instances"
MAX_AGENTS = 1_000
MAX_JOBS = 100_000
MAX_FILE_BYTES = 50_000_000

Progress = Callable[[int, int], None]
"""Told after each instance: (done, total)."""


class RoutingDataError(ConfigurationError):
    """An instance or reference file is missing or malformed; the message names the file and line."""

    def __init__(self, path: Path, problem: str, line: int | None = None) -> None:
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


@dataclass(frozen=True)
class GapInstance:
    """One generalised assignment instance: agent i serving job j costs `cost[i, j]` and uses `use[i, j]`
    of the agent's `capacity[i]`."""

    name: str
    cost: npt.NDArray[np.float64]
    use: npt.NDArray[np.float64]
    capacity: npt.NDArray[np.float64]

    @property
    def agents(self) -> int:
        return int(self.cost.shape[0])

    @property
    def jobs(self) -> int:
        return int(self.cost.shape[1])

    def problem(self) -> AssignmentProblem:
        """As the solver's problem: option `j * agents + i` is job j served by agent i."""
        options = tuple(
            Option(job=j, cost=float(self.cost[i, j]), uses=((i, float(self.use[i, j])),))
            for j in range(self.jobs)
            for i in range(self.agents)
        )
        return AssignmentProblem(jobs=self.jobs, options=options, capacities=tuple(self.capacity.tolist()))


def _numbers(path: Path) -> Iterator[tuple[float, int]]:
    """Every number in `path` with its line number; anything else is an error naming the line."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise RoutingDataError(path, f"larger than {MAX_FILE_BYTES:,} bytes")
    with path.open(encoding="utf-8", errors="strict") as lines:
        try:
            for number, line in enumerate(lines, start=1):
                for token in line.split():
                    try:
                        value = float(token)
                    except ValueError:
                        raise RoutingDataError(path, f"{token[:40]!r} is not a number", number) from None
                    if not math.isfinite(value):
                        raise RoutingDataError(path, f"{token[:40]!r} is not a finite number", number)
                    yield value, number
        except UnicodeDecodeError:
            raise RoutingDataError(path, "is not UTF-8 text") from None


class _Numbers:
    """The numbers of an instance file in order, remembering the line of the last one read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.line: int | None = None
        self._numbers = _numbers(path)

    def take(self, what: str) -> float:
        try:
            value, self.line = next(self._numbers)
        except StopIteration:
            raise RoutingDataError(self.path, f"ends before {what}", self.line) from None
        return value

    def whole(self, what: str, upper: int) -> int:
        value = self.take(what)
        if not value.is_integer() or not 1 <= value <= upper:
            problem = f"{what} must be a whole number in 1..{upper:,}, got {value:g}"
            raise RoutingDataError(self.path, problem, self.line)
        return int(value)

    def rest(self) -> int | None:
        """The line of a number left over, if any."""
        extra = next(self._numbers, None)
        return extra[1] if extra is not None else None


def load_gap_instance(path: Path) -> GapInstance:
    """Read one instance in OR-Library format with one problem: `1`, `m n`, m rows of n costs, m rows of
    n resource uses, m capacities (numbers may wrap across lines)."""
    if not path.is_file():
        raise RoutingDataError(path, "no such instance file")
    numbers = _Numbers(path)
    if numbers.take("the number of problems") != 1:
        raise RoutingDataError(path, "must hold one problem (its first number must be 1)", numbers.line)
    m = numbers.whole("the number of agents", MAX_AGENTS)
    n = numbers.whole("the number of jobs", MAX_JOBS)
    values = np.empty(2 * m * n + m)
    for k in range(len(values)):
        section = "costs" if k < m * n else "resource uses" if k < 2 * m * n else "capacities"
        values[k] = numbers.take(f"all {section} are read ({len(values) - k} numbers missing)")
        if k >= m * n and values[k] < 0:
            raise RoutingDataError(path, f"{section} must not be negative, got {values[k]:g}", numbers.line)
    extra = numbers.rest()
    if extra is not None:
        raise RoutingDataError(path, f"has numbers after the {m} capacities", extra)
    return GapInstance(
        name=path.stem,
        cost=values[: m * n].reshape(m, n),
        use=values[m * n : 2 * m * n].reshape(m, n),
        capacity=values[2 * m * n :],
    )


def load_gap_references(path: Path) -> dict[str, float]:
    """Instance name -> optimal (or best known) objective for minimisation."""
    if not path.is_file():
        raise RoutingDataError(path, "no reference values file")
    references: dict[str, float] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"instance", "opt_min", "best_known_min"} - set(reader.fieldnames or ())
        if missing:
            raise RoutingDataError(path, f"missing columns {', '.join(sorted(missing))}", 1)
        for row in reader:
            line = reader.line_num
            name = (row.get("instance") or "").strip()
            if not re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", name):
                raise RoutingDataError(path, f"instance name {name[:40]!r} is not a plain file name", line)
            text = (row.get("opt_min") or "").strip() or (row.get("best_known_min") or "").strip()
            try:
                value = float(text)
            except ValueError:
                raise RoutingDataError(path, f"{name}: no opt_min or best_known_min number", line) from None
            if not math.isfinite(value):
                raise RoutingDataError(path, f"{name}: reference {text!r} is not finite", line)
            references[name] = value
    return references


class RoutingInstanceResult(BaseModel):
    """One instance: the plan's cost against the reference, the solver's own bound, time, feasibility."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    group: str
    agents: int
    jobs: int
    objective: float
    reference: float
    gap_pct: float | None
    bound: float
    solver_gap_pct: float
    status: str
    method: str
    seconds: float
    feasible: bool


class RoutingGroupSummary(BaseModel):
    """The results of one family of instances (gap1-12, or Chu and Beasley's types A to D)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    group: str
    instances: int
    feasible: int
    mean_gap_pct: float | None
    max_gap_pct: float | None
    mean_seconds: float
    max_seconds: float


class RoutingEvalReport(BaseModel):
    """Every instance evaluated, with the headline figures over all and per family.

    `gap_pct` = 100 * (objective - reference) / reference, over feasible plans; an infeasible plan counts
    in `instances` but not in `feasible`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    instances: int
    feasible: int
    mean_gap_pct: float | None
    max_gap_pct: float | None
    mean_seconds: float
    max_seconds: float
    time_limit: float
    groups: list[RoutingGroupSummary]
    results: list[RoutingInstanceResult]


def gap_family(name: str) -> str:
    """The instance family: `gap1-12` for Osman's and Cattrysse's sets, `A`..`D` for Chu and Beasley's."""
    if re.fullmatch(r"gap\d+-\d+", name):
        return "gap1-12"
    if re.fullmatch(r"[a-e]\d+", name):
        return name[0].upper()
    return "other"


def check_plan(instance: GapInstance, plan: AssignmentPlan) -> tuple[bool, float]:
    """Whether `plan` serves each job exactly once within every capacity, and its cost, from the file's numbers."""
    agents = instance.agents
    if len(plan.chosen) != instance.jobs or plan.unserved:
        return False, math.nan
    picks = [option for option in plan.chosen if option is not None]
    if len(picks) != instance.jobs:
        return False, math.nan
    chosen = np.asarray(picks, dtype=np.int64)
    if ((chosen // agents) != np.arange(instance.jobs)).any():
        return False, math.nan
    agent = chosen % agents
    jobs = np.arange(instance.jobs)
    load = np.bincount(agent, weights=instance.use[agent, jobs], minlength=agents)
    cost = float(instance.cost[agent, jobs].sum())
    return bool((load <= instance.capacity).all()), cost


def evaluate_instance(instance: GapInstance, reference: float, *, time_limit: float) -> RoutingInstanceResult:
    problem = instance.problem()
    started = time.perf_counter()
    plan = solve_assignment(problem, time_limit=time_limit)
    seconds = time.perf_counter() - started
    feasible, cost = check_plan(instance, plan)
    gap = 100.0 * (cost - reference) / max(abs(reference), 1e-9) if feasible else None
    return RoutingInstanceResult(
        name=instance.name,
        group=gap_family(instance.name),
        agents=instance.agents,
        jobs=instance.jobs,
        objective=cost if feasible else plan.objective,
        reference=reference,
        gap_pct=round(gap, 6) if gap is not None else None,
        bound=plan.bound,
        solver_gap_pct=round(plan.gap_pct, 6),
        status=plan.status,
        method=plan.method,
        seconds=round(seconds, 3),
        feasible=feasible,
    )


@dataclass(frozen=True)
class _Figures:
    instances: int
    feasible: int
    mean_gap_pct: float | None
    max_gap_pct: float | None
    mean_seconds: float
    max_seconds: float


def _figures(results: Sequence[RoutingInstanceResult]) -> _Figures:
    gaps = [r.gap_pct for r in results if r.gap_pct is not None]
    seconds = [r.seconds for r in results] or [0.0]
    return _Figures(
        instances=len(results),
        feasible=sum(r.feasible for r in results),
        mean_gap_pct=round(float(np.mean(gaps)), 6) if gaps else None,
        max_gap_pct=round(max(gaps), 6) if gaps else None,
        mean_seconds=round(float(np.mean(seconds)), 3),
        max_seconds=round(max(seconds), 3),
    )


def run_routing_eval(
    data_dir: Path,
    *,
    time_limit: float = 10.0,
    instances: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> RoutingEvalReport:
    """Solve every instance in `data_dir/instances` (or the named ones) and score it against the reference."""
    if not data_dir.is_dir():
        raise ConfigurationError(f"routing eval data folder {data_dir} does not exist")
    if not math.isfinite(time_limit) or not 0 < time_limit <= 3600:
        raise ConfigurationError(f"time limit must be in (0, 3600] seconds, got {time_limit}")
    references = load_gap_references(data_dir / REFERENCE_FILE)
    folder = data_dir / INSTANCE_FOLDER
    available = sorted(path.stem for path in folder.glob("*.txt")) if folder.is_dir() else []
    if not available:
        raise ConfigurationError(f"no instance files (*.txt) in {folder}")
    names = list(dict.fromkeys(instances)) if instances is not None else available
    unknown = [name for name in names if name not in available]
    if unknown:
        raise ConfigurationError(f"no instance {', '.join(unknown)} in {folder} (there are {len(available)}: "
                                 f"{', '.join(available[:8])}{', ...' if len(available) > 8 else ''})")  # fmt: skip
    unreferenced = [name for name in names if name not in references]
    if unreferenced:
        raise RoutingDataError(data_dir / REFERENCE_FILE, f"no reference value for {', '.join(unreferenced)}")
    results: list[RoutingInstanceResult] = []
    for done, name in enumerate(names, start=1):
        instance = load_gap_instance(folder / f"{name}.txt")
        results.append(evaluate_instance(instance, references[name], time_limit=time_limit))
        if progress is not None:
            progress(done, len(names))
    groups = []
    for group in ("gap1-12", "A", "B", "C", "D", "E", "other"):
        if members := [r for r in results if r.group == group]:
            figures = _figures(members)
            groups.append(
                RoutingGroupSummary(
                    group=group,
                    instances=figures.instances,
                    feasible=figures.feasible,
                    mean_gap_pct=figures.mean_gap_pct,
                    max_gap_pct=figures.max_gap_pct,
                    mean_seconds=figures.mean_seconds,
                    max_seconds=figures.max_seconds,
                )
            )
    overall = _figures(results)
    return RoutingEvalReport(
        instances=overall.instances,
        feasible=overall.feasible,
        mean_gap_pct=overall.mean_gap_pct,
        max_gap_pct=overall.max_gap_pct,
        mean_seconds=overall.mean_seconds,
        max_seconds=overall.max_seconds,
        time_limit=time_limit,
        groups=groups,
        results=results,
    )
