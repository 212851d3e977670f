"""Autonomy status: each agent action's level and the KPIs behind it, for the CLI and the demo."""

from __future__ import annotations

from typing import Any

from steward._wiring import Steward
from supervision import AutonomyChangeView


def autonomy_rows(app: Steward) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for agent, runtime in sorted(app.supervisor.agents.items()):
        policy = runtime.step.policy
        for action in sorted(policy.actions):
            level, kpi = app.supervisor.ladder_state(agent, action)
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
