"""Each agent declares the facts its policy reads (a pydantic model); what the agent gives the gate fits it,
and the bundled policies read nothing else."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, JsonValue

from agents import AgentRunner, Proposal, fact_schema
from agents.credit import CREDIT_ACTIONS, CreditFacts, credit_facts
from agents.credit._agent import CreditEvidence
from agents.identity import IdentityFacts, candidate_facts
from core import ConfigurationError, JsonObject
from customers import MergeCandidate
from policies import FactSchema, FactType, check_conditions, default_policy_dir
from steward import Settings
from tests.agents.flow_helpers import installation
from tests.policies.policy_samples import CREDIT_FACT_TYPES

SEEN = datetime(2026, 3, 1, tzinfo=UTC)


def test_the_credit_facts_model_declares_what_the_policy_documents() -> None:
    schema = fact_schema(CreditFacts)
    assert {path: kind for path, kind in schema.paths().items() if "." in path} == CREDIT_FACT_TYPES
    assert [path for path, kind in schema.paths().items() if kind == "map"] == [
        "customer",
        "application",
        "exposure",
        "proposal",
    ]
    nullable = sorted(path for path in CREDIT_FACT_TYPES if (found := schema.get(path)) and found.nullable)
    assert nullable == ["application.requested_by", "customer.age", "exposure.existing_credits", "proposal.score"]


@pytest.mark.parametrize(("agent", "model"), [("credit_approval", CreditFacts), ("identity_resolution", IdentityFacts)])
def test_each_bundled_policy_reads_only_facts_its_agent_provides(agent: str, model: type[BaseModel]) -> None:
    text = (default_policy_dir() / f"{agent}.yaml").read_text(encoding="utf-8")
    assert check_conditions(text, fact_schema(model)) == []
    misspelt = text.replace(".amount >", ".amout >", 1).replace(".disagreeing >", ".disagreing >", 1)
    assert misspelt != text
    (first, *_) = check_conditions(misspelt, fact_schema(model))
    assert first.message.startswith(f"{'application.amout' if agent == 'credit_approval' else 'candidate.disagreing'}")
    assert f"is not a fact of {agent}" in first.message


_OUTCOMES = st.sampled_from(["exact", "similar", "different", "missing"])


@settings(max_examples=50, deadline=None)
@given(
    probability=st.floats(0.0, 1.0),
    evidence=st.dictionaries(st.sampled_from(["email", "phone", "name", "address", "birth"]), _OUTCOMES),
    open_applications=st.integers(0, 5),
)
def test_the_identity_agents_facts_fit_its_model(
    probability: float, evidence: dict[str, str], open_applications: int
) -> None:
    candidate = MergeCandidate("CUS-1", "CUS-2", "crm:1", "shop:9", probability, evidence)
    facts = candidate_facts(candidate, open_applications)
    assert IdentityFacts.model_validate(facts).model_dump() == facts


def _evidence(*, age: int | None, requested_by: str | None, credits: int | None, foreign: str | None) -> CreditEvidence:
    common: JsonObject = {"customer_id": "CUS-1", "evidence": [], "as_of": SEEN.isoformat()}
    return CreditEvidence.model_validate(
        {
            "application": {
                **common,
                "application_id": "A-1",
                "amount": 2500.0,
                "duration_months": 24,
                "purpose": "car (new)",
                "installment_rate": 2,
                "requested_by": requested_by,
                "status": "received",
                "received_at": SEEN.isoformat(),
                "decisions": [],
            },
            "profile": {
                **common,
                "age_in_years": age,
                "personal_status_and_sex": None,
                "job": None,
                "housing": None,
                "telephone": None,
                "foreign_worker": foreign,
                "present_residence_since": None,
                "number_of_people_being_liable_to_provide_maintenance_for": None,
                "present_employment_since": None,
                "objects_to_automated_decisions": False,
                "vulnerable": True,
            },
            "exposure": {
                **common,
                "number_of_existing_credits_at_this_bank": credits,
                "status_of_existing_checking_account": None,
                "savings_account_and_bonds": None,
                "property": None,
                "open_applications": [],
                "open_applications_amount": 0.0,
            },
            "payment_history": {
                **common,
                "credit_history": None,
                "other_installment_plans": None,
                "other_debtors_or_guarantors": None,
            },
        }
    )


@settings(max_examples=50, deadline=None)
@given(
    age=st.none() | st.integers(18, 99),
    requested_by=st.none() | st.sampled_from(["officer", "agent:credit"]),
    credits=st.none() | st.integers(0, 4),
    foreign=st.none() | st.sampled_from(["yes", "no"]),
    probability=st.none() | st.floats(0.0, 1.0),
    score=st.none() | st.integers(300, 900),
    action=st.sampled_from(sorted(CREDIT_ACTIONS)),
)
def test_the_credit_agents_facts_fit_its_model_whatever_the_record_lacks(
    age: int | None,
    requested_by: str | None,
    credits: int | None,
    foreign: str | None,
    probability: float | None,
    score: int | None,
    action: str,
) -> None:
    proposal = Proposal(
        id="p-1",
        agent="credit_approval",
        action=action,
        arguments={},
        customer_id="CUS-1",
        subject_id="A-1",
        probability=probability,
        score=score,
        rationale="r",
        model_version="scorecard-1",
        created_at=SEEN,
    )
    facts = credit_facts(_evidence(age=age, requested_by=requested_by, credits=credits, foreign=foreign), proposal)
    assert CreditFacts.model_validate(facts).model_dump() == facts


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_facts_the_credit_agent_gives_the_gate_fit_its_model(steward_settings: Settings) -> None:
    """End to end: every proposal on the loaded applicants, its facts as the gate saw them (after the action's own
    changes), validated strictly (no fact left undeclared, no float where an int is declared)."""
    with installation(steward_settings, applicants=30) as app:
        runner = AgentRunner(app.runtimes["credit_approval"])
        runs = [runner.run(application.id) for application in app.customers.pending_applications()[:12]]
        assert runs
        for run in runs:
            facts = app.queue.get(run.proposal_id).facts
            assert CreditFacts.model_validate(facts).model_dump() == facts, run.proposal_id
        assert {run.action for run in runs} >= {"approve_credit"}


class _Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class _Line(BaseModel):
    sku: str
    quantity: int
    price: float


class _Order(BaseModel):
    lines: list[_Line]
    tags: tuple[str, ...]
    pair: tuple[int, str]
    weights: dict[str, float]
    placed: datetime
    due: date | None
    channel: Literal["web", "shop"]
    colour: _Colour
    anything: Any
    payload: JsonValue
    code: int | str


class _Facts(BaseModel):
    order: _Order
    urgent: bool


def test_a_facts_model_becomes_cel_types() -> None:
    schema = fact_schema(_Facts)
    assert schema.paths() == {
        "order": "map",
        "order.lines": "list",
        "order.lines[].sku": "string",
        "order.lines[].quantity": "int",
        "order.lines[].price": "double",
        "order.tags": "list",
        "order.pair": "list",
        "order.weights": "map",
        "order.placed": "string",  # facts reach CEL as JSON: a time is its ISO text
        "order.due": "string",
        "order.channel": "string",
        "order.colour": "string",
        "order.anything": "dyn",
        "order.payload": "dyn",
        "order.code": "dyn",
        "urgent": "bool",
    }
    assert schema.get("order.tags") == FactType("list", element=FactType("string"))
    assert schema.get("order.pair") == FactType("list", element=FactType("dyn"))
    assert schema.get("order.weights") == FactType("map", element=FactType("double"))
    assert schema.get("order.due") == FactType("string", nullable=True)
    assert schema == FactSchema(schema.roots)


class _Opaque:
    pass


class _Bad(BaseModel):
    model_config = {"arbitrary_types_allowed": True}
    thing: _Opaque


class _Numbers(BaseModel):
    by_id: dict[int, str]


class _Tree(BaseModel):
    children: list[_Tree]


def test_a_facts_model_cel_cannot_be_given_is_a_clear_error_naming_the_field() -> None:
    with pytest.raises(ConfigurationError, match=r"^_Bad\.thing: the type .*_Opaque.* cannot be given"):
        fact_schema(_Bad)
    with pytest.raises(ConfigurationError, match=r"^_Numbers\.by_id: a map of facts must have string keys"):
        fact_schema(_Numbers)
    with pytest.raises(ConfigurationError, match=r"contains itself"):
        fact_schema(_Tree)
