"""The assignment solver: give each job at most one option, within resource capacities, at least cost.

Generic (it knows jobs, options, resources; nothing of orders or warehouses): the order-routing agent maps
orders to jobs, warehouse-and-carrier choices to options, and warehouse capacity and stock per item to
resources. `solve_assignment` returns a feasible `AssignmentPlan` with the solver's proven bound and gap:
regret greedy and local search first, then the exact MILP (HiGHS via `highspy`) from that plan, then
large-neighbourhood search if the MILP ran out of time. How well it does is measured on OR-Library's
generalised assignment instances (`evals`, `steward eval routing`).
"""

from agents.assignment._arrays import ProblemArrays
from agents.assignment._errors import AssignmentError, InvalidAssignmentProblem
from agents.assignment._option import Option
from agents.assignment._plan import AssignmentPlan, PlanStatus
from agents.assignment._problem import AssignmentProblem
from agents.assignment._solver import solve_assignment

__all__ = [
    "AssignmentError",
    "AssignmentPlan",
    "AssignmentProblem",
    "InvalidAssignmentProblem",
    "Option",
    "PlanStatus",
    "ProblemArrays",
    "solve_assignment",
]
