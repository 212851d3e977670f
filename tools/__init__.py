"""Typed tools over customer data: read tools (no side effects, evidence with lineage) and action
tools (credit decisions, run once under an authorization from the supervision layer).

A tool is a function ``tool(ctx, input_model) -> output_model`` (action tools also take an
`Authorization`); `TOOLS` describes them and `tool_specs()` gives their function-calling schemas.
"""

from tools._actions import (
    ActionName,
    ActionResult,
    ApproveCreditArgs,
    Authorization,
    DeclineCreditArgs,
    RequestInformationArgs,
    action_hash,
    approve_credit,
    decline_credit,
    request_information,
)
from tools._context import (
    CreditScoreLike,
    CreditScorer,
    FeatureValue,
    GrantVerifier,
    ReasonCodeLike,
    ToolContext,
)
from tools._customer import MergeCustomersArgs, MergeResult, get_customer_360, merge_customers
from tools._errors import (
    ActionNotAuthorized,
    IncompleteCustomerRecord,
    InvalidToolArguments,
    ToolError,
    ToolUnavailable,
)
from tools._evidence import FieldEvidence
from tools._read import (
    ApplicationDetails,
    ApplicationQuery,
    ApplicationSummary,
    CreditScore,
    CreditScoreQuery,
    CustomerProfile,
    CustomerQuery,
    DecisionSummary,
    Exposure,
    PaymentHistory,
    ReasonCode,
    credit_features,
    get_application,
    get_credit_score,
    get_customer_profile,
    get_exposure,
    get_payment_history,
)
from tools._registry import TOOLS, Tool, ToolKind, tool_specs

__all__ = [
    "TOOLS",
    "ActionName",
    "ActionNotAuthorized",
    "ActionResult",
    "ApplicationDetails",
    "ApplicationQuery",
    "ApplicationSummary",
    "ApproveCreditArgs",
    "Authorization",
    "CreditScore",
    "CreditScoreLike",
    "CreditScoreQuery",
    "CreditScorer",
    "CustomerProfile",
    "CustomerQuery",
    "DecisionSummary",
    "DeclineCreditArgs",
    "Exposure",
    "FeatureValue",
    "FieldEvidence",
    "GrantVerifier",
    "IncompleteCustomerRecord",
    "InvalidToolArguments",
    "MergeCustomersArgs",
    "MergeResult",
    "PaymentHistory",
    "ReasonCode",
    "ReasonCodeLike",
    "RequestInformationArgs",
    "Tool",
    "ToolContext",
    "ToolError",
    "ToolKind",
    "ToolUnavailable",
    "action_hash",
    "approve_credit",
    "credit_features",
    "decline_credit",
    "get_application",
    "get_credit_score",
    "get_customer_360",
    "get_customer_profile",
    "get_exposure",
    "get_payment_history",
    "merge_customers",
    "request_information",
    "tool_specs",
]
