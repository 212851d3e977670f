"""Eval reports in the web app: engineers see the latest run of each eval against its bars."""

from __future__ import annotations

from supervision import EvalMetric
from tests.approval_ui.web_helpers import Web


def test_engineers_see_the_latest_report_of_each_eval_and_whether_it_meets_its_bars(web: Web) -> None:
    engineer = web.logged_in("engineer")
    assert "No eval report has been saved yet" in engineer.get("/evals").text
    reports = web.steward.reports
    old = reports.save(
        "identity", dataset="febrl", metrics=[EvalMetric(name="febrl3 F1", value=0.95, bar=0.99)], report={}, actor="ci"
    )
    new = reports.save(
        "identity",
        dataset="febrl",
        metrics=[EvalMetric(name="febrl3 F1", value=0.998, bar=0.99)],
        report={"tasks": [{"name": "febrl3", "f1": 0.998}]},
        actor="ci",
    )
    cost = EvalMetric(name="expected cost per applicant", value=0.61, higher_is_better=False, bar=0.535)
    credit = reports.save("credit", dataset="holdout", metrics=[cost], report={"n": 250}, actor="eve")

    page = engineer.get("/evals").text
    assert page.count("meets its bars") == 1  # identity's newest run
    assert page.count("misses a bar") == 1  # credit costs more than the bar allows
    assert f'href="/evals/{new.id}"' in page and f'href="/evals/{old.id}"' in page  # older runs stay listed
    detail = engineer.get(f"/evals/{credit.id}")
    assert detail.status_code == 200 and "&#34;n&#34;: 250" in detail.text
    assert engineer.get("/evals/999999").status_code == 404

    api = web.client()
    api.headers["Authorization"] = f"Bearer {web.steward.users.issue_token('engineer')}"
    latest = api.get("/api/evals").json()
    assert {(r["name"], r["id"]) for r in latest} == {("identity", new.id), ("credit", credit.id)}
    assert api.get(f"/api/evals/{credit.id}").json()["metrics"][0]["bar"] == 0.535
    missing = api.get("/api/evals/999999")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert web.logged_in("officer").get("/evals").status_code == 403
    assert reports.history("identity")[0].id == new.id
