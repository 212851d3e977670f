"""Evidence with lineage: every fact a tool returns names the source record it came from."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import AwareDatetime, BaseModel, ConfigDict, JsonValue

from customers import CreditApplicationView, GoldenRecord


class ToolOutput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldEvidence(ToolOutput):
    """One field value and its lineage: which source system's record said so, and when."""

    field: str
    value: JsonValue
    source_system: str
    source_record_id: str
    observed_at: AwareDatetime


def golden_evidence(golden: GoldenRecord, fields: Iterable[str]) -> list[FieldEvidence]:
    """Evidence for those of `fields` that the golden record holds, in the order given."""
    evidence = []
    for field in fields:
        found = golden.get(field)
        if found is not None:
            evidence.append(
                FieldEvidence(
                    field=field,
                    value=found.value,
                    source_system=found.source_system,
                    source_record_id=found.source_record_id,
                    observed_at=found.observed_at,
                )
            )
    return evidence


def application_terms(application: CreditApplicationView) -> dict[str, str | int | float]:
    """The application's terms, named like the credit attributes they feed (`APPLICATION_FIELDS`)."""
    return {
        "credit_amount": application.amount,
        "duration_in_month": application.duration_months,
        "purpose": application.purpose,
        "installment_rate_in_percentage_of_disposable_income": application.installment_rate,
    }


def application_evidence(application: CreditApplicationView) -> list[FieldEvidence]:
    """The application's terms as evidence; their source is the application record itself."""
    return [
        FieldEvidence(
            field=field,
            value=value,
            source_system=application.source_system,
            source_record_id=application.source_record_id,
            observed_at=application.received_at,
        )
        for field, value in application_terms(application).items()
    ]
