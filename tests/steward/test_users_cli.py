"""`steward users` and `steward serve`'s refusal to start when nobody could log in."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from steward import BUNDLED_ROLES_FILE, Settings, open_steward
from steward._web import session_secret
from steward.cli import main


def test_serve_refuses_to_start_without_a_user_who_can_log_in(
    steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "steward users add USER --role admin" in err
    assert "standard input" in err


def test_users_add_reads_the_password_from_stdin_and_token_prints_a_new_token(
    steward_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("too short\n"))
    assert main(["users", "add", "ada", "--role", "admin"]) == 1
    assert "at least 10 characters" in capsys.readouterr().err

    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert main(["users", "add", "ada", "--role", "admin", "--role", "auditor", "--name", "Ada"]) == 0
    assert capsys.readouterr().out == "added user ada (admin, auditor)\n"

    assert main(["users", "list"]) == 0
    listed = capsys.readouterr().out
    assert "ada" in listed and "admin, auditor" in listed and "can log in" in listed
    assert "too short" not in listed

    assert main(["users", "token", "ada"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("stw_")
    assert main(["users", "token", "ada"]) == 0
    assert capsys.readouterr().out.strip() != token

    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert main(["users", "add", "bob", "--role", "chief", "--role", "admin"]) == 1
    assert capsys.readouterr().err.startswith(
        "steward: unknown role(s) chief; roles are: credit_officer, senior_credit_officer, head_of_credit, "
        f"logistics_planner, ops_manager, auditor, engineer, admin (declared in {BUNDLED_ROLES_FILE})"
    )
    with open_steward(Settings()) as app:
        assert "bob" not in {user.id for user in app.users.list()}


def test_the_session_key_comes_from_the_setting_or_a_private_file(tmp_path: Path) -> None:
    configured = Settings(home=tmp_path / "a", session_secret="s" * 40)
    assert session_secret(configured) == "s" * 40
    assert not (tmp_path / "a" / "session.key").exists()

    generated = Settings(home=tmp_path / "b")
    key = session_secret(generated)
    path = tmp_path / "b" / "session.key"
    assert len(key) >= 32 and path.read_text().strip() == key
    assert path.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert session_secret(generated) == key  # kept across restarts
    with pytest.raises(ValueError, match="at least 32"):
        Settings(home=tmp_path, session_secret="short")


def test_users_disable_enable_tokens_and_revoke_tokens(
    steward_env: dict[str, str],
    steward_settings: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert main(["users", "add", "ada", "--role", "credit_officer"]) == 0
    assert main(["users", "token", "ada", "--expires-in", "30"]) == 0
    assert main(["users", "token", "ada"]) == 0
    expiring, lasting = capsys.readouterr().out.split()[-2:]
    assert main(["users", "token", "ada", "--expires-in", "0"]) == 1
    assert "--expires-in must be a positive number of days" in capsys.readouterr().err
    with open_steward(steward_settings) as app:
        assert app.users.user_for_token(lasting) is not None

    assert main(["users", "tokens", "ada"]) == 0
    listed = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert set(listed) == {expiring.split("_")[1], lasting.split("_")[1]}
    assert listed[expiring.split("_")[1]].split()[1] == "live"
    assert listed[expiring.split("_")[1]].endswith("never")  # never used
    assert "never" in listed[lasting.split("_")[1]]  # never expires
    assert not listed[lasting.split("_")[1]].endswith("never")  # used just now

    assert main(["users", "disable", "ada"]) == 0
    assert "disabled ada" in capsys.readouterr().out
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out.split()[-1] == "disabled"
    with open_steward(steward_settings) as app:
        assert app.users.user_for_token(lasting) is None
        assert app.users.verify_password("ada", "a long enough passphrase") is None
    assert main(["users", "token", "ada"]) == 1
    assert "steward users enable ada" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("another long passphrase\n"))
    assert main(["users", "add", "ada", "--role", "credit_officer"]) == 0
    assert "ada stays disabled" in capsys.readouterr().out
    assert main(["users", "tokens", "ada"]) == 0
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()[1:]] == ["revoked", "revoked"]

    assert main(["users", "enable", "ada"]) == 0
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("can log in")
    assert main(["users", "revoke-tokens", "ada"]) == 0
    assert capsys.readouterr().out == "revoked 0 API token(s) of ada\n"  # disabling revoked them already
    assert main(["users", "token", "ada"]) == 0
    assert main(["users", "token", "ada"]) == 0
    assert main(["users", "revoke-tokens", "ada"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "revoked 2 API token(s) of ada"
    assert main(["users", "revoke-tokens", "ghost"]) == 1
    assert "unknown user 'ghost'" in capsys.readouterr().err


def test_a_deployment_roles_file_adds_roles_users_may_hold_and_a_bad_one_stops_the_command(
    steward_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    roles_file = tmp_path / "roles.yaml"
    roles_file.write_text(
        "roles:\n  refund_clerk:\n    description: Decides refunds.\n    permissions: [queue.read, proposal.decide]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("STEWARD_ROLES_FILE", str(roles_file))
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert main(["users", "add", "rita", "--role", "refund_clerk"]) == 0
    assert capsys.readouterr().out == "added user rita (refund_clerk)\n"

    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    assert main(["users", "add", "rob", "--role", "refund_manager"]) == 1
    err = capsys.readouterr().err
    assert "unknown role(s) refund_manager; roles are: " in err and ", admin, refund_clerk (declared in " in err
    assert f"{BUNDLED_ROLES_FILE}, {roles_file})" in err

    roles_file.write_text("roles:\n  refund_clerk:\n    description: Decides refunds.\n    permissions: [refunds]\n")
    assert main(["users", "add", "rita", "--role", "refund_clerk"]) == 1
    assert capsys.readouterr().err.startswith(
        f"steward: roles file {roles_file}:4: role 'refund_clerk': 'refunds' is not a permission; permissions are: "
    )
    assert main(["serve", "--port", "0"]) == 1  # the web app would not know what anyone may do
    assert f"roles file {roles_file}:4" in capsys.readouterr().err
