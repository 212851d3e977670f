"""The scorecard methods a credit-risk team would sign off, by name."""

from __future__ import annotations

from typing import Final, Literal, assert_never

import numpy as np
import pandas as pd

from agents.scorecard._additive import AdditiveModel

ScorecardMethod = Literal["woe-logit", "onehot-logit"]
METHODS: Final[tuple[ScorecardMethod, ...]] = ("woe-logit", "onehot-logit")
DEFAULT_METHOD: Final[ScorecardMethod] = "woe-logit"


def fit_method(method: ScorecardMethod, features: pd.DataFrame, label: np.ndarray) -> AdditiveModel:
    """Fit the named method on these applicants (label 1 = bad).

    The fitting libraries (scikit-learn, optbinning) are imported here, not at module level, so that
    commands which only load or apply a scorecard start quickly.
    """
    from agents.scorecard._onehot import OneHotLogit
    from agents.scorecard._woe import WoeLogit

    match method:
        case "woe-logit":
            return WoeLogit().fit(features, label)
        case "onehot-logit":
            return OneHotLogit().fit(features, label)
        case _:
            assert_never(method)
