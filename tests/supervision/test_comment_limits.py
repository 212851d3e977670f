"""A reviewer's comment is bounded and plain text wherever the decision comes from (web, API, CLI):
`ApprovalQueue.decide` refuses anything else and records nothing, on both backends."""

from __future__ import annotations

import pytest

from supervision import MAX_COMMENT_LENGTH, ApprovalQueue, AuditLog, InvalidComment
from tests.supervision.supervision_helpers import OFFICER, submission


@pytest.mark.parametrize(
    ("comment", "says"),
    [
        ("r" * (MAX_COMMENT_LENGTH + 1), f"keep it within {MAX_COMMENT_LENGTH:,}"),
        ("income\x00not verified", "NUL"),
        ("income \ud800 not verified", "lone surrogate"),
    ],
)
def test_a_comment_too_long_or_not_plain_text_is_refused_and_nothing_recorded(
    queue: ApprovalQueue, audit: AuditLog, comment: str, says: str
) -> None:
    queue.submit(submission())
    before = [entry.kind for entry in audit.entries("p-1")]
    for verdict in ("reject", "approve"):
        with pytest.raises(InvalidComment, match=says):
            queue.decide("p-1", OFFICER, verdict, comment=comment)
    item = queue.get("p-1")
    assert (item.status, item.reviews) == ("pending", [])
    assert [entry.kind for entry in audit.entries("p-1")] == before


def test_a_comment_at_the_limit_is_kept_whole(queue: ApprovalQueue) -> None:
    queue.submit(submission())
    comment = "é" * MAX_COMMENT_LENGTH
    item = queue.decide("p-1", OFFICER, "reject", comment=comment)
    assert item.status == "rejected"
    assert [review.comment for review in item.reviews] == [comment]
