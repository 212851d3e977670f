"""The tests' own agent in the CLI: `agents list`, `run`, `queue list --customer`, `queue show`."""

from __future__ import annotations

import json
from typing import Any

from core import JsonObject
from steward import open_steward
from tests.agents.flow_helpers import run_steward
from tests.plugin.plugin_world import (
    BATCHES,
    DEEP,
    KEPT,
    MAIN,
    SHOWN,
    Deployment,
    proposal_of,
    steward_cli,
)
from tests.plugin.sample_agent import NAME

# -- CLI ------------------------------------------------------------------------------------------


def test_agents_list_shows_the_agent_its_two_actions_and_its_trigger(deployment: Deployment) -> None:
    done = run_steward(deployment.env, "agents", "list", "--json")  # a fresh process: registered by its env alone
    assert done.returncode == 0, done.stderr
    agents = {agent["name"]: agent for agent in json.loads(done.stdout)}
    assert list(agents) == ["credit_approval", "identity_resolution", "order_routing", NAME]  # after the bundled ones
    sample = agents[NAME]
    assert sample["description"] == "Ships or holds batches of orders (the tests' own agent)."
    assert [(a["name"], a["title"], a["level"], a["levels"]) for a in sample["actions"]] == [
        ("ship_batch", "Ship the batch", "shadow", ["shadow", "review_all", "band_1"]),
        ("hold_batch", "Hold the batch", "shadow", ["shadow", "review_all"]),
    ]
    assert sample["triggers"] == [
        {
            "name": "ready_batches",
            "description": "Batches of orders ready to leave, not yet proposed.",
            "schedule": "on demand",
        }
    ]

    code, out, _ = steward_cli(deployment.env, "agents", "list")
    assert code == 0
    lines = out.splitlines()
    assert f"{NAME}: {sample['description']}" in lines
    assert any(line.split()[:4] == ["ship_batch", "Ship", "the", "batch"] for line in lines)
    assert any(line.split()[:3] == ["ready_batches", "on", "demand"] for line in lines)


def test_run_proposes_every_waiting_batch_once(deployment: Deployment, first_run: JsonObject) -> None:
    assert (first_run["agent"], first_run["trigger"], first_run["waiting"], first_run["proposed"]) == (
        NAME,
        "ready_batches",
        len(BATCHES),
        len(BATCHES),
    )
    assert first_run["by_status"] == {"pending": len(BATCHES)}  # shadow: a person looks at each
    runs: Any = first_run["runs"]
    assert [run["action"] for run in runs] == ["ship_batch"] * len(BATCHES)
    assert first_run["not_run"] == []

    code, out, _ = steward_cli(deployment.env, "run", NAME, "--json")
    second = json.loads(out)
    assert code == 0 and (second["waiting"], second["proposed"], second["runs"]) == (0, 0, [])
    code, out, err = steward_cli(deployment.env, "run", NAME)
    assert (code, out, err) == (0, f"{NAME} (trigger ready_batches): nothing waiting\n", "")

    code, out, _ = steward_cli(deployment.env, "queue", "list", "--json", "--limit", "100")
    listed = {item["id"] for item in json.loads(out) if item["agent"] == NAME}
    assert listed == {run["proposal_id"] for run in runs}  # each batch proposed exactly once


def test_queue_list_finds_the_batch_by_a_customer_named_only_in_its_order_lines(
    deployment: Deployment, first_run: JsonObject
) -> None:
    with open_steward(deployment.settings) as app:
        shown = proposal_of(app, SHOWN)
    assert shown.customer_id == MAIN.customer_id  # the deep customer is not the proposal's own
    assert DEEP.customer_id not in json.dumps({k: v for k, v in shown.arguments.items() if k != "orders"})

    code, out, _ = steward_cli(deployment.env, "queue", "list", "--customer", DEEP.customer_id, "--json")
    assert code == 0
    (found,) = json.loads(out)
    assert found["id"] == shown.id
    assert {(s["kind"], s["id"]) for s in found["subjects"]} == {
        ("batch", "B-100"),
        ("customer", MAIN.customer_id),
        ("customer", DEEP.customer_id),
    }
    code, out, _ = steward_cli(deployment.env, "queue", "list", "--customer", KEPT.customer_id, "--json")
    batches = {s["id"] for item in json.loads(out) for s in item["subjects"] if s["kind"] == "batch"}
    assert batches == {"B-200", "B-400", "B-500", "B-600"}


def _figure(out: str, label: str) -> str:
    line = next(line for line in out.splitlines() if line.startswith(f"  {label} "))
    return line[2 + len(label) :].strip()


def test_queue_show_prints_the_figures_the_action_declares(deployment: Deployment, first_run: JsonObject) -> None:
    with open_steward(deployment.settings) as app:
        shown = proposal_of(app, SHOWN)
    code, out, _ = steward_cli(deployment.env, "queue", "show", shown.id)
    assert code == 0
    assert (_figure(out, "Carrier"), _figure(out, "Items"), _figure(out, "Customers")) == ("parcel_post", "9 pcs", "2")
    assert f"agent {NAME}, action ship_batch, customer {MAIN.customer_id}, about B-100" in out

    code, out, _ = steward_cli(deployment.env, "queue", "show", shown.id, "--json")
    figures = json.loads(out)["figures"]
    assert figures == [
        {"label": "Carrier", "text": "parcel_post"},
        {"label": "Items", "text": "9 pcs"},
        {"label": "Customers", "text": "2"},
    ]
