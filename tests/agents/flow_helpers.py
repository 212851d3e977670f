"""Building blocks for the end-to-end tests: an installation with users and applicants loaded."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from agents import AgentRun, AgentRunner
from core import FixedClock
from customers import load_applicants
from policies import default_policy_dir
from steward import Settings, Steward, open_steward

REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENT = "credit_approval"

USERS: dict[str, tuple[str, ...]] = {
    "officer": ("credit_officer",),
    "officer2": ("credit_officer",),
    "senior": ("senior_credit_officer", "credit_officer"),
    "senior2": ("senior_credit_officer", "credit_officer"),
    "head": ("head_of_credit", "senior_credit_officer", "credit_officer"),
}


@contextmanager
def installation(settings: Settings, clock: FixedClock | None = None, *, applicants: int = 120) -> Iterator[Steward]:
    """Open Steward on `settings` with the test users and the first `applicants` bundled applicants."""
    with open_steward(settings, clock=clock or FixedClock(START)) as app:
        for user, roles in USERS.items():
            app.users.add(user, name=user.title(), roles=roles)
        load_applicants(app.customers, settings.german_credit_csv, limit=applicants)
        yield app


def find_application(app: Steward, accept: Callable[[float], bool]) -> str:
    """The first loaded application (by id) whose amount `accept`s and that has not been decided yet."""
    for application in sorted(app.customers.pending_applications(), key=lambda a: a.id):
        if accept(application.amount) and not app.customers.decisions(application.id):
            return application.id
    raise AssertionError("no loaded application fits the test")


def audit_kinds(app: Steward, proposal_id: str) -> list[str]:
    return [entry.kind for entry in app.audit.entries(subject=proposal_id)]


def pending_runs(app: Steward, count: int, *, action: str | None = None) -> list[AgentRun]:
    """`count` credit proposals waiting for review (shadow level), on applications an officer may decide;
    with `action`, only proposals of that action are counted."""
    agent = AgentRunner(app.runtimes["credit_approval"])
    runs: list[AgentRun] = []
    for application in sorted(app.customers.pending_applications(), key=lambda a: a.id):
        if application.amount > 4000:
            continue
        run = agent.run(application.id)
        assert run.status == "pending"
        if action is None or run.action == action:
            runs.append(run)
        if len(runs) == count:
            return runs
    raise AssertionError("not enough loaded applications fit the test")


def run_steward(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run the `steward` CLI in a separate Python process, as a reviewer or an operator would."""
    return subprocess.run(
        [sys.executable, "-m", "steward.cli", *args],
        env={**os.environ, **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def with_credit_policy_changed(settings: Settings, folder: Path, bundled: str, changed: str) -> Settings:
    """`settings` with the bundled policies copied to `folder`, the credit policy's `bundled` text (which must
    occur once) replaced by `changed`."""
    folder.mkdir()
    for bundled_file in default_policy_dir().glob("*.yaml"):
        shutil.copy(bundled_file, folder / bundled_file.name)
    path = folder / "credit_approval.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(bundled) == 1, "the bundled credit policy changed: update the test's text"
    path.write_text(text.replace(bundled, changed), encoding="utf-8")
    return settings.model_copy(update={"policy_dir": folder})
