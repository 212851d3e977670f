"""Action tools run only under a claimed authorization for the exact action, and exactly once."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from customers import DecisionConflict
from tests.tools.tool_fakes import ToolWorld, tool_world
from tools import (
    ActionNotAuthorized,
    ApproveCreditArgs,
    Authorization,
    DeclineCreditArgs,
    InvalidToolArguments,
    RequestInformationArgs,
    ToolContext,
    action_hash,
    approve_credit,
    decline_credit,
    request_information,
)


def _auth(name: str, args: ApproveCreditArgs | DeclineCreditArgs | RequestInformationArgs) -> Authorization:
    digest = action_hash(name, args.model_dump(mode="json"))
    return Authorization(proposal_id="P-1", action_hash=digest, idempotency_key=f"exec-{digest[:8]}")


APPROVE = ApproveCreditArgs(application_id="A-0003", amount=2000.0, duration_months=12)


@pytest.fixture
def world(engine: Engine) -> ToolWorld:
    return tool_world(engine)


@pytest.fixture
def ctx(world: ToolWorld) -> ToolContext:
    return world.ctx


def test_action_hash_is_canonical() -> None:
    one = action_hash("approve_credit", {"amount": 2000, "application_id": "A-1", "duration_months": 12})
    two = action_hash("approve_credit", {"duration_months": 12, "application_id": "A-1", "amount": 2000.0})

    assert one == two and len(one) == 64
    assert one != action_hash("approve_credit", {"amount": 2001, "application_id": "A-1", "duration_months": 12})
    assert one != action_hash("decline_credit", {"amount": 2000, "application_id": "A-1", "duration_months": 12})


def test_refuses_without_a_claimed_execution(ctx: ToolContext) -> None:
    with pytest.raises(ActionNotAuthorized, match="no claimed execution"):
        approve_credit(ctx, APPROVE, _auth("approve_credit", APPROVE))

    assert ctx.customers.decisions("A-0003") == []
    assert ctx.customers.application("A-0003").status == "received"


def test_refuses_when_the_arguments_differ_from_the_approved_action(ctx: ToolContext, world: ToolWorld) -> None:
    approved = _auth("approve_credit", APPROVE)
    world.grants.claim(approved)
    bigger = APPROVE.model_copy(update={"amount": 2096.0})

    with pytest.raises(ActionNotAuthorized, match="different action"):
        approve_credit(ctx, bigger, approved)
    with pytest.raises(ActionNotAuthorized, match="different action"):
        decline_credit(ctx, DeclineCreditArgs(application_id="A-0003", reason_codes=["R01"]), approved)

    assert ctx.customers.decisions("A-0003") == []


def test_refuses_when_the_claim_carries_another_idempotency_key(ctx: ToolContext, world: ToolWorld) -> None:
    auth = _auth("approve_credit", APPROVE)
    world.grants.claim(auth)

    with pytest.raises(ActionNotAuthorized, match="different idempotency key"):
        approve_credit(ctx, APPROVE, Authorization(auth.proposal_id, auth.action_hash, "exec-forged"))

    assert ctx.customers.decisions("A-0003") == []


def test_executes_once_with_a_valid_claim(ctx: ToolContext, world: ToolWorld) -> None:
    auth = _auth("approve_credit", APPROVE)
    world.grants.claim(auth)

    first = approve_credit(ctx, APPROVE, auth)
    second = approve_credit(ctx, APPROVE, auth)

    assert (first.decision, first.application_status, first.replayed) == ("approved", "approved", False)
    assert second.replayed and second.decision_id == first.decision_id
    [decision] = ctx.customers.decisions("A-0003")
    assert decision.idempotency_key == auth.idempotency_key
    assert decision.details == {
        "amount": 2000.0,
        "duration_months": 12,
        "proposal_id": "P-1",
        "action_hash": auth.action_hash,
    }


def test_decline_and_information_request_record_their_details(ctx: ToolContext, world: ToolWorld) -> None:
    ask = RequestInformationArgs(application_id="A-0004", items=["payslips for 3 months"])
    decline = DeclineCreditArgs(application_id="A-0004", reason_codes=["R01", "R07"])
    for auth in (_auth("request_information", ask), _auth("decline_credit", decline)):
        world.grants.claim(auth)

    asked = request_information(ctx, ask, _auth("request_information", ask))
    assert asked.application_status == "information_requested"
    declined = decline_credit(ctx, decline, _auth("decline_credit", decline))

    assert declined.application_status == "declined"
    assert [d.details.get("reason_codes") for d in ctx.customers.decisions("A-0004")] == [
        None,
        ["R01", "R07"],
    ]


def test_approval_may_lower_but_not_raise_the_terms(ctx: ToolContext, world: ToolWorld) -> None:
    applied = ctx.customers.application("A-0003")
    too_much = ApproveCreditArgs(application_id="A-0003", amount=applied.amount + 1, duration_months=12)
    too_long = ApproveCreditArgs(application_id="A-0003", amount=100.0, duration_months=applied.duration_months + 1)
    for args in (too_much, too_long):
        world.grants.claim(_auth("approve_credit", args))

    with pytest.raises(InvalidToolArguments, match="exceeds"):
        approve_credit(ctx, too_much, _auth("approve_credit", too_much))
    with pytest.raises(InvalidToolArguments, match="exceeds"):
        approve_credit(ctx, too_long, _auth("approve_credit", too_long))
    with pytest.raises(ValidationError):
        ApproveCreditArgs(application_id="A-0003", amount=0, duration_months=12)
    with pytest.raises(ValidationError):
        DeclineCreditArgs(application_id="A-0003", reason_codes=[])

    assert ctx.customers.decisions("A-0003") == []


def test_a_second_decision_under_another_proposal_cannot_overturn_the_first(ctx: ToolContext, world: ToolWorld) -> None:
    approve = _auth("approve_credit", APPROVE)
    decline_args = DeclineCreditArgs(application_id="A-0003", reason_codes=["R01"])
    decline = Authorization("P-2", action_hash("decline_credit", decline_args.model_dump(mode="json")), "exec-2")
    world.grants.claim(approve)
    world.grants.claim(decline)

    approve_credit(ctx, APPROVE, approve)
    with pytest.raises(DecisionConflict, match="already approved"):
        decline_credit(ctx, decline_args, decline)
