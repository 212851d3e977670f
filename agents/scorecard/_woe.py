"""WoE scorecard: optimal monotone binning of each attribute (optbinning) and a logistic regression on WoE.

This is the classic credit-risk scorecard: every attribute is cut into a few bins, each bin is worth
its weight of evidence, and the points of a bin never depend on the other attributes.
"""

from __future__ import annotations

import warnings
from typing import Final

import numpy as np
import pandas as pd
from optbinning import BinningProcess
from sklearn.linear_model import LogisticRegression

from agents.scorecard._features import CATEGORICAL_FEATURES, EXCLUDED_FEATURES, FEATURES, NUMERIC_FEATURES

# Amounts, durations and ages should move risk in one direction only: a U-shaped bin pattern on
# 750 applicants is noise. optbinning picks the direction (ascending or descending) per attribute.
_MONOTONE: Final = ("duration_in_month", "credit_amount", "age_in_years")


def _quietly_fit(binning: BinningProcess, features: pd.DataFrame, label: np.ndarray) -> None:
    # optbinning 1.0 builds its binning tables with a dtype upcast that pandas 3 deprecates; the
    # result is correct, so that one warning is silenced here and nowhere else.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=pd.errors.Pandas4Warning, module=r"optbinning\.")
        warnings.filterwarnings("ignore", category=pd.errors.Pandas4Warning, module=r"pandas\.")
        binning.fit(features, label)


class WoeLogit:
    """Binning + L2 logistic regression on WoE; attributes whose fitted sign contradicts their WoE
    (a good bin counted as risky) are dropped and the regression refitted, as scorecard reviews require.
    `EXCLUDED_FEATURES` are binned with the rest but never scored.
    """

    def __init__(self, *, c: float = 1.0) -> None:
        self.c = c
        self._binning = BinningProcess(
            variable_names=list(FEATURES),
            categorical_variables=list(CATEGORICAL_FEATURES),
            binning_fit_params={name: {"monotonic_trend": "auto_asc_desc"} for name in _MONOTONE},
        )
        self._coef = np.zeros(len(FEATURES))
        self._intercept = 0.0

    @property
    def intercept(self) -> float:
        return self._intercept

    def fit(self, features: pd.DataFrame, label: np.ndarray) -> WoeLogit:
        _quietly_fit(self._binning, features, label)
        woe = self._woe(features)
        keep = np.array([name not in EXCLUDED_FEATURES for name in FEATURES])
        while True:
            regression = LogisticRegression(C=self.c, max_iter=5000).fit(woe[:, keep], label)
            coef = np.zeros(len(FEATURES))
            coef[keep] = regression.coef_[0]
            # optbinning's WoE is log(share of goods / share of bads): a higher WoE must lower the PD.
            wrong = coef > 0
            if not wrong.any():
                break
            keep &= ~wrong
        self._coef = coef
        self._intercept = float(regression.intercept_[0])
        return self

    def terms(self, features: pd.DataFrame) -> np.ndarray:
        return self._woe(features) * self._coef

    def numeric_edges(self) -> dict[str, np.ndarray]:
        """Each numeric attribute's bin edges (a value equal to an edge belongs to the bin above)."""
        return {
            name: np.asarray(self._binning.get_binned_variable(name).splits, dtype=float) for name in NUMERIC_FEATURES
        }

    def _woe(self, features: pd.DataFrame) -> np.ndarray:
        # Unseen categories and missing values get WoE 0, the population average.
        woe = self._binning.transform(features[list(FEATURES)], metric="woe")
        return np.asarray(woe, dtype=float)
