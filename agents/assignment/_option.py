"""One way to serve one job."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    """One way to serve one job: its cost and what it uses of each resource.

    `uses` holds (resource index, amount >= 0) pairs, each resource at most once; a resource an option
    does not name, it does not use.
    """

    job: int
    cost: float
    uses: tuple[tuple[int, float], ...] = ()
