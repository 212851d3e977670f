"""What tools receive: a typed context with the repositories, the clock and the plug points."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from core import Clock
from customers import CustomerRepository, FulfilmentRepository

FeatureValue = str | int | float


class ReasonCodeLike(Protocol):
    """One reason behind a credit score (adverse-action style), as a credit model reports it."""

    @property
    def code(self) -> str: ...
    @property
    def feature(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def contribution(self) -> float: ...


class CreditScoreLike(Protocol):
    """The result of a credit model; `decision` is the model's own cut-off decision, not the agent's."""

    @property
    def probability_of_default(self) -> float: ...
    @property
    def score(self) -> int: ...
    @property
    def decision(self) -> str: ...
    @property
    def cutoff(self) -> float: ...
    @property
    def reason_codes(self) -> Sequence[ReasonCodeLike]: ...
    @property
    def model_version(self) -> str: ...


class CreditScorer(Protocol):
    """A credit model fed with the 20 German credit attributes (see `customers.CREDIT_FEATURES`)."""

    def assess(self, features: Mapping[str, FeatureValue]) -> CreditScoreLike: ...


class GrantVerifier(Protocol):
    """The supervision layer's answer to: was this exact action approved and claimed for execution?"""

    def verify_claim(self, proposal_id: str, action_hash: str) -> str:
        """The idempotency key of the claimed execution of `action_hash` under `proposal_id`.

        Raises (a `StewardError`) when no such execution was claimed.
        """
        ...


@dataclass(frozen=True)
class ToolContext:
    """Everything a tool may use; built at the entry point and passed in, never global."""

    customers: CustomerRepository
    clock: Clock
    scorer: CreditScorer | None
    grants: GrantVerifier
    fulfilment: FulfilmentRepository | None = None
    """Orders, warehouses, stock, carriers and shipments; None when the installation has no source
    configuration yet (the fulfilment tools then say so)."""
