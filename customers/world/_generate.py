"""generate_world: the five systems' exports and their ground truth, from a seed and a date."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType

from core import ConfigurationError
from customers.world._borrowed import read_complaints, read_credit, read_purchases
from customers.world._crm import write_crm
from customers.world._erp import write_erp
from customers.world._marketing import write_marketing
from customers.world._population import Population, System, build_population
from customers.world._records import Ledger
from customers.world._shop import write_shop
from customers.world._ticketing import write_ticketing
from customers.world._vocabulary import build_vocabulary
from customers.world._world import World


@dataclass(frozen=True, slots=True)
class WorldSummary:
    """What `generate_world` wrote: rows per (system, entity), and where the ground truth is."""

    people: int
    seed: int
    as_of: date
    counts: Mapping[tuple[System, str], int]
    truth_people: Path
    truth_records: Path
    truth_faults: Path

    def count(self, system: System, entity: str) -> int:
        return self.counts[(system, entity)]


def _write_people(path: Path, population: Population, row_ids: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("person_id", "german_credit_row", "household_id"))
        writer.writerows(
            zip(
                population.person_id.tolist(),
                [row_ids[row] for row in population.credit_row.tolist()],
                [f"H-{h + 1:06d}" for h in population.household.tolist()],
                strict=True,
            )
        )


def generate_world(
    out_dir: Path,
    *,
    people: int = 3000,
    seed: int = 7,
    as_of: date,
    data_dir: Path,
    events: bool = True,
    malformed: bool = True,
    on_progress: Callable[[str], None] | None = None,
) -> WorldSummary:
    """Write the exports of the CRM, ERP, shop, ticketing and marketing systems, and the truth behind them.

    The same arguments always give byte-identical files. With `events=False` only the people-like
    entities and CRM accounts get rows (the other files are written with their header only), for
    benchmarks of identity resolution at scale.
    """
    if people < 1:
        raise ConfigurationError(f"people must be at least 1, got {people}")
    if seed < 0:
        raise ConfigurationError(f"seed must be zero or positive, got {seed}")
    report = on_progress or (lambda _: None)
    credit = read_credit(data_dir)
    vocabulary = build_vocabulary(seed, people)
    population = build_population(seed, people, as_of, credit, vocabulary)
    ledger = Ledger(population)
    world = World(seed, as_of, population, vocabulary, credit, ledger, events=events, malformed=malformed)
    report(f"people: {people:,} in {int(population.household.max()) + 1:,} households")

    purchases = read_purchases(data_dir) if events else None
    complaints = read_complaints(data_dir) if events else None
    counts: dict[tuple[System, str], int] = {}

    def done(system: System, written: dict[str, int]) -> None:
        counts.update({(system, entity): count for entity, count in written.items()})
        report(f"{system}: " + ", ".join(f"{count:,} {entity}" for entity, count in written.items()))

    done("crm", write_crm(world, out_dir / "crm"))
    erp, sales = write_erp(world, out_dir / "erp", purchases)
    done("erp", erp)
    done("shop", write_shop(world, out_dir / "shop", sales))
    done("ticketing", write_ticketing(world, out_dir / "ticketing", complaints))
    done("marketing", write_marketing(world, out_dir / "marketing", sales))

    truth = out_dir / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    _write_people(truth / "people.csv", population, credit.column("row_id"))
    records, faults = ledger.write(truth)
    report(f"truth: {truth}")
    return WorldSummary(
        people=people,
        seed=seed,
        as_of=as_of,
        counts=MappingProxyType(counts),
        truth_people=truth / "people.csv",
        truth_records=records,
        truth_faults=faults,
    )
