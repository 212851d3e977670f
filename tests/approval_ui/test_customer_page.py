"""The customer 360 page over an ingested world: every golden field with its lineage, and the open
complaints a sales rep should see before calling (any role may read it)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from approval_ui import UiOptions, create_app
from steward import Settings, Steward, load_roles, open_steward, run_ingest
from supervision import UserDirectory
from tests.approval_ui.web_helpers import FAST_HASHER, SECRET, login, password_of
from tests.customers.world_helpers import make_world


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, trained_scorecard: Path) -> Iterator[tuple[Steward, TestClient]]:
    home = tmp_path_factory.mktemp("world-web")
    sources = make_world(home / "world", people=150, seed=5)
    settings = Settings(home=home / "home", database_url=f"sqlite:///{home / 'steward.sqlite'}", sources=sources)
    settings.model_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(trained_scorecard, settings.model_path)
    with open_steward(settings) as opened:
        steward = replace(opened, users=UserDirectory(opened.engine, opened.clock, hasher=FAST_HASHER))
        steward.users.add("sam", name="Sam", roles=("engineer",))  # the least-privileged role reads customers
        steward.users.set_password("sam", password_of("sam"))
        run_ingest(steward, propose=False)
        app = create_app(lambda: nullcontext(steward), UiOptions(session_secret=SECRET, roles=load_roles(settings)))
        with TestClient(app, follow_redirects=False) as client:
            login(client, "sam", password_of("sam"), next="/evals")
            yield steward, client


def test_the_customer_page_shows_lineage_on_every_field_and_the_open_complaints(
    ingested: tuple[Steward, TestClient],
) -> None:
    steward, client = ingested
    customer_id = next(
        entry.customer_id for entry in steward.customers.attention(top=50) if entry.features.open_complaints
    )
    page = client.get(f"/customers/{customer_id}")
    assert page.status_code == 200
    golden = steward.customers.golden(customer_id)
    for name, field in golden.fields.items():
        assert f"<td>{name}</td>" in page.text
        assert field.source_record_id in page.text
    complaint = steward.customers.timeline(customer_id)
    open_tickets = [
        e for e in complaint if e.kind == "ticket" and e.details.get("status") not in ("closed", "resolved")
    ]
    assert open_tickets
    assert "Open complaints" in page.text and "None open." not in page.text
    assert any(str(e.record_id) in page.text for e in open_tickets)
