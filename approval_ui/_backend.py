"""What the web app needs from an installation: the same services the CLI uses, typed as a protocol.

`approval_ui` sits below the composition root, so it never builds these itself; `steward` hands it a
function that opens them (`open_steward`), and tests may hand it one they already opened.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy.engine import Engine

from agents import Supervisor
from core import Clock
from customers import CustomerRepository
from policies import Policy
from supervision import ApprovalQueue, AuditLog, AutonomyStore, EvalReportStore, PolicyStore, UserDirectory


class Backend(Protocol):
    """The services behind every page and endpoint (`steward.Steward` is one)."""

    @property
    def engine(self) -> Engine: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def queue(self) -> ApprovalQueue: ...
    @property
    def supervisor(self) -> Supervisor: ...
    @property
    def customers(self) -> CustomerRepository: ...
    @property
    def autonomy(self) -> AutonomyStore: ...
    @property
    def audit(self) -> AuditLog: ...
    @property
    def users(self) -> UserDirectory: ...
    @property
    def policies(self) -> Mapping[str, Policy]: ...
    @property
    def policy_store(self) -> PolicyStore: ...
    @property
    def reports(self) -> EvalReportStore: ...


OpenBackend = Callable[[], AbstractContextManager[Backend]]
"""Opens the services when the app starts and closes them when it stops."""


@dataclass(frozen=True)
class UiOptions:
    """How the web app behaves; built by the entry point, never read from the environment here."""

    session_secret: str
    """Signs session cookies; at least 32 characters. Rotating it logs everyone out."""
    session_max_age: timedelta = timedelta(hours=8)
    login_max_failures: int = 5
    """Failed logins allowed per user name and client address within `login_window`."""
    login_window: timedelta = timedelta(minutes=15)
    page_size: int = 50

    def __post_init__(self) -> None:
        if len(self.session_secret) < 32:
            raise ValueError("session_secret must be at least 32 characters of random text")
