"""The subjects a proposal names: recorded with it, the queue's customer filter, and erasure by them (both
backends), down to the bytes of the SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from steward import create_schema, make_engine
from supervision import ApprovalQueue, AuditLog, ProposalSubmission, QueueBrowser, QueueItem, Subject
from tests.supervision.supervision_helpers import OFFICER, RacingClock, submission
from tests.trace_helpers import outside, traces_of

ERASED = "CUS-x7Q2"
"""A customer named only deep inside a batch proposal's arguments (and in its subjects)."""


def _customer(customer_id: str) -> Subject:
    return Subject(kind="customer", id=customer_id)


def _order(order_id: str) -> Subject:
    return Subject(kind="order", id=order_id)


def batch(proposal_id: str = "p-batch", *, customer_id: str | None = "CUS-main") -> ProposalSubmission:
    """An order-routing batch: its lines name customers inside a list of objects, and the agent said so."""
    return submission(proposal_id, agent="routing", action="route_orders").model_copy(
        update={
            "customer_id": customer_id,
            "arguments": {
                "orders": [
                    {"order_id": "O1", "customer_id": ERASED, "warehouse": "north"},
                    {"order_id": "O2", "customer_id": "CUS-kept", "warehouse": "south"},
                ]
            },
            "proposal": {"id": proposal_id, "lines": [{"order_id": "O1", "customer": ERASED}]},
            "facts": {"batch": {"customers": [ERASED, "CUS-kept"], "orders": 2}},
            "subjects": (_customer(ERASED), _customer("CUS-kept"), _order("O1"), _order("O2")),
        }
    )


