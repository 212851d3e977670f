"""The trained credit scorecard: scores applicants, explains the score, decides at the cut-off."""

from __future__ import annotations

import pickle
import platform
from collections.abc import Mapping
from importlib.metadata import version as package_version
from pathlib import Path
from typing import ClassVar, Final

import numpy as np
import pandas as pd

from agents.scorecard._additive import AdditiveModel, log_odds
from agents.scorecard._applicant import FeatureValue, applicant_frame, applicant_row, applicants_frame
from agents.scorecard._assessment import CreditAssessment, ReasonCode, points
from agents.scorecard._errors import ScorecardFileError
from agents.scorecard._features import FEATURES, SPEC_BY_NAME
from agents.scorecard._lookup import TermTables
from agents.scorecard._methods import ScorecardMethod

FORMAT_VERSION: Final = 2
MAX_REASON_CODES: Final = 4
# PDs are kept this far from 0 and 1 so that points stay finite.
_PD_FLOOR: Final = 1e-6


def _sklearn_version() -> str:
    """The installed scikit-learn version, read without importing scikit-learn (slow to import)."""
    return package_version("scikit-learn")


def expit(x: np.ndarray | float) -> np.ndarray:
    """The logistic function, overflow-safe for large negative log-odds."""
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float))))


class CreditScorecard:
    """A fitted additive scorecard with its cut-off; build it with `train_scorecard`.

    Decline when the probability of default is above `cutoff`. Reason codes are the attributes that
    add most to the log-odds of default compared with the average training applicant.
    """

    FEATURES: ClassVar[tuple[str, ...]] = FEATURES

    def __init__(
        self,
        *,
        method: ScorecardMethod,
        model: AdditiveModel,
        mean_terms: np.ndarray,
        cutoff: float,
        version: str,
        tables: TermTables | None = None,
    ) -> None:
        self.method: ScorecardMethod = method
        self.cutoff = cutoff
        self.version = version
        self._model = model
        self._mean_terms = mean_terms
        self._tables = tables
        self._format = FORMAT_VERSION
        self._sklearn = _sklearn_version()

    def assess(self, features: Mapping[str, FeatureValue]) -> CreditAssessment:
        """Score one applicant given all 20 attributes; raises `InvalidApplicant` naming a bad field."""
        applicant: Mapping[str, float | str]
        if self._tables is not None:
            applicant = applicant_row(features)
            terms = self._tables.terms(applicant)
        else:
            frame = applicant_frame(features)
            applicant = frame.iloc[0].to_dict()
            terms = self._model.terms(frame)[0]
        probability = float(np.clip(expit(self._model.intercept + terms.sum()), _PD_FLOOR, 1 - _PD_FLOOR))
        return CreditAssessment(
            probability_of_default=probability,
            score=points(probability),
            decision="decline" if probability > self.cutoff else "approve",
            cutoff=self.cutoff,
            reason_codes=self._reasons(applicant, terms - self._mean_terms),
            model_version=self.version,
        )

    def assess_many(self, features: pd.DataFrame) -> np.ndarray:
        """Probability of default for each row (the 20 attribute columns; other columns are ignored)."""
        frame = applicants_frame(features)
        result: np.ndarray = np.clip(expit(log_odds(self._model, frame)), _PD_FLOOR, 1 - _PD_FLOOR)
        return result

    def approves(self, probability_of_default: np.ndarray) -> np.ndarray:
        """The model's own decision for each PD: True where it approves (PD at or below the cut-off)."""
        return np.asarray(probability_of_default) <= self.cutoff

    def save(self, path: Path) -> None:
        """Write the scorecard to `path` (a pickle); load it with `CreditScorecard.load`."""
        Path(path).write_bytes(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL))

    @classmethod
    def load(cls, path: Path) -> CreditScorecard:
        """Read a scorecard written by `save`; raises `ScorecardFileError` if it cannot be used here."""
        path = Path(path)
        if not path.is_file():
            raise ScorecardFileError(path, "file not found; train the scorecard again to create it")
        try:
            # Only load scorecard files this installation wrote: unpickling runs code from the file.
            loaded = pickle.loads(path.read_bytes())
        except Exception as exc:  # unpickling can fail in many ways; all mean "not usable"
            raise ScorecardFileError(path, f"not a readable scorecard file ({exc}); delete it and retrain") from exc
        if not isinstance(loaded, cls):
            raise ScorecardFileError(path, f"holds a {type(loaded).__name__}, not a CreditScorecard")
        if getattr(loaded, "_format", None) != FORMAT_VERSION:
            raise ScorecardFileError(
                path,
                f"written in scorecard format {getattr(loaded, '_format', None)}, this code reads "
                f"format {FORMAT_VERSION}; delete it and retrain",
            )
        if loaded._sklearn != _sklearn_version():
            raise ScorecardFileError(
                path,
                f"written with scikit-learn {loaded._sklearn}, running {_sklearn_version()} "
                f"(Python {platform.python_version()}); delete it and retrain",
            )
        return loaded

    def _reasons(self, applicant: Mapping[str, float | str], contributions: np.ndarray) -> tuple[ReasonCode, ...]:
        # Largest contribution first; ties keep the attribute order so the output is deterministic.
        order = sorted(range(len(FEATURES)), key=lambda j: (-contributions[j], j))
        reasons = []
        for j in order[:MAX_REASON_CODES]:
            if contributions[j] <= 0:
                break
            spec = SPEC_BY_NAME[FEATURES[j]]
            reasons.append(
                ReasonCode(
                    code=spec.code,
                    feature=spec.name,
                    description=spec.describe(applicant[spec.name]),
                    contribution=round(float(contributions[j]), 6),
                )
            )
        return tuple(reasons)

    def __repr__(self) -> str:
        return f"CreditScorecard(version={self.version!r}, cutoff={self.cutoff:.4f})"
