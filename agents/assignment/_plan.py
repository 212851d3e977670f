"""What the solver returns: the option per job, who is left out, the cost, and how far from optimal at most."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PlanStatus = Literal["optimal", "time_limit", "heuristic"]
"""`optimal`: the cost equals the proven lower bound. `time_limit`: the MILP ran out of time; the gap to its
bound says how far from optimal the plan can be. `heuristic`: no MILP bound (the MILP failed or had no time);
the bound is the sum of each job's cheapest option."""


@dataclass(frozen=True)
class AssignmentPlan:
    """A feasible plan (checked against the capacities after solving) and its distance from optimal.

    `chosen[j]` is an index into the problem's options, or None for a job in `unserved` (no option at all,
    or capacity ran out). `objective` is the chosen options' cost plus `unassigned_cost` per unserved job;
    `bound` a proven lower bound on it (when jobs are left unserved with `unassigned_cost` None: on the cost
    of serving as many jobs); `gap_pct` = 100 * (objective - bound) / max(|objective|, 1e-9).
    """

    chosen: tuple[int | None, ...]
    unserved: tuple[int, ...]
    objective: float
    bound: float
    gap_pct: float
    status: PlanStatus
    method: str
    seconds: float
