"""Limits on the free text people write into supervision's records, the same from the web, the API and the CLI."""

from __future__ import annotations

from supervision._errors import InvalidComment

MAX_COMMENT_LENGTH = 2000
"""At most this many characters in a reviewer's comment (a rejection's reason): a few paragraphs."""


def checked_comment(comment: str | None) -> str | None:
    """`comment` if both databases can keep it and it is within `MAX_COMMENT_LENGTH`; else `InvalidComment`."""
    if comment is None:
        return None
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidComment(
            f"is {len(comment):,} characters long; keep it within {MAX_COMMENT_LENGTH:,} and put longer notes "
            "in the case file"
        )
    if "\x00" in comment:
        raise InvalidComment("contains a NUL character; send plain text")
    try:
        comment.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidComment("is not valid Unicode text (a lone surrogate); send plain text") from None
    return comment
