"""Training a scorecard on labelled applicants and naming the result by what went into it."""

from __future__ import annotations

import hashlib
import json
from typing import Final

import numpy as np

from agents.scorecard._applicant import applicants_frame
from agents.scorecard._data import GermanCreditData
from agents.scorecard._lookup import tabulate
from agents.scorecard._methods import DEFAULT_METHOD, ScorecardMethod, fit_method
from agents.scorecard._scorecard import FORMAT_VERSION, CreditScorecard

# StatLog costs: approving a bad applicant costs 5, declining a good one costs 1. With a calibrated
# PD p, approving costs 5p on average and declining costs (1 - p): decline when p > 1 / (1 + 5).
COST_APPROVE_BAD: Final = 5.0
COST_DECLINE_GOOD: Final = 1.0
BAYES_CUTOFF: Final = COST_DECLINE_GOOD / (COST_DECLINE_GOOD + COST_APPROVE_BAD)


def train_scorecard(
    data: GermanCreditData, *, seed: int = 0, method: ScorecardMethod = DEFAULT_METHOD
) -> CreditScorecard:
    """Fit `method` on every row of `data` and set the Bayes-optimal cut-off for the StatLog costs.

    The fit is deterministic; `seed` is recorded in the version so that callers who vary it get
    distinct names. The version hashes the training data and the parameters, so the same data always
    gives the same version.
    """
    label = data.label.to_numpy(dtype=int)
    model = fit_method(method, data.features, label)
    mean_terms = model.terms(data.features).mean(axis=0)
    # The WoE scorecard is a table per attribute: tabulate it once so one applicant scores in microseconds.
    from agents.scorecard._woe import WoeLogit

    tables = None
    if isinstance(model, WoeLogit):
        tables = tabulate(model, applicants_frame(data.features), model.numeric_edges())
    return CreditScorecard(
        method=method,
        model=model,
        mean_terms=mean_terms,
        cutoff=BAYES_CUTOFF,
        version=_version(data, method=method, seed=seed),
        tables=tables,
    )


def _version(data: GermanCreditData, *, method: ScorecardMethod, seed: int) -> str:
    digest = hashlib.sha256()
    digest.update(data.features.to_csv(index=False).encode())
    digest.update(np.ascontiguousarray(data.label.to_numpy(dtype=np.int64)).tobytes())
    params = {"method": method, "seed": seed, "cutoff": BAYES_CUTOFF, "format": FORMAT_VERSION}
    digest.update(json.dumps(params, sort_keys=True).encode())
    return f"scorecard-{method}-{digest.hexdigest()[:12]}"
