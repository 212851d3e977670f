"""One installation of the tests' own agent, shared by the plug-in tests (CLI first, then the web)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from approval_ui import UiOptions, create_app
from core import JsonObject
from steward._roles import load_roles
from steward._wiring import open_steward
from supervision import UserDirectory
from tests.approval_ui.web_helpers import FAST_HASHER, SECRET
from tests.plugin.plugin_world import (
    BATCHES,
    Deployment,
    Web,
    deploy,
    steward_cli,
)
from tests.plugin.sample_agent import NAME


@pytest.fixture(scope="package")
def deployment(tmp_path_factory: pytest.TempPathFactory, trained_scorecard: Path) -> Deployment:
    return deploy(tmp_path_factory.mktemp("plugin"), trained_scorecard, BATCHES)


@pytest.fixture(scope="package")
def first_run(deployment: Deployment) -> JsonObject:
    """`steward run sample_dispatch --json`, once for the module: every batch proposed."""
    code, out, _ = steward_cli(deployment.env, "run", NAME, "--json")
    assert code == 0, out
    report: JsonObject = json.loads(out)
    return report


@pytest.fixture(scope="package")
def web(deployment: Deployment, first_run: JsonObject) -> Iterator[Web]:
    """The web app on the installation, its roles the bundled ones plus the deployment's file."""
    with open_steward(deployment.settings) as opened:
        steward = replace(opened, users=UserDirectory(opened.engine, opened.clock, hasher=FAST_HASHER))
        app = create_app(
            lambda: nullcontext(steward), UiOptions(session_secret=SECRET, roles=load_roles(deployment.settings))
        )
        with TestClient(app):  # the app's lifespan: the state every client shares
            yield Web(steward, lambda: TestClient(app, follow_redirects=False))
