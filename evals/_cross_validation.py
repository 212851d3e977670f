"""Repeated stratified k-fold cross-validation: everything (binning, fit, cut-off) inside each fold."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict
from sklearn.model_selection import StratifiedKFold

from agents.scorecard import DEFAULT_METHOD, GermanCreditData, ScorecardMethod, train_scorecard
from evals._credit import evaluate_credit


class CrossValidationReport(BaseModel):
    """Per-fold StatLog costs and AUCs of one method; std is over all folds of all repeats."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: ScorecardMethod
    folds: int
    repeats: int
    seed: int
    fold_costs: tuple[float, ...]
    fold_aucs: tuple[float, ...]
    mean_cost: float
    std_cost: float
    repeat_mean_costs: tuple[float, ...]
    mean_auc: float
    std_auc: float


def cross_validate_credit(
    data: GermanCreditData,
    *,
    folds: int = 10,
    repeats: int = 1,
    seed: int = 0,
    method: ScorecardMethod = DEFAULT_METHOD,
) -> CrossValidationReport:
    """Train `method` on k-1 folds and evaluate on the held-out fold, `repeats` times with shuffles
    seeded `seed`, `seed + 1`, ...; nothing is fitted on a held-out fold."""
    bad = data.label.to_numpy(dtype=int)
    costs: list[float] = []
    aucs: list[float] = []
    for repeat in range(repeats):
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed + repeat)
        for train, test in splitter.split(np.zeros(len(bad)), bad):
            model = train_scorecard(data.subset(train), seed=seed, method=method)
            report = evaluate_credit(model, data.subset(test))
            costs.append(report.expected_cost)
            aucs.append(report.auc)
    per_repeat = np.asarray(costs).reshape(repeats, folds).mean(axis=1)
    return CrossValidationReport(
        method=method,
        folds=folds,
        repeats=repeats,
        seed=seed,
        fold_costs=tuple(costs),
        fold_aucs=tuple(aucs),
        mean_cost=float(np.mean(costs)),
        std_cost=float(np.std(costs)),
        repeat_mean_costs=tuple(float(c) for c in per_repeat),
        mean_auc=float(np.mean(aucs)),
        std_auc=float(np.std(aucs)),
    )
