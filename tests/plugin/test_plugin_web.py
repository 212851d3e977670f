"""The tests' own agent on the web: the queue, the proposal page (figures, generated edit form, replace
with the other action), the policy editor and what-if, the autonomy dashboard."""

from __future__ import annotations

import json
import re

from tests.approval_ui.web_helpers import csrf_of
from tests.plugin.plugin_world import (
    APPROVED,
    BATCHES,
    DEEP,
    EDITED,
    EXTENDED,
    KEPT,
    MAIN,
    NEWCOMER,
    REPLACED_BY_API,
    REPLACED_BY_FORM,
    SHOWN,
    Web,
)
from tests.plugin.sample_agent import NAME


def test_the_queue_lists_the_batches_and_filters_them_by_a_customer_inside_the_lines(web: Web) -> None:
    dispatcher = web.logged_in("dispatcher")
    page = dispatcher.get("/queue", params={"agent": NAME})
    assert page.status_code == 200
    ids = {web.item(batch).id for batch in BATCHES}
    assert set(re.findall(r'href="/proposals/([0-9a-f-]{36})"', page.text)) >= ids
    assert page.text.count(f"{NAME} · ") >= len(BATCHES)

    by_customer = dispatcher.get("/queue", params={"customer": DEEP.customer_id, "status": ""})
    assert set(re.findall(r'href="/proposals/([0-9a-f-]{36})"', by_customer.text)) == {web.item(SHOWN).id}
    customer = dispatcher.get(f"/customers/{DEEP.customer_id}")
    assert customer.status_code == 200 and f'href="/proposals/{web.item(SHOWN).id}"' in customer.text


def _section(page: str, start: str, end: str) -> str:
    at = page.index(start)
    return page[at : page.index(end, at)]


def test_the_proposal_page_shows_the_figures_an_edit_form_and_the_other_action(web: Web) -> None:
    item = web.item(SHOWN)
    page = web.logged_in("dispatcher").get(f"/proposals/{item.id}").text
    figures = _section(page, 'id="figures"', "</dl>")
    assert "<dt>Carrier</dt><dd>parcel_post</dd>" in figures
    assert "<dt>Items</dt><dd>9 pcs</dd>" in figures
    assert "<dt>Customers</dt><dd>2</dd>" in figures

    edit = _section(page, "<summary>Approve with changes</summary>", "</form>")
    carrier = _section(edit, '<select id="edit-carrier" name="arg_carrier">', "</select>")
    assert re.findall(r'<option value="([a-z_]+)"( selected)?>', carrier) == [
        ("parcel_post", " selected"),
        ("express", ""),
        ("freight", ""),
    ]
    assert '<label for="edit-carrier">Carrier' in edit
    assert '<fieldset id="edit-orders" class="rows">' in edit and "<legend>Order lines" in edit
    for row, line in enumerate(SHOWN["orders"]):
        for key, label in (("order_id", "Order"), ("customer_id", "Customer"), ("recipient", "Recipient")):
            assert f'<label for="edit-orders-{row}-{key}">{label}' in edit
            assert f'name="arg_orders.{row}.{key}" value="{line[key]}"' in edit
        assert f'<label for="edit-orders-{row}-quantity">Quantity' in edit
        assert f'name="arg_orders.{row}.quantity" type="number" step="1" value="{line["quantity"]}"' in edit
    assert 'name="arg_orders.3.order_id" value=""' in edit  # a blank row to add one
    assert 'name="arg_batch_id"' not in edit and 'id="edit-batch_id"' in edit  # shown, not editable

    replace_form = _section(page, "<summary>Replace with: Hold the batch</summary>", "</form>")
    assert '<input type="hidden" name="edited_action" value="hold_batch">' in replace_form
    assert "Keep the batch back and say why." in replace_form
    assert '<label for="replace-hold_batch-reason">Reason' in replace_form
    assert 'name="arg_reason"' in replace_form
    assert 'id="replace-hold_batch-batch_id" value="B-100" readonly' in replace_form
    assert page.count("<summary>Replace with: ") == 1  # the agent's one other action


