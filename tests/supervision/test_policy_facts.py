"""A policy change whose conditions read facts the agent does not provide is refused when it is saved (or
previewed), with the line and the known names; an installed file that does not fit stops Steward at start."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine

from core import ConfigurationError
from policies import PolicyFactsError, PolicyFileError, default_policy_dir
from supervision import AuditLog, PolicyStore
from tests.policies.policy_samples import CREDIT_FACTS
from tests.supervision.supervision_helpers import RacingClock

AGENT = "credit_approval"
FILE_TEXT = (default_policy_dir() / "credit_approval.yaml").read_text(encoding="utf-8")
CAP = '"application.amount > 15000.0"'


def _line_of(text: str, written: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if written in line)


@pytest.fixture
def store(engine: Engine, clock: RacingClock, audit: AuditLog) -> PolicyStore:
    return PolicyStore(engine, clock, audit, bundled={AGENT: FILE_TEXT}, fact_schemas={AGENT: CREDIT_FACTS})


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        (
            "application.amout > 15000.0",
            "application.amout is not a fact of credit_approval; known: application.amount",
        ),
        ("customer.vulnerable > 3", "compares customer.vulnerable (a bool) with an int using >"),
        ('application.amount == "x"', "compares application.amount (a double) with a string using =="),
        ("application.purpose < 2.0", "compares application.purpose (a string) with a double using <"),
    ],
)
def test_a_change_that_does_not_fit_the_agents_facts_is_refused_and_nothing_is_saved(
    store: PolicyStore, audit: AuditLog, condition: str, problem: str
) -> None:
    text = FILE_TEXT.replace(CAP, json.dumps(condition))
    assert text != FILE_TEXT
    with pytest.raises(PolicyFactsError) as caught:
        store.save(AGENT, text, author="ops", reason="typo", expected_version=0)
    refused = caught.value
    assert isinstance(refused, PolicyFileError)  # the refusal the editor, the API and the CLI show with its line
    assert refused.line == _line_of(text, json.dumps(condition))
    assert refused.reason.startswith(f"hard_limits[1].when: {problem}")
    assert str(refused).startswith(f"{AGENT}.yaml:{refused.line}: ")
    assert store.latest(AGENT).version == 0
    assert audit.entries(subject=f"policy:{AGENT}") == []
    with pytest.raises(PolicyFactsError):
        store.what_if(AGENT, text)  # the preview says so too
    assert [p.line for p in store.fact_problems(AGENT, text)] == [refused.line]


def test_a_change_that_fits_the_facts_is_saved(store: PolicyStore) -> None:
    text = FILE_TEXT.replace(CAP, '"application.amount > 12000.0 || exposure.existing_credits > 5"')
    assert store.fact_problems(AGENT, text) == []
    assert store.save(AGENT, text, author="ops", reason="lower cap", expected_version=0).version == 1


def test_without_the_agents_facts_only_the_engines_checks_apply(
    engine: Engine, clock: RacingClock, audit: AuditLog
) -> None:
    unchecked = PolicyStore(engine, clock, audit, bundled={AGENT: FILE_TEXT})
    text = FILE_TEXT.replace(CAP, '"application.amout > 15000.0"')
    assert unchecked.fact_problems(AGENT, text) == []
    assert unchecked.save(AGENT, text, author="ops", reason="unchecked", expected_version=0).version == 1


def test_an_installed_file_that_reads_unknown_facts_stops_steward_at_start_naming_the_agent(
    engine: Engine, clock: RacingClock, audit: AuditLog
) -> None:
    text = FILE_TEXT.replace(CAP, '"application.amout > 15000.0"')
    with pytest.raises(ConfigurationError) as caught:
        PolicyStore(engine, clock, audit, bundled={AGENT: text}, fact_schemas={AGENT: CREDIT_FACTS})
    message = str(caught.value)
    assert message.startswith(f"the installed policy file of agent {AGENT!r} does not fit the facts the agent provides")
    assert f"{AGENT}.yaml (version 0):{_line_of(text, 'application.amout')}: hard_limits[1].when: " in message
    assert "did you mean application.amount?" in message
