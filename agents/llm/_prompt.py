"""What the LLM is told when it drafts a credit rationale, and which numbers it is given."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal

from agents.credit import ProposedAction
from tools import ReasonCode

SYSTEM_PROMPT = (
    "You draft the rationale a credit officer reads first. Write 2-3 plain sentences explaining the "
    "proposed action, using ONLY the figures and reason codes given in the user's JSON. Do not introduce "
    "any new numbers, do not change the action, and make no promises or commitments to the applicant. "
    "Reply with the sentences only."
)

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def number_tokens(text: str) -> tuple[Decimal, ...]:
    """Every number written in `text`, as a value: "1,000" and "1000.0" are both 1000."""
    return tuple(Decimal(token.replace(",", "")) for token in _NUMBER.findall(text))


@dataclass(frozen=True)
class RationalePrompt:
    """The user message for one draft, and the numbers a draft may therefore repeat."""

    user_message: str
    allowed_numbers: frozenset[Decimal]


def rationale_prompt(
    action: ProposedAction,
    probability_of_default: float,
    cutoff: float,
    reasons: tuple[ReasonCode, ...],
) -> RationalePrompt:
    """Render the figures as the template does (percentages to one decimal) in compact JSON."""
    facts = {
        "action": action.action,
        "arguments": action.arguments,
        "probability_of_default": f"{probability_of_default:.1%}",
        "cutoff": f"{cutoff:.1%}",
        "reason_codes": [reason.description for reason in reasons],
    }
    message = json.dumps(facts, ensure_ascii=False, separators=(",", ":"))
    return RationalePrompt(user_message=message, allowed_numbers=frozenset(number_tokens(message)))
