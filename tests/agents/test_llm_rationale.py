"""The LLM rationale against a real local OpenAI-compatible server: used when sound, else the template."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from structlog.testing import capture_logs

from agents import AgentRunner, Proposal
from agents.credit import ProposedAction, TemplateRationale
from agents.llm import MAX_CHARS, SYSTEM_PROMPT, LLMEndpoint, OpenAIRationale
from core import JsonObject
from steward import Settings
from tests.agents.flow_helpers import installation
from tools import ReasonCode

MODEL = "steward-test-model"
REASONS = (
    ReasonCode(
        code="R01",
        feature="status_of_existing_checking_account",
        description="no checking account",
        contribution=0.41,
    ),
    ReasonCode(
        code="R02",
        feature="duration_in_month",
        description="a long requested term of 48 months",
        contribution=0.22,
    ),
)
DECLINE = ProposedAction("decline_credit", {"application_id": "A-1001", "reason_codes": ["R01", "R02"]})
APPROVE = ProposedAction("approve_credit", {"application_id": "A-1002", "amount": 4000.0, "duration_months": 12})
PD, CUTOFF = 0.412, 0.3
GOOD = (
    "The proposal is to decline: the probability of default is 41.2%, above the 30.0% cut-off. "
    "The main factors are no checking account and a long requested term of 48 months."
)


@dataclass
class ChatScript:
    """What the fake endpoint answers next, and every request body it received."""

    status: int = 200
    content: str | None = GOOD
    finish_reason: str = "stop"
    drop_connection: bool = False
    hang: bool = False
    release: threading.Event = field(default_factory=threading.Event)
    answered: threading.Event = field(default_factory=threading.Event)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def completion(self, model: str) -> JsonObject:
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": self.content},
                    "finish_reason": self.finish_reason,
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }


@dataclass
class Stage:
    """The script the running server follows; each test puts its own on stage."""

    script: ChatScript = field(default_factory=ChatScript)


def _handler(stage: Stage) -> type[BaseHTTPRequestHandler]:
    class ChatCompletions(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            script = stage.script
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            script.requests.append((self.path, body))
            if script.drop_connection:
                self.close_connection = True
                return
            if script.hang:
                script.release.wait(timeout=5)
            error: JsonObject = {"error": {"message": "scripted failure", "type": "server_error"}}
            reply = script.completion(body["model"]) if script.status == 200 else error
            with contextlib.suppress(OSError):  # after a timeout the client has closed the connection
                self._reply(script.status, reply)
            script.answered.set()

        def _reply(self, status: int, payload: JsonObject) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def finish(self) -> None:
            with contextlib.suppress(OSError):  # as above
                super().finish()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output quiet

    return ChatCompletions


@pytest.fixture(scope="module")
def chat_server() -> Iterator[tuple[Stage, str]]:
    """A real OpenAI-compatible HTTP server on a free local port, shared by this module's tests."""
    stage = Stage()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stage))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield stage, f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def script(chat_server: tuple[Stage, str]) -> Iterator[ChatScript]:
    """This test's script for the server; a request still hanging is let go (and finished) afterwards."""
    stage, _ = chat_server
    stage.script = ChatScript()
    yield stage.script
    stage.script.release.set()
    if stage.script.hang and stage.script.requests:
        stage.script.answered.wait(timeout=5)


def _endpoint(url: str, *, timeout_s: float = 2.0) -> LLMEndpoint:
    return LLMEndpoint(base_url=url, model=MODEL, api_key="test-key", timeout_s=timeout_s, max_retries=0)


@pytest.fixture(scope="module")
def writer(chat_server: tuple[Stage, str]) -> Iterator[OpenAIRationale]:
    """One writer (one client, one connection pool) for the tests against the shared server."""
    with OpenAIRationale(_endpoint(chat_server[1]), fallback=TemplateRationale()) as shared:
        yield shared


@pytest.fixture
def rationale_for() -> Iterator[Callable[..., OpenAIRationale]]:
    """Builds writers against a URL, and closes every one of them (and its connection pool) afterwards."""
    made: list[OpenAIRationale] = []

    def make(url: str, *, timeout_s: float = 2.0) -> OpenAIRationale:
        made.append(OpenAIRationale(_endpoint(url, timeout_s=timeout_s), fallback=TemplateRationale()))
        return made[-1]

    yield make
    for each in made:
        each.close()


def _template(action: ProposedAction = DECLINE) -> str:
    return TemplateRationale().write(action, PD, CUTOFF, REASONS)


