"""The audit log with 100,000 entries on SQLite: the chain's verification, `GET /audit` and `GET /api/audit`.

A fresh SQLite installation gets N audit entries appended through `AuditLog.append_all` (a real hash
chain, 5,000 entries per transaction, one second apart): the kinds, subjects and actors a year of
proposals, reviews, executions and autonomy changes leave. Measured first: a full walk of the chain
(`AuditLog.verify`, what `steward audit verify` runs), and `AuditLog.chain_status` after it (what a page
shows: the cached walk extended by the entries appended since). Then server time of the audit search,
a page of 50 (100 for the API), many requests per case, as in `benchmarks.queue_page`.

    python -m benchmarks.audit_page [--entries N] [--requests N] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
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
from sqlmodel import Session

from benchmarks._server_timing import Timing, measure, print_table, served
from core import FixedClock
from steward import Settings, Steward, configure_logging, open_steward
from supervision import AuditDraft, AuditLog

START = datetime(2025, 3, 2, 9, 0, tzinfo=UTC)
USER, PASSWORD = "bench-auditor", "bench-password-1234"
AGENT_ACTIONS = ("credit_approval/approve_credit", "credit_approval/decline_credit", "identity_resolution/merge")


class _Ticking(FixedClock):
    """A clock one second further on at every reading: each entry gets its own time."""

    def now(self) -> datetime:
        self.advance(timedelta(seconds=1))
        return self.current


def _drafts(entries: int, seed: int) -> Iterator[AuditDraft]:
    rng = random.Random(seed)
    written = 0
    while written < entries:
        proposal = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        agent = rng.choice(("credit_approval", "identity_resolution"))
        reviewer = rng.choice(("olga", "oscar", "mia", "sam"))
        life = [
            AuditDraft(
                "proposal.submitted", proposal, agent, {"agent": agent, "action_hash": f"{rng.getrandbits(256):064x}"}
            ),
            AuditDraft(
                "gate.decided",
                proposal,
                "policy",
                {"outcome": "review", "matched": "mid_amounts", "level": "review_all"},
            ),
            AuditDraft(
                "review.decided", proposal, reviewer, {"verdict": "approve", "approvals": 1, "status": "approved"}
            ),
            AuditDraft("action.executed", proposal, agent, {"idempotency_key": proposal, "result": "ok"}),
        ]
        if rng.random() < 0.01:
            life.append(AuditDraft("autonomy.changed", rng.choice(AGENT_ACTIONS), "ladder", {"to": "band_small"}))
        for draft in life[: entries - written]:
            yield draft
            written += 1


def fill(steward: Steward, entries: int, seed: int) -> float:
    """Append `entries` audit entries in transactions of 5,000; returns the seconds it took."""
    audit = AuditLog(steward.engine, _Ticking(START))
    start = time.perf_counter()
    batch: list[AuditDraft] = []
    for draft in _drafts(entries, seed):
        batch.append(draft)
        if len(batch) == 5000:
            with Session(steward.engine) as session:
                audit.append_all(session, batch)
                session.commit()
            batch = []
    if batch:
        with Session(steward.engine) as session:
            audit.append_all(session, batch)
            session.commit()
    return time.perf_counter() - start


@contextmanager
def installation(entries: int, seed: int) -> Iterator[tuple[Steward, float]]:
    configure_logging("WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        now = START + timedelta(seconds=entries + 60)
        with open_steward(Settings(home=Path(tmp)), clock=FixedClock(now)) as steward:
            seconds = fill(steward, entries, seed)
            steward.users.add(USER, name="Bench", roles=("auditor",))
            steward.users.set_password(USER, PASSWORD)
            yield steward, seconds


def _seconds(call: Any, times: int) -> float:
    best = float("inf")
    for _ in range(times):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def run(entries: int, requests: int, seed: int) -> dict[str, Any]:
    with installation(entries, seed) as (steward, fill_seconds):
        walk = _seconds(steward.audit.verify, 3)
        first_status = _seconds(steward.audit.chain_status, 1)  # no walk cached yet: a full walk
        cached_status = _seconds(steward.audit.chain_status, 20)
        middle = entries // 2
        subject = steward.audit.search(kind="review.decided", before_seq=middle, limit=1).entries[0].subject
        window_from = (START + timedelta(seconds=middle)).isoformat()
        window_to = (START + timedelta(seconds=middle + 3600)).isoformat()
        cases: tuple[tuple[str, dict[str, str]], ...] = (
            ("newest", {}),
            (f"older than entry {middle:,}", {"before": str(middle)}),
            (f"newer than entry {middle:,}", {"after": str(middle)}),
            ("kind", {"kind": "review.decided"}),
            (f"kind, older than entry {middle:,}", {"kind": "review.decided", "before": str(middle)}),
            ("actor", {"actor": "mia"}),
            ("subject (one proposal)", {"subject": subject}),
            ("subject prefix (agent actions)", {"subject": "credit_approval/", "match": "prefix"}),
            ("one hour, half way", {"from": window_from, "to": window_to}),
            ("rare kind", {"kind": "autonomy.changed"}),
        )
        with served(steward, USER, PASSWORD) as (timer, page, api):
            html: list[Timing] = []
            json_api: list[Timing] = []

            def rows_in_page(response: Any) -> int:
                return len(re.findall(r"<tr><td>\d+</td>", response.text))

            def rows_in_json(response: Any) -> int:
                return len(response.json()["entries"])

            for name, query in cases:
                html.append(measure(page, timer, name, "/audit?" + urlencode(query), requests, rows_in_page))
                api_query = {
                    {"match": "subject_match"}.get(k, k): v for k, v in query.items() if k not in ("before", "after")
                }
                if "before" in query or "after" in query:
                    # The API's cursor is opaque: take it from the page before (or after) the entry.
                    first = api.get("/api/audit", params=api_query | {"limit": "1"}).json()
                    cursor = _cursor_near(
                        api, api_query, first, int(query.get("before") or query["after"]), "after" in query
                    )
                    api_query["cursor"] = cursor
                json_url = "/api/audit?" + urlencode(api_query | {"limit": "100"})
                json_api.append(measure(api, timer, name, json_url, requests, rows_in_json))
    return {
        "entries": entries,
        "fill_seconds": round(fill_seconds, 1),
        "full_walk_seconds": round(walk, 3),
        "first_chain_status_seconds": round(first_status, 3),
        "cached_chain_status_ms": round(cached_status * 1000, 2),
        "requests_per_case": requests,
        "page": [asdict(t) for t in html],
        "api": [asdict(t) for t in json_api],
    }


def _cursor_near(api: TestClient, query: dict[str, str], first: dict[str, Any], seq: int, newer: bool) -> str:
    """A cursor for the page older than about entry `seq` (or newer), by jumping pages of 1,000."""
    body = first
    while body["entries"] and body["entries"][0]["seq"] > seq + 1000 and body["next_cursor"]:
        body = api.get("/api/audit", params=query | {"limit": "1000", "cursor": body["next_cursor"]}).json()
    cursor = body["previous_cursor"] if newer else body["next_cursor"]
    if cursor is None:
        raise RuntimeError("no page near that entry")
    return str(cursor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000, help="audit entries (default 100,000)")
    parser.add_argument("--requests", type=int, default=100, help="measured requests per case (default 100)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    result = run(args.entries, args.requests, args.seed)
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{result['entries']:,} audit entries on SQLite (appended in {result['fill_seconds']} s)\n"
        f"full walk of the chain (verify): {result['full_walk_seconds']} s; chain_status: first "
        f"{result['first_chain_status_seconds']} s (a full walk), then {result['cached_chain_status_ms']} ms "
        f"(cached walk + entries since)\n{result['requests_per_case']} requests per case, server time in ms\n"
    )
    for title, key in (("GET /audit (HTML, page of 50)", "page"), ("GET /api/audit (JSON, limit 100)", "api")):
        print_table(title, [Timing(**t) for t in result[key]])
        print()


if __name__ == "__main__":
    main()