def _error(page: str) -> str:
    """The refusal the proposal page shows."""
    found = re.search(r'id="decision-error">([^<]*)<', page)
    assert found is not None, "the page shows no refusal"
    return found.group(1)


def _posted_edit_form(page: str) -> dict[str, str]:
    """What a browser posts from the "Approve with changes" form as the page shows it."""
    form = _section(page, "<summary>Approve with changes</summary>", "</form>")
    fields = dict(re.findall(r'<input id="[^"]+" name="([^"]+)" (?:type="number" step="1" )?value="([^"]*)"', form))
    carrier = _section(form, 'name="arg_carrier">', "</select>")
    selected = re.search(r'<option value="([a-z_]+)" selected>', carrier)
    assert selected is not None
    return fields | {"arg_carrier": selected.group(1), "verdict": "edit", "csrf_token": csrf_of(page)}


def test_editing_the_order_lines_in_the_form_is_gated_again_and_runs(web: Web) -> None:
    item = web.item(EDITED)
    dispatcher = web.logged_in("dispatcher")
    page = dispatcher.get(f"/proposals/{item.id}").text
    posted = _posted_edit_form(page)
    assert posted["arg_orders.1.recipient"] == KEPT.name and posted["arg_orders.2.order_id"] == ""

    bad = dispatcher.post(f"/proposals/{item.id}/decision", data=posted | {"arg_orders.0.quantity": "1.5"})
    assert bad.status_code == 422
    assert "Order lines, row 1: Quantity must be a whole number, not &#39;1.5&#39;" in bad.text
    too_many = dispatcher.post(f"/proposals/{item.id}/decision", data=posted | {"arg_orders.0.quantity": "1001"})
    assert too_many.status_code == 400  # the argument model's bound, checked by the Supervisor
    assert _error(too_many.text) == (
        "The change cannot be applied: orders.0.quantity: Input should be less than or equal to 1000."
    )
    assert web.steward.queue.get(item.id).status == "pending"

    changes = {
        "arg_carrier": "express",
        "arg_orders.0.quantity": "3",
        **{"arg_orders.1.order_id": "", "arg_orders.1.customer_id": "", "arg_orders.1.recipient": ""},
        "arg_orders.1.quantity": "",  # emptied: the line is dropped
        "reason": "Express for the first order; the second waits for stock.",
    }
    done = dispatcher.post(f"/proposals/{item.id}/decision", data=posted | changes)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=edit")
    decided = web.steward.queue.get(item.id)
    assert decided.status == "executed" and decided.runs == "ship_batch"
    assert decided.arguments == {
        "batch_id": "B-200",
        "carrier": "express",
        "orders": [MAIN.line("B-200-O1", 3)],
    }
    assert decided.edited_action is None  # the proposed action runs, with the reviewer's lines
    assert [(r.reviewer, r.verdict) for r in decided.reviews] == [("dispatcher", "edit")]
    assert decided.execution_result is not None
    assert (decided.execution_result["action"], decided.execution_result["lines"]) == ("ship_batch", 1)
    shown = dispatcher.get(f"/proposals/{item.id}").text
    assert "<dt>Carrier</dt><dd>express</dd>" in shown and "<dt>Items</dt><dd>3 pcs</dd>" in shown
    assert 'id="replaced"' not in shown


