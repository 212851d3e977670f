"""Identity resolution on staged person records: links to customers, automatic merges, merge candidates.

Every run resolves all current person records together, so a record that arrives today can join a
customer created last year. Links are sticky: a record stays with its customer until a person
splits it off, and a group of records that now clearly belongs together merges the customers it
spans into the oldest one, unless a person has said those customers are different people. Pairs in
the uncertain band become merge candidates for a person to confirm or reject.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, insert, select

from core import JsonValue
from customers._merge import RecordKey, merge_customers, record_ref
from customers._source_tables import CUSTOMER_LINK, IDENTITY_DECISION, STAGED
from customers._tables import CUSTOMER

if TYPE_CHECKING:
    import pandas as pd

    from customers.identity import Resolution

PERSON_COLUMNS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
    "email",
    "phone",
)
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


def person_frame(fields: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Person records in the matcher's layout (FEBRL columns plus e-mail and phone)."""
    import pandas as pd

    columns: dict[str, list[str]] = {name: [] for name in PERSON_COLUMNS}
    for values in fields:
        for column, name in _FROM_FIELD.items():
            value = values.get(name)
            columns[column].append("" if value is None else str(value))
        dob = values.get("date_of_birth")
        columns["date_of_birth"].append(str(dob).replace("-", "") if dob else "")
    return pd.DataFrame(columns)


def _people(connection: Connection) -> tuple[list[RecordKey], list[dict[str, Any]]]:
    rows = connection.execute(
        select(STAGED.c.source_system, STAGED.c.entity, STAGED.c.record_id, STAGED.c.fields)
        .where(STAGED.c.role == "person", STAGED.c.is_current.is_(True))
        .order_by(STAGED.c.source_system, STAGED.c.entity, STAGED.c.record_id)
    )
    keys: list[RecordKey] = []
    fields: list[dict[str, Any]] = []
    for row in rows:
        keys.append((row.source_system, row.entity, row.record_id))
        fields.append(row.fields)
    return keys, fields


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


def resolve_and_link(
    connection: Connection, now: datetime, *, auto_from: float, review_from: float
) -> ResolutionReport:
    keys, fields = _people(connection)
    report = ResolutionReport(person_records=len(keys))
    if not keys:
        return report
    from customers.identity import resolve_people  # pandas and rapidfuzz load only when resolving

    links = _links(connection)
    resolution: Resolution = resolve_people(person_frame(fields), auto_from=auto_from, review_from=review_from)
    cluster = np.asarray(resolution.cluster, dtype=np.int64)
    n_clusters = int(cluster.max()) + 1 if len(cluster) else 0

    # Sticky links: clusters holding records of one existing customer belong together.
    groups = _Groups(n_clusters)
    first_cluster_of: dict[str, int] = {}
    for position, key in enumerate(keys):
        customer = links.get(key)
        if customer is None:
            continue
        label = int(cluster[position])
        seen = first_cluster_of.setdefault(customer, label)
        groups.union(seen, label)
    members: dict[int, list[int]] = defaultdict(list)
    for position in range(len(keys)):
        members[groups.find(int(cluster[position]))].append(position)

    created = dict(connection.execute(select(CUSTOMER.c.id, CUSTOMER.c.created_at)).all())
    distinct = _distinct_customers(connection, links)
    reasons = _link_reasons(resolution, len(keys))
    new_links: list[dict[str, Any]] = []
    customer_of = [""] * len(keys)
    for positions in members.values():
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
            connection.execute(insert(CUSTOMER).values(id=target, created_at=now, merged_into=None))
            created[target] = now
            report.new_customers += 1
        for p in positions:
            key = keys[p]
            if key in links:
                customer_of[p] = links[key]
                continue
            customer_of[p] = target
            links[key] = target
            new_links.append(
                {
                    "source_system": key[0],
                    "entity": key[1],
                    "record_id": key[2],
                    "customer_id": target,
                    "reason": reasons[p] if len(positions) > 1 else "new customer",
                    "linked_at": now,
                }
            )
    for start in range(0, len(new_links), 5000):
        connection.execute(insert(CUSTOMER_LINK), new_links[start : start + 5000])
    report.new_links = len(new_links)
    report.customers = len(set(customer_of))
    report.candidates = _candidates(connection, resolution, keys, customer_of)
    return report


def _link_reasons(resolution: Resolution, n: int) -> list[str]:
    """Why each record joined its cluster: the strongest kind of link it has."""
    strength = {"tax_id": 4, "email": 3, "phone": 2, "probabilistic": 1}
    best: list[tuple[int, str]] = [(0, "same cluster")] * n
    for link in resolution.links:
        label = link.reason if link.reason != "probabilistic" else f"probabilistic match p={link.probability:.3f}"
        rank = strength.get(link.reason, 0)
        for position in (link.left, link.right):
            if rank > best[position][0]:
                best[position] = (rank, label if link.reason == "probabilistic" else f"same {link.reason}")
    return [reason for _, reason in best]


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
