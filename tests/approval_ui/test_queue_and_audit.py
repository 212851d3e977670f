"""The queue's priority and SLA filters and its two sorts, and the audit search, on the pages and the API.

Proposals of a made-up agent, `probe`, are added straight to the queue so each test knows every row it
filters; the credit agent's own proposals stay out of the way behind the agent filter.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta
from html import unescape

import pytest
from fastapi.testclient import TestClient

from policies import DecisionSource
from supervision import ProposalSubmission
from tests.approval_ui.web_helpers import Web
from tests.supervision.supervision_helpers import submission

PROBES = 55
"""More than a page (50) of probe proposals."""


def _probe(web: Web, n: int, *, hours: int | None, source: DecisionSource = "autonomy") -> ProposalSubmission:
    sub = submission(
        f"probe-{n:03d}",
        agent="probe",
        expires_in=None if hours is None else timedelta(hours=hours),
        now=web.clock.now(),
    )
    return sub.model_copy(update={"gate": sub.gate.model_copy(update={"source": source})})


@pytest.fixture(scope="module")
def probes(web: Web) -> dict[str, int | None]:
    """probe-000..054: every fifth forced by a rule (high priority), deadlines from -2 h to +50 h, some none."""
    deadlines: dict[str, int | None] = {}
    for n in range(PROBES):
        hours = None if n % 11 == 10 else (n % 27) * 2 - 2
        sub = _probe(web, n, hours=hours, source="rule" if n % 5 == 0 else "autonomy")
        web.steward.queue.submit(sub)
        deadlines[sub.id] = hours
        web.clock.advance(timedelta(seconds=1))
    return deadlines


def _api(web: Web, user: str) -> TestClient:
    client = web.client()
    client.headers["Authorization"] = f"Bearer {web.steward.users.issue_token(user)}"
    return client


def _walk(client: TestClient, params: dict[str, str | int]) -> list[str]:
    seen: list[str] = []
    cursor: str | None = None
    while True:
        response = client.get("/api/queue", params=params | ({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


def _due_order(deadlines: dict[str, int | None]) -> list[str]:
    timed = sorted((hours, pid) for pid, hours in deadlines.items() if hours is not None)
    return [pid for _, pid in timed] + sorted(pid for pid, hours in deadlines.items() if hours is None)


def test_the_api_filters_by_priority_and_sla_and_pages_both_sorts(web: Web, probes: dict[str, int | None]) -> None:
    client = _api(web, "officer")
    newest = _walk(client, {"agent": "probe", "limit": 7})
    assert newest == sorted(probes, reverse=True)  # created a second apart, in id order
    assert _walk(client, {"agent": "probe", "sort": "due", "limit": 7}) == _due_order(probes)

    high = _walk(client, {"agent": "probe", "priority": "high", "limit": 50})
    assert high == [f"probe-{n:03d}" for n in range(PROBES - 1, -1, -1) if n % 5 == 0]

    now = web.clock.now()
    soon = {
        pid for pid, hours in probes.items() if hours is not None and now <= _at(web, pid) < now + timedelta(hours=4)
    }
    assert set(_walk(client, {"agent": "probe", "due": "within_4h"})) == soon and soon
    overdue = {pid for pid, hours in probes.items() if hours is not None and _at(web, pid) < now}
    assert set(_walk(client, {"agent": "probe", "due": "overdue"})) == overdue and overdue

    body = client.get("/api/queue", params={"agent": "probe", "priority": "high"}).json()
    assert body["counts"] == {"pending": len(high)}
    assert [item["priority"] for item in body["items"]] == ["high"] * len(high)


def _at(web: Web, proposal_id: str) -> datetime:
    expires_at = web.steward.queue.get(proposal_id).expires_at
    assert expires_at is not None
    return expires_at


def test_a_cursor_only_continues_its_own_sort(web: Web, probes: dict[str, int | None]) -> None:
    client = _api(web, "officer")
    newest = client.get("/api/queue", params={"agent": "probe", "limit": 2}).json()["next_cursor"]
    due = client.get("/api/queue", params={"agent": "probe", "limit": 2, "sort": "due"}).json()["next_cursor"]
    assert newest and due
    for cursor, sort in ((newest, "due"), (due, "newest")):
        refused = client.get("/api/queue", params={"agent": "probe", "cursor": cursor, "sort": sort})
        assert refused.status_code == 400
        assert "start again" in refused.json()["detail"]
    assert client.get("/api/queue", params={"cursor": due, "sort": "due"}).status_code == 200
    out_of_range = {"s": "newest", "t": "0001-01-01T00:00:00+14:00", "i": "x"}
    forged = base64.urlsafe_b64encode(json.dumps(out_of_range).encode()).decode()
    assert client.get("/api/queue", params={"cursor": forged}).status_code == 400
    assert client.get("/api/queue", params={"sort": "oldest"}).status_code == 422

    document = web.client().get("/openapi.json").json()
    operation = document["paths"]["/api/queue"]["get"]
    described = {p["name"]: p.get("description", "") for p in operation["parameters"]}
    assert {"agent", "action", "status", "priority", "due", "sort", "cursor", "limit"} <= set(described)
    assert all(described[name] for name in ("priority", "due", "sort", "cursor"))
    assert "400" in operation["responses"]


def test_the_queue_page_has_labelled_filters_priority_and_time_to_due(web: Web, probes: dict[str, int | None]) -> None:
    officer = web.logged_in("officer")
    page = officer.get("/queue", params={"agent": "probe", "sort": "due"})
    assert page.status_code == 200
    html = page.text
    for name, label in (("priority", "Priority"), ("due", "SLA due"), ("sort", "Sort")):
        assert f'<label for="f-{name}">{label}</label>' in html
        assert f'<select id="f-{name}" name="{name}">' in html
    assert '<option value="due" selected>SLA due soonest</option>' in html

    ids = re.findall(r'href="/proposals/(probe-\d+)"', html)
    assert ids == _due_order(probes)[:50]
    assert "overdue by 2 h 0 min" in html  # the first rows' deadlines passed two hours after submission...
    assert '<strong class="priority-high">high</strong>' in html

    # ...and the next page continues the same sort under the same filters.
    link = re.search(r'href="/queue\?([^"]+)">Next page', html)
    assert link is not None
    query = unescape(link.group(1))
    assert "sort=due" in query and "agent=probe" in query
    rest = officer.get(f"/queue?{query}").text
    assert re.findall(r'href="/proposals/(probe-\d+)"', rest) == _due_order(probes)[50:]

    wrong = officer.get(f"/queue?{query.replace('sort=due', 'sort=newest')}")
    assert wrong.status_code == 400

    high = officer.get("/queue", params={"agent": "probe", "priority": "high", "due": "overdue"}).text
    assert set(re.findall(r'href="/proposals/(probe-\d+)"', high)) == {
        pid for pid, hours in probes.items() if hours is not None and hours < 0 and int(pid[-3:]) % 5 == 0
    }


def test_the_api_searches_and_pages_the_audit_log(web: Web, probes: dict[str, int | None]) -> None:
    auditor = _api(web, "auditor")
    submitted = [e.seq for e in web.steward.audit.entries() if e.kind == "proposal.submitted" and e.actor == "probe"]
    seen: list[int] = []
    body = auditor.get("/api/audit", params={"kind": "proposal.submitted", "actor": "probe", "limit": 20}).json()
    assert body["previous_cursor"] is None and body["verification"]["ok"] is True
    pages = [body]
    while body["next_cursor"]:
        params = {"kind": "proposal.submitted", "actor": "probe", "limit": 20, "cursor": body["next_cursor"]}
        body = auditor.get("/api/audit", params=params).json()
        pages.append(body)
    for page in pages:
        seen = [entry["seq"] for entry in page["entries"]] + seen  # each page in chain order, older pages later
    assert seen == submitted and len(pages) == 3

    back = auditor.get(
        "/api/audit",
        params={"kind": "proposal.submitted", "actor": "probe", "limit": 20, "cursor": pages[-1]["previous_cursor"]},
    ).json()
    assert back["entries"] == pages[-2]["entries"]

    prefix = auditor.get("/api/audit", params={"subject": "probe-05", "subject_match": "prefix"}).json()
    assert {entry["subject"] for entry in prefix["entries"]} == {f"probe-05{n}" for n in range(5)}
    at = web.steward.audit.entries(subject="probe-010")[0].at
    window = {"from": at.strftime("%Y-%m-%dT%H:%M:%S"), "to": (at + timedelta(seconds=1)).isoformat()}
    assert {e["subject"] for e in auditor.get("/api/audit", params=window).json()["entries"]} == {"probe-010"}
    huge = base64.urlsafe_b64encode(json.dumps({"d": "older", "q": 10**20}).encode()).decode()
    for cursor in ("bm90LWEtY3Vyc29y", huge):
        assert auditor.get("/api/audit", params={"cursor": cursor}).status_code == 400
    assert auditor.get("/api/audit", params={"from": "0001-01-01T00:00:00+14:00"}).status_code == 422
    assert auditor.get("/api/audit", params={"from": "1700000000"}).status_code == 422
    assert auditor.get("/api/audit", params={"subject_match": "regex"}).status_code == 422


def _seqs(html: str) -> list[int]:
    return [int(seq) for seq in re.findall(r"<tr><td>(\d+)</td>", html)]


def test_the_audit_page_searches_pages_and_shows_the_chain_status(web: Web, probes: dict[str, int | None]) -> None:
    auditor = web.logged_in("auditor")
    html = auditor.get("/audit").text
    assert "Chain intact" in html and "Walked in full from entry 1 at" in html
    for name, label in (("kind", "Kind"), ("actor", "Actor"), ("subject", "Subject"), ("match", "Subject match")):
        assert f'<label for="a-{name}">{label}</label>' in html
    first = _seqs(html)
    assert first == sorted(first, reverse=True) and len(first) == 50
    assert first[0] == web.steward.audit.verify().count

    older = re.search(r'href="/audit\?([^"]+)">Older', html)
    assert older is not None and "Newer" not in html
    second = auditor.get(f"/audit?{unescape(older.group(1))}").text
    assert _seqs(second)[0] == first[-1] - 1
    newer = re.search(r'href="/audit\?([^"]+)">Newer', second)
    assert newer is not None
    again = auditor.get(f"/audit?{unescape(newer.group(1))}").text
    assert _seqs(again) == first

    found = auditor.get("/audit", params={"subject": "probe-00", "match": "prefix", "kind": "gate.decided"}).text
    assert set(re.findall(r"<td>(probe-\d+)</td>", found)) == {f"probe-00{n}" for n in range(10)}
    assert 'value="prefix" selected' in found

    bad = auditor.get("/audit", params={"from": "yesterday"})
    assert bad.status_code == 400 and "is not a date and time" in bad.text
    assert auditor.get("/audit", params={"before": "9" * 20}).status_code == 400
