"""The queue filtered by a customer, on the page and the API, and the customer page's proposals: every
proposal that names the customer, however deep in its arguments, not only those filed under them.

A batch of a made-up agent (`batcher`) names customer A inside a list of order lines, while its own
customer is B; A's credit proposal (made by the agent) names A as its customer.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient

from supervision import Subject
from tests.approval_ui.web_helpers import Web
from tests.supervision.supervision_helpers import submission

BATCH = "batch-of-orders"


def _ids(html: str) -> list[str]:
    return re.findall(r'href="/proposals/([^"?]+)"', html)


@pytest.fixture(scope="module")
def customers(web: Web) -> tuple[str, str]:
    """(A, B): the customers of the first two credit proposals; the batch names A deep inside, B as its own."""
    a, b = (web.steward.queue.get(proposal_id).customer_id for proposal_id in web.small[:2])
    assert a and b and a != b
    web.clock.advance(timedelta(minutes=1))  # the batch is the newest proposal
    sub = submission(BATCH, agent="batcher", action="route_orders", now=web.clock.now()).model_copy(
        update={
            "customer_id": b,
            "arguments": {"orders": [{"order_id": "O1", "customer_id": a}, {"order_id": "O2", "customer_id": b}]},
            "subjects": (
                Subject(kind="customer", id=a),
                Subject(kind="order", id="O1"),
                Subject(kind="order", id="O2"),
            ),
        }
    )
    web.steward.queue.submit(sub)
    return a, b


def _api(web: Web, user: str) -> TestClient:
    client = web.client()
    client.headers["Authorization"] = f"Bearer {web.steward.users.issue_token(user)}"
    return client


def test_the_api_lists_every_proposal_naming_a_customer(web: Web, customers: tuple[str, str]) -> None:
    a, b = customers
    client = _api(web, "officer")
    body = client.get("/api/queue", params={"customer": a}).json()
    assert [item["id"] for item in body["items"]] == [BATCH, web.small[0]]
    assert body["counts"] == {"pending": 2}
    assert [i["id"] for i in client.get("/api/queue", params={"customer": b}).json()["items"]] == [BATCH, web.small[1]]
    only_credit = client.get("/api/queue", params={"customer": a, "agent": "credit_approval"}).json()
    assert [item["id"] for item in only_credit["items"]] == [web.small[0]]
    first = client.get("/api/queue", params={"customer": a, "limit": 1}).json()
    rest = client.get("/api/queue", params={"customer": a, "limit": 1, "cursor": first["next_cursor"]}).json()
    assert [i["id"] for i in [*first["items"], *rest["items"]]] == [BATCH, web.small[0]]
    assert rest["next_cursor"] is None
    assert client.get("/api/queue", params={"customer": "O1"}).json()["items"] == []  # an order, not a customer
    everyone = client.get("/api/queue", params={"customer": "", "limit": 200}).json()["items"]
    assert len(everyone) > 2  # empty: no filter

    assert client.get("/api/queue", params={"customer": "x" * 201}).status_code == 422
    refused = client.get("/api/queue", params={"customer": "CUS-\x00"})
    assert refused.status_code == 422 and "\x00" not in refused.text

    proposal = client.get(f"/api/proposals/{BATCH}").json()
    assert proposal["subjects"] == [
        {"kind": "customer", "id": a},
        {"kind": "customer", "id": b},
        {"kind": "order", "id": "O1"},
        {"kind": "order", "id": "O2"},
    ]
    document = web.client().get("/openapi.json").json()
    parameters = {p["name"]: p for p in document["paths"]["/api/queue"]["get"]["parameters"]}
    assert "customer" in parameters and parameters["customer"]["description"]


def test_the_queue_page_filters_by_customer_and_keeps_the_filter_on_its_links(
    web: Web, customers: tuple[str, str]
) -> None:
    a, _ = customers
    officer = web.logged_in("officer")
    html = officer.get("/queue", params={"customer": a, "status": ""}).text
    assert _ids(html) == [BATCH, web.small[0]]
    assert '<label for="f-customer">Customer</label>' in html
    assert f'name="customer" type="search" maxlength="200" value="{a}"' in html
    counts = re.findall(r'<a href="/queue\?([^"]+)"><span class="badge', html)
    assert counts and all(f"customer={a}" in unescape(query) for query in counts)

    paged = officer.get("/queue", params={"customer": a, "status": "pending"})
    assert _ids(paged.text) == [BATCH, web.small[0]]
    hostile = officer.get("/queue", params={"customer": '"><script>alert(1)</script>'})
    assert hostile.status_code == 200 and "<script>alert(1)" not in hostile.text
    assert "none names customer &#34;&gt;&lt;script&gt;" in hostile.text
    assert officer.get("/queue", params={"customer": "CUS-\x00"}).status_code == 400
    assert officer.get("/queue", params={"customer": "  "}).status_code == 200  # blank: no filter


def test_the_customer_page_lists_every_proposal_that_names_them(web: Web, customers: tuple[str, str]) -> None:
    a, b = customers
    officer = web.logged_in("officer")
    for customer, own in ((a, web.small[0]), (b, web.small[1])):
        page = officer.get(f"/customers/{customer}")
        assert page.status_code == 200
        proposals = page.text.split('id="h-proposals"', 1)[1]
        assert _ids(proposals) == [BATCH, own]
