"""Identity resolution on staged person records: links to customers, automatic merges, merge candidates.

Every run resolves all current person records together, so a record that arrives today can join a
customer created last year. Links are sticky: a record stays with its customer until a person
splits it off, and a group of records that now clearly belongs together merges the customers it
spans into the oldest one, unless a person has said those customers are different people. Pairs in
the uncertain band become merge candidates for a person to confirm or reject.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, insert, select

from core import JsonValue
from customers._merge import RecordKey, merge_customers, record_ref
from customers._source_tables import CUSTOMER_LINK, IDENTITY_DECISION, STAGED
from customers._tables import CUSTOMER

if TYPE_CHECKING:
    import pandas as pd

    from customers.identity import Resolution

_FROM_FIELD = {
    "given_name": "given_name",
    "surname": "surname",
    "street_number": "house_number",
    "address_1": "street",
    "address_2": "address_2",
    "suburb": "city",
    "postcode": "postcode",
    "state": "state",
    "soc_sec_id": "tax_id",
    "email": "email",
    "phone": "phone",
}
"""Matcher column (FEBRL layout plus contact columns) → golden-record field; date_of_birth is reformatted."""


def new_customer_id(first: RecordKey) -> str:
    """A stable id for a new customer, derived from its first record (no personal data in it)."""
    return "CUS-" + hashlib.blake2b(record_ref(first).encode(), digest_size=5).hexdigest().upper()


@dataclass(frozen=True)
class MergeCandidate:
    """Two customers that may be one person: a person confirms (merge) or rejects (keep apart)."""

    customer_id: str
    other_customer_id: str
    record: str
    other_record: str
    probability: float
    evidence: dict[str, str]

    def as_json(self) -> dict[str, JsonValue]:
        return {
            "customer_id": self.customer_id,
            "other_customer_id": self.other_customer_id,
            "record": self.record,
            "other_record": self.other_record,
            "probability": round(self.probability, 4),
            "evidence": dict(self.evidence),
        }


@dataclass
class ResolutionReport:
    person_records: int = 0
    customers: int = 0
    new_customers: int = 0
    new_links: int = 0
    merges: list[tuple[str, str]] = field(default_factory=list)
    """(kept, absorbed) customer pairs merged automatically (evidence above the automatic threshold)."""
    candidates: list[MergeCandidate] = field(default_factory=list)

    def as_json(self) -> dict[str, JsonValue]:
        return {
            "person_records": self.person_records,
            "customers": self.customers,
            "new_customers": self.new_customers,
            "new_links": self.new_links,
            "automatic_merges": [{"kept": kept, "absorbed": absorbed} for kept, absorbed in self.merges],
            "merge_candidates": len(self.candidates),
        }


_UNIQUE_COLUMNS = frozenset({"email", "phone", "soc_sec_id"})
"""Matcher columns whose values are mostly distinct; the others repeat a lot and share their strings."""
_READ_CHUNK = 20_000
_WRITE_CHUNK = 20_000


class _PersonColumns:
    """The matcher's columns, filled one record at a time; repeated values share one string object."""

    def __init__(self) -> None:
        self.columns: dict[str, list[str]] = {name: [] for name in (*_FROM_FIELD, "date_of_birth")}
        self._fields: list[tuple[str, Callable[[str], None], dict[str, str] | None]] = [
            (name, self.columns[column].append, None if column in _UNIQUE_COLUMNS else {})
            for column, name in _FROM_FIELD.items()
        ]
        self._dob = self.columns["date_of_birth"].append
        self._dobs: dict[str, str] = {}

    def add(self, values: dict[str, Any]) -> None:
        get = values.get
        for name, append, shared in self._fields:
            value = get(name)
            if value is None:
                append("")
                continue
            text = value if type(value) is str else str(value)
            append(text if shared is None else shared.setdefault(text, text))
        dob = values.get("date_of_birth")
        if dob:
            text = str(dob).replace("-", "")
            self._dob(self._dobs.setdefault(text, text))
        else:
            self._dob("")

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.columns)


