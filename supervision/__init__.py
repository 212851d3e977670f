"""Persistence of supervision: the approval queue, reviewers' verdicts, the execution ledger,
outcomes, KPI snapshots, autonomy state and the hash-chained audit log.

Importing the package registers its tables on `SQLModel.metadata`. Every operation opens its own
session on the engine it was given; time comes from the injected clock.
"""

import supervision._tables  # noqa: F401  (registers every table on SQLModel.metadata)
from supervision._audit import AuditDraft, AuditLog
from supervision._autonomy import AutonomyStore
from supervision._browse import QueueBrowser
from supervision._errors import (
    ActionMismatch,
    AlreadyExecuted,
    ApprovalConflict,
    AutonomyConflict,
    EditDenied,
    NotExecutable,
    ProposalExpired,
    SupervisionError,
    WeakPassword,
)
from supervision._kpi import KpiStore
from supervision._queue import ApprovalQueue
from supervision._users import MIN_PASSWORD_LENGTH, UserDirectory
from supervision._views import (
    AuditEntry,
    AuditVerification,
    AutonomyChangeView,
    AutonomyStateView,
    ExecutionClaim,
    OutcomeLabel,
    ProposalSubmission,
    QueueItem,
    QueuePage,
    QueuePosition,
    QueueRow,
    QueueStatus,
    ReviewView,
    UserView,
)

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "ActionMismatch",
    "AlreadyExecuted",
    "ApprovalConflict",
    "ApprovalQueue",
    "AuditDraft",
    "AuditEntry",
    "AuditLog",
    "AuditVerification",
    "AutonomyChangeView",
    "AutonomyConflict",
    "AutonomyStateView",
    "AutonomyStore",
    "EditDenied",
    "ExecutionClaim",
    "KpiStore",
    "NotExecutable",
    "OutcomeLabel",
    "ProposalExpired",
    "ProposalSubmission",
    "QueueBrowser",
    "QueueItem",
    "QueuePage",
    "QueuePosition",
    "QueueRow",
    "QueueStatus",
    "ReviewView",
    "SupervisionError",
    "UserDirectory",
    "UserView",
    "WeakPassword",
]
