"""Reviews escalated to a role come first for that role's people, on the queue page and in `/api/queue`.

Proposals of a made-up agent, `escprobe`, are added straight to the queue and their deadlines passed, so
the test knows every row; the credit agent's own proposals stay behind the agent filter where it matters.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.approval_ui.web_helpers import Web
from tests.supervision.supervision_helpers import escalating, submission

AGENT = "escprobe"
SENIOR = "senior_credit_officer"
HEAD = "head_of_credit"


@pytest.fixture(scope="module")
def escalated(web: Web) -> list[str]:
    """esc-0..esc-2 escalated to senior credit officers (esc-2 due first: the shortest escalated wait), esc-3 to
    the head of credit; plain-4 expires instead; plain-5 waits two days. Returns the seniors' in due order."""
    waits = {"esc-0": 5, "esc-1": 4, "esc-2": 1, "esc-3": 3}
    for proposal_id, hours in waits.items():
        to = HEAD if proposal_id == "esc-3" else SENIOR
        wait, now = timedelta(hours=hours), web.clock.now()
        web.steward.queue.submit(
            escalating(proposal_id, agent=AGENT, to=to, wait=wait, expires_in=timedelta(hours=1), now=now)
        )
        web.clock.advance(timedelta(seconds=1))
    now = web.clock.now()
    web.steward.queue.submit(submission("plain-4", agent=AGENT, now=now, expires_in=timedelta(hours=1)))
    web.steward.queue.submit(submission("plain-5", agent=AGENT, now=now, expires_in=timedelta(days=2)))
    web.clock.advance(timedelta(hours=2))
    timeouts = web.steward.queue.apply_timeouts()
    assert {item.id for item in timeouts.escalated} == set(waits)
    assert [item.id for item in timeouts.expired if item.agent == AGENT] == ["plain-4"]
    return ["esc-2", "esc-1", "esc-0"]


def _api(web: Web, user: str) -> TestClient:
    client = web.client()
    client.headers["Authorization"] = f"Bearer {web.steward.users.issue_token(user)}"
    return client


def _ids(html: str) -> list[str]:
    return re.findall(r'href="/proposals/((?:esc|plain)-\d)"', html)


def test_the_queue_page_shows_the_reviews_escalated_to_you_first(web: Web, escalated: list[str]) -> None:
    html = web.logged_in("senior").get("/queue", params={"agent": AGENT}).text

    assert '<h2 id="escalated-to-you">Escalated to you</h2>' in html
    section, rest = html.split("<h2>All proposals</h2>", 1)
    assert _ids(section) == escalated  # due soonest, only the seniors'; the head's is not theirs
    assert _ids(rest) == ["plain-5", "esc-3", "esc-2", "esc-1", "esc-0"]  # the list itself, newest first, as ever
    assert f"escalated to {HEAD}" in rest and f"escalated to {SENIOR}" in rest
    assert '<label for="f-escalated">Escalation</label>' in html

    head = web.logged_in("head").get("/queue", params={"agent": AGENT}).text  # head also holds the senior role
    assert _ids(head.split("<h2>All proposals</h2>", 1)[0]) == ["esc-2", "esc-3", "esc-1", "esc-0"]

    officer = web.logged_in("officer").get("/queue", params={"agent": AGENT}).text
    assert "Escalated to you" not in officer and f"escalated to {SENIOR}" in officer

    later = web.logged_in("senior").get("/queue", params={"agent": AGENT, "after": _cursor_after(web, "esc-3")})
    assert later.status_code == 200 and "Escalated to you" not in later.text  # only above the first page


def _cursor_after(web: Web, proposal_id: str) -> str:
    """The page link of the newest-first queue after `proposal_id`, as the API writes it."""
    body = _api(web, "senior").get("/api/queue", params={"agent": AGENT, "status": "pending", "limit": 2}).json()
    assert [item["id"] for item in body["items"]] == ["plain-5", proposal_id]
    cursor: str = body["next_cursor"]
    return cursor


def test_the_escalation_filter_on_the_page(web: Web, escalated: list[str]) -> None:
    senior = web.logged_in("senior")

    mine = senior.get("/queue", params={"agent": AGENT, "escalated": "mine", "sort": "due"}).text
    assert "Escalated to you" not in mine  # under an escalation filter the list is all there is
    assert _ids(mine) == escalated
    assert '<option value="mine" selected>Escalated to me</option>' in mine
    assert _ids(senior.get("/queue", params={"agent": AGENT, "escalated": "none"}).text) == ["plain-5"]
    anyone = senior.get("/queue", params={"agent": AGENT, "escalated": "any", "status": ""}).text
    assert _ids(anyone) == ["esc-3", "esc-2", "esc-1", "esc-0"]
    bogus = senior.get("/queue", params={"agent": AGENT, "escalated": "<script>"})
    assert bogus.status_code == 200 and "<script>" not in bogus.text  # an unknown choice is no filter


def test_the_api_lists_the_reviews_escalated_to_you_first(web: Web, escalated: list[str]) -> None:
    senior = _api(web, "senior")

    pending: dict[str, str | int] = {"agent": AGENT, "status": "pending", "limit": 2}
    body = senior.get("/api/queue", params=pending).json()
    assert [row["id"] for row in body["escalated_to_you"]] == escalated
    assert [row["escalated_to"] for row in body["escalated_to_you"]] == [SENIOR] * 3
    assert all(row["priority"] == "high" and row["escalated_at"] for row in body["escalated_to_you"])
    assert [row["id"] for row in body["items"]] == ["plain-5", "esc-3"]
    following = senior.get("/api/queue", params=pending | {"cursor": body["next_cursor"]}).json()
    assert following["escalated_to_you"] == [] and [row["id"] for row in following["items"]] == ["esc-2", "esc-1"]

    assert _api(web, "officer").get("/api/queue", params={"agent": AGENT}).json()["escalated_to_you"] == []
    head = _api(web, "head").get("/api/queue", params={"agent": AGENT}).json()
    assert [row["id"] for row in head["escalated_to_you"]] == ["esc-2", "esc-3", "esc-1", "esc-0"]


def test_the_api_filters_on_escalation_and_counts_under_it(web: Web, escalated: list[str]) -> None:
    senior = _api(web, "senior")

    mine = senior.get("/api/queue", params={"agent": AGENT, "escalated": "mine", "sort": "due"}).json()
    assert [row["id"] for row in mine["items"]] == escalated
    assert mine["escalated_to_you"] == [] and mine["counts"] == {"pending": 3}
    anyone = senior.get("/api/queue", params={"agent": AGENT, "escalated": "any"}).json()
    assert [row["id"] for row in anyone["items"]] == ["esc-3", "esc-2", "esc-1", "esc-0"]
    never = senior.get("/api/queue", params={"agent": AGENT, "escalated": "none"}).json()
    assert [row["id"] for row in never["items"]] == ["plain-5", "plain-4"]
    assert never["counts"] == {"pending": 1, "expired": 1}
    assert senior.get("/api/queue", params={"escalated": "yes"}).status_code == 422

    document = web.client().get("/openapi.json").json()
    parameters = {p["name"]: p for p in document["paths"]["/api/queue"]["get"]["parameters"]}
    assert "escalated to one of your roles" in parameters["escalated"]["description"]
