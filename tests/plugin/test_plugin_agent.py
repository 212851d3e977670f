"""An agent of the tests' own (tests/plugin/sample_agent.py and its policy), installed as a deployment installs
one (`STEWARD_AGENT_MODULES`, its role in `STEWARD_ROLES_FILE`), shows everywhere a bundled agent does: the
CLI (`agents list`, `run`, `queue list --customer`, `queue show`), the web queue, the proposal page (figures,
an edit form with a fieldset per order line and a carrier choice, "Replace with" the other action), the policy
editor and its what-if, and the autonomy dashboard. Erasing a customer named only deep inside a batch's order
lines leaves no trace of them in the database file nor in the checkpoints file.

Nothing outside tests/plugin names the agent: it is registered here by its module reference alone.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import nullcontext, redirect_stderr, redirect_stdout
from dataclasses import dataclass, replace
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from approval_ui import UiOptions, create_app
from core import JsonObject
from steward._roles import load_roles
from steward._settings import Settings
from steward._wiring import Steward, open_steward
from steward.cli import main
from supervision import QueueItem, UserDirectory
from tests.agents.flow_helpers import run_steward
from tests.approval_ui.web_helpers import FAST_HASHER, SECRET, csrf_of, login, password_of
from tests.plugin.sample_agent import BATCH_FILE, NAME
from tests.trace_helpers import outside, traces_of

MODULE = "tests.plugin.sample_agent:SAMPLE_DISPATCH"
ROLES = """\
roles:
  dispatcher:
    description: Decides dispatch proposals (ship a batch, or hold it back).
    permissions: [queue.read, proposal.read, proposal.decide, customer.read, autonomy.read]
"""
USERS: dict[str, tuple[str, ...]] = {"dispatcher": ("dispatcher",), "ops": ("ops_manager",)}
"""The dispatcher decides; the ops manager edits policies but the agent's policy gives them no authority."""


@dataclass(frozen=True)
class Person:
    customer_id: str
    given_name: str
    surname: str
    email: str

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.surname}"

    def line(self, order_id: str, quantity: int) -> dict[str, Any]:
        """An order line for this person, as the shop hands it to the dispatch agent."""
        return {"order_id": order_id, "customer_id": self.customer_id, "recipient": self.name, "quantity": quantity}


MAIN = Person("CUS-PLUG-A1", "Annelie", "Brightwater", "annelie.brightwater@example.org")
"""First by id in every batch: the proposals' own `customer_id`."""
DEEP = Person("CUS-PLUG-Z9", "Zelda", "Quennell", "zelda.quennell@example.org")
"""Named only inside order lines (`orders[].customer_id` and `.recipient`)."""
KEPT = Person("CUS-PLUG-M5", "Bartholomew", "Kettering", "b.kettering@example.org")
NEWCOMER = Person("CUS-PLUG-N7", "Nadia", "Oyelaran", "nadia.oyelaran@example.org")
"""In no batch: a reviewer adds an order line for them."""
PEOPLE = (MAIN, DEEP, KEPT, NEWCOMER)


Batch = dict[str, Any]
"""A batch as the shop leaves it in `<home>/batches.json` (the agent's `BatchInput`)."""


def _batch(batch_id: str, *lines: tuple[Person, int]) -> Batch:
    return {
        "batch_id": batch_id,
        "orders": [person.line(f"{batch_id}-O{n}", quantity) for n, (person, quantity) in enumerate(lines, start=1)],
    }


SHOWN = _batch("B-100", (MAIN, 2), (DEEP, 3), (MAIN, 4))
EDITED = _batch("B-200", (MAIN, 1), (KEPT, 2))
REPLACED_BY_FORM = _batch("B-300", (MAIN, 1))
REPLACED_BY_API = _batch("B-400", (MAIN, 2), (KEPT, 1))
APPROVED = _batch("B-500", (KEPT, 1))
EXTENDED = _batch("B-600", (KEPT, 1))
BATCHES = [SHOWN, EDITED, REPLACED_BY_FORM, REPLACED_BY_API, APPROVED, EXTENDED]
"""Only SHOWN has more than five items."""


@dataclass(frozen=True)
class Deployment:
    settings: Settings
    env: dict[str, str]


