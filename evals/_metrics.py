"""Credit decision metrics under the StatLog cost matrix (approve a bad = 5, decline a good = 1)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import roc_auc_score

from agents.scorecard import COST_APPROVE_BAD, COST_DECLINE_GOOD


@dataclass(frozen=True)
class Confusion:
    """Decision counts: approved/declined goods and bads (bad = defaulted)."""

    approved_good: int
    approved_bad: int
    declined_good: int
    declined_bad: int


def confusion(y_true_bad: np.ndarray, approve_mask: np.ndarray) -> Confusion:
    """Count the four outcomes of approving where `approve_mask` is True."""
    bad, approve = _checked(y_true_bad, approve_mask)
    return Confusion(
        approved_good=int(np.sum(approve & ~bad)),
        approved_bad=int(np.sum(approve & bad)),
        declined_good=int(np.sum(~approve & ~bad)),
        declined_bad=int(np.sum(~approve & bad)),
    )


def statlog_cost(y_true_bad: np.ndarray, approve_mask: np.ndarray) -> float:
    """Average cost per applicant: 5 per approved bad applicant, 1 per declined good one."""
    counts = confusion(y_true_bad, approve_mask)
    total = COST_APPROVE_BAD * counts.approved_bad + COST_DECLINE_GOOD * counts.declined_good
    return float(total / len(np.asarray(y_true_bad)))


def auc(y_true_bad: np.ndarray, probability_of_default: np.ndarray) -> float:
    """Area under the ROC curve of the PD as a ranking of bad applicants (NaN with a single class)."""
    y = np.asarray(y_true_bad).astype(int)
    if len(np.unique(y)) < 2:
        return float("nan")
    return float(roc_auc_score(y, np.asarray(probability_of_default, dtype=float)))


def _checked(y_true_bad: np.ndarray, approve_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    bad = np.asarray(y_true_bad).astype(bool)
    approve = np.asarray(approve_mask).astype(bool)
    if bad.shape != approve.shape or bad.ndim != 1 or len(bad) == 0:
        raise ValueError(
            f"labels and decisions must be equally long, non-empty 1-d arrays; got {bad.shape} and {approve.shape}"
        )
    return bad, approve
