"""One-hot logistic regression: each category its own coefficient, log-scaled numbers, L2 penalty."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from agents.scorecard._features import EXCLUDED_FEATURES, FEATURES, NUMERIC_FEATURES


class OneHotLogit:
    """L2 logistic regression on one-hot categories and standardised log(1 + x) numbers.

    `EXCLUDED_FEATURES` get no columns, so their term is always 0.
    """

    def __init__(self, *, c: float = 1.0) -> None:
        self.c = c
        self._categories: dict[str, list[str]] = {}
        self._centre: dict[str, tuple[float, float]] = {}
        self._slices: list[slice] = []
        self._coef = np.zeros(0)
        self._intercept = 0.0
        self._mean_terms = np.zeros(len(FEATURES))

    @property
    def intercept(self) -> float:
        return self._intercept

    def fit(self, features: pd.DataFrame, label: np.ndarray) -> OneHotLogit:
        for name in FEATURES:
            if name in EXCLUDED_FEATURES:
                continue
            if name in NUMERIC_FEATURES:
                logged = np.log1p(features[name].to_numpy(dtype=float))
                self._centre[name] = (float(logged.mean()), float(logged.std()) or 1.0)
            else:
                self._categories[name] = sorted(features[name].astype(str).unique())
        blocks = self._blocks(features)
        self._slices, start = [], 0
        for block in blocks:
            self._slices.append(slice(start, start + block.shape[1]))
            start += block.shape[1]
        regression = LogisticRegression(C=self.c, max_iter=5000).fit(np.hstack(blocks), label)
        self._coef = regression.coef_[0]
        self._intercept = float(regression.intercept_[0])
        self._mean_terms = self._raw_terms(blocks).mean(axis=0)
        return self

    def terms(self, features: pd.DataFrame) -> np.ndarray:
        terms = self._raw_terms(self._blocks(features))
        # An unseen category has no column of its own: give it the attribute's average term.
        for j, name in enumerate(FEATURES):
            if name in self._categories:
                unseen = ~features[name].astype(str).isin(self._categories[name]).to_numpy()
                terms[unseen, j] = self._mean_terms[j]
        return terms

    def _blocks(self, features: pd.DataFrame) -> list[np.ndarray]:
        blocks = []
        for name in FEATURES:
            if name in EXCLUDED_FEATURES:
                blocks.append(np.zeros((len(features), 0)))
            elif name in NUMERIC_FEATURES:
                mean, std = self._centre[name]
                logged = np.log1p(features[name].to_numpy(dtype=float))
                blocks.append(((logged - mean) / std).reshape(-1, 1))
            else:
                values = features[name].astype(str).to_numpy()
                blocks.append((values[:, None] == np.array(self._categories[name])[None, :]).astype(float))
        return blocks

    def _raw_terms(self, blocks: list[np.ndarray]) -> np.ndarray:
        return np.column_stack([block @ self._coef[part] for block, part in zip(blocks, self._slices, strict=True)])