def test_the_replace_form_puts_hold_batch_in_place_and_gates_it_again(web: Web) -> None:
    item = web.item(REPLACED_BY_FORM)
    dispatcher = web.logged_in("dispatcher")
    page = dispatcher.get(f"/proposals/{item.id}").text
    posted = {"verdict": "edit", "edited_action": "hold_batch", "csrf_token": csrf_of(page)}

    empty = dispatcher.post(f"/proposals/{item.id}/decision", data=posted | {"arg_reason": ""})
    assert (empty.status_code, _error(empty.text)) == (422, "Reason needs a value.")
    assert re.search(r'<details class="decide-more replace" open>\s*<summary>Replace with: Hold', empty.text)
    assert web.steward.queue.get(item.id).status == "pending"
    forged = dispatcher.post(f"/proposals/{item.id}/decision", data=posted | {"arg_reason": "x", "arg_batch_id": "B-9"})
    assert forged.status_code == 400 and "batch_id of hold_batch cannot be changed by a reviewer" in forged.text

    done = dispatcher.post(
        f"/proposals/{item.id}/decision", data=posted | {"arg_reason": "The carrier strikes today.", "reason": "strike"}
    )
    assert done.status_code == 303 and done.headers["location"].endswith("?done=replace")
    decided = web.steward.queue.get(item.id)
    assert (decided.status, decided.action, decided.runs) == ("executed", "ship_batch", "hold_batch")
    assert decided.arguments == {"batch_id": "B-300", "reason": "The carrier strikes today."}
    assert [(r.reviewer, r.verdict, r.edited_action, r.comment) for r in decided.reviews] == [
        ("dispatcher", "edit", "hold_batch", "strike")
    ]
    assert decided.execution_result is not None and decided.execution_result["action"] == "hold_batch"
    shown = dispatcher.get(f"/proposals/{item.id}").text
    assert "A reviewer replaced Ship the batch with <strong>Hold the batch</strong>." in shown
    assert "<dt>Reason</dt><dd>The carrier strikes today.</dd>" in _section(shown, 'id="figures"', "</dl>")


def test_the_api_replaces_the_action_and_refuses_what_the_models_refuse(web: Web) -> None:
    item = web.item(REPLACED_BY_API)
    url = f"/api/proposals/{item.id}/decision"
    api = web.api("dispatcher")
    for body, text in (
        ({"verdict": "edit", "edited_action": "hold_batch", "arguments": {}}, "reason: Field required"),
        ({"verdict": "edit", "arguments": {"carrier": "rocket"}}, "carrier: Input should be 'parcel_post', "),
        ({"verdict": "edit", "arguments": {"orders": [{"order_id": "X"}]}}, "orders.0.recipient: Field required"),
        ({"verdict": "edit", "edited_action": "launch_batch", "arguments": {}}, "has no action 'launch_batch'"),
    ):
        refused = api.post(url, json=body)
        assert (refused.status_code, refused.json()["code"]) == (400, "invalid_edit"), refused.text
        assert text in refused.json()["detail"]
    ops = web.api("ops").post(url, json={"verdict": "approve"})  # an ops manager, not named by the policy
    assert ops.status_code == 403 and ops.json()["code"] == "not_yours"
    assert web.steward.queue.get(item.id).reviews == []

    done = api.post(url, json={"verdict": "edit", "edited_action": "hold_batch", "arguments": {"reason": "Fog."}})
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["action"], body["edited_action"], body["arguments"]) == (
        "executed",
        "ship_batch",
        "hold_batch",
        {"batch_id": "B-400", "reason": "Fog."},
    )


def test_an_edit_that_adds_a_customer_names_them_too(web: Web) -> None:
    item = web.item(EXTENDED)
    lines = [KEPT.line("B-600-O1", 1), NEWCOMER.line("B-600-O2", 1)]
    done = web.api("dispatcher").post(
        f"/api/proposals/{item.id}/decision", json={"verdict": "edit", "arguments": {"orders": lines}}
    )
    assert done.status_code == 200, done.text
    assert NEWCOMER.name in json.dumps(web.steward.queue.get(item.id).arguments)  # the line is in the proposal
    assert [i.id for i in web.steward.queue.list(customer_ids=[NEWCOMER.customer_id])] == [item.id]


