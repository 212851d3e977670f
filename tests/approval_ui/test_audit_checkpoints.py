"""The audit page reports the signed checkpoints with the chain: a cut tail under a checkpoint shows as broken."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from sqlalchemy import text

from tests.approval_ui.web_helpers import Web


def test_the_audit_page_shows_the_checkpoints_and_a_cut_tail_below_one(web: Web) -> None:
    auditor = web.logged_in("auditor")
    checkpoint = web.steward.audit.checkpoint()
    web.clock.advance(timedelta(minutes=11))  # the page's next view walks the chain in full
    html = auditor.get("/audit").text
    assert "Chain intact" in html and "1 signed checkpoint verified." in html

    with web.steward.engine.begin() as conn:
        conn.execute(text("DELETE FROM supervision_audit WHERE seq > :cut"), {"cut": checkpoint.seq - 2})
    web.clock.advance(timedelta(minutes=11))
    html = unescape(auditor.get("/audit").text)
    assert "Chain intact" not in html
    assert "Chain BROKEN: its signed checkpoints do not hold up." in html
    assert f"anchors entry {checkpoint.seq}, but the chain ends at entry {checkpoint.seq - 2}" in html
