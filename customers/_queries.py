"""The read statements of the customer repository, built once: plain Core selects, no ORM per call."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlalchemy import select as core_select

from customers._source_tables import CUSTOMER_LINK, STAGED
from customers._tables import CREDIT_APPLICATION, CREDIT_DECISION, CUSTOMER, OBSERVATION

# Read paths select plain rows with Core, built once: no ORM identity map, no statement building per
# call. Each joins the parent row in from the left, so one round trip also tells "no such customer
# (or application)" (no row at all) from "none yet" (one row whose child columns are NULL).
OBSERVATION_COLUMNS = (
    OBSERVATION.c.id,
    OBSERVATION.c.field,
    OBSERVATION.c.value,
    OBSERVATION.c.source_system,
    OBSERVATION.c.source_record_id,
    OBSERVATION.c.observed_at,
    OBSERVATION.c.recorded_at,
)
GOLDEN = (
    # `merged_into` rides along: a customer merged into another says so in the same round trip.
    core_select(CUSTOMER.c.merged_into, *OBSERVATION_COLUMNS)
    .select_from(CUSTOMER.outerjoin(OBSERVATION, OBSERVATION.c.customer_id == CUSTOMER.c.id))
    .where(CUSTOMER.c.id == bindparam("customer_id"))
)
FIELD_HISTORY = (
    core_select(*OBSERVATION_COLUMNS)
    .select_from(
        CUSTOMER.outerjoin(
            OBSERVATION,
            (OBSERVATION.c.customer_id == CUSTOMER.c.id) & (OBSERVATION.c.field == bindparam("field")),
        )
    )
    .where(CUSTOMER.c.id == bindparam("customer_id"))
)
STAGED_COLUMNS = (
    STAGED.c.id,
    STAGED.c.source_system,
    STAGED.c.record_id,
    STAGED.c.fields,
    STAGED.c.field_times,
    STAGED.c.is_current,
    STAGED.c.observed_at,
    STAGED.c.received_at,
)
LINKED_VERSIONS = (
    core_select(*STAGED_COLUMNS)
    .select_from(
        CUSTOMER_LINK.join(
            STAGED,
            (STAGED.c.source_system == CUSTOMER_LINK.c.source_system)
            & (STAGED.c.entity == CUSTOMER_LINK.c.entity)
            & (STAGED.c.record_id == CUSTOMER_LINK.c.record_id),
        )
    )
    .where(CUSTOMER_LINK.c.customer_id == bindparam("customer_id"))
)
MERGED_INTO = core_select(CUSTOMER.c.merged_into).where(CUSTOMER.c.id == bindparam("customer_id"))
APPLICATION = core_select(CREDIT_APPLICATION).where(CREDIT_APPLICATION.c.id == bindparam("application_id"))
CUSTOMER_APPLICATIONS = (
    core_select(CREDIT_APPLICATION)
    .select_from(CUSTOMER.outerjoin(CREDIT_APPLICATION, CREDIT_APPLICATION.c.customer_id == CUSTOMER.c.id))
    .where(CUSTOMER.c.id == bindparam("customer_id"))
    .order_by(CREDIT_APPLICATION.c.received_at, CREDIT_APPLICATION.c.id)
)
APPLICATION_DECISIONS = (
    core_select(CREDIT_DECISION)
    .select_from(
        CREDIT_APPLICATION.outerjoin(CREDIT_DECISION, CREDIT_DECISION.c.application_id == CREDIT_APPLICATION.c.id)
    )
    .where(CREDIT_APPLICATION.c.id == bindparam("application_id"))
    .order_by(CREDIT_DECISION.c.decided_at, CREDIT_DECISION.c.id)
)
