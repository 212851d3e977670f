"""The demo applicant loader: German credit rows → golden records with lineage, all or nothing."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from core import FixedClock
from customers import (
    CORE_BANKING_FIELDS,
    CREDIT_BUREAU_FIELDS,
    CRM_FIELDS,
    CreditApplicationRow,
    CustomerRepository,
    CustomerRow,
    MalformedApplication,
    ObservationRow,
    load_applicants,
    read_outcome_labels,
)

GERMAN_CREDIT = Path(__file__).resolve().parents[2] / "steward" / "data" / "german_credit" / "german_credit.csv"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def repo(engine: Engine) -> CustomerRepository:
    return CustomerRepository(engine, FixedClock(T0))


def _counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(CustomerRow)).one(),
            session.exec(select(func.count()).select_from(CreditApplicationRow)).one(),
            session.exec(select(func.count()).select_from(ObservationRow)).one(),
        )


def _first_rows(count: int) -> list[dict[str, str]]:
    with GERMAN_CREDIT.open(newline="", encoding="utf-8") as handle:
        return [row for _, row in zip(range(count), csv.DictReader(handle), strict=False)]


def test_first_fifty_rows_become_golden_records_with_their_sources(repo: CustomerRepository, engine: Engine) -> None:
    report = load_applicants(repo, GERMAN_CREDIT, limit=50)

    source_rows = _first_rows(50)
    assert report.loaded == [f"A-{int(row['row_id']):04d}" for row in source_rows]
    assert report.customers == 50 and report.skipped == []
    first = source_rows[0]
    customer_id = f"C-{int(first['row_id']):04d}"
    golden = repo.golden(customer_id)
    for fields, source, prefix in (
        (CRM_FIELDS, "crm", "crm-contact-"),
        (CORE_BANKING_FIELDS, "core_banking", "cbs-party-"),
        (CREDIT_BUREAU_FIELDS, "credit_bureau", "bureau-report-"),
    ):
        for field in fields:
            value = golden.fields[field]
            assert str(value.value) == first[field], field
            assert value.source_system == source
            assert value.source_record_id == f"{prefix}{int(first['row_id']):04d}"
            assert value.observed_at == T0
    assert golden.integer("age_in_years") == int(first["age_in_years"])
    assert "creditability" not in golden.fields
    application = repo.application(f"A-{int(first['row_id']):04d}")
    assert (application.amount, application.duration_months, application.purpose) == (
        float(first["credit_amount"]),
        int(first["duration_in_month"]),
        first["purpose"],
    )
    assert application.installment_rate == int(first["installment_rate_in_percentage_of_disposable_income"])
    assert (application.status, application.requested_by) == ("received", "intake")
    assert (application.source_system, application.received_at) == ("loan_origination", T0)
    assert _counts(engine) == (50, 50, 50 * (len(CRM_FIELDS) + 2 + 4 + 3))
    assert len(repo.pending_applications()) == 50


def test_simulated_gdpr_flags_follow_the_row_id(repo: CustomerRepository) -> None:
    load_applicants(repo, GERMAN_CREDIT, limit=60)

    assert repo.golden("C-0025").objects_to_automated_decisions
    assert repo.golden("C-0031").vulnerable
    assert not repo.golden("C-0026").objects_to_automated_decisions
    assert not repo.golden("C-0026").vulnerable
    assert repo.golden("C-0025").fields["objects_to_automated_decisions"].source_system == "crm"


def test_loading_twice_is_idempotent_and_a_window_continues_the_stream(
    repo: CustomerRepository, engine: Engine
) -> None:
    load_applicants(repo, GERMAN_CREDIT, limit=20)
    before = _counts(engine)

    again = load_applicants(repo, GERMAN_CREDIT, limit=20)
    assert again.loaded == [] and again.customers == 0 and len(again.skipped) == 20
    assert _counts(engine) == before

    more = load_applicants(repo, GERMAN_CREDIT, start=10, limit=20)
    assert len(more.skipped) == 10 and len(more.loaded) == 10 and more.customers == 10
    assert _counts(engine)[:2] == (30, 30)


def test_outcome_labels_are_kept_apart(repo: CustomerRepository) -> None:
    labels = read_outcome_labels(GERMAN_CREDIT)

    assert len(labels) == 750
    assert set(labels.values()) == {"good", "bad"}
    assert labels["A-0002"] == "bad" and labels["A-0003"] == "good"


def _write(path: Path, rows: list[dict[str, str]], columns: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_bad_amount_names_the_line_and_writes_nothing(repo: CustomerRepository, engine: Engine, tmp_path: Path) -> None:
    rows = _first_rows(10)
    rows[5]["credit_amount"] = "12O0"  # line 7: header is line 1, so the sixth data row
    bad = _write(tmp_path / "bad_amount.csv", rows, list(rows[0]))

    with pytest.raises(MalformedApplication) as raised:
        load_applicants(repo, bad)

    error = raised.value
    assert (error.path, error.row_number, error.field) == (bad, 7, "credit_amount")
    assert "line 7" in str(error) and "12O0" in str(error)
    assert _counts(engine) == (0, 0, 0)


def test_missing_column_is_refused_before_anything_is_written(
    repo: CustomerRepository, engine: Engine, tmp_path: Path
) -> None:
    rows = _first_rows(5)
    columns = [name for name in rows[0] if name != "purpose"]
    bad = _write(tmp_path / "no_purpose.csv", rows, columns)

    with pytest.raises(MalformedApplication) as raised:
        load_applicants(repo, bad)

    assert (raised.value.row_number, raised.value.field) == (1, "purpose")
    assert _counts(engine) == (0, 0, 0)


def test_short_line_and_repeated_row_id_are_refused(repo: CustomerRepository, engine: Engine, tmp_path: Path) -> None:
    text = GERMAN_CREDIT.read_text(encoding="utf-8").splitlines()
    short = tmp_path / "short.csv"
    short.write_text("\n".join([*text[:3], text[3].rsplit(",", 2)[0], *text[4:6]]) + "\n", encoding="utf-8")
    repeated = tmp_path / "repeated.csv"
    repeated.write_text("\n".join([*text[:4], text[2]]) + "\n", encoding="utf-8")

    with pytest.raises(MalformedApplication) as short_error:
        load_applicants(repo, short)
    with pytest.raises(MalformedApplication) as repeated_error:
        load_applicants(repo, repeated)

    assert (short_error.value.row_number, short_error.value.field) == (4, "foreign_worker")
    assert (repeated_error.value.row_number, repeated_error.value.field) == (5, "row_id")
    assert _counts(engine) == (0, 0, 0)


def test_bad_row_in_a_second_load_leaves_the_first_intact(
    repo: CustomerRepository, engine: Engine, tmp_path: Path
) -> None:
    load_applicants(repo, GERMAN_CREDIT, limit=3)
    before = _counts(engine)
    rows = _first_rows(6)
    rows[4]["age_in_years"] = "7"
    bad = _write(tmp_path / "young.csv", rows, list(rows[0]))

    with pytest.raises(MalformedApplication, match="line 6"):
        load_applicants(repo, bad)

    assert _counts(engine) == before
