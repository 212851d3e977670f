"""Evaluating a credit scorecard on labelled applicants it was not trained on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from agents.scorecard import CreditScorecard, GermanCreditData, load_german_credit, train_scorecard
from core import ConfigurationError
from evals._metrics import auc, confusion, statlog_cost

EVAL_FILE_NAME = "german_credit.csv"


class CreditEvalReport(BaseModel):
    """How a scorecard's decisions would have cost on a labelled set, next to the trivial baselines."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    n: int
    expected_cost: float
    auc: float
    approval_rate: float
    bad_rate_among_approved: float
    approved_good: int
    approved_bad: int
    declined_good: int
    declined_bad: int
    model_version: str
    baseline_decline_all_cost: float
    baseline_approve_all_cost: float


def evaluate_credit(model: CreditScorecard, data: GermanCreditData) -> CreditEvalReport:
    """Score every applicant in `data`, decide at the model's cut-off, and compare with the outcomes."""
    bad = data.label.to_numpy(dtype=int)
    probability = model.assess_many(data.features)
    approve = model.approves(probability)
    counts = confusion(bad, approve)
    approved = counts.approved_good + counts.approved_bad
    return CreditEvalReport(
        n=len(bad),
        expected_cost=statlog_cost(bad, approve),
        auc=auc(bad, probability),
        approval_rate=approved / len(bad),
        bad_rate_among_approved=counts.approved_bad / approved if approved else 0.0,
        approved_good=counts.approved_good,
        approved_bad=counts.approved_bad,
        declined_good=counts.declined_good,
        declined_bad=counts.declined_bad,
        model_version=model.version,
        baseline_decline_all_cost=statlog_cost(bad, np.zeros(len(bad), dtype=bool)),
        baseline_approve_all_cost=statlog_cost(bad, np.ones(len(bad), dtype=bool)),
    )


def run_credit_eval(data_dir: Path, *, training_csv: Path) -> CreditEvalReport:
    """Train on `training_csv` (the bundled data, never on `data_dir`) and evaluate on
    `data_dir/german_credit.csv`; raises `ConfigurationError` if that file is missing or malformed."""
    data_dir = Path(data_dir)
    eval_csv = data_dir / EVAL_FILE_NAME
    if not data_dir.is_dir():
        raise ConfigurationError(f"{data_dir}: not a directory; pass a folder holding {EVAL_FILE_NAME}")
    if not eval_csv.is_file():
        raise ConfigurationError(f"{data_dir}: has no {EVAL_FILE_NAME}; put the labelled applicants there")
    if eval_csv.resolve() == Path(training_csv).resolve():
        raise ConfigurationError(
            f"{eval_csv} is the training file; evaluate on applicants the scorecard was not trained on"
        )
    evaluation = load_german_credit(eval_csv)
    model = train_scorecard(load_german_credit(Path(training_csv)))
    return evaluate_credit(model, evaluation)
