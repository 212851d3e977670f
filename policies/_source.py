"""Where the policy in force comes from, so a changed policy applies without a restart.

The gate asks its `PolicySource` for the policy on every decision: the supervision store answers with
the latest saved version (falling back to the file); tests and tools that judge one fixed file use
`FixedPolicy`.
"""

from dataclasses import dataclass
from typing import Protocol

from policies._engine import Policy


class PolicySource(Protocol):
    """Hands out the policy in force now for one agent."""

    def current(self) -> Policy:
        """The policy to judge the next decision with."""
        ...


@dataclass(frozen=True)
class FixedPolicy:
    """A source that always hands out the same policy (a file loaded once)."""

    policy: Policy

    def current(self) -> Policy:
        return self.policy
