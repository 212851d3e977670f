"""Similar past decisions: the settled proposals of the same action whose facts lie nearest this one's.

Nearness is measured on the numeric facts the gate saw (amount, probability of default, existing
credits, age, ...), each scaled by its spread over the recent history, so no single unit dominates;
a differing yes/no fact (an Art. 22 objection, say) counts as one spread. Nothing here is learnt: it
shows a reviewer what colleagues decided on comparable cases and how those turned out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import pstdev

from core import JsonValue
from supervision import QueueItem, SettledCase

HISTORY = 500
"""How many recently settled proposals are compared."""


@dataclass(frozen=True)
class SimilarCase:
    case: SettledCase
    distance: float
    shown: dict[str, float | bool]
    """The facts compared that differ most or matter most, for the table."""

    @property
    def decision(self) -> str:
        if self.case.edited_action:
            return f"replaced by {self.case.edited_action}"
        return {"approve": "approved", "reject": "rejected", "edit": "approved with changes"}.get(
            self.case.verdict or "",
            f"{self.case.status} by policy" if self.case.decided_by == "policy" else self.case.status,
        )


def _flatten(facts: Mapping[str, JsonValue], prefix: str = "") -> dict[str, float | bool]:
    out: dict[str, float | bool] = {}
    for key, value in facts.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool):
            out[name] = value
        elif isinstance(value, int | float) and math.isfinite(value):
            out[name] = float(value)
        elif isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
    return out


def similar_cases(item: QueueItem, history: Sequence[SettledCase], *, limit: int = 5) -> list[SimilarCase]:
    """The `limit` settled cases nearest to `item`, nearest first (never `item` itself)."""
    mine = _flatten(item.facts)
    others = [(case, _flatten(case.facts)) for case in history if case.id != item.id]
    if not mine or not others:
        return []
    spreads: dict[str, float] = {}
    for key, value in mine.items():
        if isinstance(value, bool):
            spreads[key] = 1.0
            continue
        values = [v for _, facts in others if isinstance(v := facts.get(key), float)]
        spread = pstdev(values) if len(values) > 1 else 0.0
        if spread > 0:
            spreads[key] = spread
    scored = []
    for case, facts in others:
        total, compared = 0.0, 0
        for key, spread in spreads.items():
            theirs = facts.get(key)
            if theirs is None:
                continue
            compared += 1
            mine_value = mine[key]
            if isinstance(mine_value, bool) or isinstance(theirs, bool):
                total += 0.0 if mine_value == theirs else 1.0
            else:
                total += ((mine_value - theirs) / spread) ** 2
        if compared:
            scored.append((math.sqrt(total / compared), case, facts))
    scored.sort(key=lambda entry: (entry[0], entry[1].id))
    numeric = [key for key in spreads if not isinstance(mine[key], bool)]
    keys = sorted(numeric, key=lambda key: not any(word in key for word in ("amount", "probability")))[:4]
    return [
        SimilarCase(case=case, distance=distance, shown={key: facts[key] for key in keys if key in facts})
        for distance, case, facts in scored[:limit]
    ]
