"""Autonomy status: each agent action's level and the KPIs behind it, for the CLI and the demo."""

from __future__ import annotations

from typing import Any

from steward._wiring import Steward
from supervision import AutonomyChangeView


def autonomy_rows(app: Steward) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for agent, policy in sorted(app.policies.items()):
        for action in sorted(policy.actions):
            ladder = policy.ladder(action)
            level = app.autonomy.level(agent, action, default=policy.initial_level(action))
            kpi = app.kpis.snapshot(
                agent,
                action,
                window=ladder.window,
                confidence=ladder.promotion.confidence,
                since=app.autonomy.changed_at(agent, action),
            )
            history = app.autonomy.history(agent, action)
            last = history[-1] if history else None
            rows.append(
                {
                    "agent": agent,
                    "action": action,
                    "level": level,
                    "levels": policy.levels(action),
                    "kpi": kpi.model_dump(mode="json"),
                    "last_change": _change_text(last) if last else None,
                }
            )
    return rows


def _change_text(change: AutonomyChangeView) -> str:
    return f"{change.from_level} → {change.to_level} at {change.at:%Y-%m-%d %H:%M} by {change.actor}: {change.reason}"
