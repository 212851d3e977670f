"""`steward agents list` shows every installed agent; `steward run` proposes what a trigger has waiting, once."""

from __future__ import annotations

import json
import re

import pytest

from steward import Settings, open_steward
from steward.cli import main
from tests.agents.flow_helpers import installation


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_agents_list_names_each_agent_its_actions_levels_and_triggers(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with open_steward(steward_settings) as app:
        app.autonomy.set_level("credit_approval", "decline_credit", "review_all", actor="ops", reason="test")

    code, out, err = _run(capsys, "agents", "list", "--json")
    assert code == 0 and err == ""
    agents = {agent["name"]: agent for agent in json.loads(out)}
    assert list(agents) == ["credit_approval", "identity_resolution", "order_routing"]  # registration order
    credit = agents["credit_approval"]
    assert credit["description"]
    assert [a["name"] for a in credit["actions"]] == ["approve_credit", "decline_credit", "request_information"]
    by_action = {a["name"]: a for a in credit["actions"]}
    assert by_action["approve_credit"]["title"] == "Approve credit"
    assert by_action["approve_credit"]["level"] == "shadow"
    assert by_action["decline_credit"]["level"] == "review_all"
    assert by_action["decline_credit"]["levels"][:2] == ["shadow", "review_all"]
    assert credit["triggers"] == [
        {
            "name": "applications",
            "description": "Credit applications ingested from the ERP that no proposal has assessed yet.",
            "schedule": "on demand",
        }
    ]
    identity = agents["identity_resolution"]
    assert [(a["name"], a["level"]) for a in identity["actions"]] == [("merge_customers", "shadow")]
    assert [t["name"] for t in identity["triggers"]] == ["uncertain_matches"]
    for agent in agents.values():
        for action in agent["actions"]:
            assert set(action) == {"name", "title", "description", "level", "levels"}
            assert action["level"] in action["levels"]

    code, out, _ = _run(capsys, "agents", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("credit_approval: ") and "identity_resolution: " + identity["description"] in lines
    header = next(line for line in lines if line.split() == ["action", "title", "level", "levels"])
    decline = next(line for line in lines if line.strip().startswith("decline_credit"))
    approve = next(line for line in lines if line.strip().startswith("approve_credit"))
    # aligned: each row's level starts under the header's `level`
    assert decline.index("review_all") == header.index("level") == approve.index("shadow")
    assert "shadow → review_all" in decline
    assert any(line.split()[:3] == ["applications", "on", "demand"] for line in lines)
    assert any(line.split()[:3] == ["uncertain_matches", "on", "demand"] for line in lines)


def test_run_proposes_what_waits_once_and_reports_progress_on_stderr(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with installation(steward_settings, applicants=5):
        pass

    code, out, err = _run(capsys, "run", "credit_approval", "--limit", "3", "--json")
    assert code == 0
    first = json.loads(out)  # stdout is the report alone; progress went to stderr
    assert (first["agent"], first["trigger"], first["waiting"], first["proposed"]) == (
        "credit_approval",
        "applications",
        5,
        3,
    )  # all five wait; --limit proposes three of them
    assert first["by_status"] == {"pending": 3}  # shadow level: every proposal waits for a person
    assert [run["status"] for run in first["runs"]] == ["pending"] * 3
    progress = err.splitlines()
    assert progress[0].startswith("credit_approval: applications: 1/3 (33%), ")
    assert progress[-1].startswith("credit_approval: applications: 3/3 (100%), ")
    assert all(line.startswith("credit_approval: applications: ") for line in progress)
    assert "\x1b" not in err  # plain lines when piped, no bar

    code, out, _ = _run(capsys, "run", "credit_approval", "--limit", "3", "--json")
    second = json.loads(out)
    assert code == 0 and (second["waiting"], second["proposed"]) == (2, 2)  # only the two not yet proposed

    # Nothing is left: had the second run proposed one of the first three again, one would still wait.
    code, out, err = _run(capsys, "run", "credit_approval")
    assert (code, out, err) == (0, "credit_approval (trigger applications): nothing waiting\n", "")
    code, out, _ = _run(capsys, "run", "credit_approval", "--json")
    assert json.loads(out) == {
        "agent": "credit_approval",
        "trigger": "applications",
        "waiting": 0,
        "proposed": 0,
        "by_status": {},
        "runs": [],
        "not_run": [],
    }

    code, out, _ = _run(capsys, "queue", "list", "--json")
    listed = json.loads(out)
    assert len(listed) == 5 and {item["id"] for item in listed} == {
        run["proposal_id"] for run in first["runs"] + second["runs"]
    }
    code, out, _ = _run(capsys, "queue", "list")
    header, *rows = out.splitlines()
    assert len(rows) == 5
    for column in ("agent", "action", "status", "customer", "gate", "created"):
        start = header.index(column)  # aligned: every row's cell starts under its header
        assert all(row[start - 2 : start] == "  " and row[start] != " " for row in rows)


def test_run_prints_the_counts_and_each_proposal(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with installation(steward_settings, applicants=2):
        pass
    code, out, _ = _run(capsys, "run", "credit_approval", "--trigger", "applications")
    assert code == 0
    summary, header, *rows = out.splitlines()
    assert summary == "credit_approval (trigger applications): 2 proposed: 2 pending"
    assert header.split() == ["proposal", "action", "status"]
    assert len(rows) == 2
    for row in rows:
        proposal_id, action, status = row.split()
        assert re.fullmatch(r"[0-9a-f-]{36}", proposal_id)
        assert action in {"approve_credit", "decline_credit", "request_information"} and status == "pending"
        assert row.index(status) == header.index("status")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_agent_or_trigger_not_installed_exits_2_naming_the_installed_ones(
    steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "run", "churn_detection")
    assert (code, out) == (2, "")
    installed = "credit_approval, identity_resolution, order_routing"
    assert err == f"steward: no agent 'churn_detection' is installed (installed: {installed})\n"

    code, out, err = _run(capsys, "run", "credit_approval", "--trigger", "nightly\x1b[2J")
    assert (code, out) == (2, "")
    assert err == "steward: agent 'credit_approval' has no trigger 'nightly\\x1b[2J' (it has applications)\n"

    for limit in ("0", "-3", "10001", "1e3", "99999999999999999999999"):
        with pytest.raises(SystemExit) as exit_:
            main(["run", "credit_approval", "--limit", limit])
        assert exit_.value.code == 2
        assert "--limit" in capsys.readouterr().err


def test_run_on_one_input_by_its_key(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with installation(steward_settings, applicants=2):
        pass
    code, out, _ = _run(capsys, "queue", "list", "--json")
    assert json.loads(out) == []
    with open_steward(steward_settings) as app:
        runtime = app.runner("credit_approval").runtime
        application_id = str(runtime.definition.trigger(None).waiting(runtime.environment, None)[0]["application_id"])

    code, out, _ = _run(capsys, "run", "credit_approval", application_id, "--json")
    report = json.loads(out)
    assert code == 0
    assert (report["trigger"], report["waiting"], report["proposed"], report["not_run"]) == ("input", 1, 1, [])
    code, out, _ = _run(capsys, "run", "credit_approval", "--json")
    assert json.loads(out)["waiting"] == 1  # the other application still waits; this one is proposed

    code, out, _ = _run(capsys, "run", "credit_approval", "no-such-application\x1b[2J" + "x" * 500, "--json")
    refused = json.loads(out)
    assert code == 0 and refused["proposed"] == 0
    assert len(refused["not_run"]) == 1 and len(refused["not_run"][0]["input"]) == 200
    assert refused["not_run"][0]["reason"]
