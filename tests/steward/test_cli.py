"""The `steward` command line keeps its documented contract (exit codes, JSON keys, one-line errors)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from agents import AgentRunner
from core import FixedClock
from steward import BUNDLED_DATA, Settings, open_steward
from steward.cli import main
from tests.agents.flow_helpers import find_application, installation


def _proposals(settings: Settings, *amount_ranges: tuple[float, float]) -> list[str]:
    """Run one application per amount range; every proposal waits for review (shadow level)."""
    with installation(settings, FixedClock(datetime.now(UTC))) as app:
        agent = AgentRunner(app.runtimes["credit_approval"])
        ids = []
        for low, high in amount_ranges:
            application_id = find_application(app, lambda amount: low < amount <= high)  # noqa: B023
            ids.append(agent.run(application_id).proposal_id)
        return ids


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_queue_list_show_and_decide(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    small, mid = _proposals(steward_settings, (0, 4000), (5000, 9000))

    code, out, _ = _run(capsys, "queue", "list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert {item["id"] for item in listed} == {small, mid}
    for item in listed:
        assert {"id", "agent", "action", "status", "customer_id", "created_at"} <= item.keys()
        assert item["agent"] == "credit_approval"
        assert item["status"] == "pending"

    code, out, _ = _run(capsys, "queue", "show", small)
    assert code == 0
    assert "evidence" in out
    assert "loan_origination/los-application-" in out  # lineage: source system / source record

    code, out, _ = _run(capsys, "queue", "show", small, "--json")
    assert json.loads(out)["id"] == small

    # An officer may not approve above their limit: non-zero, one line, nothing changed.
    code, _, err = _run(capsys, "queue", "decide", mid, "--approve", "--as", "officer")
    assert code != 0
    assert err.strip() and "\n" not in err.strip()
    assert "officer" in err

    code, out, _ = _run(capsys, "queue", "decide", small, "--approve", "--as", "officer", "--comment", "fine")
    assert code == 0
    assert "executed" in out

    code, _, err = _run(capsys, "queue", "decide", small, "--reject", "--as", "senior")
    assert code != 0
    assert "already" in err

    code, out, _ = _run(capsys, "queue", "list", "--status", "executed", "--json")
    assert [item["id"] for item in json.loads(out)] == [small]


def test_four_eyes_from_the_command_line(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    (proposal,) = _proposals(steward_settings, (10_000, 15_000))  # above the four-eyes threshold

    code, out, _ = _run(capsys, "queue", "decide", proposal, "--approve", "--as", "senior")
    assert code == 0
    assert out.strip() == f"{proposal}: approve by senior → pending (waiting for a second reviewer)"

    code, out, err = _run(capsys, "queue", "decide", proposal, "--approve", "--as", "senior")
    assert (code, out) == (1, "")
    assert err.startswith("steward: ") and "\n" not in err.strip()
    assert "already approved this proposal; a second, different reviewer must give the other approval" in err

    code, out, _ = _run(capsys, "queue", "decide", proposal, "--approve", "--as", "senior2")
    assert code == 0
    assert out.strip() == f"{proposal}: approve by senior2 → executed"
    code, out, _ = _run(capsys, "queue", "show", proposal, "--json")
    shown = json.loads(out)
    assert (shown["status"], shown["approvals"]) == ("executed", ["senior", "senior2"])
    assert [review["reviewer"] for review in shown["reviews"]] == ["senior", "senior2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["queue", "decide", "no-such-id", "--approve", "--as", "officer"], "unknown proposal"),
        (["queue", "show", "no-such-id"], "unknown proposal"),
        (["queue", "decide", "PROPOSAL", "--approve", "--as", "nobody"], "unknown user"),
        (["queue", "decide", "PROPOSAL", "--edit", "{not json", "--as", "officer"], "not valid JSON"),
        (["queue", "decide", "PROPOSAL", "--edit", "[1]", "--as", "officer"], "JSON object"),
    ],
)
def test_bad_input_gives_a_one_line_error_and_keeps_the_data(
    args: list[str],
    message: str,
    steward_settings: Settings,
    steward_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    (proposal,) = _proposals(steward_settings, (0, 4000))
    code, _, err = _run(capsys, *[proposal if a == "PROPOSAL" else a for a in args])
    assert code == 1
    assert message in err
    assert "\n" not in err.strip()
    code, out, _ = _run(capsys, "queue", "list", "--json")
    assert [item["status"] for item in json.loads(out)] == ["pending"]


def test_audit_verify_names_the_first_tampered_entry(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _proposals(steward_settings, (0, 4000), (0, 4000))
    code, out, _ = _run(capsys, "audit", "verify")
    assert code == 0
    assert "intact: 4 entries" in out

    with installation(steward_settings) as app, app.engine.begin() as conn:
        conn.execute(text("UPDATE supervision_audit SET actor = 'mallory' WHERE seq = 3"))
    code, out, _ = _run(capsys, "audit", "verify")
    assert code != 0
    assert "entry 3" in out


def test_autonomy_status_reports_levels_and_kpis(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "autonomy", "status", "--json")
    assert code == 0
    rows = json.loads(out)
    assert {(row["agent"], row["action"]) for row in rows} == {
        ("credit_approval", "approve_credit"),
        ("credit_approval", "decline_credit"),
        ("credit_approval", "request_information"),
        ("identity_resolution", "merge_customers"),
        ("order_routing", "route_order"),
        ("order_routing", "split_order"),
        ("order_routing", "hold_order"),
    }
    for row in rows:
        assert row["level"] == "shadow"
        assert row["kpi"]["reviewed"] == 0
    code, out, _ = _run(capsys, "autonomy", "status")
    assert "credit_approval.approve_credit: level shadow" in out


def test_an_unreadable_policy_file_names_the_line(
    steward_settings: Settings,
    steward_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "credit_approval.yaml").write_text("agent: credit_approval\ndefault: review\nactions:\n  x: [\n")
    monkeypatch.setenv("STEWARD_POLICY_DIR", str(policies))
    code, _, err = _run(capsys, "queue", "list")
    assert code == 1
    assert "credit_approval.yaml:" in err


def test_eval_credit_reports_the_contract_keys_and_saves_the_report(
    tmp_path: Path, steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "eval", "credit", "--data", str(BUNDLED_DATA / "german_credit"))
    assert code == 1
    assert "training file" in err  # evaluating on the training data itself is refused

    # A folder in the same layout (here 300 bundled rows, so in-sample: only the contract is tested).
    data = tmp_path / "eval"
    data.mkdir()
    lines = (BUNDLED_DATA / "german_credit" / "german_credit.csv").read_text().splitlines()
    (data / "german_credit.csv").write_text("\n".join(lines[:301]) + "\n")
    code, out, err = _run(capsys, "eval", "credit", "--data", str(data), "--json", "--actor", "eve")
    assert code == 0
    report = json.loads(out)
    assert report["n"] == 300
    assert {"n", "expected_cost", "auc", "approval_rate"} <= report.keys()
    assert 0.0 < report["expected_cost"] < 0.70  # beats declining everyone (in-sample here)
    assert 0.5 < report["auc"] <= 1.0
    assert "saved as eval report" in err
    with open_steward(steward_settings) as app:
        [saved] = app.reports.latest()
    assert (saved.name, saved.created_by, saved.report["n"]) == ("credit", "eve", 300)
    cost = next(metric for metric in saved.metrics if metric.name == "expected cost per applicant")
    assert cost.value == pytest.approx(report["expected_cost"])
    assert cost.higher_is_better is False and cost.bar is not None

    code, _, err = _run(capsys, "eval", "credit", "--data", str(tmp_path / "empty"))
    assert code == 1
    assert "german_credit.csv" in err


DEMO = ("demo", "--no-serve", "--history", "40", "--new", "10", "--people", "300")
"""A tenth of the default world: the same steps and story, in a third of the time (it runs twice)."""


@pytest.mark.slow
def test_demo_builds_a_fresh_installation_and_says_what_is_simulated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STEWARD_HOME", str(tmp_path / "demo"))
    monkeypatch.delenv("STEWARD_DATABASE_URL", raising=False)
    code, out, _ = _run(capsys, *DEMO)
    assert code == 0
    assert "SIMULATED history" in out and "a world of 300 people" in out
    for line in ("auto-executed", "waiting for review", "denied", "Audit chain intact"):
        assert line in out
    for action in ("approve_credit", "decline_credit", "request_information"):
        assert f"{action} " in out
    logins = re.findall(r"^login: (\S+)  password: (\S+)  role: (\S+)$", out, flags=re.MULTILINE)
    assert [(user, role) for user, _, role in logins] == [
        ("officer", "credit_officer"),
        ("senior", "senior_credit_officer"),
        ("head", "head_of_credit"),
        ("planner", "logistics_planner"),
        ("ops", "ops_manager"),
        ("auditor", "auditor"),
        ("engineer", "engineer"),
    ]

    # Fresh means fresh: a second run starts again from nothing and tells the same story.
    code, again, _ = _run(capsys, *DEMO)
    assert code == 0
    assert _counts(again) == _counts(out)

    code, out, _ = _run(capsys, "queue", "list", "--status", "pending", "--json")
    assert code == 0
    assert all(item["status"] == "pending" for item in json.loads(out))


def _counts(demo_output: str) -> list[str]:
    keep = ("auto-executed", "waiting for review", "denied", "reviewed:", "outcome:")
    return [line.strip() for line in demo_output.splitlines() if line.strip().startswith(keep)]


def test_a_policy_folder_without_the_credit_policy_is_a_clear_error(
    steward_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STEWARD_POLICY_DIR", str(tmp_path))
    code, _, err = _run(capsys, "queue", "list")
    assert code == 1
    assert "agent 'credit_approval': no policy file at" in err and "unset STEWARD_POLICY_DIR" in err
