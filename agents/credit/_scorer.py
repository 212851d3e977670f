"""The credit scorecard the credit agent scores with: loaded from its file, or trained on the bundled data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from agents.scorecard import CreditAssessment, CreditScorecard

log = structlog.get_logger(__name__)

MODEL_FILE = Path("models") / "credit_scorecard.pkl"
"""Where the trained scorecard is kept, under the installation's home."""
TRAINING_FILE = Path("german_credit") / "german_credit.csv"
"""The bundled training data, under the data folder (see its SOURCE.md)."""


class LazyScorecard:
    """The credit scorecard, loaded from its file (or trained on the bundled data) on first use.

    Commands that never score (deciding a review, listing the queue) then never pay for the model.
    """

    def __init__(self, model_path: Path, training_csv: Path) -> None:
        self.model_path = model_path
        self.training_csv = training_csv
        self._model: CreditScorecard | None = None

    @property
    def model(self) -> CreditScorecard:
        if self._model is None:
            self._model = load_or_train_scorecard(self.model_path, self.training_csv)
        return self._model

    def assess(self, features: Any) -> CreditAssessment:
        return self.model.assess(features)


def load_or_train_scorecard(model_path: Path, training_csv: Path, *, retrain: bool = False) -> CreditScorecard:
    """Load the saved scorecard, or train it on `training_csv` and save it for next time.

    The scorecard's libraries (pandas, scikit-learn, optbinning) are imported here, on first use, so
    commands that never score start quickly.
    """
    from agents.scorecard import CreditScorecard, load_german_credit, train_scorecard

    if model_path.exists() and not retrain:
        return CreditScorecard.load(model_path)
    log.info("scorecard.training", data=str(training_csv))
    model = train_scorecard(load_german_credit(training_csv))
    model_path.parent.mkdir(parents=True, exist_ok=True)
    model.save(model_path)
    log.info("scorecard.trained", version=model.version, path=str(model_path))
    return model
