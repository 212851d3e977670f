"""What the web app accepts: bodies up to a size, JSON numbers that are finite, and 422s that echo little.

`BodyLimit` (ASGI middleware) refuses a request body above `MAX_BODY_BYTES` with 413 and the API's error
shape, before any route reads it: a declared Content-Length is checked before a byte is read, and a
body sent in chunks is counted as it arrives, so the rest of an oversized body is never read. A JSON
body (within the cap) is read whole and refused with 422 when it is not JSON, holds a number JSON
cannot carry (NaN, Infinity, or one beyond a double's range such as 1e400), or text that neither
database keeps nor a page can show (NUL, a lone surrogate). Validation errors (422) keep their place
and message but echo an input only when it is a short scalar (`echo_safe`).
Limits on particular fields (a reason, an edit's arguments, a policy) live with their models.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 256 * 1024
"""The largest request body, API or form: forty times the largest bundled policy."""
MAX_ECHO_CHARS = 100
"""A 422 echoes an input (or a key in its location) only up to this many characters."""
MAX_MESSAGE_CHARS = 500
MAX_EDIT_ARGUMENTS = 20
"""An edit changes at most this many arguments."""
MAX_ARGUMENT_CHARS = 1000
"""At most this many characters in one text of an edit's arguments (the action's model may allow fewer)."""
MAX_ARGUMENT_DEPTH = 3
"""An edit's argument is a value, a list of values, or a list of such lists; nothing deeper."""
MAX_ARGUMENT_LIST = 50
"""At most this many entries in one list of an edit's arguments."""

TOO_LARGE = "too_large"


def _too_large_message(limit: int) -> str:
    return f"The request body is larger than {limit // 1024} KiB: send less."


class BodyTooLarge(HTTPException):
    """The body grew past the cap while a route was reading it; answered 413 like any HTTP error."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_too_large_message(limit))


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def plain_text(text: str) -> bool:
    """Text both databases keep and a page can show: UTF-8 encodable (no lone surrogate), without NUL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


UNREPRESENTABLE = {
    "finite_number": "Input should be a finite number (not NaN, Infinity or beyond ±1.8e308)",
    "plain_text": "Input should be plain text (no NUL character, no lone surrogate)",
}


def _unrepresentable(document: object) -> tuple[str, tuple[str | int, ...]] | None:
    """The first value (or key) of a JSON document that Steward cannot take, as (error type, where), or None:
    a number a double cannot hold (NaN, ±Infinity, beyond ±1.8e308), text with NUL or a lone surrogate."""
    stack: list[tuple[tuple[str | int, ...], object]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return "finite_number", path
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > sys.float_info.max:
            return "finite_number", path
        if isinstance(value, str) and not plain_text(value):
            return "plain_text", path
        if isinstance(value, dict):
            for key in value:
                if not plain_text(key):
                    return "plain_text", (*path, key)
            stack.extend(((*path, key), item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in reversed(list(enumerate(value))))
    return None


def _json_problem(body: bytes) -> dict[str, Any] | None:
    """The validation error a JSON body earns before any route sees it, or None when it is fine."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, an integer of thousands of digits, too deep
        return {"type": "json_invalid", "loc": ["body"], "msg": f"JSON decode error: {_clip(str(exc), 200)}"}
    found = _unrepresentable(document)
    if found is None:
        return None
    kind, where = found
    return {"type": kind, "loc": ["body", *(_short(part) for part in where)], "msg": UNREPRESENTABLE[kind]}


class BodyLimit:
    """ASGI middleware: the cap on request bodies and the check of JSON numbers, before any route runs."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        if _is_json(headers.get("content-type")):
            await self._json(scope, receive, send)
            return
        await self._streamed(scope, receive, send)

    async def _json(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        problem = _json_problem(body) if body else None
        if problem is not None:
            await JSONResponse({"detail": [problem]}, status_code=422)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send) -> None:
        size, started = 0, False

        async def counted() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        content = {"detail": _too_large_message(self.max_bytes), "code": TOO_LARGE}
        await JSONResponse(content, status_code=413, headers={"Connection": "close"})(scope, receive, send)


# -- validation errors ----------------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, lone surrogates written out (`\\ud800`) so that it can be sent."""
    clipped = text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"
    return clipped.encode("utf-8", "backslashreplace").decode("utf-8")


def _short(part: object) -> str | int:
    return part if isinstance(part, int) and not isinstance(part, bool) else _clip(str(part), MAX_ECHO_CHARS)


def _echoable(value: object) -> bool:
    """A short scalar that JSON can carry as it is."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) <= 2**53
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str) and len(value) <= MAX_ECHO_CHARS and plain_text(value)


def echo_safe(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Validation errors fit to send back: each with its type, location and message; an input and context
    only where they are short scalars (a 10 MB text or a NaN is not echoed)."""
    safe: list[dict[str, Any]] = []
    for error in errors:
        found: Mapping[str, Any] = error if isinstance(error, Mapping) else {}
        entry: dict[str, Any] = {
            "type": _clip(str(found.get("type", "invalid")), MAX_ECHO_CHARS),
            "loc": [_short(part) for part in found.get("loc", ())],
            "msg": _clip(str(found.get("msg", "")), MAX_MESSAGE_CHARS),
        }
        if "input" in found and _echoable(found["input"]):
            entry["input"] = found["input"]
        context = found.get("ctx")
        if isinstance(context, Mapping):
            kept = {str(key): value for key, value in context.items() if _echoable(value)}
            if kept:
                entry["ctx"] = kept
        safe.append(entry)
    return safe


def document_limits(document: dict[str, Any]) -> dict[str, Any]:
    """Add the cap and the JSON number check to every operation of the OpenAPI document that takes a body."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" not in operation:
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault(
                "413",
                {
                    "description": f"The body is larger than {MAX_BODY_BYTES // 1024} KiB (`code`: `{TOO_LARGE}`).",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
                },
            )
            if "422" in responses:
                responses["422"]["description"] = (
                    "Validation error; also a JSON body that is not JSON or holds NaN, Infinity or a number "
                    "beyond ±1.8e308. Inputs are echoed only when short."
                )
    return document
