"""Migration 0006 gives the proposals stored before it the priority `supervision.priority_of` would (both backends)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text

from steward import make_engine, upgrade
from supervision import priority_of
from tests.supervision.supervision_helpers import gate

GATES = {
    "p-rule": gate(),  # source "rule"
    "p-limit": gate().model_copy(update={"source": "hard_limit"}),
    "p-band": gate().model_copy(update={"source": "autonomy"}),
    "p-four-eyes": gate(approvals_required=2).model_copy(update={"source": "default"}),
    "p-auto": gate("auto"),
}

INSERT = text(
    "INSERT INTO supervision_proposal (id, agent, action, status, arguments, action_hash, submitted_hash, "
    "proposal, facts, gate, created_at, version) VALUES (:id, 'credit', 'approve_credit', 'pending', '{}', "
    "'h', 'h', '{}', '{}', :gate, :created_at, 0)"
)


def test_existing_proposals_get_the_priority_of_their_gate(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0005")
        created_at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).replace(tzinfo=None)
        with engine.begin() as connection:
            for proposal_id, decision in GATES.items():
                document = json.dumps(decision.model_dump(mode="json"))
                connection.execute(INSERT, {"id": proposal_id, "gate": document, "created_at": created_at})
        upgrade(engine)
        with engine.connect() as connection:
            stored: dict[str, str] = dict(
                connection.execute(text("SELECT id, priority FROM supervision_proposal")).all()
            )
    finally:
        engine.dispose()
    expected = {proposal_id: priority_of(decision) for proposal_id, decision in GATES.items()}
    assert stored == expected
    assert expected == {
        "p-rule": "high",
        "p-limit": "high",
        "p-band": "normal",
        "p-four-eyes": "high",
        "p-auto": "normal",
    }
