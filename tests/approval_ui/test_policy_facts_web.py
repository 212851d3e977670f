"""The policy editor and the API refuse a change that reads facts the agent does not provide (400, with the
line and the known names), and keep the manager's text; nothing is saved."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from approval_ui import UiOptions, create_app
from steward import load_roles
from supervision import PolicyStore
from tests.approval_ui.policy_helpers import AGENT, FILE_TEXT
from tests.approval_ui.web_helpers import SECRET, Web, csrf_of
from tests.policies.policy_samples import CREDIT_FACTS

CAP = '"application.amount > 15000.0"'
MISSPELT = "application.amout > 15000.0"
PROBLEM = (
    "hard_limits[1].when: application.amout is not a fact of credit_approval; known: application.amount, "
    "application.duration_months, application.id, application.purpose, application.requested_by; "
    "did you mean application.amount?"
)


@pytest.fixture(scope="module")
def checked(web: Web) -> Iterator[Web]:
    """The installation served with a policy store that knows the credit agent's facts."""
    steward = web.steward
    store = PolicyStore(
        steward.engine,
        steward.clock,
        steward.audit,
        bundled={AGENT: FILE_TEXT},
        fact_schemas={AGENT: CREDIT_FACTS},
    )
    served = replace(steward, policy_store=store)
    options = UiOptions(session_secret=SECRET, roles=load_roles(steward.settings))
    app = create_app(lambda: nullcontext(served), options)
    with TestClient(app):
        yield Web(steward=served, app=app, clock=web.clock)


def _misspelt(text: str) -> tuple[str, int]:
    assert text.count(CAP) == 1
    changed = text.replace(CAP, json.dumps(MISSPELT))
    return changed, next(number for number, line in enumerate(changed.splitlines(), 1) if MISSPELT in line)


def test_the_editor_refuses_a_misspelt_fact_with_its_line_and_keeps_the_text(checked: Web) -> None:
    store = checked.steward.policy_store
    ops = checked.logged_in("ops")
    editor = ops.get(f"/policies/{AGENT}")
    base = store.latest(AGENT)
    text, line = _misspelt(base.text)
    form = {"text": text, "expected_version": str(base.version), "csrf_token": csrf_of(editor.text)}

    for url, extra in ((f"/policies/{AGENT}/preview", {}), (f"/policies/{AGENT}", {"reason": "cap"})):
        response = ops.post(url, data=form | extra)
        assert response.status_code == 400
        assert f"Line {line}: {escape(PROBLEM)}" in response.text
        assert str(escape(f"{line} |     when: {json.dumps(MISSPELT)}")) in response.text
        assert str(escape(MISSPELT)) in response.text  # the text is kept in the editor
    assert store.latest(AGENT).version == base.version


def test_the_api_refuses_a_misspelt_fact_with_a_400_naming_the_line(checked: Web) -> None:
    store = checked.steward.policy_store
    client = checked.client()
    client.headers["Authorization"] = f"Bearer {checked.steward.users.issue_token('ops')}"
    base = store.latest(AGENT)
    text, line = _misspelt(base.text)

    preview = client.post(f"/api/policies/{AGENT}/what-if", json={"text": text})
    saved = client.put(f"/api/policies/{AGENT}", json={"text": text, "reason": "cap", "expected_version": base.version})
    for response in (preview, saved):
        assert response.status_code == 400
        assert response.json() == {
            "detail": f"{AGENT}.yaml:{line}: {PROBLEM}",
            "code": "invalid_policy",
            "line": line,
            "current_version": None,
        }
    assert store.latest(AGENT).version == base.version

    fixed = text.replace(MISSPELT, "application.amount > 14000.0")
    accepted = client.put(
        f"/api/policies/{AGENT}", json={"text": fixed, "reason": "cap", "expected_version": base.version}
    )
    assert accepted.status_code == 200
    assert accepted.json()["version"] == base.version + 1
