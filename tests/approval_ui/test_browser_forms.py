"""The generated decision forms in Chromium: with every form opened, every control has a label, also for
an action whose arguments hold a list of objects, an enum, a yes/no and a list of texts; and such a form
posted with mistakes comes back as a 422 with the message and what was typed.

The credit agent's `approve_credit` is shown here with a test-only argument model (`ShipOrderArgs`), so
the page renders fields of every kind for a real pending proposal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, ViewportSize, expect

from approval_ui import UiOptions, create_app
from steward import Settings
from tests.approval_ui.test_browser import DESKTOP, PHONE, _log_in, _shot, browser, server
from tests.approval_ui.test_browser_a11y import UNLABELLED
from tests.approval_ui.test_forms import ShipOrderArgs
from tests.approval_ui.web_helpers import BUNDLED_ROLES, SECRET, Web, csrf_of, web_installation

__all__ = ["browser", "server"]

AGENT = "credit_approval"


@pytest.fixture(scope="module")
def web(module_settings: Settings) -> Iterator[Web]:
    """Pending credit proposals, served by an app whose `approve_credit` takes `ShipOrderArgs`."""
    with web_installation(module_settings, small=4, large=0) as installed:
        supervisor = installed.steward.supervisor
        runtime = supervisor.agents[AGENT]
        spec = replace(runtime.step.actions["approve_credit"], args_model=ShipOrderArgs)
        step = replace(runtime.step, actions={**runtime.step.actions, "approve_credit": spec})
        agents = {**supervisor.agents, AGENT: replace(runtime, step=step)}
        steward = replace(installed.steward, supervisor=replace(supervisor, agents=agents))
        app = create_app(lambda: nullcontext(steward), UiOptions(session_secret=SECRET, roles=BUNDLED_ROLES))
        with TestClient(app):  # the app's lifespan: the state the served app uses
            yield replace(installed, steward=steward, app=app)


def _approving(web: Web) -> str:
    return next(p for p in web.small if web.steward.queue.get(p).action == "approve_credit")


OPEN_ALL = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
CONTROLS = "() => document.querySelectorAll('form input:not([type=hidden]), form select, form textarea').length"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "phone"])
def test_every_control_of_the_generated_forms_has_a_label(
    web: Web, server: str, browser: Browser, viewport: ViewportSize
) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    _log_in(page, server, "officer")
    page.goto(f"{server}/proposals/{_approving(web)}")
    page.evaluate(OPEN_ALL)
    expect(page.locator("fieldset#edit-lines legend").first).to_contain_text("Order lines")
    expect(page.get_by_label("Speed")).to_have_value("")  # a required choice without a value: "—"
    expect(page.get_by_label("Unit price (EUR)")).to_have_count(1)  # the blank row offered to add one
    assert page.evaluate(CONTROLS) > 12  # the edit form plus a form per other action
    assert page.evaluate(UNLABELLED) == []
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner + 1  # no sideways scrolling, rows and all
    _shot(page, f"proposal-generated-forms-{viewport['width']}")
    context.close()


def test_a_list_of_objects_posted_with_mistakes_comes_back_as_a_422_keeping_what_was_typed(web: Web) -> None:
    proposal_id = _approving(web)
    officer = web.logged_in("officer")
    page = officer.get(f"/proposals/{proposal_id}").text
    assert 'name="arg_lines.0.sku"' in page and 'name="arg_order_id"' not in page  # read-only: never posted
    posted = {
        "verdict": "edit",
        "csrf_token": csrf_of(page),
        "arg_speed": "express",
        "arg_lines.0.sku": "A-1",
        "arg_lines.0.quantity": "two",
    }
    refused = officer.post(f"/proposals/{proposal_id}/decision", data=posted)
    assert refused.status_code == 422
    assert "Order lines, row 1: Quantity must be a whole number, not &#39;two&#39;" in refused.text
    assert '<details class="decide-more" open>' in refused.text
    assert 'name="arg_lines.0.quantity" type="number" step="1" value="two"' in refused.text
    assert '<option value="express" selected>' in refused.text
    rows = {f"arg_lines.{i}.{column}": text for i in range(5) for column, text in (("sku", "S"), ("quantity", "1"))}
    too_many = officer.post(f"/proposals/{proposal_id}/decision", data=posted | rows)
    assert too_many.status_code == 422 and "Order lines has more than 4 rows" in too_many.text
    # Well-formed, the edit reaches the Supervisor, which validates it with the model like any edit.
    reached = officer.post(f"/proposals/{proposal_id}/decision", data=posted | {"arg_lines.0.quantity": "2"})
    assert reached.status_code == 400
    assert "order_id: Field required" in reached.text
    assert web.steward.queue.get(proposal_id).reviews == []
