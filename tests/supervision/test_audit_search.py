"""Searching the audit log (filters, keyset pages both ways) and the cached chain status, on both backends."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from supervision import AuditDraft, AuditLog, AuditPage
from tests.supervision.supervision_helpers import START, RacingClock

# (kind, subject, actor) of entries 1..10, one minute apart from START.
ENTRIES = [
    ("proposal.submitted", "p-1", "credit"),
    ("gate.decided", "p-1", "policy"),
    ("proposal.submitted", "p-10", "credit"),
    ("gate.decided", "p-10", "policy"),
    ("review.decided", "p-1", "olga"),
    ("autonomy.changed", "credit/approve_credit", "ladder"),
    ("proposal.submitted", "p_2", "credit"),
    ("proposal.submitted", "P-3", "credit"),
    ("review.decided", "p-10", "oscar"),
    ("autonomy.changed", "credit/decline_credit", "mia"),
]


def _fill(engine: Engine, audit: AuditLog, clock: RacingClock) -> None:
    for kind, subject, actor in ENTRIES:
        with Session(engine) as session:
            audit.append_all(session, [AuditDraft(kind=kind, subject=subject, actor=actor, payload={})])
            session.commit()
        clock.advance(timedelta(minutes=1))


def _seqs(page: AuditPage) -> list[int]:
    return [entry.seq for entry in page.entries]


def test_search_filters_newest_first(engine: Engine, audit: AuditLog, clock: RacingClock) -> None:
    _fill(engine, audit, clock)

    assert _seqs(audit.search()) == list(range(10, 0, -1))
    assert _seqs(audit.search(kind="proposal.submitted")) == [8, 7, 3, 1]
    assert _seqs(audit.search(actor="policy")) == [4, 2]
    assert _seqs(audit.search(subject="p-1")) == [5, 2, 1]
    assert _seqs(audit.search(subject="p-1", subject_match="prefix")) == [9, 5, 4, 3, 2, 1]
    # A prefix is literal ("_" and "%" are no wildcards) and case-sensitive.
    assert _seqs(audit.search(subject="p_", subject_match="prefix")) == [7]
    assert _seqs(audit.search(subject="p%", subject_match="prefix")) == []
    assert _seqs(audit.search(subject="p-", subject_match="prefix")) == [9, 5, 4, 3, 2, 1]  # not P-3
    assert _seqs(audit.search(subject="credit/", subject_match="prefix")) == [10, 6]
    assert _seqs(audit.search(kind="review.decided", subject="p-1", subject_match="prefix")) == [9, 5]
    # `since` inclusive, `until` exclusive.
    window = audit.search(since=START + timedelta(minutes=2), until=START + timedelta(minutes=5))
    assert _seqs(window) == [5, 4, 3]
    assert [entry.at for entry in window.entries] == [START + timedelta(minutes=m) for m in (4, 3, 2)]
    assert audit.search(kind="nothing.like.this") == AuditPage(entries=[], older_than=None, newer_than=None)


def test_search_pages_older_and_newer_without_gaps(engine: Engine, audit: AuditLog, clock: RacingClock) -> None:
    _fill(engine, audit, clock)

    first = audit.search(limit=4)
    assert (_seqs(first), first.older_than, first.newer_than) == ([10, 9, 8, 7], 7, None)
    second = audit.search(limit=4, before_seq=first.older_than)
    assert (_seqs(second), second.older_than, second.newer_than) == ([6, 5, 4, 3], 3, 6)
    last = audit.search(limit=4, before_seq=second.older_than)
    assert (_seqs(last), last.older_than, last.newer_than) == ([2, 1], None, 2)
    back = audit.search(limit=4, after_seq=last.newer_than)
    assert (_seqs(back), back.older_than, back.newer_than) == ([6, 5, 4, 3], 3, 6)
    top = audit.search(limit=4, after_seq=back.newer_than)
    assert (_seqs(top), top.older_than, top.newer_than) == ([10, 9, 8, 7], 7, None)

    submitted = audit.search(kind="proposal.submitted", limit=2)
    assert (_seqs(submitted), submitted.older_than) == ([8, 7], 7)
    older = audit.search(kind="proposal.submitted", limit=2, before_seq=7)
    assert (_seqs(older), older.older_than, older.newer_than) == ([3, 1], None, 3)


def test_chain_status_walks_in_full_then_checks_only_what_was_appended(
    engine: Engine, audit: AuditLog, clock: RacingClock
) -> None:
    _fill(engine, audit, clock)
    first = audit.chain_status(max_age=timedelta(hours=1))
    assert (first.verification.ok, first.verification.count, first.walked_at) == (True, 10, clock.now())
    walked_at = first.walked_at

    with Session(engine) as session:
        audit.append(session, kind="k", subject="s", actor="a", payload={"n": 1})
        session.commit()
    clock.advance(timedelta(minutes=5))
    extended = audit.chain_status(max_age=timedelta(hours=1))
    assert extended.verification == audit.verify()
    assert (extended.verification.count, extended.walked_at, extended.checked_at) == (11, walked_at, clock.now())

    # A change inside the verified part waits for the next full walk...
    with engine.begin() as connection:
        connection.execute(text("UPDATE supervision_audit SET actor = 'mallory' WHERE seq = 4"))
    assert audit.chain_status(max_age=timedelta(hours=1)).verification.ok
    clock.advance(timedelta(hours=1))
    walked = audit.chain_status(max_age=timedelta(hours=1))
    assert (walked.verification.ok, walked.verification.first_bad_seq, walked.walked_at) == (False, 4, clock.now())


def test_chain_status_sees_a_changed_head_and_a_bad_new_entry_at_once(
    engine: Engine, audit: AuditLog, clock: RacingClock
) -> None:
    _fill(engine, audit, clock)
    assert audit.chain_status().verification.ok
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM supervision_audit WHERE seq = 10"))
    truncated = audit.chain_status().verification
    assert (truncated.ok, truncated.first_bad_seq) == (False, 10)
    assert truncated.reason is not None and "changed or removed" in truncated.reason


def test_chain_status_checks_each_appended_entry(engine: Engine, audit: AuditLog, clock: RacingClock) -> None:
    _fill(engine, audit, clock)
    assert audit.chain_status().verification.ok
    with Session(engine) as session:
        audit.append_all(session, [AuditDraft(kind="k", subject="s", actor="a", payload={"n": n}) for n in range(3)])
        session.commit()
    with engine.begin() as connection:
        connection.execute(text("UPDATE supervision_audit SET kind = 'forged' WHERE seq = 12"))
    status = audit.chain_status().verification
    assert (status.ok, status.first_bad_seq, status.count) == (False, 12, 12)
    assert status.reason is not None and "modified" in status.reason
