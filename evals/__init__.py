"""Offline evaluations: the credit scorecard's StatLog cost and AUC, on held-out data and in CV.

`run_credit_eval` backs `steward eval credit --data DIR`; `python -m evals.credit_cv` reproduces the
cross-validation figures quoted in the README.
"""

from evals._credit import CreditEvalReport, evaluate_credit, run_credit_eval
from evals._cross_validation import CrossValidationReport, cross_validate_credit
from evals._metrics import Confusion, auc, confusion, statlog_cost

__all__ = [
    "Confusion",
    "CreditEvalReport",
    "CrossValidationReport",
    "auc",
    "confusion",
    "cross_validate_credit",
    "evaluate_credit",
    "run_credit_eval",
    "statlog_cost",
]
