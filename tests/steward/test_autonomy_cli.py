"""`steward autonomy requests` and `steward autonomy sign-off`: list, approve, decline, refuse clearly."""

from __future__ import annotations

import json

import pytest

from policies import KpiSnapshot, LadderChange
from steward import Settings
from steward.cli import main
from tests.agents.flow_helpers import START, installation

AGENT, ACTION = "credit_approval", "approve_credit"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _request(settings: Settings, action: str = ACTION) -> int:
    """A pending promotion shadow -> review_all, as the ladder would record it, and an ops manager to decide it."""
    kpi = KpiSnapshot(
        agent=AGENT,
        action=action,
        reviewed=45,
        reviewed_since_change=45,
        agreed=44,
        agreement_rate=44 / 45,
        agreement_lower_bound=0.88,
        outcomes_observed=22,
        bad_outcomes=1,
        bad_outcome_rate=1 / 22,
        bad_outcome_upper_bound=0.22,
        taken_at=START,
    )
    change = LadderChange(
        agent=AGENT,
        action=action,
        from_level="shadow",
        to_level="review_all",
        direction="promote",
        reason="45 cases reviewed since the last change.",
        kpi=kpi,
    )
    with installation(settings, applicants=0) as app:
        app.users.add("ops", name="Ops", roles=("ops_manager",))
        return app.autonomy.request_promotion(change).id


def test_requests_lists_pending_promotions_and_sign_off_applies_one(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    request_id = _request(steward_settings)

    code, out, _ = _run(capsys, "autonomy", "requests", "--json")
    assert code == 0
    [listed] = json.loads(out)
    assert (listed["id"], listed["from_level"], listed["to_level"], listed["status"]) == (
        request_id,
        "shadow",
        "review_all",
        "pending",
    )
    assert listed["kpi"]["reviewed"] == 45
    code, out, _ = _run(capsys, "autonomy", "requests")
    assert f"{request_id}: credit_approval.approve_credit shadow → review_all" in out
    assert "lower bound 88.0%" in out

    code, out, err = _run(capsys, "autonomy", "sign-off", str(request_id), "--approve", "--actor", "officer")
    assert code != 0 and "needs the ops_manager or admin role" in err
    code, out, err = _run(
        capsys, "autonomy", "sign-off", str(request_id), "--approve", "--note", "sample checked", "--actor", "ops"
    )
    assert code == 0, err
    assert "approved by ops; credit_approval.approve_credit is now at review_all" in out

    with installation(steward_settings, applicants=0) as app:
        assert app.autonomy.level(AGENT, ACTION, default="shadow") == "review_all"
        assert app.autonomy.request(request_id).note == "sample checked"
        assert app.autonomy.history(AGENT, ACTION)[-1].actor == "ops"

    code, out, err = _run(capsys, "autonomy", "sign-off", str(request_id), "--decline", "--actor", "ops")
    assert code != 0
    assert err.strip().count("\n") == 0 and "already approved by ops" in err
    code, out, _ = _run(capsys, "autonomy", "requests")
    assert "no promotion waits for sign-off" in out


def test_decline_keeps_the_level_and_an_unknown_request_is_one_line(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    request_id = _request(steward_settings, "decline_credit")
    code, out, err = _run(capsys, "autonomy", "sign-off", str(request_id), "--decline", "--actor", "ops")
    assert code == 0, err
    assert "declined by ops; credit_approval.decline_credit stays at shadow" in out
    code, _, err = _run(capsys, "autonomy", "sign-off", "999", "--approve", "--actor", "ops")
    assert code != 0 and "unknown autonomy request '999'" in err
    with pytest.raises(SystemExit):
        main(["autonomy", "sign-off", str(request_id), "--actor", "ops"])  # neither --approve nor --decline