def _candidate(text: str) -> str:
    """The agent's policy with its hard limit lowered to five items and made a denial."""
    limit = '    when: "batch.quantity > 100"\n    outcome: review\n'
    assert text.count(limit) == 1, "the sample policy changed: update the test's text"
    return text.replace(limit, '    when: "batch.quantity > 5"\n    outcome: deny\n')


def test_the_policy_editor_shows_the_policy_and_its_what_if_replays_the_batches(web: Web) -> None:
    ops = web.logged_in("ops")
    page = ops.get(f"/policies/{NAME}")
    assert page.status_code == 200
    assert f"<h1>Policy: {NAME}</h1>" in page.text and "many_customers" in page.text
    assert f'href="/policies/{NAME}"' in ops.get("/policies").text
    text = web.api("ops").get(f"/api/policies/{NAME}").json()["text"]
    candidate = _candidate(text)

    preview = ops.post(f"/policies/{NAME}/preview", data={"text": candidate, "csrf_token": csrf_of(page.text)})
    assert preview.status_code == 200
    row = _section(preview.text, '<th scope="row">ship_batch</th>', "</tr>")
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    # Every batch replayed as proposed, at shadow; the candidate denies the one of nine items.
    n = len(BATCHES)
    assert cells == [str(n), "0 → 0", f"{n} → {n - 1}", "0 → 1", "0", "0 of 0 reviewed"]

    report = web.api("ops").post(f"/api/policies/{NAME}/what-if", json={"text": candidate})
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["agent"] == NAME and body["total"]["cases"] == len(BATCHES)
    assert [line["action"] for line in body["actions"]] == ["ship_batch"]  # what the agent proposed
    assert (body["total"]["current"]["deny"], body["total"]["candidate"]["deny"], body["total"]["changed"]) == (0, 1, 1)
    assert [(case["proposal_id"], case["candidate"], case["candidate_matched"]) for case in body["examples"]] == [
        (web.item(SHOWN).id, "deny", "large_batch")
    ]

    misspelt = candidate.replace("quantity > 5", "quantiy > 5")
    typo = web.api("ops").post(f"/api/policies/{NAME}/what-if", json={"text": misspelt})
    assert typo.status_code == 400 and typo.json()["code"] == "invalid_policy"
    assert "batch.quantiy" in typo.json()["detail"] and "batch.quantity" in typo.json()["detail"]


def test_the_autonomy_dashboard_shows_both_actions_and_counts_the_reviews(web: Web) -> None:
    item = web.item(APPROVED)
    dispatcher = web.logged_in("dispatcher")
    page = dispatcher.get(f"/proposals/{item.id}").text
    approved = dispatcher.post(
        f"/proposals/{item.id}/decision", data={"verdict": "approve", "csrf_token": csrf_of(page)}
    )
    assert approved.status_code == 303 and web.steward.queue.get(item.id).status == "executed"

    dashboard = dispatcher.get("/autonomy")
    assert dashboard.status_code == 200
    for action in ("ship_batch", "hold_batch"):
        assert f'id="{NAME}-{action}-h">{NAME} · {action} <span class="badge level">shadow</span>' in dashboard.text
    rows = {(row["agent"], row["action"]): row for row in web.api("dispatcher").get("/api/autonomy").json()}
    ship = rows[(NAME, "ship_batch")]
    assert (ship["level"], ship["levels"]) == ("shadow", ["shadow", "review_all", "band_1"])
    reviewed = [i for i in web.steward.queue.list(agent=NAME, limit=100) if i.action == "ship_batch" and i.reviews]
    assert ship["kpi"]["reviewed"] == len(reviewed) >= 1
    assert ship["kpi"]["agreed"] == sum(1 for i in reviewed if i.reviews[-1].verdict == "approve") >= 1
    assert rows[(NAME, "hold_batch")]["levels"] == ["shadow", "review_all"]
    series = web.api("dispatcher").get(f"/api/autonomy/{NAME}/ship_batch/series")
    assert series.status_code == 200 and series.json()["action"] == "ship_batch"
