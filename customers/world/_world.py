"""What every system's generator shares: the people, the borrowed records, the seed and the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from customers.world._borrowed import CreditRows
from customers.world._draws import stream
from customers.world._malformed import Breaker
from customers.world._population import Population
from customers.world._records import Ledger
from customers.world._vocabulary import Vocabulary


@dataclass(frozen=True, slots=True)
class World:
    seed: int
    as_of: date
    population: Population
    vocabulary: Vocabulary
    credit: CreditRows
    ledger: Ledger
    events: bool
    """Write activity (orders, tickets, e-mail events...); without it only people and accounts are written."""
    malformed: bool

    def rng(self, name: str) -> np.random.Generator:
        return stream(self.seed, name)

    def breaker(self, name: str) -> Breaker:
        return Breaker(stream(self.seed, f"malformed/{name}"), self.ledger, enabled=self.malformed)
