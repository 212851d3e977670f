"""The field vocabulary of the golden record and the source systems that feed it.

Field names of the credit attributes are the German credit (Statlog) attribute names, so a credit
model can be fed straight from the golden record. Source systems are an open set (new connectors
add their own); the names below are the ones the demo loader simulates.
"""

from __future__ import annotations

from typing import Final

CRM: Final = "crm"
CORE_BANKING: Final = "core_banking"
CREDIT_BUREAU: Final = "credit_bureau"
LOAN_ORIGINATION: Final = "loan_origination"

OBJECTS_TO_AUTOMATED_DECISIONS: Final = "objects_to_automated_decisions"
"""GDPR Art. 22: the customer objects to decisions based solely on automated processing."""
VULNERABLE: Final = "vulnerable"
"""The customer is flagged as vulnerable (extra care; never decided automatically by policy)."""

CRM_FIELDS: Final = (
    "age_in_years",
    "personal_status_and_sex",
    "job",
    "housing",
    "telephone",
    "foreign_worker",
    "present_residence_since",
    "number_of_people_being_liable_to_provide_maintenance_for",
    "present_employment_since",
)
CORE_BANKING_FIELDS: Final = (
    "status_of_existing_checking_account",
    "savings_account_and_bonds",
    "number_of_existing_credits_at_this_bank",
    "property",
)
CREDIT_BUREAU_FIELDS: Final = (
    "credit_history",
    "other_installment_plans",
    "other_debtors_or_guarantors",
)
APPLICATION_FIELDS: Final = (
    "credit_amount",
    "duration_in_month",
    "purpose",
    "installment_rate_in_percentage_of_disposable_income",
)
"""Attributes carried by the credit application itself (source: loan origination), not the customer."""

CUSTOMER_CREDIT_FIELDS: Final = CRM_FIELDS + CORE_BANKING_FIELDS + CREDIT_BUREAU_FIELDS
"""The credit attributes that live in the golden record."""

CREDIT_FEATURES: Final = (
    "status_of_existing_checking_account",
    "duration_in_month",
    "credit_history",
    "purpose",
    "credit_amount",
    "savings_account_and_bonds",
    "present_employment_since",
    "installment_rate_in_percentage_of_disposable_income",
    "personal_status_and_sex",
    "other_debtors_or_guarantors",
    "present_residence_since",
    "property",
    "age_in_years",
    "other_installment_plans",
    "housing",
    "number_of_existing_credits_at_this_bank",
    "job",
    "number_of_people_being_liable_to_provide_maintenance_for",
    "telephone",
    "foreign_worker",
)
"""The 20 German credit attributes in the dataset's column order: the input of a credit model."""

assert sorted(CREDIT_FEATURES) == sorted(CUSTOMER_CREDIT_FIELDS + APPLICATION_FIELDS)