def person_frame(fields: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Person records in the matcher's layout (FEBRL columns plus e-mail and phone)."""
    columns = _PersonColumns()
    for values in fields:
        columns.add(values)
    return columns.frame()


def _people(connection: Connection) -> tuple[list[RecordKey], pd.DataFrame]:
    """Every current person record's key and its matcher columns, read in chunks (no record kept whole)."""
    rows = connection.execute(
        select(STAGED.c.source_system, STAGED.c.entity, STAGED.c.record_id, STAGED.c.fields)
        .where(STAGED.c.role == "person", STAGED.c.is_current.is_(True))
        .order_by(STAGED.c.source_system, STAGED.c.entity, STAGED.c.record_id),
        execution_options={"yield_per": _READ_CHUNK},  # this statement only: a server-side cursor on PostgreSQL
    )
    keys: list[RecordKey] = []
    columns = _PersonColumns()
    names: dict[str, str] = {}
    for system, entity, record_id, fields in rows:
        keys.append((names.setdefault(system, system), names.setdefault(entity, entity), record_id))
        columns.add(fields)
    return keys, columns.frame()


def _links(connection: Connection) -> dict[RecordKey, str]:
    rows = connection.execute(
        select(
            CUSTOMER_LINK.c.source_system,
            CUSTOMER_LINK.c.entity,
            CUSTOMER_LINK.c.record_id,
            CUSTOMER_LINK.c.customer_id,
        )
    )
    return {(row.source_system, row.entity, row.record_id): row.customer_id for row in rows}


def _decisions(connection: Connection) -> set[frozenset[str]]:
    rows = connection.execute(select(IDENTITY_DECISION.c.left_record, IDENTITY_DECISION.c.right_record))
    return {frozenset((row.left_record, row.right_record)) for row in rows}


def _distinct_customers(connection: Connection, links: dict[RecordKey, str]) -> set[frozenset[str]]:
    by_ref = {record_ref(key): customer for key, customer in links.items()}
    rows = connection.execute(
        select(IDENTITY_DECISION.c.left_record, IDENTITY_DECISION.c.right_record).where(
            IDENTITY_DECISION.c.verdict == "distinct"
        )
    )
    pairs = set()
    for row in rows:
        left, right = by_ref.get(row.left_record), by_ref.get(row.right_record)
        if left and right and left != right:
            pairs.add(frozenset((left, right)))
    return pairs


class _Groups:
    """Union–find over cluster labels."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _evidence(agreement: dict[str, int]) -> dict[str, str]:
    """The matcher's agreement levels in words: missing, different, or how closely they agree."""
    words = {-1: "missing", 0: "different"}
    return {name: words.get(level, f"agrees (level {level})") for name, level in agreement.items()}


def _groups_in_order(cluster: npt.NDArray[np.int64], root: npt.NDArray[np.int64]) -> list[list[int]]:
    """Record positions grouped by the root of their cluster, each group ascending, groups by first position."""
    group_of = root[cluster]
    order = np.argsort(group_of, kind="stable")
    grouped = group_of[order]
    starts = np.flatnonzero(np.concatenate(([True], grouped[1:] != grouped[:-1])))
    ends = np.append(starts[1:], len(order))
    by_first = np.argsort(order[starts], kind="stable")
    positions = order.tolist()
    return [
        positions[start:stop] for start, stop in zip(starts[by_first].tolist(), ends[by_first].tolist(), strict=True)
    ]


def resolve_and_link(
    connection: Connection, now: datetime, *, auto_from: float, review_from: float
) -> ResolutionReport:
    keys, frame = _people(connection)
    report = ResolutionReport(person_records=len(keys))
    if not keys:
        return report
    from customers.identity import resolve_people  # pandas and rapidfuzz load only when resolving

    links = _links(connection)
    resolution: Resolution = resolve_people(frame, auto_from=auto_from, review_from=review_from)
    del frame
    cluster = np.asarray(resolution.cluster, dtype=np.int64)
    n_clusters = int(cluster.max()) + 1 if len(cluster) else 0

    # Sticky links: clusters holding records of one existing customer belong together.
    groups = _Groups(n_clusters)
    first_cluster_of: dict[str, int] = {}
    if links:
        for position, key in enumerate(keys):
            customer = links.get(key)
            if customer is None:
                continue
            label = int(cluster[position])
            seen = first_cluster_of.setdefault(customer, label)
            groups.union(seen, label)
    root = np.fromiter((groups.find(label) for label in range(n_clusters)), dtype=np.int64, count=n_clusters)
    members = _groups_in_order(cluster, root)

    created = dict(connection.execute(select(CUSTOMER.c.id, CUSTOMER.c.created_at)).all())
    distinct = _distinct_customers(connection, links)
    reasons = _link_reasons(resolution, len(keys))
    fresh: list[str] = []
    customer_of = [""] * len(keys)
    link_reason: list[str | None] = [None] * len(keys)  # why a record not linked before joins; None if linked
    for positions in members:
        existing = sorted({links[keys[p]] for p in positions if keys[p] in links}, key=lambda c: (created[c], c))
        if existing:
            target = existing[0]
            for other in existing[1:]:
                if frozenset((other, target)) in distinct:
                    continue
                merge_customers(connection, target, other, now)
                report.merges.append((target, other))
                for key, customer in list(links.items()):
                    if customer == other:
                        links[key] = target
        else:
            target = new_customer_id(keys[positions[0]])
            fresh.append(target)
            created[target] = now
            report.new_customers += 1
        single = len(positions) == 1
        for p in positions:
            known = links.get(keys[p])
            if known is not None:
                customer_of[p] = known
            else:
                customer_of[p] = target
                link_reason[p] = "new customer" if single else reasons[p]
    # New rows in key order (records come sorted by key, customer ids are sorted here): the indexes grow
    # at their end instead of at random pages, which matters at a million rows.
    fresh.sort()
    for start in range(0, len(fresh), _WRITE_CHUNK):
        rows = [
            {"id": customer, "created_at": now, "merged_into": None} for customer in fresh[start : start + _WRITE_CHUNK]
        ]
        connection.execute(insert(CUSTOMER), rows)
    new_links: list[dict[str, Any]] = []
    for p, reason in enumerate(link_reason):
        if reason is None:
            continue
        system, entity, record_id = keys[p]
        new_links.append(
            {
                "source_system": system,
                "entity": entity,
                "record_id": record_id,
                "customer_id": customer_of[p],
                "reason": reason,
                "linked_at": now,
            }
        )
        if len(new_links) >= _WRITE_CHUNK:
            connection.execute(insert(CUSTOMER_LINK), new_links)
            report.new_links += len(new_links)
            new_links.clear()
    if new_links:
        connection.execute(insert(CUSTOMER_LINK), new_links)
        report.new_links += len(new_links)
    report.customers = len(set(customer_of))
    report.candidates = _candidates(connection, resolution, keys, customer_of)
    return report


def _link_reasons(resolution: Resolution, n: int) -> list[str]:
    """Why each record joined its cluster: the strongest kind of link it has (the first such link)."""
    from customers.identity import LINK_REASONS

    strength = {"tax_id": 4, "email": 3, "phone": 2, "probabilistic": 1}
    links = resolution.links
    reason = np.asarray(links.reason, dtype=np.int64)
    rank = np.array([strength.get(name, 0) for name in LINK_REASONS], dtype=np.int64)[reason]
    # Each link touches its left record, then its right one, in link order.
    position = np.column_stack((np.asarray(links.left, dtype=np.int64), np.asarray(links.right, dtype=np.int64)))
    position = position.ravel()
    rank = np.repeat(rank, 2)
    best = np.zeros(n, dtype=np.int64)
    np.maximum.at(best, position, rank)
    labels = {strength.get(name, 0): f"same {name}" for name in LINK_REASONS if name != "probabilistic"}
    out = ["same cluster"] * n
    for level, label in labels.items():
        if level > 0:
            for p in np.flatnonzero(best == level).tolist():
                out[p] = label
    # A record whose strongest link is probabilistic is labelled with its first such link's probability.
    probabilistic = np.repeat(reason == LINK_REASONS.index("probabilistic"), 2)
    first_position, first_at = np.unique(position[probabilistic], return_index=True)
    probability = np.repeat(np.asarray(links.probability, dtype=np.float64), 2)[probabilistic][first_at]
    for p, value in zip(first_position.tolist(), probability.tolist(), strict=True):
        if best[p] == strength["probabilistic"]:
            out[p] = f"probabilistic match p={value:.3f}"
    return out


def _candidates(
    connection: Connection, resolution: Resolution, keys: list[RecordKey], customer_of: list[str]
) -> list[MergeCandidate]:
    decided = _decisions(connection)
    seen: set[frozenset[str]] = set()
    out: list[MergeCandidate] = []
    uncertain = resolution.uncertain
    for row in range(len(uncertain)):
        left_pos, right_pos = int(uncertain.left[row]), int(uncertain.right[row])
        a, b = customer_of[left_pos], customer_of[right_pos]
        if a == b or frozenset((a, b)) in seen:
            continue
        left, right = record_ref(keys[left_pos]), record_ref(keys[right_pos])
        if frozenset((left, right)) in decided:
            continue
        seen.add(frozenset((a, b)))
        first, second = sorted([(a, left), (b, right)])
        probability = float(uncertain.probability[row])
        evidence = _evidence(uncertain.agreement(row))
        out.append(MergeCandidate(first[0], second[0], first[1], second[1], probability, evidence))
    return out
