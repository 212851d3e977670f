"""Eval reports as saved records: the headline metrics of each evaluation, with the bars they face.

`steward eval credit|identity|routing` and the demo save their reports here, so engineers find the latest
ones in the web app (/evals) next to the bars of the README.
"""

from __future__ import annotations

from pydantic import BaseModel

from evals import CreditEvalReport, IdentityEvalReport, PairScore, RoutingEvalReport
from supervision import EvalMetric, EvalReport, EvalReportStore

STATLOG_BEST_COST = 0.535
"""StatLog's best published average cost on German credit (Discrim, 10-fold CV); see its SOURCE.md."""
FEBRL_F1_BAR = 0.99
WORLD_F1_BAR = 0.97
ROUTING_MEAN_GAP_BAR = 0.1
ROUTING_MAX_GAP_BAR = 1.0
ROUTING_SECONDS_BAR = 10.0
"""The routing solver's bars (percent gap to the optimum over all instances; seconds per instance on 2 cores)."""


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


def routing_metrics(report: RoutingEvalReport) -> list[EvalMetric]:
    metrics = [
        EvalMetric(
            name="feasible plans",
            value=report.feasible / report.instances if report.instances else 0.0,
            bar=1.0,
            note=f"{report.feasible} of {report.instances} instances, checked against the capacities",
        )
    ]
    if report.mean_gap_pct is not None and report.max_gap_pct is not None:
        families = "; ".join(
            f"{g.group} mean {g.mean_gap_pct:.3f}% max {g.max_gap_pct:.3f}%"
            for g in report.groups
            if g.mean_gap_pct is not None and g.max_gap_pct is not None
        )
        metrics += [
            EvalMetric(
                name="mean gap to optimum (%)",
                value=report.mean_gap_pct,
                higher_is_better=False,
                bar=ROUTING_MEAN_GAP_BAR,
                note=families,
            ),
            EvalMetric(
                name="max gap to optimum (%)", value=report.max_gap_pct, higher_is_better=False, bar=ROUTING_MAX_GAP_BAR
            ),
        ]
    metrics.append(
        EvalMetric(
            name="max seconds per instance",
            value=report.max_seconds,
            higher_is_better=False,
            bar=ROUTING_SECONDS_BAR,
            note=f"time limit {report.time_limit:g} s, mean {report.mean_seconds:.2f} s",
        )
    )
    return metrics


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
