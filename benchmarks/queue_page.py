"""Server time of the queue with 100,000 pending proposals on SQLite: `GET /queue` (HTML) and `GET /api/queue`.

A fresh SQLite installation (`open_steward`: the migrated schema, WAL) gets N pending proposals, plus some
settled ones, bulk-inserted as the queue stores them: six agent actions in realistic proportions, gate
decisions from a hard limit, a rule, an autonomy band or the default (one in six needing four eyes), so
about 45% are high priority; created over the last two weeks; SLA deadlines from 12 hours overdue to
four days ahead, one in ten without a deadline; evidence, facts and gate JSON of the usual size. No
ANALYZE is run: a new installation has no statistics either. One admin user logs in (session cookie for
the page) and has an API token.

Then each case requests its URL (a page of 50) many times through the app in process. Measured: server
time, from the app being called to the last byte of its response (authentication, the page's queries:
rows, counts per state, the agent actions for the filter form; rendering or serialisation), p50 / p95 /
max; and the test client's round trip p95 for comparison. Deep pages start at about row 50,000 of their
order (or half way through a smaller filtered set), reached by walking the API's keyset cursor.

Bar (issue 4): the queue page's p95 <= 50 ms for a page of 50 with 100,000 pending proposals.

    python -m benchmarks.queue_page [--proposals N] [--settled N] [--requests N] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlmodel import SQLModel

from benchmarks._server_timing import Timing, measure, print_table, served
from core import FixedClock
from policies import DecisionSource, GateDecision, ReviewRequirement
from steward import Settings, Steward, configure_logging, open_steward
from supervision import priority_of

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BAR_MS = 50.0
PAGE = 50
AGENT_ACTIONS = (
    ("credit_approval", "approve_credit", 45),
    ("credit_approval", "decline_credit", 15),
    ("credit_approval", "request_information", 5),
    ("identity_resolution", "merge_customers", 20),
    ("churn_detection", "retention_offer", 10),
    ("complaint_escalation", "escalate_complaint", 5),
)
SETTLED = ("approved", "rejected", "executed", "expired", "denied")
USER, PASSWORD = "bench-admin", "bench-password-1234"


def _gates() -> list[GateDecision]:
    """The gate decisions proposals carry: every source, with and without four eyes."""
    gates = []
    sources: tuple[tuple[DecisionSource, str], ...] = (
        ("hard_limit", "amount_cap"),
        ("rule", "mid_amounts"),
        ("autonomy", "review_all"),
        ("autonomy", "band_small"),
        ("default", "default"),
        ("default", "default"),
    )
    for source, matched in sources:
        for approvals in (1, 1, 1, 1, 1, 2):
            gates.append(
                GateDecision(
                    outcome="review",
                    source=source,
                    matched=matched,
                    reasons=(f"{matched} applies",),
                    autonomy_level="review_all",
                    review=ReviewRequirement(
                        amount=5000.0,
                        role_limits={"credit_officer": 5000.0, "senior_credit_officer": 25000.0},
                        approvals_required=approvals,
                        requested_by="intake",
                    ),
                    policy_version="sha256:" + "0" * 64,
                )
            )
    return gates


def _rows(proposals: int, settled: int, seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    gates = [(gate.model_dump(mode="json"), priority_of(gate)) for gate in _gates()]
    pairs = [(agent, action) for agent, action, weight in AGENT_ACTIONS for _ in range(weight)]
    for n in range(proposals + settled):
        agent, action = rng.choice(pairs)
        gate, priority = rng.choice(gates)
        pending = n < proposals
        created_at = NOW - timedelta(seconds=rng.uniform(0, 14 * 86400))
        expires_at = None if rng.random() < 0.1 else NOW + timedelta(seconds=rng.uniform(-12 * 3600, 96 * 3600))
        amount = round(rng.lognormvariate(8, 0.8), 2)
        customer_id = f"CUS-{rng.getrandbits(40):010x}"
        proposal_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        evidence = [
            {
                "field": field,
                "value": rng.random(),
                "source_system": "crm",
                "source_record_id": f"R-{rng.getrandbits(24)}",
            }
            for field in ("income", "amount", "duration", "history", "savings")
        ]
        yield {
            "id": proposal_id,
            "agent": agent,
            "action": action,
            "status": "pending" if pending else rng.choice(SETTLED),
            "priority": priority if pending else "normal",
            "customer_id": customer_id,
            "thread_id": f"{agent}:{proposal_id[:8]}",
            "arguments": {"amount": amount, "term_months": rng.choice((12, 24, 36, 48))},
            "action_hash": f"{rng.getrandbits(256):064x}",
            "submitted_hash": f"{rng.getrandbits(256):064x}",
            "proposal": {
                "id": proposal_id,
                "rationale": "Score and history within the band; income verified against two sources.",
                "rationale_codes": ["R1", "R7", "R12"],
                "evidence": evidence,
            },
            "facts": {"application": {"amount": amount, "duration_months": 24}, "score": {"pd": rng.random() / 3}},
            "gate": gate,
            "requested_by": "intake",
            "created_at": created_at,
            "expires_at": expires_at,
            "decided_at": None if pending else created_at + timedelta(hours=2),
            "decided_by": None if pending else "officer",
            "verdict": None,
            "version": 0,
        }


def fill(steward: Steward, proposals: int, settled: int, seed: int) -> float:
    """Bulk-insert the proposals through the migrated schema's table; returns the seconds it took."""
    table = SQLModel.metadata.tables["supervision_proposal"]
    start = time.perf_counter()
    batch: list[dict[str, Any]] = []
    with steward.engine.begin() as connection:
        for row in _rows(proposals, settled, seed):
            batch.append(row)
            if len(batch) == 5000:
                connection.execute(insert(table), batch)
                batch = []
        if batch:
            connection.execute(insert(table), batch)
    return time.perf_counter() - start


