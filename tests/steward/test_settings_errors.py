"""A bad setting stops every command with one line naming the variable, never a traceback."""

from __future__ import annotations

import pytest

from steward.cli import main


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("STEWARD_REVIEW_SLA_HOURS", "-1"),
        ("STEWARD_REVIEW_SLA_HOURS", "inf"),
        ("STEWARD_AUDIT_CHECKPOINT_MINUTES", "nan"),
        ("STEWARD_SESSION_SECRET", "short"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["queue", "list"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"steward: invalid setting: {variable}: ") and err.count("\n") == 1
