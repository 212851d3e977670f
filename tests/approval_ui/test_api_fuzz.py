"""Schemathesis fuzzes every operation of the app's OpenAPI document, in process, deterministically.

With an admin token (every route is open to an admin), and with an admin's session cookie plus its
X-CSRF-Token header, each operation gets schema-valid and schema-invalid requests, and valid ones aimed
at real ids: no response may be a server error, every status must be one the document lists for the
operation, every body must match its documented schema, and invalid input must be refused. With each
role's token every operation answers as documented, and 403 wherever the role table (written out
independently in test_permissions.py) forbids it. Without a token every operation must answer 401.
Every operation with a body also gets valid bodies made hostile: a non-finite number (NaN, Infinity,
1e400, ...) or a text with NUL or a lone surrogate put anywhere in it must get the documented 422, and
a body over the cap the documented 413, whether it declares its length or comes in chunks. The
operations are read from the app's own document when the tests are collected, so routes added later
are fuzzed too, each as its own test.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.schemas import OpenApiSchema

from approval_ui import CSRF_HEADER, SESSION_COOKIE, UiOptions, create_app
from approval_ui._backend import Backend
from approval_ui._limits import MAX_BODY_BYTES, plain_text
from tests.approval_ui.test_permissions import TABLE, USER_OF_ROLE
from tests.approval_ui.web_helpers import BUNDLED_ROLES, SECRET, Web, csrf_of

EXAMPLES = 25
"""Examples per operation and kind of input (valid, invalid, valid with real ids)."""
SESSION_EXAMPLES = 8
ROLE_EXAMPLES = 4
"""Valid examples per role, operation and kind (random or real ids): the admin runs above explore further."""
HOSTILE_EXAMPLES = 12
HOSTILE = {
    **dict.fromkeys(("NaN", "Infinity", "-Infinity", "1e400", "-1e999", "1" + "0" * 400), "finite_number"),
    **dict.fromkeys(('"a\\u0000b"', '"\\ud800"', '"x\\udfff"'), "plain_text"),
}
"""JSON values Steward cannot take, as JSON text, and the type of the 422 error each gets."""

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
]


def _no_backend() -> AbstractContextManager[Backend]:
    raise AssertionError("writing the OpenAPI document needs no backend")


DOCUMENT = create_app(_no_backend, UiOptions(session_secret=SECRET, roles=BUNDLED_ROLES)).openapi()
OPERATIONS = [f"{method.upper()} {path}" for path, operations in DOCUMENT["paths"].items() for method in operations]
"""Every operation of the document, as 'METHOD /path' (the labels schemathesis uses)."""
WITH_BODY = [
    f"{method.upper()} {path}"
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
    if "requestBody" in operation
]


REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
"""What invalid input may get: schemathesis' list, plus 413 for a body over the cap (a long enough text)."""


@pytest.fixture(scope="module")
def api_schema(web: Web) -> OpenApiSchema:
    config = schemathesis.Config.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}})
    return schemathesis.openapi.from_asgi("/openapi.json", web.app, config=config)


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


def _real_ids(web: Web, operation: Any) -> dict[str, str]:
    proposal_id = web.large[0]
    known = {"proposal_id": proposal_id, "customer_id": web.steward.queue.get(proposal_id).customer_id}
    return {name: value for name, value in known.items() if value and f"{{{name}}}" in operation.path}


def _keepable(value: object) -> bool:
    """True when every text in a JSON value is plain (no NUL, no lone surrogate): what the edge lets through."""
    if isinstance(value, str):
        return plain_text(value)
    if isinstance(value, dict):
        return all(_keepable(key) and _keepable(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_keepable(item) for item in value)
    return True


def _valid(operation: Any, **kwargs: Any) -> st.SearchStrategy[Any]:
    """Valid requests whose body's texts are plain: the schema allows a lone surrogate, the edge refuses it
    (422) before asking who is calling, which the tests of roles and credentials are about."""
    strategy: st.SearchStrategy[Any] = operation.as_strategy(generation_mode=GenerationMode.POSITIVE, **kwargs)
    return strategy.filter(lambda case: _keepable(case.body))


def _positive(web: Web, operation: Any) -> list[st.SearchStrategy[Any]]:
    """Valid requests, and valid ones aimed at real ids where the path names one."""
    strategies = [_valid(operation)]
    if real_ids := _real_ids(web, operation):
        strategies.append(_valid(operation, path_parameters=real_ids))
    return strategies


def test_every_api_operation_is_fuzzed() -> None:
    assert {"GET /api/queue", "GET /api/audit", "POST /api/proposals/{proposal_id}/decision"} <= set(OPERATIONS)
    assert {"POST /api/proposals/{proposal_id}/decision", "PUT /api/policies/{agent}"} <= set(WITH_BODY)
    assert set(USER_OF_ROLE) == set(BUNDLED_ROLES.names)


@pytest.mark.parametrize("label", OPERATIONS)
def test_with_an_admin_token_every_status_and_body_is_documented(
    web: Web, api_schema: OpenApiSchema, label: str
) -> None:
    operation = _operation(api_schema, label)
    headers = {"Authorization": f"Bearer {web.steward.users.issue_token('admin')}"}
    real_ids = _real_ids(web, operation)
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

    _run(_valid(operation), 10, call)


@pytest.fixture(scope="module")
def admin_session(web: Web) -> tuple[dict[str, str], dict[str, str]]:
    """An admin's session cookie and the header carrying its CSRF token."""
    client = web.logged_in("admin")
    return {SESSION_COOKIE: client.cookies[SESSION_COOKIE]}, {CSRF_HEADER: csrf_of(client.get("/queue").text)}


@pytest.mark.parametrize("label", OPERATIONS)
def test_with_an_admin_session_and_its_csrf_header_every_status_and_body_is_documented(
    web: Web, api_schema: OpenApiSchema, admin_session: tuple[dict[str, str], dict[str, str]], label: str
) -> None:
    operation = _operation(api_schema, label)
    cookies, headers = admin_session

    def call(case: schemathesis.Case[Any]) -> None:
        response = case.call_and_validate(headers=headers, cookies=cookies, checks=CHECKS)
        assert response.status_code != 401, "the session was not recognised"

    strategies = [operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), *_positive(web, operation)]
    _run(st.one_of(strategies), SESSION_EXAMPLES * len(strategies), call)


