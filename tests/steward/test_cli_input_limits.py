"""`steward queue decide` answers hostile input with one line and exit code 1, and changes nothing:
non-finite numbers in --edit (NaN, Infinity, 1e400, ...) and a comment over the shared limit."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from agents import AgentRunner
from core import FixedClock
from steward import Settings
from steward.cli import main
from supervision import MAX_COMMENT_LENGTH
from tests.agents.flow_helpers import find_application, installation


def test_non_finite_edits_and_long_comments_get_one_line_and_change_nothing(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with installation(steward_settings, FixedClock(datetime.now(UTC))) as app:
        proposal_id = (
            AgentRunner(app.runtimes["credit_approval"]).run(find_application(app, lambda a: a <= 4000)).proposal_id
        )

    refused = [
        (["--edit", '{"amount": Infinity}'], "contains Infinity: numbers must be finite"),
        (["--edit", '{"amount": -Infinity}'], "contains -Infinity"),
        (["--edit", '{"amount": NaN}'], "contains NaN"),
        (["--edit", '{"amount": 1e400}'], "contains 1e400, too large for a number"),
        (["--edit", '{"amount": ' + "9" * 5000 + "}"], "not JSON this command reads"),
        (["--edit", '{"amount": "inf"}'], "finite number"),
        (["--reject", "--comment", "r" * (MAX_COMMENT_LENGTH + 1)], f"keep it within {MAX_COMMENT_LENGTH:,}"),
        (["--reject", "--comment", "income\x00verified"], "NUL"),
    ]
    for args, says in refused:
        code = main(["queue", "decide", proposal_id, *args, "--as", "officer"])
        err = capsys.readouterr().err
        assert code == 1, (args[:2], err)
        assert err.startswith("steward: ") and err.count("\n") == 1 and says in err, err
        assert len(err) < 600

    assert main(["queue", "show", proposal_id, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["status"], shown["reviews"]) == ("pending", [])
