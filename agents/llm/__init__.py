"""The optional LLM: drafts reviewers' rationales through any OpenAI-compatible endpoint.

An LLM words what the models and policies decided; it never decides. Every draft is checked, and
the deterministic writer takes over whenever the endpoint fails or a draft cannot be trusted.
"""

from agents.llm._endpoint import LLMEndpoint
from agents.llm._guard import MAX_CHARS, DraftRejected, RejectionReason
from agents.llm._prompt import SYSTEM_PROMPT
from agents.llm._rationale import OpenAIRationale

__all__ = [
    "MAX_CHARS",
    "SYSTEM_PROMPT",
    "DraftRejected",
    "LLMEndpoint",
    "OpenAIRationale",
    "RejectionReason",
]
