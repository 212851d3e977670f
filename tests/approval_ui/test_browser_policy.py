"""In Chromium: an ops manager changes a policy threshold, previews the what-if, saves it, sees the new version.

Screenshots land in tests/artifacts/ (policy-what-if.png, policy-saved.png).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.approval_ui.policy_helpers import AGENT, BAND_1, WIDER, replay_history
from tests.approval_ui.test_browser import ARTIFACTS, DESKTOP, browser, server
from tests.approval_ui.web_helpers import Web, password_of

__all__ = ["browser", "server"]  # the fixtures, shared with the other browser tests


@pytest.fixture(scope="module", autouse=True)
def history(web: Web) -> None:
    replay_history(web)


def test_an_ops_manager_changes_a_policy_threshold_and_sees_the_what_if(
    web: Web, server: str, browser: Browser
) -> None:
    store = web.steward.policy_store
    base = store.latest(AGENT)
    expected = store.what_if(AGENT, base.text.replace(BAND_1, WIDER)).total
    assert expected.newly_automated > 0
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)  # plain forms, no script
    page = context.new_page()
    page.goto(f"{server}/login")
    page.get_by_label("User name").fill("ops")
    page.get_by_label("Password").fill(password_of("ops"))
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("navigation").get_by_role("link", name="Policies").click()
    expect(page.get_by_role("heading", name="Policies")).to_be_visible()
    page.get_by_role("link", name=AGENT).click()
    expect(page.get_by_role("heading", name=f"Policy: {AGENT}")).to_be_visible()

    editor = page.get_by_label("Policy YAML")
    editor.fill(editor.input_value().replace(BAND_1, WIDER))  # band_1: up to DM 10,000 and 12% PD
    page.get_by_role("button", name="Preview what-if").click()  # no reason needed to preview
    expect(page.get_by_role("heading", name=f"What-if on the last {expected.cases} proposals")).to_be_visible()
    expect(page.locator("#newly-automated")).to_have_text(str(expected.newly_automated))
    expect(page.locator("#automated-overridden")).to_have_text(
        f"{expected.automated_overridden} of {expected.automated_reviewed} reviewed"
    )
    expect(page.locator("#what-if-total")).to_contain_text(f"{expected.current.auto} → {expected.candidate.auto}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "policy-what-if.png"), full_page=True)
    assert store.latest(AGENT).version == base.version  # the preview saved nothing

    page.get_by_label("Reason for the change").fill("Band 1 up to DM 10,000 after the Q3 review")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text(f"Saved as version {base.version + 1}")
    expect(page.locator("#version-in-force")).to_have_text(str(base.version + 1))
    newest = page.locator("#history tbody tr").first
    expect(newest).to_contain_text("Band 1 up to DM 10,000 after the Q3 review")
    expect(newest).to_contain_text("ops")
    expect(newest).to_contain_text("in force")
    expect(page.get_by_label("Policy YAML")).to_have_value(store.latest(AGENT).text)
    page.screenshot(path=str(ARTIFACTS / "policy-saved.png"), full_page=True)
    context.close()

    saved = store.latest(AGENT)
    assert (saved.version, saved.author) == (base.version + 1, "ops")
    assert WIDER in saved.text and BAND_1 not in saved.text
    assert (
        web.steward.runtimes["credit_approval"].step.policy.version == saved.label
    )  # the running agent's gate uses it now