def _subject_rows(engine: Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT proposal_id, kind, subject_id FROM supervision_proposal_subject")).all()
    return sorted((r.proposal_id, r.kind, r.subject_id) for r in rows)


def test_a_submission_records_every_subject_and_its_customer_once(engine: Engine, queue: ApprovalQueue) -> None:
    sub = batch().model_copy(
        update={"subjects": (_order("O2"), _customer(ERASED), _order("O1"), _customer("CUS-kept"), _order("O1"))}
    )
    expected = (
        _customer("CUS-kept"),
        _customer("CUS-main"),  # the proposal's own customer, though the agent did not list it
        _customer(ERASED),
        _order("O1"),
        _order("O2"),
    )
    item = queue.submit(sub)
    assert item.subjects == expected
    assert queue.get("p-batch").subjects == expected
    assert [i.subjects for i in queue.list()] == [expected]
    assert queue.submit(sub).subjects == expected  # a re-submission adds nothing...
    assert len(_subject_rows(engine)) == 5

    queue.submit(submission("p-plain"))  # ...and a proposal that declares nothing still names its customer
    queue.submit(submission("p-auto", outcome="auto").model_copy(update={"customer_id": None}))
    assert queue.get("p-plain").subjects == (_customer("cust-42"),)
    assert queue.get("p-auto").subjects == ()
    assert _subject_rows(engine)[-1] == ("p-plain", "customer", "cust-42")


def test_the_queue_filters_by_any_customer_a_proposal_names(
    engine: Engine, queue: ApprovalQueue, clock: RacingClock
) -> None:
    for n in range(5):
        sub = batch(f"p-batch-{n}") if n % 2 == 0 else submission(f"p-{n}")
        queue.submit(sub)
        clock.advance(timedelta(minutes=1))
    queue.submit(batch("p-batch-auto").model_copy(update={"gate": submission(outcome="auto").gate}))
    queue.decide("p-batch-0", OFFICER, "reject", comment="wrong warehouse")
    browser = QueueBrowser(engine, clock)

    batches = ["p-batch-auto", "p-batch-4", "p-batch-2", "p-batch-0"]
    assert [row.id for row in browser.page(customer=ERASED).rows] == batches
    assert [row.id for row in browser.page(customer="CUS-main").rows] == batches  # the main customer too
    assert [row.id for row in browser.page(customer="cust-42").rows] == ["p-3", "p-1"]
    assert browser.page(customer="O1").rows == []  # an order is not a customer
    assert browser.page(customer="CUS-nobody").rows == []
    assert [row.id for row in browser.page(customer=ERASED, status="pending").rows] == ["p-batch-4", "p-batch-2"]

    first = browser.page(customer=ERASED, sort="due", limit=2)  # keyset pages under the filter
    assert first.next_after is not None
    rest = browser.page(customer=ERASED, sort="due", limit=2, after=first.next_after)
    assert [r.id for r in [*first.rows, *rest.rows]] == ["p-batch-0", "p-batch-2", "p-batch-4", "p-batch-auto"]
    assert rest.next_after is None

    assert browser.counts(customer=ERASED) == {"pending": 2, "rejected": 1, "approved": 1}
    assert browser.counts(customer="cust-42", action="approve_credit") == {"pending": 2}
    assert [i.id for i in queue.list(customer_ids=[ERASED, "cust-42"])] == [
        "p-batch-auto",
        "p-batch-4",
        "p-3",
        "p-batch-2",
        "p-1",
        "p-batch-0",
    ]
    assert queue.list(customer_ids=[]) == []


def _decided_batch(queue: ApprovalQueue, proposal_id: str = "p-batch", **changes: object) -> QueueItem:
    """A batch approved with a comment naming the customer, executed, with a result naming them."""
    queue.submit(batch(proposal_id).model_copy(update=changes))
    queue.decide(proposal_id, OFFICER, "approve", comment=f"{ERASED} confirmed the address by phone")
    item = queue.get(proposal_id)
    queue.claim_execution(proposal_id, item.action_hash)
    return queue.complete_execution(proposal_id, {"routed": [{"order_id": "O1", "customer_id": ERASED}]})


def test_erasure_finds_a_customer_named_only_inside_a_list_of_objects(
    engine: Engine, queue: ApprovalQueue, audit: AuditLog
) -> None:
    done = _decided_batch(queue)
    assert done.status == "executed"
    queue.submit(batch("p-pending"))
    queue.submit(submission("p-other"))  # names someone else only: untouched

    redaction = queue.redact_customers([ERASED])

    assert (redaction.proposals, redaction.expired) == (2, 1)
    assert sorted(redaction.thread_ids) == ["thread-p-batch", "thread-p-pending"]
    erased = queue.get("p-batch")
    assert erased.status == "executed"
    assert erased.arguments == {"redacted": True} and erased.facts == {"redacted": True}
    assert erased.proposal == {"redacted": True, "id": "p-batch", "agent": "routing", "action": "route_orders"}
    assert erased.execution_result == {"redacted": True}
    assert [(r.verdict, r.comment) for r in erased.reviews] == [("approve", None)]
    # The erased id is gone from the subjects; the others still find the proposal.
    assert erased.subjects == (_customer("CUS-kept"), _customer("CUS-main"), _order("O1"), _order("O2"))
    assert erased.customer_id == "CUS-main"
    assert queue.get("p-pending").status == "expired"
    assert queue.get("p-other").arguments == submission("p-other").arguments
    assert queue.list(customer_ids=[ERASED]) == []
    assert [i.id for i in queue.list(customer_ids=["CUS-kept"])] == ["p-pending", "p-batch"]
    assert not any(subject_id == ERASED for *_, subject_id in _subject_rows(engine))

    # Erasing the main customer later: nothing more to redact, but their id leaves the proposals too.
    again = queue.redact_customers(["CUS-main"])
    assert (again.proposals, again.expired, again.thread_ids) == (0, 0, [])
    assert queue.get("p-batch").customer_id is None
    assert queue.get("p-batch").subjects == (_customer("CUS-kept"), _order("O1"), _order("O2"))
    assert [e.kind for e in audit.entries("p-batch")].count("proposal.redacted") == 1


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[tuple[Path, Engine]]:
    path = tmp_path / "steward.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    yield path, engine
    engine.dispose()


def _compact(engine: Engine) -> None:
    """What Steward's erasure does next on SQLite: rewrite the file and empty the log."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM"))
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def test_after_erasure_the_database_file_holds_no_trace_of_the_customer(
    sqlite_file: tuple[Path, Engine], clock: RacingClock
) -> None:
    path, engine = sqlite_file
    queue = ApprovalQueue(engine, clock, AuditLog(engine, clock))
    _decided_batch(queue)
    queue.submit(submission("p-other"))
    _compact(engine)
    held = traces_of(path, ERASED)
    assert {trace.split(":")[0] for trace in held} >= {
        "supervision_proposal",
        "supervision_proposal_subject",
        "supervision_proposal_subject index ix_supervision_proposal_subject_kind_subject",
        "supervision_review",
    }, held  # the scan sees every place the id is kept
    assert any(trace.startswith("supervision_proposal_subject: 1 value(s) in column subject_id") for trace in held)

    queue.redact_customers([ERASED, "CUS-main"])
    _compact(engine)

    assert traces_of(path, ERASED) == []
    main = traces_of(path, "CUS-main")
    assert outside(main, {"supervision_audit"}) == []  # the audit chain keeps ids by design...
    assert any(trace.startswith("supervision_audit: 1 value(s) in column payload") for trace in main), main
    assert traces_of(path, "cust-42")  # ...and the other customer's proposal is untouched
