"""The checks an LLM draft must pass before a reviewer sees it; any failure means the template."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agents.llm._prompt import RationalePrompt, number_tokens

MAX_CHARS = 800

RejectionReason = Literal["call_failed", "empty", "truncated", "too_long", "invented_number"]


@dataclass(frozen=True)
class DraftRejected:
    """Why a draft (or the call for it) was not used."""

    reason: RejectionReason
    detail: str


def check_draft(text: str, finish_reason: str | None, prompt: RationalePrompt) -> DraftRejected | None:
    """None if `text` may be shown: non-empty, complete, short, and with no number it was not given."""
    if not text:
        return DraftRejected("empty", "the endpoint returned no text")
    if finish_reason == "length":
        return DraftRejected("truncated", "the endpoint stopped at its token limit")
    if len(text) > MAX_CHARS:
        return DraftRejected("too_long", f"{len(text)} characters, at most {MAX_CHARS}")
    invented = sorted({str(n) for n in number_tokens(text) if n not in prompt.allowed_numbers})
    if invented:
        return DraftRejected("invented_number", f"numbers not in the input: {', '.join(invented)}")
    return None
