"""One step of reading: one connection, each golden record and application read once, nothing kept after."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from core import FixedClock
from customers import ApplicationIn, CustomerRepository

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def repo(engine: Engine) -> CustomerRepository:
    repo = CustomerRepository(engine, FixedClock(T0))
    repo.observe("C-1", "given_name", "Ada", source_system="crm", source_record_id="c-1")
    repo.add_application(
        ApplicationIn(
            id="A-1",
            customer_id="C-1",
            amount=1200.0,
            duration_months=12,
            purpose="car (new)",
            installment_rate=2,
            requested_by="intake",
            source_system="los",
            source_record_id="los-A-1",
        )
    )
    return repo


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def test_a_reading_step_reads_each_record_once_on_one_connection(
    repo: CustomerRepository, statements: list[str]
) -> None:
    with repo.reading_once() as view:
        first = view.golden("C-1")
        reads = len(statements)
        assert view.golden("C-1") is first and view.application("A-1") is view.application("A-1")
        assert len(statements) == reads + 1  # the application, once; the golden record not again
        assert view.applications("C-1")[0].id == "A-1"
    assert first.value("given_name") == "Ada"
    statements.clear()
    repo.golden("C-1")
    repo.golden("C-1")
    assert len(statements) >= 2  # outside a step every read goes to the database


def test_a_step_does_not_see_stale_values_after_it_ends(repo: CustomerRepository) -> None:
    with repo.reading_once() as view:
        assert view.golden("C-1").value("given_name") == "Ada"
    repo.observe(
        "C-1",
        "given_name",
        "Ada Lovelace",
        source_system="crm",
        source_record_id="c-1",
        observed_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    with repo.reading_once() as view:
        assert view.golden("C-1").value("given_name") == "Ada Lovelace"


def test_a_golden_record_is_two_statements_and_a_merged_customer_answers_with_the_one_it_went_to(
    repo: CustomerRepository, statements: list[str]
) -> None:
    statements.clear()
    assert repo.golden("C-1").value("given_name") == "Ada"
    assert len(statements) == 2  # the observations (the merge pointer rides along) and the linked source rows
    repo.observe("C-2", "telephone", "0301234", source_system="shop", source_record_id="s-2")
    outcome = repo.merge_customers(
        "C-1", "C-2", record="crm:c-1", other_record="shop:s-2", decided_by="reviewer", reference="merge-1"
    )
    assert (outcome.kept, outcome.absorbed) == ("C-1", "C-2")
    statements.clear()
    merged = repo.golden("C-2")
    assert merged.customer_id == "C-1"
    assert (merged.value("given_name"), merged.value("telephone")) == ("Ada", "0301234")
    assert len(statements) == 5  # the absorbed customer's pointer, the chain followed to its end, the kept record
    with repo.reading_once() as view:
        assert view.golden("C-2").customer_id == "C-1"
