"""Hostile and oversized input gets a documented 4xx, never a server error, a stored 10 MB text or an echo.

Non-finite numbers (NaN, Infinity, 1e400) in any JSON body are refused at the edge (422, naming where);
an edit amount of "inf" typed into the form is refused as not finite; 422s echo only short inputs;
request bodies are capped at `MAX_BODY_BYTES` (413 with the API's error shape), also when sent in chunks
without a Content-Length, and the rest of such a body is never read; free-text fields have limits.
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import pytest
from fastapi.testclient import TestClient

from approval_ui import SESSION_COOKIE
from approval_ui._limits import MAX_ARGUMENT_CHARS, MAX_BODY_BYTES, MAX_ECHO_CHARS, echo_safe
from supervision import MAX_COMMENT_LENGTH, PolicyStore
from tests.approval_ui.web_helpers import Web, csrf_of

JSON = {"content-type": "application/json"}
NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e400", "-1e999", "1" + "0" * 400]
AGENT = "credit_approval"


def _api(web: Web, user: str = "admin") -> TestClient:
    client = TestClient(web.app, raise_server_exceptions=False, follow_redirects=False)
    client.headers["Authorization"] = f"Bearer {web.steward.users.issue_token(user)}"
    return client


def _unchanged(web: Web, proposal_id: str) -> None:
    item = web.steward.queue.get(proposal_id)
    assert (item.status, item.reviews) == ("pending", [])


# -- non-finite numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("literal", NON_FINITE)
def test_a_non_finite_number_anywhere_in_a_json_body_is_a_422_that_says_where(web: Web, literal: str) -> None:
    api = _api(web, "officer")
    ops = _api(web, "ops")
    proposal_id = web.small[0]
    decision = f"/api/proposals/{proposal_id}/decision"
    policy = f"/api/policies/{AGENT}"
    cases: list[tuple[TestClient, str, str, str, list[Any]]] = [
        (api, "POST", decision, f'{{"verdict":"edit","arguments":{{"amount":{literal}}}}}', ["arguments", "amount"]),
        (api, "POST", decision, f'{{"verdict": {literal}}}', ["verdict"]),
        (api, "POST", decision, f'{{"verdict": "reject", "reason": {literal}}}', ["reason"]),
        (api, "POST", decision, f'{{"verdict": "request_information", "items": ["a", {literal}]}}', ["items", 1]),
        (ops, "PUT", policy, f'{{"text": "x", "reason": "r", "expected_version": {literal}}}', ["expected_version"]),
        (ops, "PUT", policy, f'{{"text": {literal}, "reason": "r", "expected_version": 0}}', ["text"]),
        (ops, "POST", f"{policy}/what-if", f'{{"text": {literal}}}', ["text"]),
        (ops, "POST", "/api/autonomy/requests/1", f'{{"decision": "approve", "note": {literal}}}', ["note"]),
    ]  # fmt: skip
    for client, method, url, body, where in cases:
        response = client.request(method, url, content=body, headers=JSON)
        assert response.status_code == 422, (url, body, response.text)
        (error,) = response.json()["detail"]
        assert (error["type"], error["loc"]) == ("finite_number", ["body", *where])
    _unchanged(web, proposal_id)
    assert web.steward.policy_store.latest(AGENT).version == 0


def test_an_edit_amount_of_inf_as_text_or_in_the_form_is_refused_as_not_finite(web: Web) -> None:
    proposal_id = web.small[1]
    api = _api(web, "officer")
    for text in ("inf", "-Infinity", "nan"):
        response = api.post(
            f"/api/proposals/{proposal_id}/decision", json={"verdict": "edit", "arguments": {"amount": text}}
        )
        assert (response.status_code, response.json()["code"]) == (400, "invalid_edit"), response.text
        assert "finite" in response.json()["detail"]

    officer = web.logged_in("officer")
    page = officer.get(f"/proposals/{proposal_id}")
    for text in ("inf", "nan", "1e400", "Infinity", "-inf"):
        form = {"verdict": "edit", "arg_amount": text, "csrf_token": csrf_of(page.text)}
        response = officer.post(f"/proposals/{proposal_id}/decision", data=form)
        assert response.status_code == 422, text
        assert "must be a finite number" in response.text
    _unchanged(web, proposal_id)


# -- what a 422 echoes ----------------------------------------------------------------------------


def test_a_422_echoes_neither_a_long_input_nor_a_long_key(web: Web) -> None:
    api = _api(web, "officer")
    proposal_id = web.small[2]
    url = f"/api/proposals/{proposal_id}/decision"
    long_reason = api.post(url, json={"verdict": "reject", "reason": "x" * 5000})
    long_key = api.post(url, json={"verdict": "approve", "k" * 10_000: 1})
    long_item = api.post(url, json={"verdict": "request_information", "items": ["y" * 100_000]})
    for response, marker in ((long_reason, "x"), (long_key, "k"), (long_item, "y")):
        assert response.status_code == 422
        assert len(response.content) < 1500
        assert marker * (MAX_ECHO_CHARS + 1) not in response.text
    (error,) = long_key.json()["detail"]
    assert error["type"] == "extra_forbidden" and error["loc"][1].startswith("k" * MAX_ECHO_CHARS + "…")
    short = api.post(url, json={"verdict": "maybe"})
    assert short.json()["detail"][0]["input"] == "maybe"  # a short input is still shown
    _unchanged(web, proposal_id)


def test_validation_errors_are_sent_without_non_finite_or_long_values() -> None:
    errors = [
        {"type": "finite_number", "loc": ("body", "a"), "msg": "m", "input": math.nan, "ctx": {"le": math.inf}},
        {"type": "string_too_long", "loc": ("body", "b"), "msg": "m", "input": "z" * 10_000, "ctx": {"max_length": 5}},
        {"type": "dict_type", "loc": ("body",), "msg": "m", "input": {"nested": [1, 2]}},
        {"type": "int_parsing", "loc": ("query", "limit"), "msg": "m", "input": "ten", "ctx": {"error": ValueError()}},
        {"type": "string_type", "loc": ("body", "\ud800"), "msg": "m \udc00", "input": "\ud800"},
    ]
    safe = echo_safe(errors)
    json.dumps(safe, allow_nan=False, ensure_ascii=False).encode("utf-8")  # writable as strict JSON in UTF-8
    assert [entry.get("input") for entry in safe] == [None, None, None, "ten", None]
    assert [entry.get("ctx") for entry in safe] == [None, {"max_length": 5}, None, None, None]
    assert [entry["loc"] for entry in safe] == [
        ["body", "a"],
        ["body", "b"],
        ["body"],
        ["query", "limit"],
        ["body", "\\ud800"],
    ]
    assert safe[-1]["msg"] == "m \\udc00"


# -- the body cap ---------------------------------------------------------------------------------


def test_a_ten_megabyte_request_information_item_is_refused_and_nothing_is_stored(web: Web) -> None:
    proposal_id = web.small[3]
    api = _api(web, "officer")
    response = api.post(
        f"/api/proposals/{proposal_id}/decision",
        json={"verdict": "request_information", "items": ["z" * 10_000_000]},
    )
    assert response.status_code == 413
    assert response.json() == {"detail": f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB: send less.",
                               "code": "too_large"}  # fmt: skip
    chunked = api.post(
        f"/api/proposals/{proposal_id}/decision",
        content=(b"z" * 65536 for _ in range(200)),  # no Content-Length: sent in chunks
        headers=JSON,
    )
    assert (chunked.status_code, chunked.json()["code"]) == (413, "too_large")
    assert "content-length" not in chunked.request.headers
    _unchanged(web, proposal_id)


def _streamed(web: Web, path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """POST a chunked body of four times the cap straight to the ASGI app: (the status, chunks it read)."""
    chunk = b" " * 16384
    chunks = 4 * MAX_BODY_BYTES // len(chunk)
    reads = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": chunk, "more_body": reads < chunks}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(web.app(scope, receive, send))  # type: ignore[arg-type]
    return status, reads


def test_a_chunked_body_over_the_cap_is_refused_at_the_cap_without_reading_the_rest(web: Web) -> None:
    token = web.steward.users.issue_token("officer").encode()
    most = MAX_BODY_BYTES // 16384 + 1
    api_headers = [(b"content-type", b"application/json"), (b"authorization", b"Bearer " + token)]
    assert _streamed(web, f"/api/proposals/{web.small[4]}/decision", api_headers) == (413, most)
    form = [(b"content-type", b"application/x-www-form-urlencoded")]
    assert _streamed(web, "/login", form) == (413, most)
    declared = [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"10000000")]
    assert _streamed(web, "/login", declared) == (413, 0)  # refused on its Content-Length: nothing read
    _unchanged(web, web.small[4])


def test_a_login_form_over_the_cap_is_refused(web: Web) -> None:
    client = web.client()
    form = client.get("/login")
    response = client.post(
        "/login", data={"username": "u" * (MAX_BODY_BYTES + 1), "password": "p", "csrf_token": csrf_of(form.text)}
    )
    assert response.status_code == 413
    assert SESSION_COOKIE not in response.cookies


# -- free-text limits -----------------------------------------------------------------------------


def test_every_free_text_field_has_a_limit(web: Web) -> None:
    api, ops = _api(web, "officer"), _api(web, "ops")
    proposal_id = web.small[5]
    decision = f"/api/proposals/{proposal_id}/decision"
    deep: Any = "x"
    for _ in range(3):
        deep = [deep]
    refused = [
        (api, "POST", decision, {"verdict": "reject", "reason": "r" * (MAX_COMMENT_LENGTH + 1)}),
        (api, "POST", decision, {"verdict": "request_information", "items": ["i" * (MAX_ARGUMENT_CHARS + 1)]}),
        (api, "POST", decision, {"verdict": "request_information", "items": ["i"] * 51}),
        (api, "POST", decision, {"verdict": "edit", "arguments": {f"a{n}": 1 for n in range(21)}}),
        (api, "POST", decision, {"verdict": "edit", "arguments": {"items": ["t" * (MAX_ARGUMENT_CHARS + 1)]}}),
        (api, "POST", decision, {"verdict": "edit", "arguments": {"items": deep}}),
        (api, "POST", decision, {"verdict": "edit", "arguments": {"items": ["i"] * 51}}),
        (ops, "POST", f"/api/policies/{AGENT}/what-if", {"text": "p" * (PolicyStore.MAX_TEXT_CHARS + 1)}),
        (ops, "PUT", f"/api/policies/{AGENT}",
         {"text": "p", "reason": "r" * (PolicyStore.MAX_REASON_CHARS + 1), "expected_version": 0}),
    ]  # fmt: skip
    for client, method, url, body in refused:
        response = client.request(method, url, json=body)
        assert response.status_code == 422, (url, str(body)[:80], response.text[:300])
    note = ops.post("/api/autonomy/requests/1", json={"decision": "approve", "note": "n" * 2001})
    assert note.status_code == 400
    for url, name in (("/api/queue", "agent"), ("/api/audit", "actor")):
        assert ops.get(url, params={name: "q" * 201}).status_code == 422
    _unchanged(web, proposal_id)
    assert web.steward.policy_store.latest(AGENT).version == 0


def test_text_neither_database_keeps_nor_a_page_shows_is_refused_at_the_edge(web: Web) -> None:
    api, ops = _api(web, "officer"), _api(web, "ops")
    proposal_id = web.small[6]
    decision = f"/api/proposals/{proposal_id}/decision"
    cases: list[tuple[TestClient, str, dict[str, Any], list[Any]]] = [
        (api, decision, {"verdict": "reject", "reason": "income\u0000verified"}, ["reason"]),
        (api, decision, {"verdict": "reject", "reason": "income \ud800 verified"}, ["reason"]),
        (api, decision, {"verdict": "request_information", "items": ["ok", "\udc00payslips"]}, ["items", 1]),
        (api, decision, {"verdict": "edit", "arguments": {"items": ["a\u0000b"]}}, ["arguments", "items", 0]),
        (api, decision, {"verdict": "edit", "arguments": {"\ud800": 1}}, ["arguments", "\\ud800"]),
        (ops, f"/api/policies/{AGENT}/what-if", {"text": "rules: \ud800"}, ["text"]),
    ]
    for client, url, body, where in cases:
        response = client.post(url, content=json.dumps(body), headers=JSON)  # json.dumps escapes them: \\u0000
        assert response.status_code == 422, (body, response.text)
        (error,) = response.json()["detail"]
        assert (error["type"], error["loc"]) == ("plain_text", ["body", *where])
    _unchanged(web, proposal_id)
    assert api.get(f"/api/proposals/{proposal_id}").status_code == 200


def test_the_document_states_the_body_cap_on_every_operation_with_a_body(web: Web) -> None:
    document = web.client().get("/openapi.json").json()
    with_body = [
        operation
        for operations in document["paths"].values()
        for operation in operations.values()
        if "requestBody" in operation
    ]
    assert len(with_body) >= 4
    for operation in with_body:
        too_large = operation["responses"]["413"]
        assert f"{MAX_BODY_BYTES // 1024} KiB" in too_large["description"]
        assert too_large["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
        assert "NaN" in operation["responses"]["422"]["description"]
    assert "finite" in document["info"]["description"]
