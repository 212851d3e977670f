"""Person-like records: who each record is, and the ledger of ground truth (which person, what noise)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from customers.world._draws import Texts, texts
from customers.world._population import Population, System, system_index

Entity = Literal["contacts", "customers", "web_accounts", "requesters", "subscribers"]


@dataclass(frozen=True, slots=True)
class RecordSet:
    """The person-like records of one entity, in file order."""

    system: System
    entity: Entity
    ids: Texts
    person: NDArray[np.int64]
    duplicate: NDArray[np.bool_]
    """A second record of a person this entity already has."""

    def __len__(self) -> int:
        return len(self.ids)

    def by_person(self, people: int) -> Texts:
        """Each person's first record id in this entity ("" when the system does not know them)."""
        out = np.full(people, "", dtype=object)
        primary = ~self.duplicate
        out[self.person[primary]] = self.ids[primary]
        return out

    def uses_old(self, which: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Records of people whose old value (address, e-mail, phone) this system still holds."""
        mask: NDArray[np.bool_] = which[self.person] == system_index(self.system)
        return mask


def draw_records(
    rng: np.random.Generator,
    population: Population,
    system: System,
    entity: Entity,
    duplicate_rate: float,
    record_id: Callable[[int], str],
) -> RecordSet:
    """One record per person the system knows, plus second copies for a few, shuffled into id order."""
    people = np.flatnonzero(population.member[:, system_index(system)])
    copies = people[rng.random(len(people)) < duplicate_rate]
    person = np.concatenate([people, copies]).astype(np.int64)
    duplicate = np.concatenate([np.zeros(len(people), dtype=bool), np.ones(len(copies), dtype=bool)])
    order = rng.permutation(len(person))
    ids = texts([record_id(i) for i in range(1, len(person) + 1)])
    return RecordSet(system, entity, ids, person[order], duplicate[order])


class Ledger:
    """Ground truth as it is made: which person each record is, and what noise or fault it carries."""

    def __init__(self, population: Population) -> None:
        self._person_id = population.person_id
        self._records: list[tuple[str, str, str, str]] = []
        self._faults: list[tuple[str, str, str, str]] = []

    def records(self, records: RecordSet) -> None:
        """Note who each record is, and which record each second copy duplicates."""
        self._records += zip(
            [records.system] * len(records),
            [records.entity] * len(records),
            records.ids.tolist(),
            self._person_id[records.person].tolist(),
            strict=True,
        )
        primary = records.by_person(len(self._person_id))
        copies = np.flatnonzero(records.duplicate)
        self._faults += [
            (records.system, records.entity, record_id, f"duplicate of {original}")
            for record_id, original in zip(
                records.ids[copies].tolist(), primary[records.person[copies]].tolist(), strict=True
            )
        ]

    def fault(self, system: System, entity: str, record_ids: Sequence[str], fault: str) -> None:
        self._faults += [(system, entity, record_id, fault) for record_id in record_ids]

    def noise(self, records: RecordSet, positions: NDArray[np.int64] | Sequence[int], fault: str) -> None:
        self.fault(records.system, records.entity, records.ids[np.asarray(positions, dtype=np.int64)].tolist(), fault)

    def write(self, folder: Path) -> tuple[Path, Path]:
        records = folder / "records.csv"
        faults = folder / "faults.csv"
        _write_rows(records, ("source_system", "entity", "record_id", "person_id"), self._records)
        _write_rows(faults, ("source_system", "entity", "record_id", "fault"), self._faults)
        return records, faults


def _write_rows(path: Path, header: Sequence[str], rows: list[tuple[str, str, str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
