"""`steward policy`: show, history, what-if and set, with one-line errors and nothing saved on a refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies import default_policy_dir
from steward import Settings
from steward.cli import main

FILE_TEXT = (default_policy_dir() / "credit_approval.yaml").read_text(encoding="utf-8")
BAND_1 = "proposal.probability_of_default < 0.08 && application.amount <= 4000.0"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_an_ops_manager_previews_and_saves_a_policy_from_the_command_line(
    steward_settings: Settings, steward_env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _run(capsys, "policy", "show", "credit_approval")
    assert (code, out) == (0, FILE_TEXT)
    assert "version 0" in err

    changed = FILE_TEXT.replace(BAND_1, "proposal.probability_of_default < 0.08 && application.amount <= 8000.0")
    path = _file(tmp_path, "wider.yaml", changed)
    code, out, _ = _run(capsys, "policy", "what-if", "credit_approval", path)
    assert code == 0
    assert "what-if for the credit_approval policy over its last 0 proposals" in out
    assert "all actions" in out
    code, out, _ = _run(capsys, "policy", "what-if", "credit_approval", path, "--json")
    assert json.loads(out)["total"]["cases"] == 0

    code, out, _ = _run(capsys, "policy", "set", "credit_approval", path, "--reason", "Band 1 up to DM 8,000")
    assert code == 0
    assert "what-if for the credit_approval policy" in out
    assert "saved the credit_approval policy as version 1 (v1:" in out

    code, out, _ = _run(capsys, "policy", "set", "credit_approval", path, "--reason", "again")
    assert (code, out.strip()) == (0, f"{path} is the same as version 1 of the credit_approval policy; nothing to save")

    code, out, _ = _run(capsys, "policy", "history", "credit_approval", "--json")
    history = json.loads(out)
    assert [(h["version"], h["reason"]) for h in history] == [
        (1, "Band 1 up to DM 8,000"),
        (0, "the policy file Steward was installed with"),
    ]
    assert history[0]["author"].startswith("cli")
    code, out, _ = _run(capsys, "policy", "history", "credit_approval")
    assert "Band 1 up to DM 8,000" in out.splitlines()[1]

    assert _run(capsys, "policy", "show", "credit_approval")[1] == changed
    assert _run(capsys, "policy", "show", "credit_approval", "--version", "0")[1] == FILE_TEXT


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["policy", "set", "credit_approval", "BROKEN", "--reason", "r"], "credit_approval.yaml:LINE: "),
        (["policy", "what-if", "credit_approval", "BROKEN"], "credit_approval.yaml:LINE: "),
        (["policy", "set", "credit_approval", "FINE", "--reason", " "], "needs a reason"),
        (["policy", "set", "credit_approval", "FINE", "--reason", "r", "--actor", "nobody"], "unknown user"),
        (["policy", "set", "nobody", "FINE", "--reason", "r"], "unknown agent"),
        (["policy", "show", "credit_approval", "--version", "3"], "unknown version"),
        (["policy", "what-if", "credit_approval", "MISSING"], "file not found"),
    ],
)
def test_a_refused_change_gives_a_one_line_error_and_saves_nothing(
    args: list[str],
    message: str,
    steward_settings: Settings,
    steward_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    broken = FILE_TEXT.replace("default: review", "default: auto")
    line = broken.splitlines().index("default: auto") + 1
    files = {
        "BROKEN": _file(tmp_path, "broken.yaml", broken),
        "FINE": _file(tmp_path, "fine.yaml", FILE_TEXT + "# a note\n"),
        "MISSING": str(tmp_path / "missing.yaml"),
    }
    code, _, err = _run(capsys, *[files.get(a, a) for a in args])
    assert code == 1
    assert message.replace("LINE", str(line)) in err
    assert "\n" not in err.strip()
    code, out, _ = _run(capsys, "policy", "history", "credit_approval", "--json")
    assert [h["version"] for h in json.loads(out)] == [0]


def test_the_help_names_every_policy_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["policy", "--help"])
    out = capsys.readouterr().out
    for command in ("show", "history", "what-if", "set"):
        assert command in out


TEN = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"
ATTACK = f"{TEN}.all(a, {TEN}.all(b, {TEN}.all(c, a + b + c > 0)))"


@pytest.mark.parametrize("command", ["what-if", "set"])
def test_nested_comprehensions_are_refused_with_their_line_and_the_limit(
    command: str,
    steward_settings: Settings,
    steward_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    attack = FILE_TEXT.replace(BAND_1, ATTACK)
    line = next(n for n, content in enumerate(attack.splitlines(), 1) if ATTACK in content)
    extra = ["--reason", "faster"] if command == "set" else []
    code, out, err = _run(capsys, "policy", command, "credit_approval", _file(tmp_path, "attack.yaml", attack), *extra)
    assert (code, out) == (1, "")
    assert err.startswith(f"steward: credit_approval.yaml:{line}: actions.approve_credit.autonomy.levels[2].auto_when")
    assert "nests comprehensions (all, exists, exists_one, map, filter) more than 2 deep" in err
    assert "\n" not in err.strip()
    code, out, _ = _run(capsys, "policy", "history", "credit_approval", "--json")
    assert [h["version"] for h in json.loads(out)] == [0]


@pytest.mark.parametrize("command", ["what-if", "set"])
def test_a_what_if_past_its_time_budget_is_a_one_line_error_and_saves_nothing(
    command: str,
    steward_settings: Settings,
    steward_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("STEWARD_WHAT_IF_SECONDS", "0")
    changed = FILE_TEXT.replace(BAND_1, "proposal.probability_of_default < 0.08 && application.amount <= 8000.0")
    extra = ["--reason", "wider"] if command == "set" else []
    code, out, err = _run(capsys, "policy", command, "credit_approval", _file(tmp_path, "wider.yaml", changed), *extra)
    assert (code, out) == (1, "")
    assert err.startswith("steward: the what-if ran out of its time budget of 0 seconds after replaying 0 case(s)")
    assert "\n" not in err.strip()
    code, out, _ = _run(capsys, "policy", "history", "credit_approval", "--json")
    assert [h["version"] for h in json.loads(out)] == [0]
