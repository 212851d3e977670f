"""The ops manager in a real browser: opens the autonomy dashboard, reads the charts, signs off a promotion.

Uses the server and Chromium of test_browser.py; screenshots at 1280×800 and at phone width land in
tests/artifacts/.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from policies import LadderChange
from supervision import AutonomyRequestView
from tests.approval_ui.test_browser import DESKTOP, PHONE, _log_in, _shot, browser, server
from tests.approval_ui.web_helpers import Web

__all__ = ["browser", "server"]  # the fixtures, shared with test_browser.py

AGENT, ACTION = "credit_approval", "approve_credit"


@pytest.fixture(scope="module")
def waiting(web: Web) -> AutonomyRequestView:
    """Reviews and outcomes recorded for real, then a promotion of approve_credit waiting for sign-off."""
    supervisor = web.steward.supervisor
    approvals = [p for p in web.small if web.steward.queue.get(p).action == ACTION]
    web.clock.advance(timedelta(hours=2))
    for proposal_id in approvals[:-1]:
        supervisor.decide(proposal_id, reviewer_id="officer", verdict="approve")
        supervisor.record_outcome(proposal_id, "good")
    supervisor.decide(approvals[-1], reviewer_id="officer", verdict="reject", comment="income not verified")
    level, kpi = supervisor.ladder_state(AGENT, ACTION)
    assert (level, kpi.reviewed, kpi.agreed) == ("shadow", len(approvals), len(approvals) - 1)
    return web.steward.autonomy.request_promotion(
        LadderChange(
            agent=AGENT,
            action=ACTION,
            from_level=level,
            to_level="review_all",
            direction="promote",
            reason=f"{kpi.reviewed_since_change} cases reviewed since the last change.",
            kpi=kpi,
        )
    )


def test_the_ops_manager_reads_the_charts_and_signs_off_a_promotion_without_javascript(
    web: Web, server: str, browser: Browser, waiting: AutonomyRequestView
) -> None:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    _log_in(page, server, "ops")
    page.get_by_role("link", name="Autonomy").click()
    expect(page.get_by_role("heading", name="Autonomy", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="1 promotion waiting for sign-off")).to_be_visible()

    card = page.locator(f"#{AGENT}-{ACTION}")
    agreement = card.get_by_role("img", name="Agreement with reviewers")
    expect(agreement).to_be_visible()
    box = agreement.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 150  # drawn, at a readable size
    expect(card.get_by_role("img")).to_have_count(6)
    expect(card.locator("svg circle.point")).not_to_have_count(0)  # today's agreement is plotted
    card.get_by_text("Data: Agreement with reviewers").click()  # the table behind the chart, no script needed
    expect(card.locator("table.chart-data").first).to_be_visible()

    request = page.locator(f"#request-{waiting.id}")
    expect(request.get_by_role("heading", name="Promotion to review_all waits for sign-off")).to_be_visible()
    page.goto(f"{server}/autonomy#request-{waiting.id}")
    _shot(page, "autonomy-dashboard")

    request.get_by_label("Note").fill("Checked a sample of the approvals.")
    request.get_by_role("button", name="Approve promotion").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Promotion approved: credit_approval.approve_credit moved from shadow to review_all."
    )
    expect(card.locator(".ladder [aria-current=step]")).to_have_text("review_all")
    expect(card.locator("table.history tbody tr")).to_have_count(1)
    expect(card.locator("table.history")).to_contain_text("Signed off by ops")
    expect(page.locator(f"#request-{waiting.id}")).to_have_count(0)
    _shot(page, "autonomy-signed-off")
    context.close()

    signed = web.steward.autonomy.request(waiting.id)
    assert (signed.status, signed.decided_by, signed.note) == ("approved", "ops", "Checked a sample of the approvals.")
    assert web.steward.autonomy.level(AGENT, ACTION, default="shadow") == "review_all"


def test_the_dashboard_fits_a_phone(web: Web, server: str, browser: Browser, waiting: AutonomyRequestView) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    _log_in(page, server, "ops")
    page.goto(f"{server}/autonomy?days=30")
    chart = page.locator(f"#{AGENT}-{ACTION}").get_by_role("img", name="Reviewer backlog")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and 300 < box["width"] <= PHONE["width"]
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow == 0, f"the page scrolls sideways by {overflow}px at phone width"
    _shot(page, "autonomy-phone")
    context.close()
