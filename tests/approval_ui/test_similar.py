"""Similar past decisions: nearest settled cases on the standardised numeric facts."""

from __future__ import annotations

from datetime import UTC, datetime

from approval_ui._similar import similar_cases
from core import JsonObject
from supervision import QueueItem, SettledCase

WHEN = datetime(2026, 11, 1, tzinfo=UTC)


def _facts(amount: float, pd: float, objects: bool = False) -> JsonObject:
    return {
        "customer": {"id": "CUS-1", "objects_to_automated_decisions": objects},
        "application": {"id": "A", "amount": amount},
        "proposal": {"action": "approve_credit", "probability_of_default": pd},
    }


def _case(case_id: str, amount: float, pd: float, verdict: str | None = "approve", **more: object) -> SettledCase:
    return SettledCase.model_validate(
        {
            "id": case_id,
            "status": "executed",
            "verdict": verdict,
            "edited_action": None,
            "arguments": {},
            "facts": _facts(amount, pd, bool(more.get("objects", False))),
            "decided_by": "officer",
            "decided_at": WHEN,
            "outcome": more.get("outcome"),
        }
    )


def _item(amount: float, pd: float) -> QueueItem:
    return QueueItem.model_validate(
        {
            "id": "new",
            "agent": "credit_approval",
            "action": "approve_credit",
            "status": "pending",
            "customer_id": None,
            "thread_id": None,
            "arguments": {},
            "action_hash": "h",
            "proposal": {},
            "facts": _facts(amount, pd),
            "gate": {
                "outcome": "review",
                "source": "autonomy",
                "matched": "review_all",
                "autonomy_level": "review_all",
                "review": {},
                "policy_version": "v",
            },
            "requested_by": None,
            "created_at": WHEN,
            "expires_at": None,
            "decided_at": None,
            "decided_by": None,
            "version": 0,
        }
    )


def test_the_nearest_cases_come_first_with_units_standardised() -> None:
    history = [
        _case("far-amount", 9000.0, 0.10),
        _case("near", 2100.0, 0.11, outcome="good"),
        _case("far-risk", 2000.0, 0.60, verdict="reject"),
        _case("objector", 2000.0, 0.10, objects=True),
        _case("new", 2000.0, 0.10),  # the proposal itself is never its own neighbour
    ]
    found = similar_cases(_item(2000.0, 0.10), history, limit=3)
    assert [s.case.id for s in found][:2] == ["near", "objector"]
    assert found[2].case.id in {"far-amount", "far-risk"}
    assert found[0].decision == "approved"
    assert set(found[0].shown) == {"application.amount", "proposal.probability_of_default"}
    assert found[0].distance < found[1].distance < found[2].distance


def test_no_history_means_no_similar_cases() -> None:
    assert similar_cases(_item(2000.0, 0.1), []) == []
