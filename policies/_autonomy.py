"""The autonomy ladder: promote one rung on strong evidence, demote at once on a breach.

Agreement and outcome KPIs are judged by Wilson score bounds, so a handful of lucky cases never
earns autonomy: the lower bound of agreement and the upper bound of the bad-outcome rate must clear
the policy's thresholds.
"""

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

from core import ConfigurationError
from policies._errors import PolicyError
from policies._schema import DemotionCriteria, PromotionCriteria
from policies._types import KpiSnapshot, LadderChange


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion `successes / n`; ``(0.0, 1.0)`` when nothing was seen.

    The bounds are clamped so that ``0 <= low <= successes / n <= high <= 1`` holds exactly despite
    floating-point rounding.
    """
    if n < 0 or not 0 <= successes <= n:
        raise ConfigurationError(f"wilson_interval needs 0 <= successes <= n, got {successes} of {n}")
    if not 0.0 < confidence < 1.0:
        raise ConfigurationError(f"wilson_interval needs a confidence between 0 and 1, got {confidence}")
    if n == 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)
    rate = successes / n
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (rate + z2 / (2.0 * n)) / denominator
    half_width = z * math.sqrt(rate * (1.0 - rate) / n + z2 / (4.0 * n * n)) / denominator
    low = max(0.0, min(centre - half_width, rate))
    high = min(1.0, max(centre + half_width, rate))
    return low, high


@dataclass(frozen=True)
class AutonomyLadder:
    """The levels of one agent action, lowest first, and the KPI gates between them."""

    levels: tuple[str, ...]
    window: int
    promotion: PromotionCriteria
    demotion: DemotionCriteria

    def index(self, level: str) -> int:
        """Position of `level` on the ladder (0 is shadow); raises `PolicyError` for an unknown one."""
        try:
            return self.levels.index(level)
        except ValueError:
            raise PolicyError(f"unknown autonomy level {level!r}; the ladder is {' -> '.join(self.levels)}") from None

    def evaluate(self, level: str, kpi: KpiSnapshot) -> LadderChange | None:
        """The move `kpi` calls for from `level`: a demotion on a breach, else one rung up, else none."""
        current = self.index(level)
        breach = self._breach(kpi)
        if breach is not None:
            target = self.index(self.demotion.to)
            if current <= target:
                return None
            return self._change(kpi, level, self.demotion.to, "demote", breach)
        if current + 1 >= len(self.levels):
            return None
        evidence = self._promotion_evidence(kpi)
        if evidence is None:
            return None
        return self._change(kpi, level, self.levels[current + 1], "promote", evidence)

    def _breach(self, kpi: KpiSnapshot) -> str | None:
        rule = self.demotion
        if kpi.reviewed >= rule.min_cases and kpi.agreement_rate < rule.agreement_floor:
            return (
                f"Agreement with reviewers fell to {kpi.agreement_rate:.1%} over {kpi.reviewed} reviewed "
                f"cases, below the floor of {rule.agreement_floor:.1%}."
            )
        if kpi.outcomes_observed >= rule.min_cases and kpi.bad_outcome_rate > rule.max_bad_outcome_rate:
            return (
                f"Bad outcomes rose to {kpi.bad_outcome_rate:.1%} of {kpi.outcomes_observed} observed "
                f"outcomes, above the limit of {rule.max_bad_outcome_rate:.1%}."
            )
        return None

    def _promotion_evidence(self, kpi: KpiSnapshot) -> str | None:
        rule = self.promotion
        if kpi.reviewed_since_change < rule.min_reviewed:
            return None
        if kpi.agreement_lower_bound < rule.min_agreement_lower_bound:
            return None
        reason = (
            f"{kpi.reviewed_since_change} cases reviewed since the last change; agreement "
            f"{kpi.agreement_rate:.1%} with a {rule.confidence:.0%} lower bound of "
            f"{kpi.agreement_lower_bound:.1%} (needed {rule.min_agreement_lower_bound:.1%})"
        )
        if rule.min_outcomes == 0:
            return reason + "; outcomes are not required."
        if kpi.outcomes_observed < rule.min_outcomes:
            return None
        if kpi.bad_outcome_upper_bound > rule.max_bad_outcome_upper_bound:
            return None
        return reason + (
            f"; bad outcomes {kpi.bad_outcome_rate:.1%} of {kpi.outcomes_observed} with an upper bound "
            f"of {kpi.bad_outcome_upper_bound:.1%} (allowed {rule.max_bad_outcome_upper_bound:.1%})."
        )

    def _change(
        self, kpi: KpiSnapshot, level: str, to: str, direction: Literal["promote", "demote"], reason: str
    ) -> LadderChange:
        return LadderChange(
            agent=kpi.agent,
            action=kpi.action,
            from_level=level,
            to_level=to,
            direction=direction,
            reason=reason,
            kpi=kpi,
        )
