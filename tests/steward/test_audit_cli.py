"""`steward audit verify` and `steward audit checkpoint`: the signed checkpoints, the key file and the exit codes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import ValidationError
from sqlalchemy import text
from sqlmodel import Session

from core import ConfigurationError
from steward import Settings, open_steward
from steward._audit_key import load_audit_signer
from steward.cli import main
from supervision import AuditCheckpoint, Ed25519Signer, checkpoint_message, signature_valid
from tests.supervision.test_audit_anchor import recompute


@pytest.fixture
def settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A fresh installation on each backend, and the environment that points `steward` at it."""
    settings = Settings(home=tmp_path / "home", database_url=database_url)
    monkeypatch.setenv("STEWARD_HOME", str(settings.home))
    monkeypatch.setenv("STEWARD_DATABASE_URL", database_url)
    monkeypatch.setenv("STEWARD_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("STEWARD_AUDIT_KEY_FILE", raising=False)
    monkeypatch.delenv("STEWARD_AUDIT_TRUSTED_KEYS", raising=False)
    return settings


def append(settings: Settings, count: int) -> None:
    """`count` audit entries written by one Steward process, which anchors them as it closes."""
    with open_steward(settings) as app:
        for index in range(count):
            with Session(app.engine) as session:
                app.audit.append(session, kind="test.event", subject=f"s-{index}", actor="tester", payload={"i": index})
                session.commit()


def checkpoints(settings: Settings) -> list[AuditCheckpoint]:
    with open_steward(settings) as app:
        return app.audit.checkpoints()


def tamper(settings: Settings, *statements: str) -> None:
    with open_steward(settings) as app, app.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


# -- the key file --


def test_the_key_file_is_made_on_first_use_for_its_owner_only_and_then_kept(settings: Settings) -> None:
    path = settings.audit_key_path
    assert path == (settings.home / "audit-signing.key").resolve() and not path.exists()
    append(settings, 3)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    public_key = load_audit_signer(path).public_key
    append(settings, 1)
    assert load_audit_signer(path).public_key == public_key
    assert [(c.seq, c.public_key) for c in checkpoints(settings)] == [(3, public_key), (4, public_key)]
    assert not list(path.parent.glob(".audit-signing.key.*"))  # no draft left behind


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_a_key_file_others_may_read_or_write_is_refused(
    settings: Settings, mode: int, capsys: pytest.CaptureFixture[str]
) -> None:
    append(settings, 1)
    settings.audit_key_path.chmod(mode)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        load_audit_signer(settings.audit_key_path)
    code, _, err = run(capsys, "audit", "verify")
    assert code == 1
    assert err.startswith("steward: the audit signing key") and f"mode {mode:o}" in err and "\n" not in err.strip()


def test_a_key_file_elsewhere_may_hold_32_raw_bytes(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = Ed25519PrivateKey.generate()
    path = tmp_path / "secrets" / "audit.key"
    path.parent.mkdir()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.private_bytes_raw())
    monkeypatch.setenv("STEWARD_AUDIT_KEY_FILE", str(path))
    append(Settings(), 2)

    code, out, _ = run(capsys, "audit", "checkpoint", "--json")
    assert code == 0
    assert json.loads(out)["public_key"] == key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    assert not settings.audit_key_path.exists()


def test_a_key_file_that_is_not_an_ed25519_key_is_refused(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.home.mkdir(parents=True)
    descriptor = os.open(settings.audit_key_path, os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("not a key\n")
    code, _, err = run(capsys, "audit", "verify")
    assert code == 1
    assert "is not an unencrypted Ed25519 private key" in err and "\n" not in err.strip()


# -- steward audit checkpoint --


def test_checkpoint_prints_a_signed_head_to_keep_elsewhere(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "audit", "checkpoint")
    assert code == 1 and err == "steward: the audit chain is empty: there is no head to checkpoint yet\n"

    append(settings, 3)
    code, out, _ = run(capsys, "audit", "checkpoint", "--json")
    assert code == 0
    printed = json.loads(out)
    assert set(printed) == {"head", "id", "seq", "head_hash", "at", "public_key", "signature"}
    assert printed["seq"] == 3 and printed["head"] == f"3:{printed['head_hash']}"
    stored = checkpoints(settings)[-1]
    assert (stored.id, stored.signature) == (printed["id"], printed["signature"])
    assert signature_valid(
        printed["public_key"], checkpoint_message(3, printed["head_hash"], stored.at), stored.signature
    )

    code, out, _ = run(capsys, "audit", "checkpoint")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("checkpoint ") and "keep a copy outside this installation" in lines[0]
    assert lines[1] == f"  head:       3:{printed['head_hash']}"
    assert lines[3] == f"  public key: {printed['public_key']}"
    assert lines[-1] == f"check the chain still holds it: steward audit verify --expect-head 3:{printed['head_hash']}"


# -- steward audit verify --


def test_verify_reports_the_head_and_the_checkpoints(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    append(settings, 4)
    (checkpoint,) = checkpoints(settings)

    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0
    assert out.splitlines() == [
        "audit chain intact: 4 entries",
        f"head: 4:{checkpoint.head_hash}",
        f"checkpoints: 1, the newest at entry 4 ({checkpoint.at.isoformat()})",
    ]
    assert len(checkpoints(settings)) == 1  # verifying writes nothing

    code, out, _ = run(capsys, "audit", "verify", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["ok"] is True and report["problems"] == []
    assert report["chain"] == {
        "ok": True,
        "count": 4,
        "first_bad_seq": None,
        "reason": None,
        "head_hash": checkpoint.head_hash,
    }
    assert report["head"] == {"seq": 4, "hash": checkpoint.head_hash}
    assert report["checkpoints"] == 1 and report["newest_checkpoint"]["signature"] == checkpoint.signature


def test_verify_sees_a_cut_tail(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    append(settings, 5)
    append(settings, 3)  # checkpoints at 5 and 8
    tamper(settings, "DELETE FROM supervision_audit WHERE seq > 6")

    code, out, _ = run(capsys, "audit", "verify")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("audit chain BROKEN: checkpoint ")
    assert "anchors entry 8, but the chain ends at entry 6: entries were cut off its end" in lines[0]
    assert lines[1].startswith("head: 6:")
    code, out, _ = run(capsys, "audit", "verify", "--json")
    assert code == 1 and json.loads(out)["ok"] is False


def test_verify_sees_an_edited_entry_with_every_later_hash_recomputed(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    append(settings, 6)
    tamper(settings, "UPDATE supervision_audit SET actor = 'mallory' WHERE seq = 2")
    with open_steward(settings) as app:
        recompute(app.engine, 2)

    code, out, _ = run(capsys, "audit", "verify")
    assert code == 1
    assert "entry 6 is not the one checkpoint" in out and "its hashes recomputed" in out
    assert "audit chain intact" not in out


def test_verify_refuses_a_checkpoint_signed_by_another_key(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    append(settings, 2)
    forger = Ed25519Signer.generate()
    with open_steward(settings) as app:
        (checkpoint,) = app.audit.checkpoints()
        forged = forger.sign(checkpoint_message(checkpoint.seq, checkpoint.head_hash, checkpoint.at))
    tamper(
        settings,
        f"UPDATE supervision_audit_checkpoint SET public_key = '{forger.public_key}', signature = '{forged}'",
    )

    code, out, _ = run(capsys, "audit", "verify")
    assert code == 1
    assert "which this installation does not trust: it is forged" in out


def test_verify_trusts_a_retired_key_it_is_told_about(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    append(settings, 2)
    old = load_audit_signer(settings.audit_key_path).public_key
    settings.audit_key_path.unlink()  # rotated: the next use makes a new key
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 1 and "does not trust" in out

    monkeypatch.setenv("STEWARD_AUDIT_TRUSTED_KEYS", f" {old.upper()} ,")
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and "audit chain intact: 2 entries" in out

    with pytest.raises(ValidationError, match="STEWARD_AUDIT_TRUSTED_KEYS: 'abc' is not an Ed25519 public key"):
        Settings(audit_trusted_keys="abc")


def test_expect_head_catches_a_cut_after_the_newest_checkpoint(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    append(settings, 3)
    code, out, _ = run(capsys, "audit", "checkpoint", "--json")
    kept = json.loads(out)["head"]  # 3:HASH, kept elsewhere
    with open_steward(settings) as app:
        first = app.audit.entries()[0]
    # Someone cuts entry 3 and the checkpoints that anchor it: what is left is consistent in itself.
    tamper(settings, "DELETE FROM supervision_audit WHERE seq = 3", "DELETE FROM supervision_audit_checkpoint")
    code, _, _ = run(capsys, "audit", "verify")
    assert code == 0

    code, out, _ = run(capsys, "audit", "verify", "--expect-head", kept)
    assert code == 1
    assert (
        out.splitlines()[0]
        == f"audit chain BROKEN: expected head {kept}: the chain ends at entry 2, so entries were cut off its end"
    )
    code, out, _ = run(capsys, "audit", "verify", "--expect-head", kept.split(":")[1].upper())
    assert code == 1 and "is not in the chain (the chain ends at entry 2)" in out

    code, out, _ = run(capsys, "audit", "verify", "--expect-head", f"1:{first.hash}")
    assert code == 0 and out.splitlines()[-1] == f"expected head 1:{first.hash}: in the chain"  # below the cut


def test_expect_head_found_is_reported(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    append(settings, 3)
    with open_steward(settings) as app:
        second = app.audit.entries()[1]
    code, out, _ = run(capsys, "audit", "verify", "--expect-head", second.hash, "--expect-head", f"2:{second.hash}")
    assert code == 0
    assert out.splitlines()[-2:] == [f"expected head 2:{second.hash}: in the chain"] * 2


@pytest.mark.parametrize("value", ["abc", "0:" + "a" * 64, "x:" + "a" * 64, "a" * 63, "1:2:" + "a" * 64, "g" * 64])
def test_a_malformed_expected_head_is_a_one_line_error(
    settings: Settings, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "audit", "verify", "--expect-head", value)
    assert code == 1 and out == ""
    assert err.startswith(f"steward: --expect-head {value!r} is neither HASH nor SEQ:HASH") and err.count("\n") == 1


def test_a_command_that_only_reads_writes_no_checkpoint(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    append(settings, 2)
    assert [c.seq for c in checkpoints(settings)] == [2]
    for args in (("audit", "verify"), ("queue", "list"), ("audit", "verify", "--json")):
        assert run(capsys, *args)[0] == 0
    assert [c.seq for c in checkpoints(settings)] == [2]
