"""Autonomy levels: ladder moves and manual settings, each with history and audit, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from policies import KpiSnapshot, LadderChange
from supervision import AuditLog, AutonomyConflict, AutonomyStore
from tests.supervision.supervision_helpers import START, RacingClock

KPI = KpiSnapshot(
    agent="credit",
    action="approve_credit",
    reviewed=120,
    reviewed_since_change=120,
    agreed=117,
    agreement_rate=117 / 120,
    agreement_lower_bound=0.93,
    outcomes_observed=80,
    bad_outcomes=1,
    bad_outcome_rate=1 / 80,
    bad_outcome_upper_bound=0.07,
    expired=3,
    taken_at=START,
)


def change(from_level: str, to_level: str, direction: str = "promote") -> LadderChange:
    return LadderChange(
        agent="credit",
        action="approve_credit",
        from_level=from_level,
        to_level=to_level,
        direction="promote" if direction == "promote" else "demote",
        reason=f"{direction} on KPIs",
        kpi=KPI,
    )


def test_default_level_until_it_moves(autonomy: AutonomyStore) -> None:
    assert autonomy.level("credit", "approve_credit", default="review_all") == "review_all"
    assert autonomy.changed_at("credit", "approve_credit") is None
    assert autonomy.history("credit", "approve_credit") == []
    assert autonomy.all_levels() == []


def test_apply_records_level_history_and_audit(autonomy: AutonomyStore, audit: AuditLog, clock: RacingClock) -> None:
    autonomy.apply(change("review_all", "band_1"), actor="ladder")
    clock.advance(timedelta(days=3))
    autonomy.apply(change("band_1", "review_all", "demote"), actor="ladder")

    assert autonomy.level("credit", "approve_credit", default="shadow") == "review_all"
    assert autonomy.changed_at("credit", "approve_credit") == START + timedelta(days=3)
    history = autonomy.history("credit", "approve_credit")
    assert [(c.from_level, c.to_level, c.direction, c.actor) for c in history] == [
        ("review_all", "band_1", "promote", "ladder"),
        ("band_1", "review_all", "demote", "ladder"),
    ]
    assert history[0].kpi == KPI and history[0].at == START

    entries = audit.entries("credit/approve_credit")
    assert [entry.kind for entry in entries] == ["autonomy.changed", "autonomy.changed"]
    assert entries[0].payload == {
        "agent": "credit",
        "action": "approve_credit",
        "from_level": "review_all",
        "to_level": "band_1",
        "direction": "promote",
        "reason": "promote on KPIs",
        "kpi": KPI.model_dump(mode="json"),
    }
    assert audit.verify().ok
    [state] = autonomy.all_levels()
    assert (state.level, state.changed_by, state.changed_at) == (
        "review_all",
        "ladder",
        START + timedelta(days=3),
    )


def test_stale_change_is_refused(autonomy: AutonomyStore, audit: AuditLog) -> None:
    autonomy.apply(change("review_all", "band_1"), actor="ladder")
    with pytest.raises(AutonomyConflict, match="band_1"):
        autonomy.apply(change("review_all", "band_1"), actor="ladder")
    assert len(autonomy.history("credit", "approve_credit")) == 1
    assert len(audit.entries()) == 1


def test_manual_setting_is_audited(autonomy: AutonomyStore, audit: AuditLog) -> None:
    autonomy.set_level("credit", "approve_credit", "shadow", actor="mia", reason="incident 42")
    autonomy.set_level("credit", "approve_credit", "review_all", actor="mia", reason="incident closed")

    assert autonomy.level("credit", "approve_credit", default="band_1") == "review_all"
    history = autonomy.history("credit", "approve_credit")
    assert [(c.from_level, c.to_level, c.direction, c.kpi) for c in history] == [
        (None, "shadow", "manual", None),
        ("shadow", "review_all", "manual", None),
    ]
    assert [entry.payload["reason"] for entry in audit.entries("credit/approve_credit")] == [
        "incident 42",
        "incident closed",
    ]
