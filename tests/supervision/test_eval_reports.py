"""Saved eval reports on both backends: the latest per eval, history, audit, and bars."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from core import NotFound
from supervision import AuditLog, EvalMetric, EvalReportStore
from tests.supervision.supervision_helpers import RacingClock


def test_reports_keep_their_metrics_and_the_latest_of_each_eval_is_found(
    engine: Engine, clock: RacingClock, audit: AuditLog
) -> None:
    store = EvalReportStore(engine, clock, audit)
    assert store.latest() == []
    first = store.save("credit", dataset="a", metrics=[EvalMetric(name="cost", value=0.6)], report={}, actor="ci")
    cost = EvalMetric(name="cost", value=0.52, higher_is_better=False, bar=0.535)
    second = store.save("credit", dataset="b", metrics=[cost], report={"n": 250}, actor="ci")
    other = store.save(
        "identity", dataset="febrl", metrics=[EvalMetric(name="f1", value=0.9, bar=0.99)], report={}, actor="ci"
    )

    assert [(r.name, r.id) for r in store.latest()] == [("credit", second.id), ("identity", other.id)]
    assert [r.id for r in store.history("credit")] == [second.id, first.id]
    got = store.get(second.id)
    assert (got.report, got.metrics[0].meets_bar, got.meets_bars) == ({"n": 250}, True, True)
    assert store.get(other.id).meets_bars is False
    assert store.get(first.id).meets_bars is None  # no metric has a bar
    assert [e.kind for e in audit.entries(subject="eval/credit")] == ["eval.saved", "eval.saved"]
    assert audit.verify().ok
    with pytest.raises(NotFound):
        store.get(10_000)
