"""Escalated reviews in the queue: the filter, and the section that puts those escalated to a viewer first.

A review whose policy escalates it (``review: on_timeout: escalate``) and that waited past its deadline is
escalated to a role: its people find it above the rest of the queue page (and in `escalated_to_you` of
`/api/queue`), due soonest, until it is decided or expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, assert_never

from policies import Reviewer
from supervision import QueueBrowser, QueuePage

EscalationChoice = Literal["mine", "any", "none"]
"""The queue's escalation filter: escalated to one of my roles, escalated at all, or never escalated."""

ESCALATION_CHOICES: tuple[tuple[EscalationChoice, str], ...] = (
    ("mine", "Escalated to me"),
    ("any", "Escalated"),
    ("none", "Not escalated"),
)

ESCALATED_FIRST = 20
"""How many reviews escalated to the viewer the first page shows above the rest."""


@dataclass(frozen=True)
class EscalationScope:
    """An escalation filter as `QueueBrowser` takes it."""

    escalated: bool | None = None
    escalated_to: frozenset[str] | None = None

    @classmethod
    def of(cls, choice: EscalationChoice | None, reviewer: Reviewer) -> EscalationScope:
        match choice:
            case None:
                return cls()
            case "mine":
                return cls(escalated_to=reviewer.roles)
            case "any":
                return cls(escalated=True)
            case "none":
                return cls(escalated=False)
            case unreachable:
                assert_never(unreachable)


def escalated_to_you(
    browser: QueueBrowser, reviewer: Reviewer, *, agent: str | None = None, action: str | None = None
) -> QueuePage:
    """The pending reviews escalated to one of `reviewer`'s roles, due soonest: what they see first."""
    return browser.page(
        agent=agent,
        action=action,
        status="pending",
        escalated_to=reviewer.roles,
        sort="due",
        limit=ESCALATED_FIRST,
    )
