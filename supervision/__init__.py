"""Persistence of supervision: the approval queue, reviewers' verdicts, the execution ledger,
outcomes, KPI snapshots, autonomy state and the hash-chained audit log.

Importing the package registers its tables on `SQLModel.metadata`. Every operation opens its own
session on the engine it was given; time comes from the injected clock.
"""

import supervision._tables  # noqa: F401  (registers every table on SQLModel.metadata)
from supervision._anchor import (
    CheckpointSchedule,
    CheckpointSigner,
    Ed25519Signer,
    checkpoint_message,
    signature_valid,
)
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
    InvalidComment,
    NotExecutable,
    ProposalExpired,
    SupervisionError,
    UserDisabled,
    WeakPassword,
)
from supervision._history import DecisionHistory, SettledCase
from supervision._kpi import MAX_SERIES_DAYS, KpiStore
from supervision._limits import MAX_COMMENT_LENGTH
from supervision._logins import LoginFailures, RecentFailures
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
from supervision._sessions import WebSessions
from supervision._users import MIN_PASSWORD_LENGTH, UserDirectory
from supervision._views import (
    AnchoredVerification,
    ApiTokenView,
    AuditChainStatus,
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    AuditPage,
    AuditVerification,
    AutonomyChangeView,
    AutonomyRequestStatus,
    AutonomyRequestView,
    AutonomyStateView,
    ExecutionClaim,
    ExpectedHead,
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
    "MAX_COMMENT_LENGTH",
    "MAX_SERIES_DAYS",
    "MIN_PASSWORD_LENGTH",
    "ActionMismatch",
    "AlreadyExecuted",
    "AnchoredVerification",
    "ApiTokenView",
    "ApprovalConflict",
    "ApprovalQueue",
    "AuditChainStatus",
    "AuditCheckpoint",
    "AuditDraft",
    "AuditEntry",
    "AuditHead",
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
    "CheckpointSchedule",
    "CheckpointSigner",
    "DecisionHistory",
    "Ed25519Signer",
    "EditDenied",
    "EvalMetric",
    "EvalReport",
    "EvalReportStore",
    "ExecutionClaim",
    "ExpectedHead",
    "InvalidComment",
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
    "RecentFailures",
    "ReviewView",
    "SettledCase",
    "SlaDue",
    "SubjectMatch",
    "SupervisionError",
    "UserDirectory",
    "UserDisabled",
    "UserView",
    "WeakPassword",
    "WebSessions",
    "checkpoint_message",
    "priority_of",
    "signature_valid",
]