def _deploy(folder: Path, trained_scorecard: Path, batches: list[Batch]) -> Deployment:
    """An installation with the sample agent registered by module reference, the dispatcher role declared
    in the deployment's roles file, the users and customers in place and `batches` waiting."""
    home = folder / "home"
    roles = folder / "roles.yaml"
    roles.write_text(ROLES, encoding="utf-8")
    settings = Settings(
        home=home,
        database_url=f"sqlite:///{home / 'steward.sqlite'}",
        agent_modules=(MODULE,),
        roles_file=roles,
    )
    settings.model_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(trained_scorecard, settings.model_path)  # the bundled credit agent is installed too
    (home / BATCH_FILE).write_text(json.dumps(batches), encoding="utf-8")
    with open_steward(settings) as app:
        users = UserDirectory(app.engine, app.clock, hasher=FAST_HASHER)
        for user, user_roles in USERS.items():
            users.add(user, name=user.title(), roles=user_roles)
            users.set_password(user, password_of(user))
        for person in PEOPLE:
            for field in ("given_name", "surname", "email"):
                app.customers.observe(
                    person.customer_id,
                    field,
                    getattr(person, field),
                    source_system="shop",
                    source_record_id=f"shop-{person.customer_id}",
                )
    env = {
        "STEWARD_HOME": str(home),
        "STEWARD_DATABASE_URL": settings.resolved_database_url,
        "STEWARD_AGENT_MODULES": MODULE,
        "STEWARD_ROLES_FILE": str(roles),
        "STEWARD_LOG_LEVEL": "WARNING",
    }
    return Deployment(settings=settings, env=env)


def _steward(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """`steward ARGS` in this process, with the deployment's environment."""
    out, err = StringIO(), StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, trained_scorecard: Path) -> Deployment:
    return _deploy(tmp_path_factory.mktemp("plugin"), trained_scorecard, BATCHES)


@pytest.fixture(scope="module")
def first_run(deployment: Deployment) -> JsonObject:
    """`steward run sample_dispatch --json`, once for the module: every batch proposed."""
    code, out, _ = _steward(deployment.env, "run", NAME, "--json")
    assert code == 0, out
    report: JsonObject = json.loads(out)
    return report


def _proposal_of(app: Steward, batch: Batch) -> QueueItem:
    (item,) = [i for i in app.queue.list(agent=NAME, limit=100) if i.arguments.get("batch_id") == batch["batch_id"]]
    return item


# -- CLI ------------------------------------------------------------------------------------------


def test_agents_list_shows_the_agent_its_two_actions_and_its_trigger(deployment: Deployment) -> None:
    done = run_steward(deployment.env, "agents", "list", "--json")  # a fresh process: registered by its env alone
    assert done.returncode == 0, done.stderr
    agents = {agent["name"]: agent for agent in json.loads(done.stdout)}
    assert list(agents) == ["credit_approval", "identity_resolution", NAME]  # after the bundled ones
    sample = agents[NAME]
    assert sample["description"] == "Ships or holds batches of orders (the tests' own agent)."
    assert [(a["name"], a["title"], a["level"], a["levels"]) for a in sample["actions"]] == [
        ("ship_batch", "Ship the batch", "shadow", ["shadow", "review_all", "band_1"]),
        ("hold_batch", "Hold the batch", "shadow", ["shadow", "review_all"]),
    ]
    assert sample["triggers"] == [
        {
            "name": "ready_batches",
            "description": "Batches of orders ready to leave, not yet proposed.",
            "schedule": "on demand",
        }
    ]

    code, out, _ = _steward(deployment.env, "agents", "list")
    assert code == 0
    lines = out.splitlines()
    assert f"{NAME}: {sample['description']}" in lines
    assert any(line.split()[:4] == ["ship_batch", "Ship", "the", "batch"] for line in lines)
    assert any(line.split()[:3] == ["ready_batches", "on", "demand"] for line in lines)


def test_run_proposes_every_waiting_batch_once(deployment: Deployment, first_run: JsonObject) -> None:
    assert (first_run["agent"], first_run["trigger"], first_run["waiting"], first_run["proposed"]) == (
        NAME,
        "ready_batches",
        len(BATCHES),
        len(BATCHES),
    )
    assert first_run["by_status"] == {"pending": len(BATCHES)}  # shadow: a person looks at each
    runs: Any = first_run["runs"]
    assert [run["action"] for run in runs] == ["ship_batch"] * len(BATCHES)
    assert first_run["not_run"] == []

    code, out, _ = _steward(deployment.env, "run", NAME, "--json")
    second = json.loads(out)
    assert code == 0 and (second["waiting"], second["proposed"], second["runs"]) == (0, 0, [])
    code, out, err = _steward(deployment.env, "run", NAME)
    assert (code, out, err) == (0, f"{NAME} (trigger ready_batches): nothing waiting\n", "")

    code, out, _ = _steward(deployment.env, "queue", "list", "--json", "--limit", "100")
    listed = {item["id"] for item in json.loads(out) if item["agent"] == NAME}
    assert listed == {run["proposal_id"] for run in runs}  # each batch proposed exactly once


