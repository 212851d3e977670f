"""What the scorecard says about one applicant: PD, points, decision and adverse-action reasons."""

from __future__ import annotations

import math
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

CreditDecision = Literal["approve", "decline"]

# Points scaling: 600 points at good:bad odds of 50:1, and 20 more points each time the odds double.
BASE_POINTS: Final = 600
BASE_ODDS: Final = 50.0
POINTS_TO_DOUBLE_ODDS: Final = 20


class ReasonCode(BaseModel):
    """One factor pushing the applicant towards default, usable as an adverse-action reason.

    `contribution` is how much this attribute adds to the log-odds of default compared with the
    average training applicant (always positive for a reason code).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    feature: str
    description: str
    contribution: float


class CreditAssessment(BaseModel):
    """The scorecard's view of one applicant; `decision` applies the model's own cut-off only."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    probability_of_default: float
    score: int
    decision: CreditDecision
    cutoff: float
    reason_codes: tuple[ReasonCode, ...]
    model_version: str


def points(probability_of_default: float) -> int:
    """PDO-scaled points for a PD: higher is safer (600 at odds 50:1, +20 per doubling of the odds)."""
    factor = POINTS_TO_DOUBLE_ODDS / math.log(2)
    odds_good = (1.0 - probability_of_default) / probability_of_default
    return round(BASE_POINTS + factor * (math.log(odds_good) - math.log(BASE_ODDS)))
