"""Where the optional LLM lives: any OpenAI-compatible endpoint."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LLMEndpoint:
    """An OpenAI-compatible chat endpoint and how patiently to call it.

    `max_retries` defaults to 0: a failed draft falls back to the template at once rather than
    holding up the agent's run.
    """

    base_url: str
    model: str
    api_key: str = field(repr=False)
    timeout_s: float = 10.0
    max_retries: int = 0
