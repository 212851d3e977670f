"""The shape every scorecard method fits: log-odds of default = intercept + one term per attribute.

Keeping the model additive per attribute makes reason codes exact: each attribute's term, minus its
average over the training applicants, is what that attribute adds to (or takes off) the log-odds.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd


class AdditiveModel(Protocol):
    """A fitted model whose log-odds of default is `intercept + terms(features).sum(axis=1)`."""

    @property
    def intercept(self) -> float: ...

    def terms(self, features: pd.DataFrame) -> np.ndarray:
        """One log-odds term per row and attribute, columns in `FEATURES` order.

        A categorical value not seen in training gets the attribute's average term (no effect).
        """
        ...


def log_odds(model: AdditiveModel, features: pd.DataFrame) -> np.ndarray:
    """The model's log-odds of default for each row."""
    result: np.ndarray = model.intercept + model.terms(features).sum(axis=1)
    return result
