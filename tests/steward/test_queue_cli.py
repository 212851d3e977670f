"""`steward queue decide` keeps the edit rules every surface shares, and `steward queue propose-again`
gives a failed execution a way forward."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from agents import AgentRunner
from core import FixedClock
from steward import Settings, open_steward
from steward.cli import main
from tests.agents.flow_helpers import find_application, installation


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_refuses_edits_of_identifiers_and_beyond_the_tools_rules_and_proposes_a_failure_again(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with installation(steward_settings, FixedClock(datetime.now(UTC))) as app:
        application_id = find_application(app, lambda amount: amount <= 4000)
        agent = AgentRunner(app.runtimes["credit_approval"])
        first, second = agent.run(application_id).proposal_id, agent.run(application_id).proposal_id

    for edit, expected in (
        ({"application_id": "los-application-0001"}, "application_id of approve_credit cannot be changed"),
        ({"amount": 10_000_000}, "exceeds the"),
        ({"items": ["payslips"]}, "approve_credit has no argument items"),
    ):
        code, _, err = _run(capsys, "queue", "decide", first, "--edit", json.dumps(edit), "--as", "officer")
        assert code == 1
        assert err.startswith("steward: edit of proposal") and expected in err and err.count("\n") == 1
    code, _, err = _run(
        capsys, "queue", "decide", first, "--edit", '{"application_id": "x"}', "--action", "decline_credit",
        "--as", "officer",
    )  # fmt: skip
    assert code == 1 and "application_id of decline_credit cannot be changed" in err

    assert _run(capsys, "queue", "decide", first, "--approve", "--as", "officer")[0] == 0
    code, out, _ = _run(capsys, "queue", "decide", second, "--approve", "--as", "officer")
    assert code == 0 and "failed" in out
    code, out, _ = _run(capsys, "queue", "show", second)
    assert "error: " in out and "already approved" in out

    code, out, err = _run(capsys, "queue", "propose-again", first, "--as", "officer")
    assert code == 1 and "only a failed execution is proposed again" in err
    code, out, _ = _run(capsys, "queue", "propose-again", second, "--as", "officer", "--json")
    assert code == 0
    fresh = json.loads(out)
    assert fresh["id"] not in (first, second) and fresh["agent"] == "credit_approval"
    code, out, _ = _run(capsys, "queue", "propose-again", second, "--as", "officer")
    assert (
        code == 0
        and out.strip() == f"{second}: proposed again as {fresh['id']} ({fresh['action']} → {fresh['status']})"
    )
    with open_steward(steward_settings) as app:
        assert app.queue.get(second).status == "failed"
        assert app.queue.get(fresh["id"]).proposal["subject_id"] == application_id
        app.users.disable("officer2")

    # A disabled user acts nowhere, the CLI's `--as` included.
    code, _, err = _run(capsys, "queue", "decide", fresh["id"], "--approve", "--as", "officer2")
    assert (
        code == 1
        and err == "steward: user 'officer2' is disabled; `steward users enable officer2` first if they should return\n"
    )
    with open_steward(steward_settings) as app:
        assert app.queue.get(fresh["id"]).status == "pending"


def test_the_clis_status_choices_are_the_queues_statuses() -> None:
    """The parser lists them itself (importing supervision would slow every `--help`); they must agree."""
    from typing import get_args

    from steward._parser import STATUSES
    from supervision import QueueStatus

    assert get_args(QueueStatus) == STATUSES
