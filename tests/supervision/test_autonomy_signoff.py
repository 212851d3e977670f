"""Promotions that wait for an ops manager's sign-off: requested once, approved or declined, superseded
by any other move; each step audited, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from core import NotFound
from policies import KpiSnapshot, LadderChange
from supervision import AuditLog, AutonomyConflict, AutonomyRequestClosed, AutonomyStore
from supervision._tables import AUTONOMY_STATE
from tests.supervision.supervision_helpers import START, RacingClock, run_racers

AGENT, ACTION = "credit", "approve_credit"
KPI = KpiSnapshot(
    agent=AGENT,
    action=ACTION,
    reviewed=60,
    reviewed_since_change=60,
    agreed=58,
    agreement_rate=58 / 60,
    agreement_lower_bound=0.89,
    outcomes_observed=30,
    bad_outcomes=1,
    bad_outcome_rate=1 / 30,
    bad_outcome_upper_bound=0.17,
    taken_at=START,
)


def promotion(from_level: str = "review_all", to_level: str = "band_1") -> LadderChange:
    return LadderChange(
        agent=AGENT,
        action=ACTION,
        from_level=from_level,
        to_level=to_level,
        direction="promote",
        reason="60 cases reviewed since the last change; agreement 96.7%.",
        kpi=KPI,
    )


def demotion(from_level: str) -> LadderChange:
    return promotion(from_level, "review_all").model_copy(update={"direction": "demote", "reason": "breach"})


def kinds(audit: AuditLog) -> list[str]:
    return [entry.kind for entry in audit.entries(f"{AGENT}/{ACTION}")]


def test_a_promotion_request_is_recorded_once_however_often_the_ladder_asks(
    autonomy: AutonomyStore, audit: AuditLog, clock: RacingClock
) -> None:
    first = autonomy.request_promotion(promotion())
    clock.advance(timedelta(hours=1))
    again = autonomy.request_promotion(promotion())

    assert again == first
    assert (first.status, first.from_level, first.to_level, first.kpi, first.requested_at) == (
        "pending",
        "review_all",
        "band_1",
        KPI,
        START,
    )
    assert autonomy.pending_requests() == [first]
    assert autonomy.level(AGENT, ACTION, default="review_all") == "review_all"  # nothing moved
    assert autonomy.history(AGENT, ACTION) == []
    [entry] = audit.entries(f"{AGENT}/{ACTION}")
    assert (entry.kind, entry.actor) == ("autonomy.promotion_requested", "autonomy-ladder")
    assert entry.payload["request_id"] == first.id and entry.payload["kpi"] == KPI.model_dump(mode="json")


def test_signing_off_applies_the_promotion_as_the_ops_manager_with_the_kpis(
    autonomy: AutonomyStore, audit: AuditLog, clock: RacingClock
) -> None:
    request = autonomy.request_promotion(promotion())
    clock.advance(timedelta(days=1))
    signed = autonomy.sign_off(request.id, actor="ops", approve=True, note="  Checked the sample.  ")

    assert (signed.status, signed.decided_by, signed.decided_at, signed.note) == (
        "approved",
        "ops",
        START + timedelta(days=1),
        "Checked the sample.",
    )
    assert autonomy.level(AGENT, ACTION, default="review_all") == "band_1"
    [change] = autonomy.history(AGENT, ACTION)
    assert (change.from_level, change.to_level, change.direction, change.actor, change.kpi) == (
        "review_all",
        "band_1",
        "promote",
        "ops",
        KPI,
    )
    assert change.reason.endswith(f"Signed off by ops (request {request.id}).")
    assert autonomy.pending_requests() == []
    assert kinds(audit) == ["autonomy.promotion_requested", "autonomy.changed", "autonomy.sign_off"]
    sign_off = audit.entries(f"{AGENT}/{ACTION}")[-1]
    assert sign_off.payload == {
        "request_id": request.id,
        "agent": AGENT,
        "action": ACTION,
        "from_level": "review_all",
        "to_level": "band_1",
        "decision": "approved",
        "note": True,
    }
    assert audit.verify().ok


def test_a_declined_promotion_leaves_the_level_and_marks_when_it_was_declined(
    autonomy: AutonomyStore, audit: AuditLog, clock: RacingClock
) -> None:
    request = autonomy.request_promotion(promotion())
    clock.advance(timedelta(hours=2))
    declined = autonomy.sign_off(request.id, actor="ops", approve=False)

    assert (declined.status, declined.decided_by, declined.note) == ("declined", "ops", None)
    assert autonomy.level(AGENT, ACTION, default="review_all") == "review_all"
    assert autonomy.history(AGENT, ACTION) == []
    assert autonomy.declined_at(AGENT, ACTION) == START + timedelta(hours=2)
    assert kinds(audit)[-1] == "autonomy.sign_off"
    assert audit.entries(f"{AGENT}/{ACTION}")[-1].payload["decision"] == "declined"
    with pytest.raises(AutonomyRequestClosed, match="already declined by ops"):
        autonomy.sign_off(request.id, actor="admin", approve=True)

    # A new request may open after a decline; a later move makes the decline old news.
    reopened = autonomy.request_promotion(promotion())
    assert reopened.id != request.id and reopened.status == "pending"
    clock.advance(timedelta(hours=1))
    autonomy.set_level(AGENT, ACTION, "shadow", actor="ops", reason="pause")
    assert autonomy.declined_at(AGENT, ACTION) is None
    assert autonomy.request(reopened.id).status == "superseded"


def test_a_demotion_applies_at_once_and_supersedes_the_pending_promotion(
    autonomy: AutonomyStore, audit: AuditLog, clock: RacingClock
) -> None:
    autonomy.set_level(AGENT, ACTION, "band_1", actor="ops", reason="start")
    request = autonomy.request_promotion(promotion("band_1", "band_2"))
    clock.advance(timedelta(minutes=5))
    autonomy.apply(demotion("band_1"), actor="autonomy-ladder")

    assert autonomy.level(AGENT, ACTION, default="review_all") == "review_all"
    superseded = autonomy.request(request.id)
    assert (superseded.status, superseded.decided_by, superseded.decided_at) == (
        "superseded",
        "autonomy-ladder",
        START + timedelta(minutes=5),
    )
    assert autonomy.pending_requests() == []
    assert kinds(audit)[-2:] == ["autonomy.changed", "autonomy.request_superseded"]
    with pytest.raises(AutonomyRequestClosed, match="already superseded"):
        autonomy.sign_off(request.id, actor="ops", approve=True)
    assert autonomy.level(AGENT, ACTION, default="review_all") == "review_all"


def test_signing_off_after_the_level_moved_underneath_is_a_conflict(
    autonomy: AutonomyStore, engine: Engine, audit: AuditLog
) -> None:
    autonomy.set_level(AGENT, ACTION, "review_all", actor="ops", reason="start")
    request = autonomy.request_promotion(promotion())
    with engine.begin() as connection:  # another process moved it without seeing the request (a lost race)
        connection.execute(update(AUTONOMY_STATE).values(level="shadow"))
    before = len(audit.entries())

    with pytest.raises(AutonomyConflict, match="at level 'shadow', not 'review_all'"):
        autonomy.sign_off(request.id, actor="ops", approve=True)

    assert autonomy.level(AGENT, ACTION, default="review_all") == "shadow"
    assert autonomy.request(request.id).status == "superseded"
    assert [e.kind for e in audit.entries()[before:]] == ["autonomy.request_superseded"]


def test_a_request_for_another_move_replaces_the_stale_one(autonomy: AutonomyStore) -> None:
    stale = autonomy.request_promotion(promotion("shadow", "review_all"))
    fresh = autonomy.request_promotion(promotion())
    assert autonomy.request(stale.id).status == "superseded"
    assert autonomy.pending_requests() == [fresh]


def test_unknown_requests_and_listing(autonomy: AutonomyStore, clock: RacingClock) -> None:
    with pytest.raises(NotFound):
        autonomy.sign_off(999, actor="ops", approve=True)
    first = autonomy.request_promotion(promotion())
    autonomy.sign_off(first.id, actor="ops", approve=False)
    clock.advance(timedelta(minutes=1))
    second = autonomy.request_promotion(promotion())
    other = autonomy.request_promotion(promotion().model_copy(update={"action": "decline_credit"}))
    assert [r.id for r in autonomy.requests()] == [other.id, second.id, first.id]
    assert [r.id for r in autonomy.requests(AGENT, ACTION)] == [second.id, first.id]
    assert [r.id for r in autonomy.pending_requests(AGENT, "decline_credit")] == [other.id]
    assert [r.id for r in autonomy.requests(status="declined")] == [first.id]


def test_two_evaluations_at_once_open_one_request(autonomy: AutonomyStore, clock: RacingClock) -> None:
    results = run_racers(
        clock, lambda: autonomy.request_promotion(promotion()), lambda: autonomy.request_promotion(promotion())
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results[0] == results[1]
    assert len(autonomy.pending_requests()) == 1


def test_two_sign_offs_at_once_one_wins(autonomy: AutonomyStore, clock: RacingClock) -> None:
    request = autonomy.request_promotion(promotion())
    results = run_racers(
        clock,
        lambda: autonomy.sign_off(request.id, actor="ops", approve=True),
        lambda: autonomy.sign_off(request.id, actor="admin", approve=False),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], AutonomyRequestClosed), results
    final = autonomy.request(request.id)
    expected_level = "band_1" if final.status == "approved" else "review_all"
    assert autonomy.level(AGENT, ACTION, default="review_all") == expected_level
