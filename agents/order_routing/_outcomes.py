"""The outcome KPI of routing: an executed route whose order was delivered late, or returned, went badly.

After each ingest the order sources say what became of the orders Steward shipped (delivered on a date, or
returned). Every executed route or split without an outcome yet gets one as soon as its order is settled:
`bad` when it arrived after the promised day or came back, `good` when it arrived on time.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

import structlog

from customers import FulfilmentRepository
from supervision import ApprovalQueue

log = structlog.get_logger(__name__)

SHIPPING_ACTIONS = frozenset({"route_order", "split_order"})
EVERY = 10_000_000


def record_outcomes(agent: str, queue: ApprovalQueue, fulfilment: FulfilmentRepository) -> Counter[str]:
    """Label every executed route whose order is now settled; the counts of `good` and `bad` recorded."""
    waiting = [
        item
        for item in queue.list(status="executed", agent=agent, limit=EVERY)
        if item.outcome is None and item.runs in SHIPPING_ACTIONS
    ]
    recorded: Counter[str] = Counter()
    if not waiting:
        return recorded
    outcomes = fulfilment.order_outcomes([str(item.arguments.get("order_id")) for item in waiting])
    for item in waiting:
        outcome = outcomes.get(str(item.arguments.get("order_id")))
        if outcome is None or not outcome.settled:
            continue
        label: Literal["good", "bad"] = "bad" if outcome.late or outcome.returned else "good"
        queue.record_outcome(item.id, label)
        recorded[label] += 1
    if recorded:
        log.info("routing.outcomes_recorded", **recorded)
    return recorded
