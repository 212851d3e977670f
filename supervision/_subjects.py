"""The subjects a proposal names (customers, applications, orders): written with the proposal, read with
it, and looked up the other way, from a subject to the proposals that name it.

A proposal's subjects are what its agent declared (`ProposalSubmission.subjects`) plus its customer, each
once. They are handed out sorted by kind and id, in Python, so every backend and the submission agree.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence

from sqlalchemy import Select, bindparam, delete, insert, select
from sqlalchemy.engine import Connection

from supervision._tables import PROPOSAL_SUBJECT
from supervision._views import ProposalSubmission, Subject

CUSTOMER = "customer"
"""The subject kind of a customer: the one that GDPR erasure and the customer filters look for."""

_BATCH = 500
"""Ids per IN list when reading many proposals' subjects (SQLite caps the parameters of a statement)."""

_SUBJECTS_OF = select(PROPOSAL_SUBJECT.c.kind, PROPOSAL_SUBJECT.c.subject_id).where(
    PROPOSAL_SUBJECT.c.proposal_id == bindparam("proposal_id")
)


def _chunks(ids: Collection[str]) -> Iterator[Sequence[str]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _BATCH):
        yield ordered[start : start + _BATCH]


def subjects_of(sub: ProposalSubmission) -> tuple[Subject, ...]:
    """What `sub` names: its declared subjects plus its customer (if not declared), each once, sorted."""
    found = {(s.kind, s.id): s for s in sub.subjects}
    if sub.customer_id:
        found.setdefault((CUSTOMER, sub.customer_id), Subject(kind=CUSTOMER, id=sub.customer_id))
    return tuple(found[key] for key in sorted(found))


def write_subjects(connection: Connection, proposal_id: str, subjects: Iterable[Subject]) -> None:
    """Record the subjects of a proposal just inserted, in the insert's transaction."""
    rows = [{"proposal_id": proposal_id, "kind": s.kind, "subject_id": s.id} for s in subjects]
    if rows:
        connection.execute(insert(PROPOSAL_SUBJECT), rows)


def add_subjects(connection: Connection, proposal_id: str, subjects: Iterable[Subject]) -> None:
    """Record subjects an edit brought into a proposal, skipping those it already names."""
    have = set(subjects_by_id(connection, proposal_id))
    write_subjects(connection, proposal_id, sorted(set(subjects) - have, key=lambda s: (s.kind, s.id)))


def _sorted(pairs: Iterable[tuple[str, str]]) -> tuple[Subject, ...]:
    return tuple(Subject(kind=kind, id=subject_id) for kind, subject_id in sorted(pairs))


def subjects_by_id(connection: Connection, proposal_id: str) -> tuple[Subject, ...]:
    """The subjects one proposal names, sorted by kind and id (one primary-key range read)."""
    return _sorted((row.kind, row.subject_id) for row in connection.execute(_SUBJECTS_OF, {"proposal_id": proposal_id}))


def subjects_by_ids(connection: Connection, proposal_ids: Collection[str]) -> dict[str, tuple[Subject, ...]]:
    """The subjects of each of `proposal_ids` (a proposal naming none is left out), in few queries."""
    found: dict[str, list[tuple[str, str]]] = {}
    columns = (PROPOSAL_SUBJECT.c.proposal_id, PROPOSAL_SUBJECT.c.kind, PROPOSAL_SUBJECT.c.subject_id)
    for chunk in _chunks(proposal_ids):
        statement = select(*columns).where(PROPOSAL_SUBJECT.c.proposal_id.in_(chunk))
        for row in connection.execute(statement):
            found.setdefault(row.proposal_id, []).append((row.kind, row.subject_id))
    return {proposal_id: _sorted(pairs) for proposal_id, pairs in found.items()}


def naming(kind: str, subject_ids: Collection[str]) -> Select[tuple[str]]:
    """The ids of the proposals that name any of `subject_ids` as a `kind`: a range of the subject index."""
    return select(PROPOSAL_SUBJECT.c.proposal_id).where(
        PROPOSAL_SUBJECT.c.kind == kind, PROPOSAL_SUBJECT.c.subject_id.in_(sorted(set(subject_ids)))
    )


def named_subjects(connection: Connection, kind: str, subject_ids: Collection[str]) -> set[str]:
    """Those of `subject_ids` that some proposal names as a `kind`."""
    found: set[str] = set()
    for chunk in _chunks(subject_ids):
        statement = select(PROPOSAL_SUBJECT.c.subject_id).where(
            PROPOSAL_SUBJECT.c.kind == kind, PROPOSAL_SUBJECT.c.subject_id.in_(chunk)
        )
        found.update(str(value) for value in connection.execute(statement).scalars())
    return found


def forget(connection: Connection, kind: str, subject_ids: Collection[str]) -> int:
    """Delete every row naming one of `subject_ids` as a `kind` (an erased customer); how many went."""
    deleted = 0
    for chunk in _chunks(subject_ids):
        statement = delete(PROPOSAL_SUBJECT).where(
            PROPOSAL_SUBJECT.c.kind == kind, PROPOSAL_SUBJECT.c.subject_id.in_(chunk)
        )
        deleted += connection.execute(statement).rowcount
    return deleted
