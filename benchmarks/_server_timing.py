"""Server time of requests to an ASGI app served in process, and the table the web benchmarks print.

`ServerTimer` wraps the app: a request's server time runs from the moment the app is called until it
sends the last byte of the body. That is everything the app does (middleware, authentication,
validation, the endpoint in its worker thread, queries, template rendering, serialisation) and nothing
of the test client or a network. The client's own round trip is reported beside it for comparison.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from approval_ui import UiOptions, create_app
from steward import Steward, load_roles

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]


class ServerTimer:
    """An ASGI wrapper that remembers how long the app took over the last HTTP request."""

    def __init__(self, app: Asgi) -> None:
        self.app = app
        self.last = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed_send(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                self.last = time.perf_counter() - start

        await self.app(scope, receive, timed_send)


@dataclass(frozen=True)
class Timing:
    case: str
    requests: int
    rows: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    client_p95_ms: float


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), interpolated; the p95 of 100 requests sits between the 95th and 96th."""
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1] if len(values) > 1 else values[0]


def measure(
    client: TestClient, timer: ServerTimer, case: str, url: str, requests: int, rows: Callable[[Any], int]
) -> Timing:
    """Send `url` a few times to warm up, then `requests` times; each must answer 200."""
    for _ in range(3):
        client.get(url)
    server: list[float] = []
    round_trip: list[float] = []
    count = 0
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        round_trip.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise RuntimeError(f"{case}: {url} answered {response.status_code}: {response.text[:300]}")
        server.append(timer.last)
        count = rows(response)
    return Timing(
        case=case,
        requests=requests,
        rows=count,
        p50_ms=percentile(server, 50) * 1000,
        p95_ms=percentile(server, 95) * 1000,
        max_ms=max(server) * 1000,
        client_p95_ms=percentile(round_trip, 95) * 1000,
    )


def print_table(title: str, timings: list[Timing], bar_ms: float | None = None) -> None:
    width = max(len(t.case) for t in timings)
    print(title)
    print(f"{'case':<{width}}  {'rows':>5}  {'p50 ms':>7}  {'p95 ms':>7}  {'max ms':>7}  {'client p95':>10}")
    for t in timings:
        flag = "  over the bar" if bar_ms is not None and t.p95_ms > bar_ms else ""
        print(
            f"{t.case:<{width}}  {t.rows:>5}  {t.p50_ms:>7.1f}  {t.p95_ms:>7.1f}  {t.max_ms:>7.1f}  "
            f"{t.client_p95_ms:>10.1f}{flag}"
        )


def log_in(client: TestClient, user: str, password: str) -> None:
    """Log `client` in through the login form, as a person would; its cookie jar keeps the session."""
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    if token is None:
        raise RuntimeError("the login form has no CSRF token")
    response = client.post(
        "/login", data={"username": user, "password": password, "csrf_token": token.group(1), "next": "/queue"}
    )
    if response.status_code != 303:
        raise RuntimeError(f"login failed: {response.status_code}")


@contextmanager
def served(steward: Steward, user: str, password: str) -> Iterator[tuple[ServerTimer, TestClient, TestClient]]:
    """The approval app over `steward`, timed: a client logged in through the form and one with a token."""
    options = UiOptions(session_secret="b" * 48, roles=load_roles(steward.settings))
    app = create_app(lambda: nullcontext(steward), options)
    timer = ServerTimer(app)
    with TestClient(timer, base_url="http://testserver", follow_redirects=False) as page:
        log_in(page, user, password)
        api = TestClient(timer, base_url="http://testserver")
        api.headers["Authorization"] = f"Bearer {steward.users.issue_token(user)}"
        yield timer, page, api
