"""Unified customer data: source systems joined into one golden record per customer, with lineage.

Connectors read each system's exports (`customers.sources`); staging keeps every row as received or
quarantines it with the reason; identity resolution (`customers.identity`) links person records to
customers; survivorship rules choose each golden field among the linked records and keep the losers
as conflicts; events of every source land on one signals timeline. Credit applications and
decisions live here too, since they are customer data the agents act on, and so does fulfilment
(`FulfilmentRepository`: open orders with lines, warehouses with stock, carriers with rates, and the
shipments and holds Steward records; `shipping_zone` defines the zones rates are given in).
"""

from customers._customer360 import CONSENT_PURPOSES, Customer360, LinkedRecord, TimelineItem, customer_360
from customers._errors import (
    ApplicationConflict,
    CustomersError,
    DecisionConflict,
    FulfilmentConflict,
    MalformedApplication,
    ObservationConflict,
    RefusalReason,
    ShipmentRefused,
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
from customers._fulfilment import FulfilmentRepository
from customers._fulfilment_reads import FulfilmentLayout
from customers._fulfilment_tables import OrderHoldRow, OrderShipmentRow
from customers._fulfilment_views import (
    Carrier,
    CarrierRate,
    Commitments,
    Hold,
    OpenOrder,
    OrderLine,
    OrderOutcome,
    PlannedShipment,
    RecordSource,
    Shipment,
    ShipmentKind,
    ShipmentLine,
    Warehouse,
)
from customers._gdpr import ErasureReport, erase_customer, export_customer_data
from customers._ingest import AUTO_MATCH_FROM, REVIEW_MATCH_FROM, Ingestor, IngestReport, resolve_identities
from customers._loader import ApplicantRow, LoadReport, OutcomeLabel, load_applicants, read_outcome_labels
from customers._repository import CustomerBatch, CustomerRepository
from customers._resolution import MergeCandidate, ResolutionReport
from customers._retention import (
    DEFAULT_RETENTION_FILE,
    RetentionOutcome,
    RetentionRules,
    apply_retention,
    load_retention,
)
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
from customers._zones import shipping_zone
from customers.sources import ORDER_STATUSES, SERVICE_LEVELS, OrderStatus, ServiceLevel

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
    "ORDER_STATUSES",
    "REVIEW_MATCH_FROM",
    "SERVICE_LEVELS",
    "VULNERABLE",
    "ApplicantRow",
    "ApplicationConflict",
    "ApplicationIn",
    "ApplicationStatus",
    "AttentionEntry",
    "Carrier",
    "CarrierRate",
    "Commitments",
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
    "FulfilmentConflict",
    "FulfilmentLayout",
    "FulfilmentRepository",
    "GoldenRecord",
    "Hold",
    "IngestReport",
    "Ingestor",
    "LinkedRecord",
    "LoadReport",
    "MalformedApplication",
    "MergeCandidate",
    "MergeOutcome",
    "ObservationConflict",
    "ObservationRow",
    "OpenOrder",
    "OrderHoldRow",
    "OrderLine",
    "OrderOutcome",
    "OrderShipmentRow",
    "OrderStatus",
    "OutcomeLabel",
    "PlannedShipment",
    "Reason",
    "RecordSource",
    "RefusalReason",
    "ResolutionReport",
    "RetentionOutcome",
    "RetentionRules",
    "ServiceLevel",
    "Shipment",
    "ShipmentKind",
    "ShipmentLine",
    "ShipmentRefused",
    "SurvivorshipRules",
    "SystemLoad",
    "TimelineItem",
    "Warehouse",
    "apply_retention",
    "customer_360",
    "erase_customer",
    "export_customer_data",
    "load_applicants",
    "load_retention",
    "load_survivorship",
    "read_outcome_labels",
    "resolve_identities",
    "shipping_zone",
]