def test_queue_list_finds_the_batch_by_a_customer_named_only_in_its_order_lines(
    deployment: Deployment, first_run: JsonObject
) -> None:
    with open_steward(deployment.settings) as app:
        shown = _proposal_of(app, SHOWN)
    assert shown.customer_id == MAIN.customer_id  # the deep customer is not the proposal's own
    assert DEEP.customer_id not in json.dumps({k: v for k, v in shown.arguments.items() if k != "orders"})

    code, out, _ = _steward(deployment.env, "queue", "list", "--customer", DEEP.customer_id, "--json")
    assert code == 0
    (found,) = json.loads(out)
    assert found["id"] == shown.id
    assert {(s["kind"], s["id"]) for s in found["subjects"]} == {
        ("batch", "B-100"),
        ("customer", MAIN.customer_id),
        ("customer", DEEP.customer_id),
    }
    code, out, _ = _steward(deployment.env, "queue", "list", "--customer", KEPT.customer_id, "--json")
    batches = {s["id"] for item in json.loads(out) for s in item["subjects"] if s["kind"] == "batch"}
    assert batches == {"B-200", "B-400", "B-500", "B-600"}


def _figure(out: str, label: str) -> str:
    line = next(line for line in out.splitlines() if line.startswith(f"  {label} "))
    return line[2 + len(label) :].strip()


def test_queue_show_prints_the_figures_the_action_declares(deployment: Deployment, first_run: JsonObject) -> None:
    with open_steward(deployment.settings) as app:
        shown = _proposal_of(app, SHOWN)
    code, out, _ = _steward(deployment.env, "queue", "show", shown.id)
    assert code == 0
    assert (_figure(out, "Carrier"), _figure(out, "Items"), _figure(out, "Customers")) == ("parcel_post", "9 pcs", "2")
    assert f"agent {NAME}, action ship_batch, customer {MAIN.customer_id}, about B-100" in out

    code, out, _ = _steward(deployment.env, "queue", "show", shown.id, "--json")
    figures = json.loads(out)["figures"]
    assert figures == [
        {"label": "Carrier", "text": "parcel_post"},
        {"label": "Items", "text": "9 pcs"},
        {"label": "Customers", "text": "2"},
    ]


# -- web ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Web:
    steward: Steward
    client_of: Any

    def logged_in(self, user: str) -> TestClient:
        client: TestClient = self.client_of()
        login(client, user, password_of(user))
        return client

    def api(self, user: str) -> TestClient:
        client: TestClient = self.client_of()
        client.headers["Authorization"] = f"Bearer {self.steward.users.issue_token(user)}"
        return client

    def item(self, batch: Batch) -> QueueItem:
        return _proposal_of(self.steward, batch)


@pytest.fixture(scope="module")
def web(deployment: Deployment, first_run: JsonObject) -> Iterator[Web]:
    """The web app on the installation, its roles the bundled ones plus the deployment's file."""
    with open_steward(deployment.settings) as opened:
        steward = replace(opened, users=UserDirectory(opened.engine, opened.clock, hasher=FAST_HASHER))
        app = create_app(
            lambda: nullcontext(steward), UiOptions(session_secret=SECRET, roles=load_roles(deployment.settings))
        )
        with TestClient(app):  # the app's lifespan: the state every client shares
            yield Web(steward, lambda: TestClient(app, follow_redirects=False))


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


# -- erasure --------------------------------------------------------------------------------------

ERASURE_BATCHES = [
    _batch("B-E1", (MAIN, 1), (DEEP, 2)),  # decided with an edit that names them again
    _batch("B-E2", (KEPT, 1), (DEEP, 1)),  # still pending when they are erased
    _batch("B-E3", (MAIN, 1), (KEPT, 2)),  # names other customers only: stays as it is
]
CHECKPOINT_TABLES = {"checkpoints", "writes"}
"""LangGraph's SqliteSaver tables in `<home>/checkpoints.sqlite`."""
KEEPS_IDS = {"supervision_audit", "customer"}
"""Tables that keep an erased customer's id by design: the audit chain (ids, no personal data) and the
customer row itself, marked erased."""


