"""What the web app needs from an installation: the same services the CLI uses, typed as a protocol.

`approval_ui` sits below the composition root, so it never builds these itself; `steward` hands it a
function that opens them (`open_steward`), and tests may hand it one they already opened.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from ipaddress import ip_network
from typing import Protocol

from sqlalchemy.engine import Engine

from agents import Supervisor
from core import Clock
from customers import CustomerRepository
from policies import Policy
from supervision import ApprovalQueue, AuditLog, AutonomyStore, EvalReportStore, PolicyStore, RoleCatalog, UserDirectory


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
    roles: RoleCatalog
    """The installation's roles: what each allows on every page and endpoint (`steward` loads its roles files)."""
    session_max_age: timedelta = timedelta(hours=8)
    """How long a login lasts (unless logged out or revoked before)."""
    login_window: timedelta = timedelta(hours=1)
    """How long a failed login counts against the user name (see `approval_ui/_throttle.py`)."""
    login_free_failures: int = 3
    """Failures per user name and client before each further attempt waits 1 s, 2 s, 4 s, ..."""
    login_max_delay: timedelta = timedelta(minutes=15)
    """The longest wait between attempts of one client."""
    login_user_ceiling: int = 50
    """Failures per user name within `login_window` after which only the user's known browsers may try."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For/-Proto headers are believed;
    from anyone else those headers are ignored. Empty: none (the peer address is the client)."""
    page_size: int = 50

    def __post_init__(self) -> None:
        if len(self.session_secret) < 32:
            raise ValueError("session_secret must be at least 32 characters of random text")
        for proxy in self.trusted_proxies:
            try:
                ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"trusted proxy {proxy!r} is not an IP address or network (CIDR)") from None
