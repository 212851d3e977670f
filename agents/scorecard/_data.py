"""Loading the bundled Statlog German credit CSV into typed, validated frames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from agents.scorecard._errors import CreditDataError
from agents.scorecard._features import (
    CATEGORICAL_FEATURES,
    FEATURES,
    LABEL_COLUMN,
    NUMERIC_FEATURES,
    ROW_ID_COLUMN,
)

_LABELS = {"good": 0, "bad": 1}


@dataclass(frozen=True)
class GermanCreditData:
    """Applicants (the 20 attribute columns), their label (1 = bad, 0 = good) and their row ids."""

    features: pd.DataFrame
    label: pd.Series
    row_ids: pd.Series

    def __len__(self) -> int:
        return len(self.label)

    def subset(self, positions: np.ndarray) -> GermanCreditData:
        """The rows at the given integer positions, re-indexed from 0."""
        return GermanCreditData(
            features=self.features.iloc[positions].reset_index(drop=True),
            label=self.label.iloc[positions].reset_index(drop=True),
            row_ids=self.row_ids.iloc[positions].reset_index(drop=True),
        )


def load_german_credit(path: Path) -> GermanCreditData:
    """Read and validate a German credit CSV (`row_id`, the 20 attributes, `creditability` good/bad).

    Raises `CreditDataError` naming the file and the problem (missing file or columns, a label other
    than good/bad, a non-numeric value in a numeric column with its row number).
    """
    path = Path(path)
    if not path.is_file():
        raise CreditDataError(path, "file not found; pass the path of a German credit CSV")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CreditDataError(path, f"not a readable CSV file ({exc})") from exc
    missing = [c for c in (ROW_ID_COLUMN, *FEATURES, LABEL_COLUMN) if c not in raw.columns]
    if missing:
        raise CreditDataError(path, f"missing columns: {', '.join(missing)}")
    if raw.empty:
        raise CreditDataError(path, "no data rows")

    labels = raw[LABEL_COLUMN].str.strip()
    bad_labels = ~labels.isin(list(_LABELS))
    if bad_labels.any():
        first = int(np.flatnonzero(bad_labels.to_numpy())[0])
        raise CreditDataError(
            path,
            f"row {first + 2}: column {LABEL_COLUMN!r} must be 'good' or 'bad', got {labels.iloc[first]!r}",
        )

    columns: dict[str, pd.Series] = {}
    for name in FEATURES:
        column = raw[name].str.strip()
        if name in NUMERIC_FEATURES:
            numbers = pd.to_numeric(column, errors="coerce")
            bad = numbers.isna().to_numpy()
            if bad.any():
                first = int(np.flatnonzero(bad)[0])
                raise CreditDataError(
                    path, f"row {first + 2}: column {name!r} must be a number, got {column.iloc[first]!r}"
                )
            columns[name] = numbers.astype(float)
        else:
            empty = (column == "").to_numpy()
            if empty.any():
                first = int(np.flatnonzero(empty)[0])
                raise CreditDataError(path, f"row {first + 2}: column {name!r} is empty")
            columns[name] = column.astype(object)
    assert set(columns) == set(NUMERIC_FEATURES) | set(CATEGORICAL_FEATURES)
    return GermanCreditData(
        features=pd.DataFrame(columns, columns=list(FEATURES)),
        label=labels.map(_LABELS).astype(int).rename("bad"),
        row_ids=raw[ROW_ID_COLUMN].rename(ROW_ID_COLUMN),
    )
