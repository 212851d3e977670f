"""An agent's part in `steward demo`: the story it tells once the generated world is ingested.

The demo (steward/_demo.py) generates the source systems, ingests them, then hands each installed agent
that declares a `DemoScenario` a `DemoContext`: its runner, the components a simulated reviewer or ops
manager drives, and the demo's clock and world. A scenario says in what it prints what it simulates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol, TypeVar

from agents._definition import AgentEnvironment
from agents._runner import AgentRunner
from agents._supervisor import Supervisor
from core import FixedClock
from customers import CustomerRepository
from supervision import ApprovalQueue, AutonomyStore

T = TypeVar("T")


class DemoProgress(Protocol):
    """Wraps a long batch so the person watching sees how far it got (on stderr: stdout is the story)."""

    def __call__(self, items: Sequence[T], label: str) -> Iterator[T]:
        """Each of `items` in turn, counted as done when the loop asks for the next one."""
        ...


@dataclass(frozen=True)
class DemoUser:
    """An account the demo creates: a display name and its roles (checked against the installation's)."""

    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class DemoContext:
    """What a scenario may use: its agent's runner and the shared components, in the demo's world."""

    runner: AgentRunner
    supervisor: Supervisor
    queue: ApprovalQueue
    autonomy: AutonomyStore
    customers: CustomerRepository
    clock: FixedClock
    """The demo's clock: a scenario moves it forward (never back) as its simulated time passes."""
    now: datetime
    """When the demo started: a scenario's simulated past ends here."""
    world: Path
    """The generated source systems' exports, with the generator's truth under ``world / "truth"``."""
    seed: int
    history: int
    """How many past inputs to replay with simulated reviewers (`--history`)."""
    new: int
    """How many new inputs to run as they would arrive today (`--new`)."""
    users: Mapping[str, DemoUser]
    """Every account the demo created (its people and each scenario's), by user id."""
    print: Callable[[str], None]
    """Says one line of the story (stdout)."""
    progress: DemoProgress

    @property
    def environment(self) -> AgentEnvironment:
        """The agent's environment (its home for trained models, the bundled datasets)."""
        return self.runner.runtime.environment

    def user_with_role(self, role: str) -> str:
        """The first demo account holding `role` (a `LookupError` when none does)."""
        for user_id, user in self.users.items():
            if role in user.roles:
                return user_id
        raise LookupError(f"no demo account has the role {role!r}")


@dataclass(frozen=True)
class DemoScenario:
    """An agent's part in `steward demo`; every part is optional."""

    play: Callable[[DemoContext], None] | None = None
    """The story, told after ingest in registry order: simulated history, new inputs, what they led to."""
    starts_at: Callable[[Path], datetime] | None = None
    """When the story starts in the generated world (given its folder): the demo's clock starts a day
    before the earliest scenario's start, so ingest and history happen in the past."""
    users: Mapping[str, DemoUser] = field(default_factory=dict)
    """The accounts the story decides as (simulated reviewers): created with the demo's, without a password."""
    review_note: str = ""
    """What a person does with the proposals the agent makes after ingest (printed with their count)."""
