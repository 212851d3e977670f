"""The tool registry: what each tool is, its input and output schema, and function-calling specs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel

from core import JsonObject
from customers import Customer360
from tools._actions import (
    ActionResult,
    ApproveCreditArgs,
    DeclineCreditArgs,
    RequestInformationArgs,
)
from tools._customer import MergeCustomersArgs, MergeResult
from tools._fulfilment import (
    CapacityLevels,
    CapacityQuery,
    CarrierQuery,
    CarrierRates,
    CustomerStanding,
    OpenOrders,
    OpenOrdersQuery,
    OrderDetails,
    OrderQuery,
    StockLevels,
    StockQuery,
)
from tools._fulfilment_actions import HoldOrderArgs, RouteOrderArgs, RoutingResult, SplitOrderArgs
from tools._read import (
    ApplicationDetails,
    ApplicationQuery,
    CreditScore,
    CreditScoreQuery,
    CustomerProfile,
    CustomerQuery,
    Exposure,
    PaymentHistory,
)

ToolKind = Literal["read", "action"]


@dataclass(frozen=True)
class Tool:
    """A tool's description: `read` tools have no side effects, `action` tools need an authorization."""

    name: str
    description: str
    kind: ToolKind
    input_model: type[BaseModel]
    output_model: type[BaseModel]

    def spec(self) -> JsonObject:
        """The OpenAI function-calling description of this tool."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.input_model.model_json_schema(),
            },
        }


_ALL = (
    Tool(
        "get_customer_profile",
        "Read a customer's profile (personal and employment facts) and GDPR flags, with lineage.",
        "read",
        CustomerQuery,
        CustomerProfile,
    ),
    Tool(
        "get_customer_360",
        "Read everything known about a customer: golden record with lineage and conflicts, consents, open "
        "complaints, orders, payments, engagement, attention reasons, credit applications and decisions.",
        "read",
        CustomerQuery,
        Customer360,
    ),
    Tool(
        "get_exposure",
        "Read a customer's existing credits and accounts at the bank and open applications, with lineage.",
        "read",
        CustomerQuery,
        Exposure,
    ),
    Tool(
        "get_payment_history",
        "Read a customer's credit history and other obligations from the credit bureau, with lineage.",
        "read",
        CustomerQuery,
        PaymentHistory,
    ),
    Tool(
        "get_credit_score",
        "Score a credit application with the credit model: probability of default, score, reason codes.",
        "read",
        CreditScoreQuery,
        CreditScore,
    ),
    Tool(
        "get_application",
        "Read a credit application: its terms, status and the decisions executed on it.",
        "read",
        ApplicationQuery,
        ApplicationDetails,
    ),
    Tool(
        "approve_credit",
        "Approve a credit application (amount and duration at most those applied for). "
        "Runs only after a supervision gate approved this exact action.",
        "action",
        ApproveCreditArgs,
        ActionResult,
    ),
    Tool(
        "decline_credit",
        "Decline a credit application with reason codes. "
        "Runs only after a supervision gate approved this exact action.",
        "action",
        DeclineCreditArgs,
        ActionResult,
    ),
    Tool(
        "request_information",
        "Ask the applicant for more information; the application stays open. "
        "Runs only after a supervision gate approved this exact action.",
        "action",
        RequestInformationArgs,
        ActionResult,
    ),
    Tool(
        "merge_customers",
        "Merge two customer records that are the same person (the older is kept). "
        "Runs only after a supervision gate approved this exact action.",
        "action",
        MergeCustomersArgs,
        MergeResult,
    ),
)

_FULFILMENT = (
    Tool(
        "get_open_orders",
        "Read the orders open in their source that Steward has neither shipped nor held, soonest promise first, "
        "with their lines and lineage.",
        "read",
        OpenOrdersQuery,
        OpenOrders,
    ),
    Tool(
        "get_order",
        "Read one order (any status) with its lines, promise and address, with lineage.",
        "read",
        OrderQuery,
        OrderDetails,
    ),
    Tool(
        "get_stock",
        "Read the stock of items per warehouse: on hand in the source, committed to recorded shipments, free.",
        "read",
        StockQuery,
        StockLevels,
    ),
    Tool(
        "get_capacity",
        "Read shipping capacity per warehouse and ship day: per day, used by recorded shipments, free.",
        "read",
        CapacityQuery,
        CapacityLevels,
    ),
    Tool(
        "get_carrier_rates",
        "Read the carriers: service level, cut-off hour, and per zone the price and transit days for a weight.",
        "read",
        CarrierQuery,
        CarrierRates,
    ),
    Tool(
        "get_customer_standing",
        "Read a customer's open complaints and what they bought in the last year, with the records behind them.",
        "read",
        CustomerQuery,
        CustomerStanding,
    ),
    Tool(
        "route_order",
        "Ship a whole order from one warehouse with one carrier on one ship day. "
        "Runs only after a supervision gate approved this exact action.",
        "action",
        RouteOrderArgs,
        RoutingResult,
    ),
    Tool(
        "split_order",
        "Ship an order in parts from several warehouses, each item whole from one. "
        "Runs only after a supervision gate approved this exact action.",
        "action",
        SplitOrderArgs,
        RoutingResult,
    ),
    Tool(
        "hold_order",
        "Hold an order back with a reason; nothing ships. "
        "Runs only after a supervision gate approved this exact action.",
        "action",
        HoldOrderArgs,
        RoutingResult,
    ),
)

TOOLS: Mapping[str, Tool] = MappingProxyType({tool.name: tool for tool in (*_ALL, *_FULFILMENT)})
"""Every tool by name."""


def tool_specs(kind: ToolKind | None = None) -> list[JsonObject]:
    """OpenAI function-calling specs of every tool, or of one kind only."""
    return [tool.spec() for tool in TOOLS.values() if kind is None or tool.kind == kind]
