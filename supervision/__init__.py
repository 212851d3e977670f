"""Persistence of supervision: the approval queue, reviewers' verdicts, the execution ledger,
outcomes, KPI snapshots, autonomy state and the hash-chained audit log.

Importing the package registers its tables on `SQLModel.metadata`. Every operation opens its own
session on the engine it was given; time comes from the injected clock.
"""

import supervision._tables  # noqa: F401  (registers every table on SQLModel.metadata)
from supervision._audit import AuditDraft, AuditLog, SubjectMatch
from supervision._autonomy import AutonomyStore
from supervision._browse import QueueBrowser
from supervision._errors import (
    ActionMismatch,
    AlreadyExecuted,
    ApprovalConflict,
    AutonomyConflict,
    AutonomyRequestClosed,
    EditDenied,
    NotExecutable,
    ProposalExpired,
    SupervisionError,
    WeakPassword,
)
from supervision._history import DecisionHistory, SettledCase
from supervision._kpi import MAX_SERIES_DAYS, KpiStore
from supervision._logins import LoginFailures
from supervision._policies import (
    LivePolicy,
    PolicyChangeRefused,
    PolicyConflict,
    PolicyStore,
    PolicyVersion,
    PolicyVersionInfo,
)
from supervision._priority import priority_of
from supervision._queue import ApprovalQueue
from supervision._reports import EvalMetric, EvalReport, EvalReportStore
from supervision._users import MIN_PASSWORD_LENGTH, UserDirectory
from supervision._views import (
    AuditChainStatus,
    AuditEntry,
    AuditPage,
    AuditVerification,
    AutonomyChangeView,
    AutonomyRequestStatus,
    AutonomyRequestView,
    AutonomyStateView,
    ExecutionClaim,
    KpiBucket,
    KpiSeries,
    OutcomeLabel,
    ProposalSubmission,
    QueueItem,
    QueuePage,
    QueuePosition,
    QueuePriority,
    QueueRow,
    QueueSort,
    QueueStatus,
    ReviewView,
    SlaDue,
    UserView,
)

__all__ = [
    "MAX_SERIES_DAYS",
    "MIN_PASSWORD_LENGTH",
    "ActionMismatch",
    "AlreadyExecuted",
    "ApprovalConflict",
    "ApprovalQueue",
    "AuditChainStatus",
    "AuditDraft",
    "AuditEntry",
    "AuditLog",
    "AuditPage",
    "AuditVerification",
    "AutonomyChangeView",
    "AutonomyConflict",
    "AutonomyRequestClosed",
    "AutonomyRequestStatus",
    "AutonomyRequestView",
    "AutonomyStateView",
    "AutonomyStore",
    "DecisionHistory",
    "EditDenied",
    "EvalMetric",
    "EvalReport",
    "EvalReportStore",
    "ExecutionClaim",
    "KpiBucket",
    "KpiSeries",
    "KpiStore",
    "LivePolicy",
    "LoginFailures",
    "NotExecutable",
    "OutcomeLabel",
    "PolicyChangeRefused",
    "PolicyConflict",
    "PolicyStore",
    "PolicyVersion",
    "PolicyVersionInfo",
    "ProposalExpired",
    "ProposalSubmission",
    "QueueBrowser",
    "QueueItem",
    "QueuePage",
    "QueuePosition",
    "QueuePriority",
    "QueueRow",
    "QueueSort",
    "QueueStatus",
    "ReviewView",
    "SettledCase",
    "SlaDue",
    "SubjectMatch",
    "SupervisionError",
    "UserDirectory",
    "UserView",
    "WeakPassword",
    "priority_of",
]
