"""Who may do what in the web app and the API: one table of roles and permissions, used by every route.

The table grants access to a page or endpoint; whether a person may decide a particular proposal is
then the policy's call (role limits, four eyes, no self-approval), checked when they decide.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, get_args

Role = Literal[
    "credit_officer",
    "senior_credit_officer",
    "head_of_credit",
    "ops_manager",
    "auditor",
    "engineer",
    "admin",
]
ROLES: tuple[Role, ...] = get_args(Role)

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

_CREDIT: frozenset[Permission] = frozenset(
    {"queue.read", "proposal.read", "proposal.decide", "customer.read", "autonomy.read"}
)

ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    "credit_officer": _CREDIT,
    "senior_credit_officer": _CREDIT,
    "head_of_credit": _CREDIT,
    "ops_manager": _CREDIT | {"audit.read", "policy.read", "policy.write", "autonomy.signoff", "eval.read"},
    "auditor": frozenset(
        {"queue.read", "proposal.read", "customer.read", "autonomy.read", "audit.read", "policy.read", "eval.read"}
    ),
    "engineer": frozenset({"customer.read", "autonomy.read", "policy.read", "eval.read"}),
    "admin": _CREDIT | {"audit.read", "policy.read", "policy.write", "autonomy.signoff", "eval.read"},
}


_BY_NAME: dict[str, frozenset[Permission]] = {role: granted for role, granted in ROLE_PERMISSIONS.items()}


def permissions_of(roles: Iterable[str]) -> frozenset[Permission]:
    """Everything the roles allow together; roles the table does not know allow nothing."""
    granted: frozenset[Permission] = frozenset()
    for role in roles:
        granted |= _BY_NAME.get(role, frozenset())
    return granted