@pytest.mark.slow
@pytest.mark.parametrize("label", OPERATIONS)
@pytest.mark.parametrize("role", BUNDLED_ROLES.names)
def test_each_roles_token_is_answered_as_documented_and_refused_where_the_table_forbids(
    web: Web, api_schema: OpenApiSchema, role: str, label: str
) -> None:
    operation = _operation(api_schema, label)
    method, path = label.split(" ", 1)
    allowed = role in TABLE[(method, path)]
    headers = {"Authorization": f"Bearer {web.steward.users.issue_token(USER_OF_ROLE[role])}"}

    def call(case: schemathesis.Case[Any]) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS[:4])
        if not allowed:
            assert (response.status_code, response.json()["code"]) == (403, "forbidden"), response.text

    strategies = _positive(web, operation)
    _run(st.one_of(strategies), ROLE_EXAMPLES * len(strategies), call)


POISON = "__steward_poison__"
JSON = {"content-type": "application/json"}


def _places(value: object, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The path of every value inside a JSON document (the document itself when it holds nothing)."""
    children: list[tuple[str | int, object]] = []
    if isinstance(value, dict):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    if not children:
        yield path
    for key, child in children:
        yield (*path, key)
        yield from _places(child, (*path, key))


def _poisoned(body: object, literal: str, pick: int) -> str:
    """`body` as JSON text with one of its values replaced by `literal` (a number JSON cannot carry)."""
    places = list(_places(body))
    place = places[pick % len(places)]
    if not place:
        return literal
    document = copy.deepcopy(body)
    parent: Any = document
    for key in place[:-1]:
        parent = parent[key]
    parent[place[-1]] = POISON
    return json.dumps(document).replace(json.dumps(POISON), literal)


@pytest.mark.parametrize("label", WITH_BODY)
def test_a_non_finite_number_or_unkeepable_text_anywhere_in_a_body_gets_the_documented_422(
    web: Web, api_schema: OpenApiSchema, label: str
) -> None:
    operation = _operation(api_schema, label)
    client = web.client()
    client.headers["Authorization"] = f"Bearer {web.steward.users.issue_token('admin')}"
    cases = st.tuples(st.one_of(_positive(web, operation)), st.sampled_from(sorted(HOSTILE)), st.integers(0, 100))

    def call(drawn: tuple[schemathesis.Case[Any], str, int]) -> None:
        case, literal, pick = drawn
        text = _poisoned(case.body, literal, pick)
        response = client.request(
            case.method,
            case.formatted_path,
            params=case.query,
            content=text,
            headers={"content-type": "application/json"},
        )
        case.validate_response(response, checks=CHECKS[:4])
        assert response.status_code == 422, (text[:200], response.text)
        # Generated text may hold a lone surrogate of its own, found before the poison: either type is right.
        assert response.json()["detail"][0]["type"] in {HOSTILE[literal], "plain_text"}

    _run(cases, HOSTILE_EXAMPLES, call)


@pytest.mark.parametrize("label", WITH_BODY)
def test_a_body_over_the_cap_gets_the_documented_413_declared_or_chunked(
    web: Web, api_schema: OpenApiSchema, label: str
) -> None:
    operation = _operation(api_schema, label)
    client = web.client()
    client.headers["Authorization"] = f"Bearer {web.steward.users.issue_token('admin')}"
    cases = st.tuples(st.one_of(_positive(web, operation)), st.integers(0, 100), st.booleans())

    def call(drawn: tuple[schemathesis.Case[Any], int, bool]) -> None:
        case, pick, chunked = drawn
        text = _poisoned(case.body, json.dumps("x" * MAX_BODY_BYTES), pick).encode()
        content: bytes | Iterator[bytes] = (
            (text[i : i + 65536] for i in range(0, len(text), 65536)) if chunked else text
        )
        response = client.request(
            case.method,
            case.formatted_path,
            params=case.query,
            content=content,
            headers={"content-type": "application/json"},
        )
        case.validate_response(response, checks=CHECKS[:4])
        assert (response.status_code, response.json()["code"]) == (413, "too_large"), response.text

    _run(cases, HOSTILE_EXAMPLES // 3, call)