def test_a_sound_draft_is_used_and_marked_and_the_prompt_carries_only_the_given_facts(
    script: ChatScript, writer: OpenAIRationale
) -> None:
    with capture_logs() as logs:
        text = writer.write(DECLINE, PD, CUTOFF, REASONS)

    assert text == f"{GOOD} (drafted by {MODEL})"
    assert logs == []
    [(path, body)] = script.requests
    assert path == "/v1/chat/completions"
    assert body["model"] == MODEL
    system, user = body["messages"]
    assert system == {"role": "system", "content": SYSTEM_PROMPT}
    assert "ONLY the figures and reason codes" in SYSTEM_PROMPT
    assert "new numbers" in SYSTEM_PROMPT
    assert "no promises" in SYSTEM_PROMPT
    assert user["role"] == "user"
    facts = json.loads(user["content"])
    assert facts == {
        "action": "decline_credit",
        "arguments": {"application_id": "A-1001", "reason_codes": ["R01", "R02"]},
        "probability_of_default": "41.2%",
        "cutoff": "30.0%",
        "reason_codes": ["no checking account", "a long requested term of 48 months"],
    }


def test_numbers_may_be_written_differently_as_long_as_their_value_was_given(
    script: ChatScript, writer: OpenAIRationale
) -> None:
    script.content = "Approve 4,000 DM over 12 months: the probability of default of 41.2% is set against 30%."
    text = writer.write(APPROVE, PD, CUTOFF, REASONS)
    assert text == f"{script.content} (drafted by {MODEL})"


@pytest.mark.parametrize(
    ("scripted", "reason"),
    [
        pytest.param({"status": 500}, "call_failed", id="http-500"),
        pytest.param({"drop_connection": True}, "call_failed", id="connection-dropped"),
        pytest.param({"content": GOOD + " Repayment should take 18 months."}, "invented_number", id="invented-number"),
        pytest.param({"content": "The applicant is a risk. " * 40}, "too_long", id="too-long"),
        pytest.param({"content": ""}, "empty", id="empty-content"),
        pytest.param({"content": None}, "empty", id="null-content"),
        pytest.param({"content": "   \n"}, "empty", id="blank-content"),
        pytest.param({"finish_reason": "length"}, "truncated", id="cut-off-at-token-limit"),
    ],
)
def test_an_unusable_answer_falls_back_to_the_template_with_a_warning(
    script: ChatScript,
    writer: OpenAIRationale,
    scripted: dict[str, Any],
    reason: str,
) -> None:
    for name, value in scripted.items():
        setattr(script, name, value)

    with capture_logs() as logs:
        text = writer.write(DECLINE, PD, CUTOFF, REASONS)

    assert text == _template()
    assert len(script.requests) == 1  # max_retries=0: one attempt, then the template
    [entry] = logs
    assert entry["event"] == "llm.rationale_rejected"
    assert entry["log_level"] == "warning"
    assert entry["reason"] == reason
    assert entry["model"] == MODEL


def test_a_draft_just_within_the_length_limit_is_used(script: ChatScript, writer: OpenAIRationale) -> None:
    script.content = "x" * MAX_CHARS
    assert writer.write(DECLINE, PD, CUTOFF, REASONS) == f"{script.content} (drafted by {MODEL})"


def test_a_hanging_endpoint_times_out_to_the_template(
    script: ChatScript, chat_server: tuple[Stage, str], rationale_for: Callable[..., OpenAIRationale]
) -> None:
    script.hang = True
    with capture_logs() as logs:
        text = rationale_for(chat_server[1], timeout_s=0.2).write(DECLINE, PD, CUTOFF, REASONS)
    assert text == _template()
    assert [(e["reason"], "Timeout" in e["detail"]) for e in logs] == [("call_failed", True)]


def test_an_unreachable_endpoint_falls_back_to_the_template(rationale_for: Callable[..., OpenAIRationale]) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago; nothing listens on it now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with capture_logs() as logs:
        text = rationale_for(f"http://127.0.0.1:{port}/v1").write(APPROVE, PD, CUTOFF, REASONS)
    assert text == _template(APPROVE)
    assert [entry["reason"] for entry in logs] == ["call_failed"]


def test_the_endpoint_does_not_show_its_api_key() -> None:
    endpoint = LLMEndpoint(base_url="http://127.0.0.1:1/v1", model=MODEL, api_key="sk-very-secret")
    assert "sk-very-secret" not in repr(endpoint)


def test_the_wired_agent_uses_the_configured_endpoint_and_never_lets_it_decide(
    script: ChatScript, chat_server: tuple[Stage, str], steward_settings: Settings
) -> None:
    """STEWARD_LLM_BASE_URL set: the credit agent's rationale is drafted there; action and figures are the model's."""
    _, url = chat_server
    script.content = "The scorecard's view decides this proposal; the reviewer sees the main risk factors below."
    settings = steward_settings.model_copy(update={"llm_base_url": url, "llm_model": "local-test-model"})
    with installation(settings, applicants=5) as app:
        run = AgentRunner(app.runtimes["credit_approval"]).run("A-0002")
        proposal = Proposal.model_validate(app.queue.get(run.proposal_id).proposal)
    assert proposal.rationale == f"{script.content} (drafted by local-test-model)"
    assert [path for path, _ in script.requests] == ["/v1/chat/completions"]
    assert proposal.action in {"approve_credit", "decline_credit", "request_information"}
    assert proposal.probability is not None
    prompt = script.requests[0][1]["messages"][1]["content"]
    assert f"{proposal.probability:.1%}" in prompt
