"""Eval reports as saved records: the headline metrics of each evaluation, with the bars they face.

`steward eval credit|identity` and the demo save their reports here, so engineers find the latest
ones in the web app (/evals) next to the bars of the README.
"""

from __future__ import annotations

from pydantic import BaseModel

from evals import CreditEvalReport, IdentityEvalReport, PairScore
from supervision import EvalMetric, EvalReport, EvalReportStore

STATLOG_BEST_COST = 0.535
"""StatLog's best published average cost on German credit (Discrim, 10-fold CV); see its SOURCE.md."""
FEBRL_F1_BAR = 0.99
WORLD_F1_BAR = 0.97


def credit_metrics(report: CreditEvalReport) -> list[EvalMetric]:
    return [
        EvalMetric(
            name="expected cost per applicant",
            value=report.expected_cost,
            higher_is_better=False,
            bar=STATLOG_BEST_COST,
            note=(
                f"StatLog cost matrix; best published {STATLOG_BEST_COST} (10-fold CV), "
                f"decline-all {report.baseline_decline_all_cost:.3f}, "
                f"approve-all {report.baseline_approve_all_cost:.3f}"
            ),
        ),
        EvalMetric(name="AUC", value=report.auc),
        EvalMetric(name="approval rate", value=report.approval_rate, note=f"{report.n} applicants"),
    ]


def identity_metrics(report: IdentityEvalReport) -> list[EvalMetric]:
    return [
        EvalMetric(
            name=f"{task.name} F1",
            value=task.f1,
            bar=FEBRL_F1_BAR,
            note=f"precision {task.precision:.4f}, recall {task.recall:.4f}, {task.true_pairs} true pairs",
        )
        for task in report.tasks
    ]


def world_metrics(score: PairScore) -> list[EvalMetric]:
    return [
        EvalMetric(name="pair F1", value=score.f1, bar=WORLD_F1_BAR, note=f"{score.true_pairs} true pairs"),
        EvalMetric(name="precision", value=score.precision),
        EvalMetric(name="recall", value=score.recall),
    ]


def save_report(
    store: EvalReportStore, name: str, report: BaseModel, metrics: list[EvalMetric], *, dataset: str, actor: str
) -> EvalReport:
    """Save `report` (whole, as JSON) under `name` with its headline `metrics`."""
    return store.save(name, dataset=dataset, metrics=metrics, report=report.model_dump(mode="json"), actor=actor)