def _tables(traces: list[str]) -> set[str]:
    return {trace.split(":", 1)[0].split(" index ", 1)[0] for trace in traces}


def test_erasing_a_customer_named_deep_inside_the_order_lines_leaves_no_trace(
    tmp_path: Path, trained_scorecard: Path
) -> None:
    deployed = _deploy(tmp_path, trained_scorecard, ERASURE_BATCHES)
    env, database, checkpoints = deployed.env, tmp_path / "home" / "steward.sqlite", deployed.settings.checkpoint_path
    assert checkpoints == tmp_path / "home" / "checkpoints.sqlite"
    code, out, _ = _steward(env, "run", NAME, "--json")
    assert code == 0 and json.loads(out)["by_status"] == {"pending": 3}
    code, out, _ = _steward(env, "queue", "list", "--customer", DEEP.customer_id, "--json")
    naming = {s["id"]: item for item in json.loads(out) for s in item["subjects"] if s["kind"] == "batch"}
    assert sorted(naming) == ["B-E1", "B-E2"]
    assert {item["customer_id"] for item in naming.values()} == {MAIN.customer_id, KEPT.customer_id}  # never theirs

    at_reception = f"{DEEP.name} c/o reception"
    lines = [MAIN.line("B-E1-O1", 1), DEEP.line("B-E1-O2", 2) | {"recipient": at_reception}]
    code, out, err = _steward(
        env,
        "queue",
        "decide",
        naming["B-E1"]["id"],
        "--edit",
        json.dumps({"orders": lines}),
        "--as",
        "dispatcher",
        "--comment",
        f"Rang {DEEP.name} on {DEEP.email}: deliver to reception.",
    )
    assert code == 0, err
    with open_steward(deployed.settings) as app:
        assert app.queue.get(str(naming["B-E1"]["id"])).status == "executed"
        kept_batch = next(i for i in app.queue.list(agent=NAME) if i.arguments.get("batch_id") == "B-E3")
    personal = (DEEP.surname, DEEP.email, at_reception)
    # The scans see the person where Steward keeps them: the proposals, the edit and comment, the golden
    # record, and the paused and finished threads' checkpoints.
    held = _tables([t for text in personal for t in traces_of(database, text)])
    assert {"supervision_proposal", "supervision_review", "customer_observation"} <= held, held
    assert _tables(traces_of(checkpoints, DEEP.surname)) & CHECKPOINT_TABLES
    assert "supervision_proposal_subject" in _tables(traces_of(database, DEEP.customer_id))

    code, out, err = _steward(env, "gdpr", "erase", DEEP.customer_id, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["customer_ids"] == [DEEP.customer_id] and summary["observations"] == 3
    assert (summary["proposals_redacted"], summary["reviews_expired"], summary["checkpoint_threads_deleted"]) == (
        2,
        1,
        2,
    )

    for text in (*personal, DEEP.name):
        assert traces_of(database, text) == [], text
        assert traces_of(checkpoints, text) == [], text
    assert traces_of(checkpoints, DEEP.customer_id) == []
    left = traces_of(database, DEEP.customer_id)
    assert outside(left, KEEPS_IDS) == [], left
    assert {"supervision_audit", "customer"} <= _tables(left)  # the chain and the erased row keep the id

    # The batch naming only others is untouched, in the queue and in its thread's checkpoints.
    assert "supervision_proposal" in _tables(traces_of(database, KEPT.surname))
    assert _tables(traces_of(checkpoints, KEPT.surname)) & CHECKPOINT_TABLES
    code, out, _ = _steward(env, "queue", "list", "--customer", DEEP.customer_id, "--json")
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = _steward(env, "queue", "show", kept_batch.id, "--json")
    assert json.loads(out)["arguments"] == kept_batch.arguments
    code, out, _ = _steward(env, "queue", "show", str(naming["B-E1"]["id"]), "--json")
    shown = json.loads(out)
    assert (shown["arguments"], shown["status"]) == ({"redacted": True}, "executed")
    assert [(f["label"], f["text"]) for f in shown["figures"]] == [("Carrier", ""), ("Items", ""), ("Customers", "")]
    code, out, _ = _steward(env, "queue", "show", str(naming["B-E2"]["id"]), "--json")
    assert json.loads(out)["status"] == "expired"  # expired, not rejected
    code, _, err = _steward(env, "audit", "verify")
    assert code == 0, err
