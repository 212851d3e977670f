"""OR-Library's gap1 problem 1 (c515-1: 5 agents, 15 jobs), as printed in the file gap1."""

from __future__ import annotations

from agents.assignment import AssignmentProblem, Option

COSTS = """
17 21 22 18 24 15 20 18 19 18 16 22 24 24 16
23 16 21 16 17 16 19 25 18 21 17 15 25 17 24
16 20 16 25 24 16 17 19 19 18 20 16 17 21 24
19 19 22 22 20 16 19 17 21 19 25 23 25 25 25
18 19 15 15 21 25 16 16 23 15 22 17 19 22 24
"""
USES = """
8 15 14 23 8 16 8 25 9 17 25 15 10 8 24
15 7 23 22 11 11 12 10 17 16 7 16 10 18 22
21 20 6 22 24 10 24 9 21 14 11 14 11 19 16
20 11 8 14 9 5 6 19 19 7 6 6 13 9 18
8 13 13 13 10 20 25 16 16 17 10 10 5 12 23
"""
CAPACITIES = (36.0, 34.0, 38.0, 27.0, 33.0)


def _rows(text: str) -> list[list[float]]:
    return [[float(v) for v in line.split()] for line in text.strip().splitlines()]


def gap1_1() -> AssignmentProblem:
    costs, uses = _rows(COSTS), _rows(USES)
    options = tuple(Option(job=j, cost=costs[i][j], uses=((i, uses[i][j]),)) for j in range(15) for i in range(5))
    return AssignmentProblem(jobs=15, options=options, capacities=CAPACITIES)
