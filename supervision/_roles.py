"""Reviewer roles as data: each role's description and permissions, declared in roles files.

The permission names are a closed vocabulary (`Permission`), defined here once; the roles are not: a
deployment declares its own or overrides bundled ones in a roles file (`supervision/_role_file.py`), and
each agent's policy names the roles that may decide its actions (`check_policy_roles` holds the two
together). A `RoleCatalog` is the loaded, checked, immutable result, which the web app asks what a
user's roles allow and the CLI asks whether a role exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal, get_args

from core import ConfigurationError
from policies import Policy

Permission = Literal[
    "queue.read",
    "proposal.read",
    "proposal.decide",
    "customer.read",
    "autonomy.read",
    "audit.read",
    "policy.read",
    "policy.write",
    "autonomy.signoff",
    "eval.read",
]
"""What a role may do on the web app and the API; every route checks one of these."""
PERMISSIONS: Final[tuple[Permission, ...]] = get_args(Permission)

ROLE_NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,62}")
"""A role name: lower-case letters, digits and underscores, starting with a letter, at most 63 characters."""


@dataclass(frozen=True)
class Role:
    """One reviewer role: what it is for, what it may do, and the roles file that declared it."""

    name: str
    description: str
    permissions: frozenset[Permission]
    source: str


class UnknownRole(ConfigurationError):
    """Roles were named (a user's, a policy's) that no roles file declares."""

    def __init__(self, message: str, roles: tuple[str, ...]) -> None:
        super().__init__(message)
        self.roles = roles


@dataclass(frozen=True)
class RoleCatalog:
    """Every role of an installation, in the order declared (bundled first, then the deployment's own)."""

    roles: tuple[Role, ...]
    sources: tuple[str, ...] = ()
    """The roles files read, in order (for messages that say where to declare a role)."""
    _by_name: Mapping[str, Role] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, Role] = {}
        for role in self.roles:
            if not ROLE_NAME.fullmatch(role.name):
                raise ConfigurationError(f"{role.source}: {role.name!r} is not a role name ({ROLE_NAME.pattern})")
            if role.name in by_name:
                raise ConfigurationError(f"{role.source}: the role {role.name!r} is declared twice")
            unknown = sorted(set(role.permissions) - set(PERMISSIONS))
            if unknown:
                raise ConfigurationError(f"{role.source}: role {role.name!r} has unknown permission(s) {unknown}")
            by_name[role.name] = role
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))

    def extended(self, roles: Iterable[Role], source: str) -> RoleCatalog:
        """This catalog with `roles` added; one with the name of a role here replaces it in its place."""
        added = {role.name: role for role in roles}
        kept = tuple(added.pop(role.name, role) for role in self.roles)
        return RoleCatalog(kept + tuple(added.values()), (*self.sources, source))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[Role]:
        return iter(self.roles)

    def __len__(self) -> int:
        return len(self.roles)

    def get(self, name: str) -> Role | None:
        return self._by_name.get(name)

    def permissions_of(self, roles: Iterable[str]) -> frozenset[Permission]:
        """Everything `roles` allow together; a role the catalog does not declare allows nothing."""
        granted: frozenset[Permission] = frozenset()
        for name in roles:
            role = self._by_name.get(name)
            if role is not None:
                granted |= role.permissions
        return granted

    def unknown(self, roles: Iterable[str]) -> tuple[str, ...]:
        """The names among `roles` that the catalog does not declare, sorted, each once."""
        return tuple(sorted({name for name in roles if name not in self._by_name}))

    def require(self, roles: Iterable[str]) -> None:
        """Raise `UnknownRole`, listing the declared roles, when any of `roles` is not declared."""
        unknown = self.unknown(roles)
        if unknown:
            raise UnknownRole(
                f"unknown role(s) {', '.join(unknown)}; roles are: {', '.join(self.names)} (declared in {self.where})",
                unknown,
            )

    @property
    def where(self) -> str:
        """The roles files read, for messages."""
        return ", ".join(self.sources) if self.sources else "no roles file"


@dataclass(frozen=True)
class NamedRole:
    """A role a policy names: in which action, and where in it (``authority.roles``, ``review.escalate_to``)."""

    action: str
    role: str
    where: str


def policy_roles(policy: Policy) -> Iterator[NamedRole]:
    """Every role `policy` names: each action's authority roles and the role its review escalates to."""
    for name, action in policy.actions.items():
        for role in action.authority.role_limits:
            yield NamedRole(name, role, "authority.roles")
        if action.review.escalate_to is not None:
            yield NamedRole(name, action.review.escalate_to, "review.escalate_to")


def check_policy_roles(policies: Mapping[str, Policy], catalog: RoleCatalog) -> None:
    """Refuse policies that name a role no roles file declares, naming the agent, the action and the role.

    A person holding an undeclared role has no permissions, so such a policy would leave its reviews to
    nobody: better refused when Steward starts than found out when a review waits.
    """
    for agent, policy in policies.items():
        for named in policy_roles(policy):
            if named.role not in catalog:
                raise UnknownRole(
                    f"the {agent} policy ({policy.source}), action {named.action!r}, names the role {named.role!r} "
                    f"in {named.where}, but no roles file declares it (roles are: {', '.join(catalog.names)}); "
                    f"declare it in a roles file (read: {catalog.where}) or correct the policy",
                    (named.role,),
                )
