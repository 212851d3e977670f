"""The tests' own agent installed as a deployment installs one: its people, batches and installation,
and the helpers the plug-in tests share (see conftest.py for the fixtures)."""

from __future__ import annotations

import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from steward._settings import Settings
from steward._wiring import Steward, open_steward
from steward.cli import main
from supervision import QueueItem, UserDirectory
from tests.approval_ui.web_helpers import FAST_HASHER, login, password_of
from tests.plugin.sample_agent import BATCH_FILE, NAME

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


def batch_of(batch_id: str, *lines: tuple[Person, int]) -> Batch:
    return {
        "batch_id": batch_id,
        "orders": [person.line(f"{batch_id}-O{n}", quantity) for n, (person, quantity) in enumerate(lines, start=1)],
    }


SHOWN = batch_of("B-100", (MAIN, 2), (DEEP, 3), (MAIN, 4))
EDITED = batch_of("B-200", (MAIN, 1), (KEPT, 2))
REPLACED_BY_FORM = batch_of("B-300", (MAIN, 1))
REPLACED_BY_API = batch_of("B-400", (MAIN, 2), (KEPT, 1))
APPROVED = batch_of("B-500", (KEPT, 1))
EXTENDED = batch_of("B-600", (KEPT, 1))
BATCHES = [SHOWN, EDITED, REPLACED_BY_FORM, REPLACED_BY_API, APPROVED, EXTENDED]
"""Only SHOWN has more than five items."""


@dataclass(frozen=True)
class Deployment:
    settings: Settings
    env: dict[str, str]


def deploy(folder: Path, trained_scorecard: Path, batches: list[Batch]) -> Deployment:
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


def steward_cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """`steward ARGS` in this process, with the deployment's environment."""
    out, err = StringIO(), StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def proposal_of(app: Steward, batch: Batch) -> QueueItem:
    (item,) = [i for i in app.queue.list(agent=NAME, limit=100) if i.arguments.get("batch_id") == batch["batch_id"]]
    return item


# -- the web app ------------------------------------------------------------------------------------------


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
        return proposal_of(self.steward, batch)
