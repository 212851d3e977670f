"""A rationale drafted by an LLM, checked, and replaced by the fallback whenever it cannot be trusted."""

from __future__ import annotations

from types import TracebackType

import structlog
from openai import OpenAI

from agents.credit import ProposedAction, RationaleWriter
from agents.llm._endpoint import LLMEndpoint
from agents.llm._guard import DraftRejected, check_draft
from agents.llm._prompt import SYSTEM_PROMPT, RationalePrompt, rationale_prompt
from tools import ReasonCode

log = structlog.get_logger(__name__)


class OpenAIRationale:
    """Drafts the reviewer's rationale with an OpenAI-compatible model; never decides anything.

    The action, the figures and the reason codes come from the model and policy. The LLM only words
    them; a draft that fails, runs long or states a number it was not given is replaced by
    `fallback` (a warning is logged), so with the endpoint down everything still works.
    Close it (or use it as a context manager) to release the HTTP connection pool.
    """

    def __init__(self, endpoint: LLMEndpoint, fallback: RationaleWriter) -> None:
        self.endpoint = endpoint
        self.fallback = fallback
        self._client = OpenAI(
            base_url=endpoint.base_url,
            api_key=endpoint.api_key,
            timeout=endpoint.timeout_s,
            max_retries=endpoint.max_retries,
        )

    def write(
        self,
        action: ProposedAction,
        probability_of_default: float,
        cutoff: float,
        reasons: tuple[ReasonCode, ...],
    ) -> str:
        prompt = rationale_prompt(action, probability_of_default, cutoff, reasons)
        draft = self._draft(prompt)
        if isinstance(draft, str):
            return f"{draft} (drafted by {self.endpoint.model})"
        log.warning(
            "llm.rationale_rejected",
            reason=draft.reason,
            detail=draft.detail,
            model=self.endpoint.model,
            action=action.action,
        )
        return self.fallback.write(action, probability_of_default, cutoff, reasons)

    def _draft(self, prompt: RationalePrompt) -> str | DraftRejected:
        """The checked text of one completion, or why there is none to use."""
        try:
            completion = self._client.chat.completions.create(
                model=self.endpoint.model,
                messages=[
                    {"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": prompt.user_message},
                ],
                temperature=0,
            )
        except Exception as exc:  # whatever goes wrong with the optional LLM, the fallback takes over
            return DraftRejected("call_failed", f"{type(exc).__name__}: {exc}")
        if not completion.choices:
            return DraftRejected("empty", "the endpoint returned no choices")
        choice = completion.choices[0]
        text = (choice.message.content or "").strip()
        return check_draft(text, choice.finish_reason, prompt) or text

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> OpenAIRationale:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
