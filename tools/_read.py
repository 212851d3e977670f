"""Read tools: no side effects; every output carries its evidence with lineage."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue, model_validator

from customers import (
    CORE_BANKING_FIELDS,
    CREDIT_BUREAU_FIELDS,
    CREDIT_FEATURES,
    CRM_FIELDS,
    CUSTOMER_CREDIT_FIELDS,
    OBJECTS_TO_AUTOMATED_DECISIONS,
    VULNERABLE,
    ApplicationStatus,
    CreditApplicationView,
    CreditDecisionKind,
    GoldenRecord,
)
from tools._context import FeatureValue, ToolContext
from tools._errors import IncompleteCustomerRecord, InvalidToolArguments, ToolUnavailable
from tools._evidence import (
    FieldEvidence,
    ToolOutput,
    application_evidence,
    application_terms,
    golden_evidence,
)


class ToolInput(BaseModel):
    """The arguments of a tool. Frozen, no unknown keys, finite numbers only (no NaN or infinity).

    An action's argument model says which of its fields a reviewer may change in an edit
    (`reviewer_editable`); every other field identifies what the action applies to (an application, the
    customers of a merge) and an edit must leave it as proposed. Nothing is editable unless declared.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    reviewer_editable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _plain_text_only(cls, data: Any) -> Any:
        """Refuse text no database keeps (NUL, a lone surrogate), wherever it sits in the arguments."""
        _refuse_unstorable_text(data)
        return data

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        unknown = sorted(cls.reviewer_editable - set(cls.model_fields))
        if unknown:
            raise TypeError(f"{cls.__name__}.reviewer_editable names no field {', '.join(unknown)}")


