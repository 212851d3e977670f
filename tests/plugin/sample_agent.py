"""A small agent of the tests' own, installed the way a deployment installs one: its definition (this
module) and its policy file (`sample_dispatch.yaml` beside it), nothing else.

It ships or holds a batch of orders. `ship_batch` takes a list of objects (the order lines, each naming a
customer and the recipient: personal data deep inside the arguments) and an enum (the carrier);
`hold_batch` takes a reason. Batches wait in `<home>/batches.json` until a proposal names them.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from agents import (
    ActionSpec,
    AgentDefinition,
    AgentEnvironment,
    AgentNodes,
    Figure,
    Proposal,
    SupervisedState,
    Trigger,
)
from core import JsonObject
from policies import Facts
from supervision import Subject
from tools import Authorization, ToolContext, ToolInput, ToolOutput, authorize

NAME = "sample_dispatch"
BATCH_FILE = "batches.json"

Carrier = Literal["parcel_post", "express", "freight"]


class OrderLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    order_id: str = Field(min_length=1, max_length=40, title="Order")
    customer_id: str = Field(min_length=1, max_length=80, title="Customer")
    recipient: str = Field(min_length=1, max_length=120, title="Recipient", description="Who receives the parcel.")
    quantity: int = Field(ge=1, le=1000, title="Quantity")


class ShipBatchArgs(ToolInput):
    """Ship every order of a batch with one carrier."""

    reviewer_editable: ClassVar[frozenset[str]] = frozenset({"carrier", "orders"})

    batch_id: str = Field(min_length=1, max_length=40, title="Batch")
    carrier: Carrier = Field(title="Carrier")
    orders: list[OrderLine] = Field(min_length=1, max_length=50, title="Order lines")


class HoldBatchArgs(ToolInput):
    """Hold a batch back."""

    reviewer_editable: ClassVar[frozenset[str]] = frozenset({"reason"})

    batch_id: str = Field(min_length=1, max_length=40, title="Batch")
    reason: str = Field(min_length=1, max_length=200, title="Reason")


class DispatchResult(ToolOutput):
    batch_id: str
    action: str
    lines: int
    proposal_id: str


def ship_batch(ctx: ToolContext, args: ShipBatchArgs, auth: Authorization) -> DispatchResult:
    authorize(ctx, "ship_batch", args.model_dump(mode="json"), auth)
    return DispatchResult(
        batch_id=args.batch_id, action="ship_batch", lines=len(args.orders), proposal_id=auth.proposal_id
    )


def hold_batch(ctx: ToolContext, args: HoldBatchArgs, auth: Authorization) -> DispatchResult:
    authorize(ctx, "hold_batch", args.model_dump(mode="json"), auth)
    return DispatchResult(batch_id=args.batch_id, action="hold_batch", lines=0, proposal_id=auth.proposal_id)


def _ship_facts(facts: Facts, args: ShipBatchArgs) -> JsonObject:
    batch = dict(facts["batch"])  # type: ignore[arg-type]
    batch["quantity"] = sum(line.quantity for line in args.orders)
    batch["customers"] = len({line.customer_id for line in args.orders})
    return {**facts, "batch": batch, "proposal": {"action": "ship_batch"}}


def _hold_facts(facts: Facts, args: HoldBatchArgs) -> JsonObject:
    return {**facts, "proposal": {"action": "hold_batch"}}


class BatchFacts(BaseModel):
    id: str
    quantity: int
    customers: int


class ProposalFacts(BaseModel):
    action: str


class DispatchFacts(BaseModel):
    batch: BatchFacts
    proposal: ProposalFacts


class BatchInput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    batch_id: str = Field(min_length=1, max_length=40)
    orders: list[OrderLine] = Field(min_length=1, max_length=50)


class DispatchState(SupervisedState, total=False):
    batch_id: str
    orders: list[JsonObject]


@dataclass(frozen=True)
class DispatchNodes:
    environment: AgentEnvironment

    def propose(self, state: DispatchState) -> dict[str, Any]:
        batch = BatchInput.model_validate({"batch_id": state["batch_id"], "orders": state["orders"]})
        args = ShipBatchArgs(batch_id=batch.batch_id, carrier="parcel_post", orders=batch.orders)
        customers = sorted({line.customer_id for line in batch.orders})
        proposal = Proposal(
            id=str(uuid.uuid4()),
            agent=NAME,
            action="ship_batch",
            arguments=args.model_dump(mode="json"),
            customer_id=customers[0],
            subject_id=batch.batch_id,
            rationale=f"{len(batch.orders)} orders are ready; parcel post is cheapest for all of them.",
            model_version="sample-1",
            created_at=self.environment.clock.now(),
            subjects=(
                Subject(kind="batch", id=batch.batch_id),
                *(Subject(kind="customer", id=customer) for customer in customers),
            ),
        )
        facts: JsonObject = {"batch": {"id": batch.batch_id, "quantity": 0, "customers": 0}, "proposal": {"action": ""}}
        return {"proposal": proposal.model_dump(mode="json"), "facts": _ship_facts(facts, args)}


def _batches_waiting(environment: AgentEnvironment, limit: int | None) -> list[JsonObject]:
    path = environment.home / BATCH_FILE
    batches: list[JsonObject] = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
    named = environment.queue.subjects_with_proposals("batch", [str(b["batch_id"]) for b in batches])
    return [b for b in batches if b["batch_id"] not in named][:limit]


SAMPLE_DISPATCH = AgentDefinition(
    name=NAME,
    description="Ships or holds batches of orders (the tests' own agent).",
    input_model=BatchInput,
    state=DispatchState,
    nodes=lambda environment: AgentNodes(steps=(("propose", DispatchNodes(environment).propose),)),
    actions=(
        ActionSpec(
            "ship_batch",
            ShipBatchArgs,
            ship_batch,
            _ship_facts,
            subjects=lambda args: tuple(Subject(kind="customer", id=line.customer_id) for line in args.orders),
            label="Ship the batch",
            description="Ship every order of the batch with one carrier.",
            figures=(
                Figure("Carrier", "arguments.carrier"),
                Figure("Items", "facts.batch.quantity", "integer", "pcs"),
                Figure("Customers", "facts.batch.customers", "integer"),
            ),
        ),
        ActionSpec(
            "hold_batch",
            HoldBatchArgs,
            hold_batch,
            _hold_facts,
            label="Hold the batch",
            description="Keep the batch back and say why.",
            figures=(Figure("Reason", "arguments.reason"),),
        ),
    ),
    facts_model=DispatchFacts,
    triggers=(Trigger("ready_batches", "Batches of orders ready to leave, not yet proposed.", _batches_waiting),),
    input_key="batch_id",
    policy_file=Path(__file__).with_name("sample_dispatch.yaml"),
)
