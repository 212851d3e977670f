"""`steward queue list --customer` and `steward customer show` find every proposal that names a customer,
however deep in its arguments, not only those filed under them (both backends)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from core import FixedClock
from steward import Settings
from steward.cli import main
from supervision import Subject
from tests.agents.flow_helpers import START, installation
from tests.supervision.supervision_helpers import submission


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_lists_the_proposals_naming_a_customer(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FixedClock(START)
    with installation(steward_settings, clock, applicants=3) as app:
        a, b = sorted({application.customer_id for application in app.customers.pending_applications()})[:2]
        app.queue.submit(submission("p-credit-a", now=START).model_copy(update={"customer_id": a}))
        batch = submission("p-batch", agent="batcher", action="route_orders", now=START).model_copy(
            update={
                "customer_id": b,
                "arguments": {"orders": [{"order_id": "O1", "customer_id": a}]},
                "subjects": (Subject(kind="customer", id=a), Subject(kind="order", id="O1")),
            }
        )
        clock.advance(timedelta(minutes=1))
        app.queue.submit(batch)

    code, out, _ = _run(capsys, "queue", "list", "--customer", a, "--json")
    assert code == 0
    listed = json.loads(out)
    assert [item["id"] for item in listed] == ["p-batch", "p-credit-a"]
    assert listed[0]["customer_id"] == b  # filed under B, named A deep in its order lines
    assert listed[0]["subjects"] == [
        {"kind": "customer", "id": a},
        {"kind": "customer", "id": b},
        {"kind": "order", "id": "O1"},
    ]
    code, out, _ = _run(capsys, "queue", "list", "--customer", b, "--status", "pending", "--json")
    assert [item["id"] for item in json.loads(out)] == ["p-batch"]
    code, out, _ = _run(capsys, "queue", "list", "--customer", a)
    assert code == 0 and out.splitlines()[1].startswith("p-batch") and "p-credit-a" in out
    code, out, _ = _run(capsys, "queue", "list", "--customer", "CUS-nobody", "--status", "pending")
    assert (code, out) == (0, "no proposals with status pending naming customer CUS-nobody\n")
    code, _, err = _run(capsys, "queue", "list", "--customer", " ")
    assert code == 2 and "--customer needs a customer id" in err

    code, out, _ = _run(capsys, "customer", "show", a, "--json")
    assert code == 0
    assert [p["id"] for p in json.loads(out)["proposals"]] == ["p-credit-a", "p-batch"]  # oldest first
    code, out, _ = _run(capsys, "customer", "show", a)
    assert code == 0 and "proposals: 2" in out and "p-batch batcher.route_orders [pending]" in out
