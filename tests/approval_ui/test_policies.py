"""The policy editor: pages and API to read a policy, preview a change's what-if, and save it, audited."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from tests.approval_ui.policy_helpers import AGENT, BAND_1, FILE_TEXT, WIDER, replay_history, wider
from tests.approval_ui.web_helpers import Web, csrf_of


@pytest.fixture(scope="module", autouse=True)
def history(web: Web) -> None:
    replay_history(web)


def _api(web: Web, user: str) -> TestClient:
    client = web.client()
    client.headers["Authorization"] = f"Bearer {web.steward.users.issue_token(user)}"
    return client


def _numbers(html: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, flags=re.DOTALL)
    assert row is not None, f"no row {row_id}"
    return [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r'<td class="num"[^>]*>(.*?)</td>', row.group(1))]


def test_the_policies_page_lists_every_agent_with_its_version(web: Web) -> None:
    page = web.logged_in("auditor").get("/policies")
    assert page.status_code == 200
    for agent in ("credit_approval", "identity_resolution", "order_routing"):
        assert f'<a href="/policies/{agent}">{agent}</a>' in page.text
    policy = web.logged_in("engineer").get(f"/policies/{AGENT}")
    assert policy.status_code == 200
    assert '<label for="policy-text">Policy YAML</label>' in policy.text
    assert "Preview what-if" in policy.text
    assert ">Save</button>" not in policy.text  # an engineer may preview, not save
    assert web.logged_in("ops").get("/policies/no_such_agent").status_code == 404
    assert web.logged_in("ops").get(f"/policies/{AGENT}?version=999").status_code == 404
    assert web.logged_in("officer").get("/policies").status_code == 403


def test_an_ops_manager_previews_the_what_if_then_saves_with_a_reason(web: Web) -> None:
    store = web.steward.policy_store
    ops = web.logged_in("ops")
    editor = ops.get(f"/policies/{AGENT}")
    base = store.latest(AGENT)
    assert f'name="expected_version" value="{base.version}"' in editor.text
    assert ">Save</button>" in editor.text
    form = {"text": wider(base.text), "expected_version": str(base.version), "csrf_token": csrf_of(editor.text)}

    preview = ops.post(f"/policies/{AGENT}/preview", data=form | {"reason": ""})
    assert preview.status_code == 200
    expected = store.what_if(AGENT, wider(base.text)).total
    assert expected.newly_automated > 0, "the history must hold cases the change automates"
    assert _numbers(preview.text, "what-if-total") == [
        str(expected.cases),
        f"{expected.current.auto} → {expected.candidate.auto}",
        f"{expected.current.review} → {expected.candidate.review}",
        f"{expected.current.deny} → {expected.candidate.deny}",
        str(expected.newly_automated),
        f"{expected.automated_overridden} of {expected.automated_reviewed} reviewed",
    ]
    assert escape(WIDER) in preview.text  # the edited text is kept in the editor
    assert store.latest(AGENT).version == base.version  # a preview saves nothing

    no_reason = ops.post(f"/policies/{AGENT}", data=form | {"reason": "  "})
    assert no_reason.status_code == 400
    assert "needs a reason" in no_reason.text
    assert store.latest(AGENT).version == base.version

    saved = ops.post(f"/policies/{AGENT}", data=form | {"reason": "Band 1 up to DM 10,000"})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/policies/{AGENT}?saved={base.version + 1}"
    latest = store.latest(AGENT)
    assert (latest.version, latest.author, latest.reason) == (base.version + 1, "ops", "Band 1 up to DM 10,000")
    assert WIDER in latest.text

    shown = ops.get(saved.headers["location"])
    assert f"Saved as version {latest.version}." in shown.text
    assert '<span id="version-in-force">' + str(latest.version) in shown.text
    assert "<td>Band 1 up to DM 10,000</td>" in shown.text
    entry = web.steward.audit.entries(subject=f"policy:{AGENT}")[-1]
    assert (entry.kind, entry.actor, entry.payload["to_version"]) == ("policy.changed", "ops", latest.version)


def test_an_invalid_policy_is_shown_with_its_line_and_not_saved(web: Web) -> None:
    ops = web.logged_in("ops")
    editor = ops.get(f"/policies/{AGENT}")
    base = web.steward.policy_store.latest(AGENT)
    broken = base.text.replace("default: review", "default: automatic")
    line = broken.splitlines().index("default: automatic") + 1
    form = {"text": broken, "expected_version": str(base.version), "csrf_token": csrf_of(editor.text)}

    for url, extra in ((f"/policies/{AGENT}/preview", {}), (f"/policies/{AGENT}", {"reason": "typo"})):
        response = ops.post(url, data=form | extra)
        assert response.status_code == 400
        assert f"Line {line}:" in response.text
        assert f"{line} | default: automatic" in response.text
    assert web.steward.policy_store.latest(AGENT).version == base.version


def test_a_save_on_top_of_an_old_version_is_a_conflict_and_keeps_the_text(web: Web) -> None:
    store = web.steward.policy_store
    ops = web.logged_in("ops")
    editor = ops.get(f"/policies/{AGENT}")
    base = store.latest(AGENT)
    store.save(AGENT, base.text + "# admin's note\n", author="admin", reason="note", expected_version=base.version)

    mine = base.text + "# ops' note\n"
    form = {"text": mine, "expected_version": str(base.version), "csrf_token": csrf_of(editor.text), "reason": "mine"}
    response = ops.post(f"/policies/{AGENT}", data=form)

    assert response.status_code == 409
    assert f"Someone saved version {base.version + 1}" in response.text
    assert "# ops&#39; note" in response.text
    assert store.latest(AGENT).author == "admin"


def test_forms_need_the_csrf_token_and_saving_needs_policy_write(web: Web) -> None:
    base = web.steward.policy_store.latest(AGENT)
    form = {"text": wider(FILE_TEXT), "expected_version": str(base.version), "reason": "r"}
    ops = web.logged_in("ops")
    assert ops.post(f"/policies/{AGENT}", data=form | {"csrf_token": "forged"}).status_code == 403
    auditor = web.logged_in("auditor")
    token = csrf_of(auditor.get(f"/policies/{AGENT}").text)
    assert auditor.post(f"/policies/{AGENT}", data=form | {"csrf_token": token}).status_code == 403
    assert auditor.post(f"/policies/{AGENT}/preview", data=form | {"csrf_token": token}).status_code == 200
    assert web.steward.policy_store.latest(AGENT).version == base.version


def test_the_api_reads_previews_and_saves_a_policy(web: Web) -> None:
    store = web.steward.policy_store
    engineer, ops = _api(web, "engineer"), _api(web, "ops")

    listed = engineer.get("/api/policies").json()
    assert [(p["agent"], p["version"]) for p in listed] == [
        (agent, store.latest(agent).version) for agent in ("credit_approval", "identity_resolution", "order_routing")
    ]
    shown = engineer.get(f"/api/policies/{AGENT}").json()
    base = store.latest(AGENT)
    assert (shown["version"], shown["label"], shown["text"]) == (base.version, base.label, base.text)
    assert [h["version"] for h in shown["history"]] == list(range(base.version, -1, -1))

    candidate = FILE_TEXT + "# back to the file, with a note\n"
    preview = engineer.post(f"/api/policies/{AGENT}/what-if", json={"text": candidate})
    assert preview.status_code == 200
    assert preview.json() == store.what_if(AGENT, candidate).model_dump(mode="json")
    invalid = engineer.post(f"/api/policies/{AGENT}/what-if", json={"text": "agent: credit_approval\ndefault: [\n"})
    assert invalid.status_code == 400
    assert invalid.json()["code"] == "invalid_policy" and invalid.json()["line"] == 3

    change = {"text": candidate, "reason": "API change", "expected_version": base.version}
    assert engineer.put(f"/api/policies/{AGENT}", json=change).status_code == 403
    saved = ops.put(f"/api/policies/{AGENT}", json=change)
    assert saved.status_code == 200
    assert (saved.json()["version"], saved.json()["author"]) == (base.version + 1, "ops")
    assert saved.json()["label"] == store.latest(AGENT).label

    stale = ops.put(f"/api/policies/{AGENT}", json=change)
    assert (stale.status_code, stale.json()["code"], stale.json()["current_version"]) == (
        409,
        "conflict",
        base.version + 1,
    )
    no_reason = ops.put(f"/api/policies/{AGENT}", json=change | {"reason": "", "expected_version": base.version + 1})
    assert (no_reason.status_code, no_reason.json()["code"]) == (400, "invalid_change")
    missing = ops.put("/api/policies/nobody", json=change)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert engineer.get("/api/policies/nobody").json()["code"] == "not_found"
    assert store.latest(AGENT).version == base.version + 1


def test_a_session_needs_the_csrf_header_to_save_through_the_api(web: Web) -> None:
    ops = web.logged_in("ops")
    token = csrf_of(ops.get(f"/policies/{AGENT}").text)
    base = web.steward.policy_store.latest(AGENT)
    change = {"text": base.text + "# session\n", "reason": "session change", "expected_version": base.version}

    refused = ops.put(f"/api/policies/{AGENT}", json=change)
    assert (refused.status_code, refused.json()["code"]) == (403, "csrf")
    assert web.steward.policy_store.latest(AGENT).version == base.version
    accepted = ops.put(f"/api/policies/{AGENT}", json=change, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 200


def test_the_openapi_document_describes_every_policy_status(web: Web) -> None:
    paths = web.client().get("/openapi.json").json()["paths"]
    put = set(paths["/api/policies/{agent}"]["put"]["responses"])
    assert put == {"200", "400", "401", "403", "404", "409", "413", "422"}
    assert set(paths["/api/policies/{agent}/what-if"]["post"]["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "404",
        "413",
        "422",
    }
    assert set(paths["/api/policies/{agent}"]["get"]["responses"]) == {"200", "401", "403", "404", "422"}
    assert not any(path.startswith("/policies") for path in paths)  # pages stay out of the API document


TEN = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"
ATTACK = f"{TEN}.all(a, {TEN}.all(b, {TEN}.all(c, a + b + c > 0)))"
"""Comprehensions three deep: n³ steps for each case a what-if replays."""


def test_nested_comprehensions_are_refused_at_their_line_by_the_api_and_the_page(web: Web) -> None:
    store = web.steward.policy_store
    base = store.latest(AGENT)
    attack = base.text.replace(BAND_1, ATTACK)
    assert attack != base.text
    line = next(n for n, content in enumerate(attack.splitlines(), 1) if ATTACK in content)
    limit = "nests comprehensions (all, exists, exists_one, map, filter) more than 2 deep"

    refused = _api(web, "engineer").post(f"/api/policies/{AGENT}/what-if", json={"text": attack})
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["line"]) == ("invalid_policy", line)
    assert limit in refused.json()["detail"]

    engineer = web.logged_in("engineer")
    editor = engineer.get(f"/policies/{AGENT}")
    form = {"text": attack, "expected_version": str(base.version), "csrf_token": csrf_of(editor.text)}
    page = engineer.post(f"/policies/{AGENT}/preview", data=form)
    assert page.status_code == 400
    assert f"Line {line}:" in page.text
    assert str(escape(limit)) in page.text

    within = base.text.replace(BAND_1, f"{TEN}.exists(a, {TEN}.all(b, a * b > 0)) && application.amount <= 4000.0")
    assert _api(web, "engineer").post(f"/api/policies/{AGENT}/what-if", json={"text": within}).status_code == 200
    assert store.latest(AGENT).version == base.version


def test_a_what_if_past_its_time_budget_answers_422_and_saves_nothing(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = web.steward.policy_store
    base = store.latest(AGENT)
    audited = len(web.steward.audit.entries())
    engineer = web.logged_in("engineer")
    editor = engineer.get(f"/policies/{AGENT}")
    monkeypatch.setattr(store, "what_if_seconds", 0.0)  # no time at all: refused before the first case

    api = _api(web, "engineer").post(f"/api/policies/{AGENT}/what-if", json={"text": wider(base.text)})
    assert api.status_code == 422
    assert api.json()["code"] == "what_if_budget"
    assert api.json()["detail"].startswith("the what-if ran out of its time budget of 0 seconds after replaying 0")

    form = {"text": wider(base.text), "expected_version": str(base.version), "csrf_token": csrf_of(editor.text)}
    page = engineer.post(f"/policies/{AGENT}/preview", data=form)
    assert page.status_code == 422
    assert "the what-if ran out of its time budget of 0 seconds" in page.text
    assert escape(WIDER) in page.text  # the edited text is kept

    assert store.latest(AGENT).version == base.version
    assert len(web.steward.audit.entries()) == audited


def test_the_what_if_documents_its_budget_refusal_in_the_openapi_document(web: Web) -> None:
    document = web.client().get("/openapi.json").json()
    operation = document["paths"]["/api/policies/{agent}/what-if"]["post"]
    shapes = operation["responses"]["422"]["content"]["application/json"]["schema"]["anyOf"]
    assert {"$ref": "#/components/schemas/PolicyRefusedOut"} in shapes
    assert {"$ref": "#/components/schemas/HTTPValidationError"} in shapes
    assert "what_if_budget" in document["components"]["schemas"]["PolicyRefusedOut"]["properties"]["code"]["enum"]
    assert "what_if_budget" in operation["description"]
