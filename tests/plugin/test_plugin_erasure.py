"""Erasing a customer named only deep inside a batch's order lines leaves no trace of them in the database
file nor in the checkpoints file."""

from __future__ import annotations

import json
from pathlib import Path

from steward import open_steward
from tests.plugin.plugin_world import (
    DEEP,
    KEPT,
    MAIN,
    batch_of,
    deploy,
    steward_cli,
)
from tests.plugin.sample_agent import NAME
from tests.trace_helpers import outside, traces_of

# -- erasure --------------------------------------------------------------------------------------

ERASURE_BATCHES = [
    batch_of("B-E1", (MAIN, 1), (DEEP, 2)),  # decided with an edit that names them again
    batch_of("B-E2", (KEPT, 1), (DEEP, 1)),  # still pending when they are erased
    batch_of("B-E3", (MAIN, 1), (KEPT, 2)),  # names other customers only: stays as it is
]
CHECKPOINT_TABLES = {"checkpoints", "writes"}
"""LangGraph's SqliteSaver tables in `<home>/checkpoints.sqlite`."""
KEEPS_IDS = {"supervision_audit", "customer"}
"""Tables that keep an erased customer's id by design: the audit chain (ids, no personal data) and the
customer row itself, marked erased."""


def _tables(traces: list[str]) -> set[str]:
    return {trace.split(":", 1)[0].split(" index ", 1)[0] for trace in traces}


def test_erasing_a_customer_named_deep_inside_the_order_lines_leaves_no_trace(
    tmp_path: Path, trained_scorecard: Path
) -> None:
    deployed = deploy(tmp_path, trained_scorecard, ERASURE_BATCHES)
    env, database, checkpoints = deployed.env, tmp_path / "home" / "steward.sqlite", deployed.settings.checkpoint_path
    assert checkpoints == tmp_path / "home" / "checkpoints.sqlite"
    code, out, _ = steward_cli(env, "run", NAME, "--json")
    assert code == 0 and json.loads(out)["by_status"] == {"pending": 3}
    code, out, _ = steward_cli(env, "queue", "list", "--customer", DEEP.customer_id, "--json")
    naming = {s["id"]: item for item in json.loads(out) for s in item["subjects"] if s["kind"] == "batch"}
    assert sorted(naming) == ["B-E1", "B-E2"]
    assert {item["customer_id"] for item in naming.values()} == {MAIN.customer_id, KEPT.customer_id}  # never theirs

    at_reception = f"{DEEP.name} c/o reception"
    lines = [MAIN.line("B-E1-O1", 1), DEEP.line("B-E1-O2", 2) | {"recipient": at_reception}]
    code, out, err = steward_cli(
        env,
        "queue",
        "decide",
        naming["B-E1"]["id"],
        "--edit",
        json.dumps({"orders": lines}),
        "--as",
        "dispatcher",
        "--comment",
        f"Rang {DEEP.name} on {DEEP.email}: deliver to reception.",
    )
    assert code == 0, err
    with open_steward(deployed.settings) as app:
        assert app.queue.get(str(naming["B-E1"]["id"])).status == "executed"
        kept_batch = next(i for i in app.queue.list(agent=NAME) if i.arguments.get("batch_id") == "B-E3")
    personal = (DEEP.surname, DEEP.email, at_reception)
    # The scans see the person where Steward keeps them: the proposals, the edit and comment, the golden
    # record, and the paused and finished threads' checkpoints.
    held = _tables([t for text in personal for t in traces_of(database, text)])
    assert {"supervision_proposal", "supervision_review", "customer_observation"} <= held, held
    assert _tables(traces_of(checkpoints, DEEP.surname)) & CHECKPOINT_TABLES
    assert "supervision_proposal_subject" in _tables(traces_of(database, DEEP.customer_id))

    code, out, err = steward_cli(env, "gdpr", "erase", DEEP.customer_id, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["customer_ids"] == [DEEP.customer_id] and summary["observations"] == 3
    assert (summary["proposals_redacted"], summary["reviews_expired"], summary["checkpoint_threads_deleted"]) == (
        2,
        1,
        2,
    )

    for text in (*personal, DEEP.name):
        assert traces_of(database, text) == [], text
        assert traces_of(checkpoints, text) == [], text
    assert traces_of(checkpoints, DEEP.customer_id) == []
    left = traces_of(database, DEEP.customer_id)
    assert outside(left, KEEPS_IDS) == [], left
    assert {"supervision_audit", "customer"} <= _tables(left)  # the chain and the erased row keep the id

    # The batch naming only others is untouched, in the queue and in its thread's checkpoints.
    assert "supervision_proposal" in _tables(traces_of(database, KEPT.surname))
    assert _tables(traces_of(checkpoints, KEPT.surname)) & CHECKPOINT_TABLES
    code, out, _ = steward_cli(env, "queue", "list", "--customer", DEEP.customer_id, "--json")
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = steward_cli(env, "queue", "show", kept_batch.id, "--json")
    assert json.loads(out)["arguments"] == kept_batch.arguments
    code, out, _ = steward_cli(env, "queue", "show", str(naming["B-E1"]["id"]), "--json")
    shown = json.loads(out)
    assert (shown["arguments"], shown["status"]) == ({"redacted": True}, "executed")
    assert [(f["label"], f["text"]) for f in shown["figures"]] == [("Carrier", ""), ("Items", ""), ("Customers", "")]
    code, out, _ = steward_cli(env, "queue", "show", str(naming["B-E2"]["id"]), "--json")
    assert json.loads(out)["status"] == "expired"  # expired, not rejected
    code, _, err = steward_cli(env, "audit", "verify")
    assert code == 0, err
