"""Migration 0012 gives the proposals stored before it the subject rows of the customers they name, except
customers already erased, whose ids also leave the proposals' `customer_id` (both backends)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text

from steward import make_engine, upgrade
from supervision import ApprovalQueue, AuditLog, QueueBrowser
from tests.supervision.supervision_helpers import START, RacingClock, gate

INSERT = text(
    "INSERT INTO supervision_proposal (id, agent, action, status, priority, customer_id, arguments, action_hash, "
    "submitted_hash, proposal, facts, gate, created_at, version) VALUES (:id, 'credit', 'approve_credit', "
    "'pending', 'normal', :customer_id, :arguments, 'h', 'h', :proposal, '{}', :gate, :created_at, 0)"
)
ERASED_CUSTOMER = text("INSERT INTO customer (id, created_at, erased_at) VALUES (:id, :at, :at)")

PROPOSALS: dict[str, tuple[str | None, dict[str, object]]] = {
    "p-credit": ("CUS-a", {"application_id": "A1", "amount": 5000}),
    "p-merge": ("CUS-a", {"customer_id": "CUS-a", "other_customer_id": "CUS-b"}),
    "p-odd": (None, {"customer_id": 7, "other_customer_id": "", "orders": [{"customer_id": "CUS-deep"}]}),
    "p-long": (None, {"other_customer_id": "C" * 201}),
    "p-erased": ("CUS-gone", {"redacted": True}),
    "p-merge-erased": ("CUS-c", {"customer_id": "CUS-c", "other_customer_id": "CUS-gone"}),
}


def test_existing_proposals_name_their_customers_and_erased_ids_are_left_out(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0011")
        at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).replace(tzinfo=None)
        document = json.dumps(gate().model_dump(mode="json"))
        with engine.begin() as connection:
            connection.execute(ERASED_CUSTOMER, {"id": "CUS-gone", "at": at})
            for proposal_id, (customer_id, arguments) in PROPOSALS.items():
                values: dict[str, object] = {"id": proposal_id, "customer_id": customer_id}
                proposal = {"redacted": True} if arguments == {"redacted": True} else {"id": proposal_id}
                values["arguments"] = json.dumps(arguments)
                values |= {"proposal": json.dumps(proposal), "gate": document, "created_at": at}
                connection.execute(INSERT, values)
        upgrade(engine)
        clock = RacingClock(START)
        queue = ApprovalQueue(engine, clock, AuditLog(engine, clock))
        subjects = {proposal_id: [s.id for s in queue.get(proposal_id).subjects] for proposal_id in PROPOSALS}
        customers = {proposal_id: queue.get(proposal_id).customer_id for proposal_id in PROPOSALS}
        assert all(s.kind == "customer" for item in queue.list() for s in item.subjects)
        named_b = [row.id for row in QueueBrowser(engine, clock).page(customer="CUS-b").rows]
    finally:
        engine.dispose()
    assert subjects == {
        "p-credit": ["CUS-a"],
        "p-merge": ["CUS-a", "CUS-b"],
        "p-odd": [],  # only top-level text under the two keys was ever a customer id
        "p-long": [],
        "p-erased": [],
        "p-merge-erased": ["CUS-c"],
    }
    assert customers["p-erased"] is None and customers["p-merge-erased"] == "CUS-c"
    assert named_b == ["p-merge"]
