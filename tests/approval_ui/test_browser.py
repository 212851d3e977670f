"""A real browser (Debian's Chromium through Playwright) against the app served by uvicorn.

Screenshots of the main pages land in tests/artifacts/ (ignored by git).
"""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from tests.approval_ui.web_helpers import Web, password_of

CHROMIUM = Path("/usr/bin/chromium")  # what Debian's `chromium` package installs (dpkg -L chromium)
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=390, height=844)


@pytest.fixture(scope="module")
def server(web: Web) -> Iterator[str]:
    """The app on a free local port; the socket listens before the thread starts, so no waiting is needed."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    config = uvicorn.Config(web.app, log_level="warning", lifespan="off", access_log=False)
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    served.should_exit = True
    thread.join(timeout=30)
    sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.fail("Chromium is missing: run scripts/ensure-chromium.sh (make test does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


def _log_in(page: Page, server: str, user: str) -> None:
    page.goto(f"{server}/login")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password_of(user))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Approval queue")).to_be_visible()


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_an_officer_logs_in_and_approves_a_proposal_end_to_end(web: Web, server: str, browser: Browser) -> None:
    proposal_id = web.small[7]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{server}/queue")  # not logged in: the login form, which comes back here afterwards
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    _shot(page, "login")
    page.get_by_label("User name").fill("officer")
    page.get_by_label("Password").fill(password_of("officer"))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Approval queue")).to_be_visible()
    _shot(page, "queue")

    page.locator(f'a[href="/proposals/{proposal_id}"]').click()
    expect(page.get_by_role("heading", name="Evidence and lineage")).to_be_visible()
    expect(page.locator("#status")).to_have_text("pending")
    _shot(page, "proposal")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Approved")
    expect(page.locator("#status")).to_have_text("executed")
    _shot(page, "proposal-executed")
    context.close()
    assert web.steward.queue.get(proposal_id).status == "executed"


def test_an_auditor_cannot_decide(web: Web, server: str, browser: Browser) -> None:
    proposal_id = web.large[2]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    _log_in(page, server, "auditor")
    page.goto(f"{server}/proposals/{proposal_id}")
    expect(page.get_by_text("your role does not decide proposals")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    _shot(page, "proposal-auditor-phone")
    page.goto(f"{server}/audit")
    expect(page.get_by_role("status")).to_contain_text("Chain intact")
    context.close()
    assert web.steward.queue.get(proposal_id).status == "pending"


def test_reject_and_approve_work_with_javascript_disabled_and_the_keyboard(
    web: Web, server: str, browser: Browser
) -> None:
    rejected, approved = web.small[3], web.small[4]
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    _log_in(page, server, "officer")

    page.goto(f"{server}/proposals/{rejected}")
    page.get_by_role("button", name="Reject").click()  # no reason given
    expect(page.get_by_role("alert")).to_contain_text("A rejection needs a reason")
    page.get_by_label("Reason (required to reject").fill("Income could not be verified")
    page.get_by_role("button", name="Reject").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("rejected")

    page.goto(f"{server}/proposals/{approved}")
    page.get_by_role("button", name="Approve").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("executed")
    context.close()
    assert web.steward.queue.get(rejected).status == "rejected"
    assert web.steward.queue.get(approved).status == "executed"


def test_an_officer_over_their_limit_is_refused_and_a_senior_approves(web: Web, server: str, browser: Browser) -> None:
    proposal_id = web.large[0]  # above the officer's 5,000 limit, within the senior's
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    _log_in(page, server, "officer")
    page.goto(f"{server}/proposals/{proposal_id}")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("not yours to make")
    expect(page.locator("#status")).to_have_text("pending")
    _shot(page, "proposal-over-limit")
    context.close()

    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    _log_in(page, server, "senior")
    page.goto(f"{server}/proposals/{proposal_id}")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator("#status")).to_have_text("executed")
    context.close()
    item = web.steward.queue.get(proposal_id)
    assert (item.status, item.decided_by) == ("executed", "senior")


def test_a_second_officer_deciding_a_decided_proposal_sees_the_conflict(
    web: Web, server: str, browser: Browser
) -> None:
    proposal_id = web.small[0]
    first, second = browser.new_context(viewport=DESKTOP), browser.new_context(viewport=PHONE)
    page1, page2 = first.new_page(), second.new_page()
    _log_in(page1, server, "officer")
    _log_in(page2, server, "officer2")
    page1.goto(f"{server}/proposals/{proposal_id}")
    page2.goto(f"{server}/proposals/{proposal_id}")  # both see it pending
    page1.get_by_role("button", name="Approve", exact=True).click()
    expect(page1.locator("#status")).to_have_text("executed")

    page2.get_by_label("Reason (required to reject").fill("Address does not match")
    page2.get_by_role("button", name="Reject").click()
    expect(page2.get_by_role("alert")).to_contain_text("Someone else decided first")
    expect(page2.get_by_role("alert")).to_contain_text("officer")
    _shot(page2, "proposal-conflict-phone")
    first.close()
    second.close()
    item = web.steward.queue.get(proposal_id)
    assert (item.status, [r.reviewer for r in item.reviews]) == ("executed", ["officer"])


def test_an_officer_requests_information_instead_of_deciding(web: Web, server: str, browser: Browser) -> None:
    proposal_id = web.small[1]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    _log_in(page, server, "officer")
    page.goto(f"{server}/proposals/{proposal_id}")
    expect(page.get_by_role("heading", name="Similar past decisions")).to_be_visible()
    page.get_by_text("Replace with: Request information", exact=True).click()  # opens the <details>
    page.get_by_label("Items").fill("Last three payslips\nProof of address")
    page.get_by_role("button", name="Request information instead").click()
    expect(page.get_by_role("status")).to_contain_text("Your replacement action was gated again")
    expect(page.locator("#replaced")).to_contain_text("Request information")
    _shot(page, "proposal-information-requested")
    context.close()
    item = web.steward.queue.get(proposal_id)
    assert (item.status, item.runs, item.arguments["items"]) == (
        "executed",
        "request_information",
        ["Last three payslips", "Proof of address"],
    )
