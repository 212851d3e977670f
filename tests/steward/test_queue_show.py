"""`steward queue show` prints the headline figures the action declares, aligned, for any agent; `--json`
keeps its keys and adds them as `figures`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from core import FixedClock
from steward import Settings
from steward.cli import main
from tests.agents.flow_helpers import installation, pending_runs


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def _figure(out: str, label: str) -> tuple[int, str]:
    """The column where the figure's value starts, and the value."""
    line = next(line for line in out.splitlines() if line.startswith(f"  {label}  "))
    value = line[2 + len(label) :].lstrip()
    return len(line) - len(value), value


def test_queue_show_prints_the_declared_figures_aligned_and_in_json(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with installation(steward_settings, FixedClock(datetime.now(UTC))) as app:  # the CLI's clock is real
        (run,) = pending_runs(app, 1, action="approve_credit")
        item = app.queue.get(run.proposal_id)

    code, out = _run(capsys, "queue", "show", run.proposal_id)
    assert code == 0
    labels = ["Amount", "Duration", "Probability of default", "Score"]
    figures = {label: _figure(out, label) for label in labels}
    assert len({column for column, _ in figures.values()}) == 1, out  # the values start in one column
    amount = item.arguments["amount"]
    assert isinstance(amount, float)
    assert figures["Amount"][1] == f"{amount:,.2f} DM"
    assert figures["Duration"][1] == f"{item.arguments['duration_months']} months"
    assert figures["Probability of default"][1].endswith(" %")
    assert figures["Score"][1] == str(item.proposal["score"])

    code, out = _run(capsys, "queue", "show", run.proposal_id, "--json")
    document = json.loads(out)
    assert set(item.model_dump(mode="json")) | {"figures"} == set(document)
    assert [figure["label"] for figure in document["figures"]] == labels
    assert document["figures"][0]["text"] == f"{amount:,.2f} DM"

    edit = json.dumps({"items": ["Payslips", "Bank statement"]})
    decided = main(
        ["queue", "decide", run.proposal_id, "--edit", edit, "--action", "request_information", "--as", "officer"]
    )
    assert decided == 0
    capsys.readouterr()
    code, out = _run(capsys, "queue", "show", run.proposal_id)
    assert "replaced by a reviewer with request_information" in out
    assert _figure(out, "Information requested")[1] == "Payslips, Bank statement"
