"""Demo applicant stream: German credit (Statlog) rows → customers with lineage and credit applications.

Each row becomes customer ``C-{row_id:04d}`` and application ``A-{row_id:04d}``. Its attributes are
split across simulated source systems, so the golden record carries real lineage:

- ``crm`` (record ``crm-contact-{row_id:04d}``): personal and employment attributes, plus two
  SIMULATED flags that the dataset does not contain: a GDPR Art. 22 objection on every row with
  ``row_id % 25 == 0`` and a vulnerability flag on every row with ``row_id % 31 == 0``. They exist
  so that hard limits in policies have cases to act on; they say nothing about the real applicants.
- ``core_banking`` (``cbs-party-{row_id:04d}``): accounts, existing credits, property.
- ``credit_bureau`` (``bureau-report-{row_id:04d}``): credit history and other obligations.
- ``loan_origination`` (``los-application-{row_id:04d}``): the application itself.

The ``creditability`` label is the bank's later judgement, not customer data: it is never loaded,
and `read_outcome_labels` hands it to simulations separately.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from core import ConfigurationError
from customers._errors import MalformedApplication
from customers._fields import (
    CORE_BANKING,
    CORE_BANKING_FIELDS,
    CREDIT_BUREAU,
    CREDIT_BUREAU_FIELDS,
    CREDIT_FEATURES,
    CRM,
    CRM_FIELDS,
    LOAN_ORIGINATION,
    OBJECTS_TO_AUTOMATED_DECISIONS,
    VULNERABLE,
)
from customers._repository import CustomerRepository
from customers._views import ApplicationIn

Category = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OutcomeLabel = Literal["good", "bad"]

_Model = TypeVar("_Model", bound=BaseModel)

ART22_OBJECTION_EVERY = 25
VULNERABLE_EVERY = 31


class ApplicantRow(BaseModel):
    """One applicant row of the German credit file, validated before anything is written."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    row_id: int = Field(ge=1, le=9999)
    status_of_existing_checking_account: Category
    duration_in_month: int = Field(ge=1, le=600)
    credit_history: Category
    purpose: Category
    credit_amount: int = Field(gt=0)
    savings_account_and_bonds: Category
    present_employment_since: Category
    installment_rate_in_percentage_of_disposable_income: int = Field(ge=1, le=100)
    personal_status_and_sex: Category
    other_debtors_or_guarantors: Category
    present_residence_since: int = Field(ge=0, le=100)
    property: Category
    age_in_years: int = Field(ge=18, le=120)
    other_installment_plans: Category
    housing: Category
    number_of_existing_credits_at_this_bank: int = Field(ge=0, le=100)
    job: Category
    number_of_people_being_liable_to_provide_maintenance_for: int = Field(ge=0, le=100)
    telephone: Category
    foreign_worker: Category

    # `property` is a column name here, so these ids are methods rather than properties.
    def customer_id(self) -> str:
        return f"C-{self.row_id:04d}"

    def application_id(self) -> str:
        return f"A-{self.row_id:04d}"


class _OutcomeRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    row_id: int = Field(ge=1, le=9999)
    creditability: OutcomeLabel


class LoadReport(BaseModel):
    """What a load did: applications newly loaded, ones already present, customers created."""

    model_config = ConfigDict(frozen=True)

    loaded: list[str]
    skipped: list[str] = []
    customers: int


