"""Unified customer data: the golden record with field-level lineage, credit applications and decisions.

Every field value is an observation by a source system; the newest observation is the golden value
and older ones stay as history. This first slice loads a demo applicant stream (German credit data)
split across simulated source systems; connectors, identity resolution and consent come later.
"""

from customers._errors import (
    ApplicationConflict,
    CustomersError,
    DecisionConflict,
    MalformedApplication,
    ObservationConflict,
)
from customers._fields import (
    APPLICATION_FIELDS,
    CORE_BANKING,
    CORE_BANKING_FIELDS,
    CREDIT_BUREAU,
    CREDIT_BUREAU_FIELDS,
    CREDIT_FEATURES,
    CRM,
    CRM_FIELDS,
    CUSTOMER_CREDIT_FIELDS,
    LOAN_ORIGINATION,
    OBJECTS_TO_AUTOMATED_DECISIONS,
    VULNERABLE,
)
from customers._loader import ApplicantRow, LoadReport, OutcomeLabel, load_applicants, read_outcome_labels
from customers._repository import CustomerBatch, CustomerRepository
from customers._tables import CreditApplicationRow, CreditDecisionRow, CustomerRow, ObservationRow
from customers._views import (
    ApplicationIn,
    ApplicationStatus,
    CreditApplicationView,
    CreditDecisionKind,
    CreditDecisionView,
    FieldValue,
    GoldenRecord,
)

__all__ = [
    "APPLICATION_FIELDS",
    "CORE_BANKING",
    "CORE_BANKING_FIELDS",
    "CREDIT_BUREAU",
    "CREDIT_BUREAU_FIELDS",
    "CREDIT_FEATURES",
    "CRM",
    "CRM_FIELDS",
    "CUSTOMER_CREDIT_FIELDS",
    "LOAN_ORIGINATION",
    "OBJECTS_TO_AUTOMATED_DECISIONS",
    "VULNERABLE",
    "ApplicantRow",
    "ApplicationConflict",
    "ApplicationIn",
    "ApplicationStatus",
    "CreditApplicationRow",
    "CreditApplicationView",
    "CreditDecisionKind",
    "CreditDecisionRow",
    "CreditDecisionView",
    "CustomerBatch",
    "CustomerRepository",
    "CustomerRow",
    "CustomersError",
    "DecisionConflict",
    "FieldValue",
    "GoldenRecord",
    "LoadReport",
    "MalformedApplication",
    "ObservationConflict",
    "ObservationRow",
    "OutcomeLabel",
    "load_applicants",
    "read_outcome_labels",
]
