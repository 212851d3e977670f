"""`steward policy set` and `what-if` refuse a policy that reads a fact the agent does not provide: one line on
stderr with the file's line and the known names, exit 1, nothing saved."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from policies import default_policy_dir
from steward import Settings, Steward, _policy_commands, open_steward
from steward.cli import main
from supervision import PolicyStore
from tests.policies.policy_samples import CREDIT_FACTS

AGENT = "credit_approval"
FILE_TEXT = (default_policy_dir() / "credit_approval.yaml").read_text(encoding="utf-8")
CAP = '"application.amount > 15000.0"'


@pytest.fixture
def checked_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """The policy commands open Steward with a policy store that knows the credit agent's facts."""

    @contextmanager
    def opened(settings: Settings) -> Iterator[Steward]:
        with open_steward(settings) as app:
            bundled = {agent: app.policy_store.get(agent, 0).text for agent in app.policy_store.agents()}
            store = PolicyStore(app.engine, app.clock, app.audit, bundled=bundled, fact_schemas={AGENT: CREDIT_FACTS})
            yield replace(app, policy_store=store)

    monkeypatch.setattr(_policy_commands, "open_steward", opened)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("command", ["what-if", "set"])
@pytest.mark.usefixtures("checked_store")
def test_a_policy_reading_an_unknown_fact_is_a_one_line_error_and_saves_nothing(
    command: str,
    steward_settings: Settings,
    steward_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    text = FILE_TEXT.replace(CAP, '"customer.vulnerable > 3 || application.amout > 15000.0"')
    line = next(number for number, content in enumerate(text.splitlines(), 1) if "application.amout" in content)
    path = tmp_path / "typo.yaml"
    path.write_text(text, encoding="utf-8")
    extra = ["--reason", "typo"] if command == "set" else []

    code = main(["policy", command, AGENT, str(path), *extra])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.startswith(
        f"steward: {AGENT}.yaml:{line}: hard_limits[1].when: compares customer.vulnerable (a bool) with an int using >"
    )
    assert f"; also line {line}: hard_limits[1].when: application.amout is not a fact of {AGENT}; known: " in err
    assert err.strip().endswith("did you mean application.amount?")
    assert "\n" not in err.strip()
    main(["policy", "history", AGENT, "--json"])
    assert [h["version"] for h in json.loads(capsys.readouterr().out)] == [0]
