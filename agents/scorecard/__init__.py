"""The credit decision model: a WoE logistic scorecard on the Statlog German credit attributes.

`train_scorecard(load_german_credit(path))` fits it; `CreditScorecard.assess` turns one applicant's
20 attributes into a probability of default, PDO-scaled points, an approve/decline decision at the
cost-optimal cut-off and up to four adverse-action reason codes. How well it does is measured in
`evals` (`python -m evals.credit_cv`).
"""

from agents.scorecard._applicant import FeatureValue
from agents.scorecard._assessment import CreditAssessment, CreditDecision, ReasonCode
from agents.scorecard._data import GermanCreditData, load_german_credit
from agents.scorecard._errors import CreditDataError, InvalidApplicant, ScorecardFileError
from agents.scorecard._features import EXCLUDED_FEATURES, FEATURES
from agents.scorecard._methods import DEFAULT_METHOD, METHODS, ScorecardMethod
from agents.scorecard._scorecard import CreditScorecard
from agents.scorecard._training import BAYES_CUTOFF, COST_APPROVE_BAD, COST_DECLINE_GOOD, train_scorecard

__all__ = [
    "BAYES_CUTOFF",
    "COST_APPROVE_BAD",
    "COST_DECLINE_GOOD",
    "DEFAULT_METHOD",
    "EXCLUDED_FEATURES",
    "FEATURES",
    "METHODS",
    "CreditAssessment",
    "CreditDataError",
    "CreditDecision",
    "CreditScorecard",
    "FeatureValue",
    "GermanCreditData",
    "InvalidApplicant",
    "ReasonCode",
    "ScorecardFileError",
    "ScorecardMethod",
    "load_german_credit",
    "train_scorecard",
]