def load_applicants(
    repo: CustomerRepository,
    csv_path: Path,
    *,
    start: int = 0,
    limit: int | None = None,
    requested_by: str | None = "intake",
) -> LoadReport:
    """Load data rows ``start .. start+limit`` of a German credit file, all or nothing.

    Every selected row is validated first; a malformed one raises `MalformedApplication` naming its
    line and nothing is written. Rows whose application is already recorded are skipped, so loading
    a file twice changes nothing. All observations of one load share one `observed_at` (now).
    """
    path = Path(csv_path)
    rows = _read_window(path, start=start, limit=limit)
    loaded: list[str] = []
    skipped: list[str] = []
    created = 0
    with repo.batch() as batch:
        existing = batch.existing_application_ids([row.application_id() for row in rows])
        now = batch.now()
        for row in rows:
            if row.application_id() in existing:
                skipped.append(row.application_id())
                continue
            customer_id = row.customer_id()
            created += batch.ensure_customer(customer_id)
            sources = (
                (CRM, f"crm-contact-{row.row_id:04d}", CRM_FIELDS),
                (CORE_BANKING, f"cbs-party-{row.row_id:04d}", CORE_BANKING_FIELDS),
                (CREDIT_BUREAU, f"bureau-report-{row.row_id:04d}", CREDIT_BUREAU_FIELDS),
            )
            for source_system, record_id, fields in sources:
                for field in fields:
                    batch.observe(
                        customer_id,
                        field,
                        getattr(row, field),
                        source_system=source_system,
                        source_record_id=record_id,
                        observed_at=now,
                    )
            flags = {
                OBJECTS_TO_AUTOMATED_DECISIONS: row.row_id % ART22_OBJECTION_EVERY == 0,
                VULNERABLE: row.row_id % VULNERABLE_EVERY == 0,
            }
            for flag, value in flags.items():
                batch.observe(
                    customer_id,
                    flag,
                    value,
                    source_system=CRM,
                    source_record_id=f"crm-contact-{row.row_id:04d}",
                    observed_at=now,
                )
            batch.add_application(
                ApplicationIn(
                    id=row.application_id(),
                    customer_id=customer_id,
                    amount=float(row.credit_amount),
                    duration_months=row.duration_in_month,
                    purpose=row.purpose,
                    installment_rate=row.installment_rate_in_percentage_of_disposable_income,
                    requested_by=requested_by,
                    received_at=now,
                    source_system=LOAN_ORIGINATION,
                    source_record_id=f"los-application-{row.row_id:04d}",
                )
            )
            loaded.append(row.application_id())
    return LoadReport(loaded=loaded, skipped=skipped, customers=created)


def read_outcome_labels(csv_path: Path) -> dict[str, OutcomeLabel]:
    """The ``creditability`` label of every row, keyed by application id: for simulations only."""
    path = Path(csv_path)
    labels: dict[str, OutcomeLabel] = {}
    for line, values in _records(path, required=("row_id", "creditability")):
        outcome = _validate(_OutcomeRow, path, line, {k: values[k] for k in ("row_id", "creditability")})
        labels[f"A-{outcome.row_id:04d}"] = outcome.creditability
    return labels


def _read_window(path: Path, *, start: int, limit: int | None) -> list[ApplicantRow]:
    if start < 0 or (limit is not None and limit < 0):
        raise ConfigurationError(f"start and limit must not be negative (got start={start}, limit={limit})")
    columns = ("row_id", *CREDIT_FEATURES)
    rows: list[ApplicantRow] = []
    first_line: dict[int, int] = {}
    for index, (line, values) in enumerate(_records(path, required=columns)):
        if index < start:
            continue
        if limit is not None and len(rows) >= limit:
            break
        row = _validate(ApplicantRow, path, line, {name: values[name] for name in columns})
        if row.row_id in first_line:
            raise MalformedApplication(
                path, line, "row_id", f"row_id {row.row_id} repeats the one on line {first_line[row.row_id]}"
            )
        first_line[row.row_id] = line
        rows.append(row)
    return rows


def _records(path: Path, *, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, values by column) for each data record; checks the header and the value count."""
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read applicant file {path}: {exc.strerror}") from exc
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise MalformedApplication(path, 1, "<header>", "the file is empty; expected a header line")
        header = [name.strip() for name in header]
        for name in required:
            if name not in header:
                raise MalformedApplication(path, 1, name, "the header has no such column")
        for values in reader:
            if not values:
                continue
            if len(values) != len(header):
                missing = header[len(values)] if len(values) < len(header) else "<extra value>"
                raise MalformedApplication(
                    path,
                    reader.line_num,
                    missing,
                    f"the line has {len(values)} values but the header has {len(header)} columns",
                )
            yield reader.line_num, dict(zip(header, values, strict=True))


def _validate(model: type[_Model], path: Path, line: int, values: dict[str, str]) -> _Model:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "<row>"
        raise MalformedApplication(path, line, field, f"{error['msg']} (got {values.get(field)!r})") from None
