"""From a credit assessment to a proposed action and its rationale (deterministic by default)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core import JsonObject, JsonValue
from tools import ReasonCode

# What to ask the applicant for when a factor weighs on the decision (feature -> document).
DOCUMENTS: dict[str, str] = {
    "status_of_existing_checking_account": "current-account statements for the last three months",
    "savings_account_and_bonds": "proof of savings and securities",
    "credit_history": "consent to a fresh credit-bureau report",
    "present_employment_since": "employment contract or the last three payslips",
    "duration_in_month": "a repayment plan for the requested term",
    "credit_amount": "quotes or invoices for what the credit pays for",
    "purpose": "quotes or invoices for what the credit pays for",
    "other_installment_plans": "statements of other instalment plans",
    "property": "proof of property or collateral",
    "installment_rate_in_percentage_of_disposable_income": "proof of income",
}
DEFAULT_DOCUMENT = "proof of income"


@dataclass(frozen=True)
class ProposedAction:
    action: str
    arguments: JsonObject


@dataclass(frozen=True)
class CreditPolicyOfProposal:
    """How the agent turns the scorecard's view into an action.

    Inside `grey_zone` of the cut-off the evidence is too thin either way, so the agent asks the
    applicant for the documents behind the top reason codes instead of deciding.
    """

    grey_zone: float = 0.02

    def propose(
        self,
        *,
        application_id: str,
        amount: float,
        duration_months: int,
        probability_of_default: float,
        cutoff: float,
        reason_codes: tuple[ReasonCode, ...],
    ) -> ProposedAction:
        if abs(probability_of_default - cutoff) <= self.grey_zone:
            items: list[JsonValue] = list(
                dict.fromkeys(DOCUMENTS.get(r.feature, DEFAULT_DOCUMENT) for r in reason_codes[:3])
            )
            return ProposedAction(
                "request_information",
                {"application_id": application_id, "items": items or [DEFAULT_DOCUMENT]},
            )
        if probability_of_default > cutoff:
            codes: list[JsonValue] = [r.code for r in reason_codes]
            return ProposedAction(
                "decline_credit",
                {"application_id": application_id, "reason_codes": codes},
            )
        return ProposedAction(
            "approve_credit",
            {"application_id": application_id, "amount": amount, "duration_months": duration_months},
        )


class RationaleWriter(Protocol):
    """Drafts the sentence a reviewer reads first. An LLM may do it; the numbers never come from it."""

    def write(
        self,
        action: ProposedAction,
        probability_of_default: float,
        cutoff: float,
        reasons: tuple[ReasonCode, ...],
    ) -> str: ...


class TemplateRationale:
    """The deterministic rationale: the figures and the top reason codes, in plain words."""

    def write(
        self,
        action: ProposedAction,
        probability_of_default: float,
        cutoff: float,
        reasons: tuple[ReasonCode, ...],
    ) -> str:
        pd_text = f"probability of default {probability_of_default:.1%} against a cut-off of {cutoff:.1%}"
        factors = "; ".join(r.description for r in reasons[:3]) or "no single factor stands out"
        match action.action:
            case "approve_credit":
                head = (
                    f"Approve {action.arguments['amount']:,.0f} DM over "
                    f"{action.arguments['duration_months']} months: {pd_text}."
                )
            case "decline_credit":
                head = f"Decline: {pd_text}."
            case "request_information":
                head = f"Ask for more information before deciding: {pd_text} is too close to call."
            case other:
                head = f"{other}: {pd_text}."
        return f"{head} Main risk factors: {factors}."
