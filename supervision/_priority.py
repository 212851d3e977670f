"""A proposal's priority in the queue, derived from the gate's decision in this one place."""

from __future__ import annotations

from policies import GateDecision
from supervision._views import QueuePriority


def priority_of(gate: GateDecision) -> QueuePriority:
    """`high` for a review that a hard limit or a rule forced, or that needs four eyes; else `normal`.

    A review the autonomy level or the default asked for is routine; one a named limit or rule demanded,
    or one two people must approve, is what a reviewer should look at first. Auto and deny need nobody.
    """
    if gate.outcome != "review":
        return "normal"
    if gate.source in ("hard_limit", "rule") or gate.review.approvals_required == 2:
        return "high"
    return "normal"
