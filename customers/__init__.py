"""Unified customer data: source systems joined into one golden record per customer, with lineage.

Connectors read each system's exports (`customers.sources`); staging keeps every row as received or
quarantines it with the reason; identity resolution (`customers.identity`) links person records to
customers; survivorship rules choose each golden field among the linked records and keep the losers
as conflicts; events of every source land on one signals timeline. Credit applications and
decisions live here too, since they are customer data the agents act on.
"""

from customers._customer360 import CONSENT_PURPOSES, Customer360, LinkedRecord, TimelineItem, customer_360
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
from customers._gdpr import (
    DEFAULT_RETENTION_FILE,
    ErasureReport,
    RetentionOutcome,
    RetentionRules,
    apply_retention,
    erase_customer,
    export_customer_data,
    load_retention,
)
from customers._ingest import AUTO_MATCH_FROM, REVIEW_MATCH_FROM, Ingestor, IngestReport, resolve_identities
from customers._loader import ApplicantRow, LoadReport, OutcomeLabel, load_applicants, read_outcome_labels
from customers._repository import CustomerBatch, CustomerRepository
from customers._resolution import MergeCandidate, ResolutionReport
from customers._signals import AttentionEntry, Event, Evidence, Features, Reason
from customers._staging import EntityCounts, SystemLoad
from customers._survivorship import DEFAULT_SURVIVORSHIP_FILE, SurvivorshipRules, load_survivorship
from customers._tables import CreditApplicationRow, CreditDecisionRow, CustomerRow, ObservationRow
from customers._views import (
    ApplicationIn,
    ApplicationStatus,
    CreditApplicationView,
    CreditDecisionKind,
    CreditDecisionView,
    FieldValue,
    GoldenRecord,
    MergeOutcome,
)

__all__ = [
    "APPLICATION_FIELDS",
    "AUTO_MATCH_FROM",
    "CONSENT_PURPOSES",
    "CORE_BANKING",
    "CORE_BANKING_FIELDS",
    "CREDIT_BUREAU",
    "CREDIT_BUREAU_FIELDS",
    "CREDIT_FEATURES",
    "CRM",
    "CRM_FIELDS",
    "CUSTOMER_CREDIT_FIELDS",
    "DEFAULT_RETENTION_FILE",
    "DEFAULT_SURVIVORSHIP_FILE",
    "LOAN_ORIGINATION",
    "OBJECTS_TO_AUTOMATED_DECISIONS",
    "REVIEW_MATCH_FROM",
    "VULNERABLE",
    "ApplicantRow",
    "ApplicationConflict",
    "ApplicationIn",
    "ApplicationStatus",
    "AttentionEntry",
    "CreditApplicationRow",
    "CreditApplicationView",
    "CreditDecisionKind",
    "CreditDecisionRow",
    "CreditDecisionView",
    "Customer360",
    "CustomerBatch",
    "CustomerRepository",
    "CustomerRow",
    "CustomersError",
    "DecisionConflict",
    "EntityCounts",
    "ErasureReport",
    "Event",
    "Evidence",
    "Features",
    "FieldValue",
    "GoldenRecord",
    "IngestReport",
    "Ingestor",
    "LinkedRecord",
    "LoadReport",
    "MalformedApplication",
    "MergeCandidate",
    "MergeOutcome",
    "ObservationConflict",
    "ObservationRow",
    "OutcomeLabel",
    "Reason",
    "ResolutionReport",
    "RetentionOutcome",
    "RetentionRules",
    "SurvivorshipRules",
    "SystemLoad",
    "TimelineItem",
    "apply_retention",
    "customer_360",
    "erase_customer",
    "export_customer_data",
    "load_applicants",
    "load_retention",
    "load_survivorship",
    "read_outcome_labels",
    "resolve_identities",
]
