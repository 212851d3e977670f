"""The routing agent on the shared surfaces (issue 10's rails): `steward agents list`, `steward run --json`,
`steward queue show`, and the proposal page with its figures and the edit forms generated from the argument
models (a route's warehouse, carrier and day; a split's shipments as rows; the hold's reason)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import replace
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from approval_ui import UiOptions, create_app
from steward import Settings
from steward._roles import load_roles
from supervision import UserDirectory
from tests.agents.order_routing.conftest import STOCK
from tests.agents.order_routing.routing_world import Order, World, ingest, installation, routing_settings
from tests.approval_ui.web_helpers import FAST_HASHER, SECRET, login, password_of
from tests.plugin.plugin_world import steward_cli

AGENT = "order_routing"


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, str]]:
    """A SQLite installation with the tests' ERP ingested: a route, a split and a hold to propose. The CLI runs
    on the wall clock, so the orders are promised a week from today: every route can keep its promise."""
    folder = tmp_path_factory.mktemp("routing-surfaces")
    week = date.today() + timedelta(days=7)
    world = World(
        folder / "erp-world",
        stock=dict(STOCK),
        orders=[
            Order("SO-1", "1001", (("SKU-1", 1),), week),
            Order("SO-2", "1002", (("SKU-1", 1), ("SKU-3", 2)), week),
            Order("SO-9", "1009", (("SKU-9", 1),), week),
        ],
    )
    world.stock[("WH-B", "SKU-1")] = 0  # no single warehouse holds a lamp and two desks
    home = folder / "home"
    settings = routing_settings(Settings(home=home, database_url=f"sqlite:///{home / 'steward.sqlite'}"), world)
    with installation(settings) as app:
        ingest(app, world)
        users = UserDirectory(app.engine, app.clock, hasher=FAST_HASHER)
        users.set_password("planner", password_of("planner"))
    env = {
        "STEWARD_HOME": str(home),
        "STEWARD_DATABASE_URL": settings.resolved_database_url,
        "STEWARD_SOURCES": str(settings.sources_file),
        "STEWARD_LOG_LEVEL": "WARNING",
    }
    return settings, env


@pytest.fixture(scope="module")
def proposed(deployed: tuple[Settings, dict[str, str]]) -> dict[str, str]:
    """`steward run order_routing --json`: action → proposal id."""
    code, out, err = steward_cli(deployed[1], "run", AGENT, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["agent"], report["trigger"], report["waiting"], report["by_status"]) == (
        AGENT,
        "open_orders",
        3,
        {"pending": 3},
    )
    return {run["action"]: run["proposal_id"] for run in report["runs"]}


def test_agents_list_shows_the_three_actions_and_the_scheduled_trigger(
    deployed: tuple[Settings, dict[str, str]],
) -> None:
    code, out, _ = steward_cli(deployed[1], "agents", "list", "--json")
    assert code == 0
    (routing,) = [agent for agent in json.loads(out) if agent["name"] == AGENT]
    assert [(a["name"], a["title"], a["level"]) for a in routing["actions"]] == [
        ("route_order", "Route the order", "shadow"),
        ("split_order", "Split the order", "shadow"),
        ("hold_order", "Hold the order", "shadow"),
    ]
    assert routing["actions"][0]["levels"] == ["shadow", "review_all", "band_1", "band_2"]
    assert [(t["name"], t["schedule"]) for t in routing["triggers"]] == [("open_orders", "every 15m")]


def test_run_proposes_each_order_once(deployed: tuple[Settings, dict[str, str]], proposed: dict[str, str]) -> None:
    assert set(proposed) == {"route_order", "split_order", "hold_order"}
    code, out, _ = steward_cli(deployed[1], "run", AGENT, "--json")
    assert code == 0 and json.loads(out)["proposed"] == 0  # every open order is being routed


def _figure(out: str, label: str) -> str:
    (line,) = [line for line in out.splitlines() if line.strip().startswith(label + " ") or line.strip() == label]
    return line.strip()[len(label) :].strip()


def test_queue_show_prints_the_routes_figures(
    deployed: tuple[Settings, dict[str, str]], proposed: dict[str, str]
) -> None:
    code, out, _ = steward_cli(deployed[1], "queue", "show", proposed["route_order"], "--json")
    assert code == 0
    figures = {f["label"]: f["text"] for f in json.loads(out)["figures"]}
    assert figures["Cost"] == "7.00" and figures["Order value"] == "80.00"
    promised = (date.today() + timedelta(days=7)).isoformat()
    assert (figures["Promised by"], figures["Warehouse"], figures["Carrier"]) == (promised, "WH-A", "CR-STD")
    code, out, _ = steward_cli(deployed[1], "queue", "show", proposed["split_order"])
    assert code == 0
    assert _figure(out, "Warehouses") == "WH-A, WH-C" and _figure(out, "Shipments") == "2"  # WH-C: 1.00 cheaper


@pytest.fixture(scope="module")
def planner(deployed: tuple[Settings, dict[str, str]], proposed: dict[str, str]) -> Iterator[TestClient]:
    settings = deployed[0]
    with installation(settings) as opened:
        steward = replace(opened, users=UserDirectory(opened.engine, opened.clock, hasher=FAST_HASHER))
        app = create_app(lambda: nullcontext(steward), UiOptions(session_secret=SECRET, roles=load_roles(settings)))
        with TestClient(app, follow_redirects=False) as client:
            login(client, "planner", password_of("planner"))
            yield client


def _section(page: str, start: str, end: str) -> str:
    at = page.index(start)
    return page[at : page.index(end, at)]


def test_the_route_page_shows_figures_rationale_and_a_form_for_warehouse_carrier_and_day(
    planner: TestClient, proposed: dict[str, str]
) -> None:
    page = planner.get(f"/proposals/{proposed['route_order']}")
    assert page.status_code == 200
    figures = _section(page.text, 'id="figures"', "</dl>")
    assert "<dt>Cost</dt><dd>7.00</dd>" in figures and "<dt>Warehouse</dt><dd>WH-A</dd>" in figures
    assert re.search(r"Ship from WH-A with CR-STD on [0-9-]{10} for 7.00", page.text)
    edit = _section(page.text, "<summary>Approve with changes</summary>", "</form>")
    for field in ("warehouse", "carrier", "ship_on", "cost", "expected_delivery"):
        assert f'name="arg_{field}"' in edit
    assert 'name="arg_order_id"' not in edit and 'name="arg_promised_by"' not in edit
    assert "<summary>Replace with: Hold the order</summary>" in page.text


def test_the_split_page_edits_each_shipment_as_a_row_and_a_bad_edit_is_refused(
    planner: TestClient, proposed: dict[str, str]
) -> None:
    page = planner.get(f"/proposals/{proposed['split_order']}").text
    edit = _section(page, "<summary>Approve with changes</summary>", "</form>")
    assert '<fieldset id="edit-shipments" class="rows">' in edit
    assert re.search(r'name="arg_shipments\.0\.warehouse" value="WH-A"', edit)
    assert 'name="arg_shipments.1.lines"' in edit  # the items of a shipment, as JSON text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    fields = re.findall(r'name="(arg_shipments\.[0-9]\.[a-z_]+)"[^>]*?value="([^"]*)"', edit)
    fields += re.findall(r'name="(arg_shipments\.[0-9]\.lines)" rows="3">([^<]*)</textarea>', edit)
    posted = {key: html.unescape(value) for key, value in fields}
    posted |= {"arg_shipments.1.warehouse": "WH-A", "verdict": "edit", "csrf_token": csrf.group(1)}
    refused = planner.post(f"/proposals/{proposed['split_order']}/decision", data=posted | {"reason": "one place"})
    assert refused.status_code == 400, refused.text
    error = re.search(r'id="decision-error">([^<]*)<', refused.text)
    assert error is not None and "different warehouse" in error.group(1), (error, posted)


def test_the_hold_page_shows_the_reason(planner: TestClient, proposed: dict[str, str]) -> None:
    page = planner.get(f"/proposals/{proposed['hold_order']}").text
    assert "SKU-9: 1 ordered, 0 free over all warehouses" in page
    assert 'name="arg_reason"' in _section(page, "<summary>Approve with changes</summary>", "</form>")