def _refuse_unstorable_text(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text may not contain a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text is not valid Unicode (a lone surrogate)") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_unstorable_text(key)
            _refuse_unstorable_text(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_unstorable_text(item)


class CustomerQuery(ToolInput):
    customer_id: str = Field(min_length=1, description="Steward customer id, for example C-0002.")


class ApplicationQuery(ToolInput):
    application_id: str = Field(min_length=1, description="Credit application id, for example A-0002.")


class CreditScoreQuery(ToolInput):
    customer_id: str = Field(min_length=1, description="The applicant's customer id.")
    application_id: str = Field(min_length=1, description="The application to score.")


class CustomerProfile(ToolOutput):
    """Who the customer is, from the CRM, with the GDPR and vulnerability flags."""

    customer_id: str
    age_in_years: int | None
    personal_status_and_sex: str | None
    job: str | None
    housing: str | None
    telephone: str | None
    foreign_worker: str | None
    present_residence_since: int | None
    number_of_people_being_liable_to_provide_maintenance_for: int | None
    present_employment_since: str | None
    objects_to_automated_decisions: bool = Field(
        description="GDPR Art. 22 objection on record; no recorded objection reads as false."
    )
    vulnerable: bool
    evidence: list[FieldEvidence]
    as_of: AwareDatetime


class ApplicationSummary(ToolOutput):
    application_id: str
    amount: float
    duration_months: int
    purpose: str
    status: ApplicationStatus
    received_at: AwareDatetime
    source_system: str
    source_record_id: str


class Exposure(ToolOutput):
    """What the customer already has at the bank, and the applications still open."""

    customer_id: str
    number_of_existing_credits_at_this_bank: int | None
    status_of_existing_checking_account: str | None
    savings_account_and_bonds: str | None
    property: str | None
    open_applications: list[ApplicationSummary]
    open_applications_amount: float
    evidence: list[FieldEvidence]
    as_of: AwareDatetime


class PaymentHistory(ToolOutput):
    """How the customer has paid before, from the credit bureau."""

    customer_id: str
    credit_history: str | None
    other_installment_plans: str | None
    other_debtors_or_guarantors: str | None
    evidence: list[FieldEvidence]
    as_of: AwareDatetime


class ReasonCode(ToolOutput):
    code: str
    feature: str
    description: str
    contribution: float


class CreditScore(ToolOutput):
    """A credit model's assessment of one application; `model_decision` is the model's cut-off only."""

    customer_id: str
    application_id: str
    probability_of_default: float
    score: int
    model_decision: str
    cutoff: float
    reason_codes: list[ReasonCode]
    model_version: str
    evidence: list[FieldEvidence] = Field(description="The model's 20 inputs, each with its source.")
    as_of: AwareDatetime


class DecisionSummary(ToolOutput):
    decision: CreditDecisionKind
    decided_at: AwareDatetime
    details: dict[str, JsonValue]


class ApplicationDetails(ToolOutput):
    application_id: str
    customer_id: str
    amount: float
    duration_months: int
    purpose: str
    installment_rate: int
    requested_by: str | None
    status: ApplicationStatus
    received_at: AwareDatetime
    decisions: list[DecisionSummary]
    evidence: list[FieldEvidence]
    as_of: AwareDatetime


def get_customer_profile(ctx: ToolContext, query: CustomerQuery) -> CustomerProfile:
    """The customer's CRM profile and GDPR flags, each value with its source record."""
    golden = ctx.customers.golden(query.customer_id)
    return CustomerProfile(
        customer_id=golden.customer_id,
        age_in_years=golden.integer("age_in_years"),
        personal_status_and_sex=golden.text("personal_status_and_sex"),
        job=golden.text("job"),
        housing=golden.text("housing"),
        telephone=golden.text("telephone"),
        foreign_worker=golden.text("foreign_worker"),
        present_residence_since=golden.integer("present_residence_since"),
        number_of_people_being_liable_to_provide_maintenance_for=golden.integer(
            "number_of_people_being_liable_to_provide_maintenance_for"
        ),
        present_employment_since=golden.text("present_employment_since"),
        objects_to_automated_decisions=golden.objects_to_automated_decisions,
        vulnerable=golden.vulnerable,
        evidence=golden_evidence(golden, (*CRM_FIELDS, OBJECTS_TO_AUTOMATED_DECISIONS, VULNERABLE)),
        as_of=ctx.clock.now(),
    )


def get_exposure(ctx: ToolContext, query: CustomerQuery) -> Exposure:
    """Existing credits and accounts at the bank, and the customer's open applications."""
    golden = ctx.customers.golden(query.customer_id)
    open_applications = [_summary(a) for a in ctx.customers.applications(query.customer_id) if a.is_pending]
    return Exposure(
        customer_id=golden.customer_id,
        number_of_existing_credits_at_this_bank=golden.integer("number_of_existing_credits_at_this_bank"),
        status_of_existing_checking_account=golden.text("status_of_existing_checking_account"),
        savings_account_and_bonds=golden.text("savings_account_and_bonds"),
        property=golden.text("property"),
        open_applications=open_applications,
        open_applications_amount=sum(a.amount for a in open_applications),
        evidence=golden_evidence(golden, CORE_BANKING_FIELDS),
        as_of=ctx.clock.now(),
    )


def get_payment_history(ctx: ToolContext, query: CustomerQuery) -> PaymentHistory:
    """Credit history and other obligations, as the credit bureau reported them."""
    golden = ctx.customers.golden(query.customer_id)
    return PaymentHistory(
        customer_id=golden.customer_id,
        credit_history=golden.text("credit_history"),
        other_installment_plans=golden.text("other_installment_plans"),
        other_debtors_or_guarantors=golden.text("other_debtors_or_guarantors"),
        evidence=golden_evidence(golden, CREDIT_BUREAU_FIELDS),
        as_of=ctx.clock.now(),
    )


def get_credit_score(ctx: ToolContext, query: CreditScoreQuery) -> CreditScore:
    """Score one application with the configured credit model, fed from the golden record."""
    if ctx.scorer is None:
        raise ToolUnavailable("get_credit_score", "credit scorer")
    golden = ctx.customers.golden(query.customer_id)
    application = ctx.customers.application(query.application_id)
    if application.customer_id != golden.customer_id:
        raise InvalidToolArguments(
            "get_credit_score",
            f"application {application.id!r} belongs to customer {application.customer_id!r}, "
            f"not {golden.customer_id!r}",
        )
    features = credit_features(golden, application)
    result = ctx.scorer.assess(features)
    return CreditScore(
        customer_id=query.customer_id,
        application_id=application.id,
        probability_of_default=float(result.probability_of_default),
        score=int(result.score),
        model_decision=str(result.decision),
        cutoff=float(result.cutoff),
        reason_codes=[
            ReasonCode(
                code=reason.code,
                feature=reason.feature,
                description=reason.description,
                contribution=float(reason.contribution),
            )
            for reason in result.reason_codes
        ],
        model_version=result.model_version,
        evidence=sorted(
            golden_evidence(golden, CUSTOMER_CREDIT_FIELDS) + application_evidence(application),
            key=lambda item: CREDIT_FEATURES.index(item.field),
        ),
        as_of=ctx.clock.now(),
    )


def get_application(ctx: ToolContext, query: ApplicationQuery) -> ApplicationDetails:
    """One credit application, its status and the decisions executed on it."""
    application = ctx.customers.application(query.application_id)
    return ApplicationDetails(
        application_id=application.id,
        customer_id=application.customer_id,
        amount=application.amount,
        duration_months=application.duration_months,
        purpose=application.purpose,
        installment_rate=application.installment_rate,
        requested_by=application.requested_by,
        status=application.status,
        received_at=application.received_at,
        decisions=[
            DecisionSummary(decision=d.decision, decided_at=d.decided_at, details=d.details)
            for d in ctx.customers.decisions(application.id)
        ],
        evidence=application_evidence(application),
        as_of=ctx.clock.now(),
    )


def credit_features(golden: GoldenRecord, application: CreditApplicationView) -> dict[str, FeatureValue]:
    """The 20 German credit attributes: 16 from the golden record, 4 from the application's terms."""
    features: dict[str, FeatureValue] = {}
    missing = []
    for field in CUSTOMER_CREDIT_FIELDS:
        value = golden.value(field)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            features[field] = value
        else:
            missing.append(field)
    if missing:
        raise IncompleteCustomerRecord(golden.customer_id, missing)
    features.update(application_terms(application))
    return {name: features[name] for name in CREDIT_FEATURES}


def _summary(application: CreditApplicationView) -> ApplicationSummary:
    return ApplicationSummary(
        application_id=application.id,
        amount=application.amount,
        duration_months=application.duration_months,
        purpose=application.purpose,
        status=application.status,
        received_at=application.received_at,
        source_system=application.source_system,
        source_record_id=application.source_record_id,
    )
