"""Tools over the whole customer: the 360 view every agent reads, and merging duplicate customers."""

from __future__ import annotations

from pydantic import Field

from customers import Customer360, customer_360
from tools._actions import Authorization, authorize
from tools._context import ToolContext
from tools._evidence import ToolOutput
from tools._read import CustomerQuery, ToolInput


def get_customer_360(ctx: ToolContext, query: CustomerQuery) -> Customer360:
    """The golden record with lineage and conflicts, consents, timeline, attention reasons, credit history."""
    return customer_360(ctx.customers, query.customer_id, ctx.clock.now())


class MergeCustomersArgs(ToolInput):
    """Merge two customers that are the same person; the older customer is kept."""

    customer_id: str = Field(min_length=1)
    other_customer_id: str = Field(min_length=1)
    record: str = Field(min_length=1, description="The source record of the first customer that matched.")
    other_record: str = Field(min_length=1, description="The source record of the other customer that matched.")


class MergeResult(ToolOutput):
    kept: str
    absorbed: str
    proposal_id: str
    replayed: bool


def merge_customers(ctx: ToolContext, args: MergeCustomersArgs, auth: Authorization) -> MergeResult:
    """Merge the two customers, once per authorization (a replay changes nothing)."""
    authorize(ctx, "merge_customers", args.model_dump(mode="json"), auth)
    outcome = ctx.customers.merge_customers(
        args.customer_id,
        args.other_customer_id,
        record=args.record,
        other_record=args.other_record,
        decided_by=f"proposal {auth.proposal_id}",
        reference=auth.idempotency_key,
    )
    return MergeResult(
        kept=outcome.kept, absorbed=outcome.absorbed, proposal_id=auth.proposal_id, replayed=outcome.replayed
    )
