"""Checking applicant records before they reach the model: every field present, typed and sane."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from agents.scorecard._errors import InvalidApplicant
from agents.scorecard._features import FEATURES, NUMERIC_FEATURES

FeatureValue = str | int | float


def applicant_frame(features: Mapping[str, FeatureValue]) -> pd.DataFrame:
    """One applicant as a one-row frame in `FEATURES` order; raises `InvalidApplicant` naming the field."""
    return _typed(pd.DataFrame([applicant_row(features)], columns=list(FEATURES)))


def applicant_row(features: Mapping[str, FeatureValue]) -> dict[str, float | str]:
    """One applicant's attributes checked and typed; raises `InvalidApplicant` naming the field.

    Numeric attributes must be finite, non-negative numbers (not strings, not booleans); categorical
    attributes must be non-empty strings. A categorical value never seen in training is accepted and
    scored as the population average for that attribute.
    """
    unknown = sorted(set(features) - set(FEATURES))
    if unknown:
        raise InvalidApplicant(unknown[0], "unknown field; expected only the 20 German credit attributes")
    row: dict[str, float | str] = {}
    for name in FEATURES:
        if name not in features:
            raise InvalidApplicant(name, "missing; every one of the 20 German credit attributes is required")
        value = features[name]
        if name in NUMERIC_FEATURES:
            row[name] = _number(name, value)
        else:
            row[name] = _category(name, value)
    return row


def applicants_frame(features: pd.DataFrame) -> pd.DataFrame:
    """Many applicants in `FEATURES` order with numeric columns as floats; raises `InvalidApplicant`."""
    missing = [name for name in FEATURES if name not in features.columns]
    if missing:
        raise InvalidApplicant(missing[0], "missing column; every one of the 20 attributes is required")
    frame = features[list(FEATURES)].reset_index(drop=True)
    for name in NUMERIC_FEATURES:
        numbers = pd.to_numeric(frame[name], errors="coerce")
        if numbers.isna().any() or not np.isfinite(numbers.to_numpy(dtype=float)).all():
            raise InvalidApplicant(name, "every value must be a finite number")
    return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    columns = {
        name: frame[name].astype(float) if name in NUMERIC_FEATURES else frame[name].astype(str).astype(object)
        for name in FEATURES
    }
    return pd.DataFrame(columns, columns=list(FEATURES))


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InvalidApplicant(name, f"must be a number, got {type(value).__name__} {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise InvalidApplicant(name, f"must be a finite, non-negative number, got {value!r}")
    return number


def _category(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidApplicant(name, f"must be a text category, got {type(value).__name__} {value!r}")
    if not value.strip():
        raise InvalidApplicant(name, "must not be empty")
    return value.strip()
