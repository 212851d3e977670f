"""Offline evaluations on labelled data.

- Credit: the scorecard's StatLog cost and AUC on held-out data and in CV. `run_credit_eval` backs
  `steward eval credit --data DIR`; `python -m evals.credit_cv` reproduces the README's CV figures.
- Identity: pairwise precision, recall and F1 of the record matcher on FEBRL-layout folders.
  `run_identity_eval` backs `steward eval identity --data DIR`.
- Routing: the assignment solver's plans on OR-Library's generalised assignment instances, scored by
  feasibility and gap to the optimum. `run_routing_eval` backs `steward eval routing [--data DIR]`.
- World: ingestion of a generated demo world scored against the generator's truth
  (`run_world_eval`, `python -m benchmarks.golden_record_scale`).
"""

from evals._credit import CreditEvalReport, evaluate_credit, run_credit_eval
from evals._cross_validation import CrossValidationReport, cross_validate_credit
from evals._identity import (
    IdentityEvalReport,
    IdentityTaskResult,
    evaluate_dedupe,
    evaluate_link,
    run_identity_eval,
)
from evals._metrics import Confusion, auc, confusion, statlog_cost
from evals._routing import (
    GapInstance,
    RoutingDataError,
    RoutingEvalReport,
    RoutingGroupSummary,
    RoutingInstanceResult,
    gap_family,
    load_gap_instance,
    load_gap_references,
    run_routing_eval,
)
from evals._world import PairScore, WorldEvalReport, run_world_eval, score_against_truth

__all__ = [
    "Confusion",
    "CreditEvalReport",
    "CrossValidationReport",
    "GapInstance",
    "IdentityEvalReport",
    "IdentityTaskResult",
    "PairScore",
    "RoutingDataError",
    "RoutingEvalReport",
    "RoutingGroupSummary",
    "RoutingInstanceResult",
    "WorldEvalReport",
    "auc",
    "confusion",
    "cross_validate_credit",
    "evaluate_credit",
    "evaluate_dedupe",
    "evaluate_link",
    "gap_family",
    "load_gap_instance",
    "load_gap_references",
    "run_credit_eval",
    "run_identity_eval",
    "run_routing_eval",
    "run_world_eval",
    "score_against_truth",
    "statlog_cost",
]
