"""Read tools return typed facts, each with evidence naming its source record."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.engine import Engine

from core import NotFound
from customers import CREDIT_FEATURES, ApplicationIn
from tests.tools.tool_fakes import LOADED_AT, ToolWorld, tool_world
from tools import (
    ApplicationQuery,
    CreditScoreQuery,
    CustomerQuery,
    IncompleteCustomerRecord,
    InvalidToolArguments,
    ToolContext,
    ToolUnavailable,
    get_application,
    get_credit_score,
    get_customer_profile,
    get_exposure,
    get_payment_history,
)


@pytest.fixture
def world(engine: Engine) -> ToolWorld:
    return tool_world(engine)


@pytest.fixture
def ctx(world: ToolWorld) -> ToolContext:
    return world.ctx


def test_profile_has_crm_facts_gdpr_flags_and_lineage(ctx: ToolContext) -> None:
    profile = get_customer_profile(ctx, CustomerQuery(customer_id="C-0025"))

    assert (profile.age_in_years, profile.housing, profile.job) == (
        ctx.customers.golden("C-0025").integer("age_in_years"),
        ctx.customers.golden("C-0025").text("housing"),
        ctx.customers.golden("C-0025").text("job"),
    )
    assert profile.objects_to_automated_decisions and not profile.vulnerable
    by_field = {item.field: item for item in profile.evidence}
    assert by_field["objects_to_automated_decisions"].value is True
    assert {item.source_system for item in profile.evidence} == {"crm"}
    assert by_field["age_in_years"].source_record_id == "crm-contact-0025"
    assert by_field["age_in_years"].observed_at == LOADED_AT
    assert profile.as_of == LOADED_AT


def test_exposure_lists_accounts_credits_and_open_applications(ctx: ToolContext) -> None:
    exposure = get_exposure(ctx, CustomerQuery(customer_id="C-0002"))

    assert exposure.number_of_existing_credits_at_this_bank == 1
    assert exposure.status_of_existing_checking_account == "0 <= ... < 200 DM"
    assert [a.application_id for a in exposure.open_applications] == ["A-0002"]
    assert exposure.open_applications_amount == 5951.0
    assert exposure.open_applications[0].source_system == "loan_origination"
    assert {(e.field, e.source_system, e.source_record_id) for e in exposure.evidence} == {
        ("status_of_existing_checking_account", "core_banking", "cbs-party-0002"),
        ("savings_account_and_bonds", "core_banking", "cbs-party-0002"),
        ("number_of_existing_credits_at_this_bank", "core_banking", "cbs-party-0002"),
        ("property", "core_banking", "cbs-party-0002"),
    }


def test_payment_history_comes_from_the_credit_bureau(ctx: ToolContext) -> None:
    history = get_payment_history(ctx, CustomerQuery(customer_id="C-0005"))

    assert history.credit_history == "delay in paying off in the past"
    assert [(e.field, e.source_system) for e in history.evidence] == [
        ("credit_history", "credit_bureau"),
        ("other_installment_plans", "credit_bureau"),
        ("other_debtors_or_guarantors", "credit_bureau"),
    ]


def test_credit_score_feeds_the_twenty_attributes_and_reports_their_sources(ctx: ToolContext, world: ToolWorld) -> None:
    score = get_credit_score(ctx, CreditScoreQuery(customer_id="C-0002", application_id="A-0002"))

    assert list(world.scorer.seen[0]) == list(CREDIT_FEATURES)
    assert world.scorer.seen[0]["credit_amount"] == 5951.0 and world.scorer.seen[0]["age_in_years"] == 22
    assert (score.probability_of_default, score.model_decision, score.cutoff) == (
        5951 / 20000,
        "decline",
        0.25,
    )
    assert score.model_version == "fake-1" and score.reason_codes[0].code == "R01"
    assert [e.field for e in score.evidence] == list(CREDIT_FEATURES)
    sources = {e.field: e.source_system for e in score.evidence}
    assert sources["credit_amount"] == "loan_origination" and sources["credit_history"] == "credit_bureau"


def test_credit_score_refuses_without_a_scorer_or_for_someone_elses_application(ctx: ToolContext) -> None:
    with pytest.raises(ToolUnavailable, match="credit scorer"):
        get_credit_score(
            dataclasses.replace(ctx, scorer=None),
            CreditScoreQuery(customer_id="C-0002", application_id="A-0002"),
        )
    with pytest.raises(InvalidToolArguments, match="belongs to customer 'C-0003'"):
        get_credit_score(ctx, CreditScoreQuery(customer_id="C-0002", application_id="A-0003"))


def test_credit_score_names_missing_golden_fields(ctx: ToolContext) -> None:
    repo = ctx.customers
    repo.observe("C-9", "age_in_years", 40, source_system="crm", source_record_id="crm-9")
    repo.add_application(
        ApplicationIn(
            id="A-9",
            customer_id="C-9",
            amount=1000.0,
            duration_months=12,
            purpose="education",
            installment_rate=2,
            source_system="loan_origination",
            source_record_id="los-9",
        )
    )

    with pytest.raises(IncompleteCustomerRecord, match="credit_history"):
        get_credit_score(ctx, CreditScoreQuery(customer_id="C-9", application_id="A-9"))


def test_application_details_carry_terms_with_lineage(ctx: ToolContext) -> None:
    details = get_application(ctx, ApplicationQuery(application_id="A-0003"))

    assert (details.customer_id, details.status, details.decisions) == ("C-0003", "received", [])
    assert {(e.field, e.source_record_id) for e in details.evidence} >= {("credit_amount", "los-application-0003")}


def test_unknown_customer_or_application_is_not_found(ctx: ToolContext) -> None:
    with pytest.raises(NotFound, match="unknown customer 'C-4040'"):
        get_customer_profile(ctx, CustomerQuery(customer_id="C-4040"))
    with pytest.raises(NotFound, match="unknown customer"):
        get_exposure(ctx, CustomerQuery(customer_id="C-4040"))
    with pytest.raises(NotFound, match="unknown application 'A-4040'"):
        get_application(ctx, ApplicationQuery(application_id="A-4040"))
    with pytest.raises(NotFound, match="unknown application"):
        get_credit_score(ctx, CreditScoreQuery(customer_id="C-0002", application_id="A-4040"))