@contextmanager
def installation(proposals: int, settled: int, seed: int) -> Iterator[tuple[Steward, float]]:
    configure_logging("WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp))
        with open_steward(settings, clock=FixedClock(NOW)) as steward:
            seconds = fill(steward, proposals, settled, seed)
            steward.users.add(USER, name="Bench", roles=("admin",))
            steward.users.set_password(USER, PASSWORD)
            yield steward, seconds


def _deep_cursor(api: TestClient, params: dict[str, str], depth: int) -> tuple[str | None, int]:
    """The cursor after about `depth` rows (at most half of what matches), walking 200 rows at a time."""
    cursor: str | None = None
    seen = 0
    counts: dict[str, int] = api.get("/api/queue", params=params | {"limit": "1"}).json()["counts"]
    total = counts.get(params["status"], 0) if "status" in params else sum(counts.values())
    target = min(depth, total // 2)
    while seen < target:
        step = min(200, target - seen)
        body = api.get("/api/queue", params=params | {"limit": str(step)} | ({"cursor": cursor} if cursor else {}))
        page = body.json()
        seen += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    return cursor, seen


CASES: tuple[tuple[str, dict[str, str], bool], ...] = (
    ("pending, newest", {"status": "pending"}, True),
    ("pending, SLA due soonest", {"status": "pending", "sort": "due"}, True),
    (
        "pending, agent + action, newest",
        {"status": "pending", "agent": "credit_approval", "action": "approve_credit"},
        True,
    ),
    (
        "pending, agent + action, due soonest",
        {"status": "pending", "agent": "identity_resolution", "action": "merge_customers", "sort": "due"},
        False,
    ),
    ("pending, high priority, newest", {"status": "pending", "priority": "high"}, True),
    ("pending, high priority, due soonest", {"status": "pending", "priority": "high", "sort": "due"}, False),
    ("pending, due within 4 h, due soonest", {"status": "pending", "due": "within_4h", "sort": "due"}, True),
    ("pending, overdue, newest", {"status": "pending", "due": "overdue"}, False),
    (
        "pending, agent + high + 24 h, due soonest",
        {"status": "pending", "agent": "credit_approval", "priority": "high", "due": "within_24h", "sort": "due"},
        False,
    ),
    ("pending, agent, newest", {"status": "pending", "agent": "credit_approval"}, False),
    ("pending, rare agent, newest", {"status": "pending", "agent": "complaint_escalation"}, False),
    ("all states, newest", {"status": ""}, True),
    ("all states, SLA due soonest", {"status": "", "sort": "due"}, False),
    ("all states, high priority, newest", {"status": "", "priority": "high"}, False),
)
"""(name, query, also a deep page): the filters and sorts a reviewer uses, each as the page's form sends it."""


def run(proposals: int, settled: int, requests: int, seed: int, depth: int) -> dict[str, Any]:
    with (
        installation(proposals, settled, seed) as (steward, fill_seconds),
        served(steward, USER, PASSWORD) as (timer, page, api),
    ):
        html: list[Timing] = []
        json_api: list[Timing] = []

        def rows_in_page(response: Any) -> int:
            return len(re.findall(r'<a href="/proposals/', response.text))

        def rows_in_json(response: Any) -> int:
            return len(response.json()["items"])

        for name, query, deep in CASES:
            api_query = {k: v for k, v in query.items() if v}
            variants: list[tuple[str, str | None]] = [(name + ", page 1", None)]
            if deep:
                cursor, at = _deep_cursor(api, api_query, depth)
                variants.append((f"{name}, from row {at:,}", cursor))
            for label, cursor in variants:
                page_url = "/queue?" + urlencode(query | ({"after": cursor} if cursor else {}))
                api_url = "/api/queue?" + urlencode(
                    api_query | {"limit": str(PAGE)} | ({"cursor": cursor} if cursor else {})
                )
                html.append(measure(page, timer, label, page_url, requests, rows_in_page))
                json_api.append(measure(api, timer, label, api_url, requests, rows_in_json))
    return {
        "proposals": proposals,
        "settled": settled,
        "fill_seconds": round(fill_seconds, 1),
        "requests_per_case": requests,
        "page": [asdict(t) for t in html],
        "api": [asdict(t) for t in json_api],
        "worst_page_p95_ms": round(max(t.p95_ms for t in html), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proposals", type=int, default=100_000, help="pending proposals (default 100,000)")
    parser.add_argument("--settled", type=int, default=20_000, help="settled proposals beside them (default 20,000)")
    parser.add_argument("--requests", type=int, default=100, help="measured requests per case (default 100)")
    parser.add_argument("--depth", type=int, default=50_000, help="row a deep page starts at (default 50,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    result = run(args.proposals, args.settled, args.requests, args.seed, args.depth)
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{result['proposals']:,} pending + {result['settled']:,} settled proposals on SQLite "
        f"(bulk insert {result['fill_seconds']} s); {result['requests_per_case']} requests per case, "
        "server time in ms (client round trip p95 beside it)\n"
    )
    for title, key in (("GET /queue (HTML, page of 50)", "page"), ("GET /api/queue (JSON, limit 50)", "api")):
        timings = [Timing(**t) for t in result[key]]
        print_table(title, timings, bar_ms=BAR_MS)
        print()
    verdict = "within" if result["worst_page_p95_ms"] <= BAR_MS else "OVER"
    print(f"worst page p95: {result['worst_page_p95_ms']} ms ({verdict} the {BAR_MS:.0f} ms bar)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
