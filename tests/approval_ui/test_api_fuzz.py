"""Schemathesis fuzzes every operation of the app's OpenAPI document, in process, deterministically.

With an admin token (every route is open to an admin) each operation gets schema-valid and schema-invalid
requests, and valid ones aimed at real ids: no response may be a server error, every status must be one
the document lists for the operation, every body must match its documented schema, and invalid input
must be refused. Without a token every operation must answer 401. The operations are read from the
app's own document when the tests are collected, so routes added later are fuzzed too, each as its own
test.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema

from approval_ui import UiOptions, create_app
from approval_ui._backend import Backend
from tests.approval_ui.web_helpers import SECRET, Web

EXAMPLES = 25
"""Examples per operation and kind of input (valid, invalid, valid with real ids)."""

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
]


def _no_backend() -> AbstractContextManager[Backend]:
    raise AssertionError("writing the OpenAPI document needs no backend")


def _operations() -> list[str]:
    """Every operation of the document, as 'METHOD /path' (the labels schemathesis uses)."""
    document = create_app(_no_backend, UiOptions(session_secret=SECRET)).openapi()
    return [f"{method.upper()} {path}" for path, operations in document["paths"].items() for method in operations]


OPERATIONS = _operations()


@pytest.fixture(scope="module")
def api_schema(web: Web) -> OpenApiSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", web.app)


def _operation(schema: OpenApiSchema, label: str) -> Any:
    operation = schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is not in the served document"
    return operation


def _run(strategy: st.SearchStrategy[Any], examples: int, call: Any) -> None:
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: schemathesis.Case[Any]) -> None:
        call(case)

    run()


def test_every_api_operation_is_fuzzed() -> None:
    assert {"GET /api/queue", "GET /api/audit", "POST /api/proposals/{proposal_id}/decision"} <= set(OPERATIONS)


@pytest.mark.parametrize("label", OPERATIONS)
def test_with_an_admin_token_every_status_and_body_is_documented(
    web: Web, api_schema: OpenApiSchema, label: str
) -> None:
    operation = _operation(api_schema, label)
    headers = {"Authorization": f"Bearer {web.steward.users.issue_token('admin')}"}
    proposal_id = web.large[0]
    known = {"proposal_id": proposal_id, "customer_id": web.steward.queue.get(proposal_id).customer_id}
    real_ids = {name: value for name, value in known.items() if f"{{{name}}}" in operation.path}
    strategies = [operation.as_strategy(generation_mode=mode) for mode in GenerationMode]
    if real_ids:
        strategies.append(operation.as_strategy(path_parameters=real_ids))
    _run(
        st.one_of(strategies),
        EXAMPLES * len(strategies),
        lambda case: case.call_and_validate(headers=headers, checks=CHECKS),
    )


@pytest.mark.parametrize("label", OPERATIONS)
def test_without_credentials_every_operation_answers_401(web: Web, api_schema: OpenApiSchema, label: str) -> None:
    operation = _operation(api_schema, label)

    def call(case: schemathesis.Case[Any]) -> None:
        response = case.call_and_validate(checks=CHECKS[:4])
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated"), response.text

    _run(operation.as_strategy(generation_mode=GenerationMode.POSITIVE), 10, call)
