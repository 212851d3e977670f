"""The key file that signs the audit chain's checkpoints, kept outside the database.

Whoever can write the database must not be able to sign: so the key is a file (by default
`<home>/audit-signing.key`, `STEWARD_AUDIT_KEY_FILE` elsewhere), created on first use readable by its owner
only, and refused when others may read or write it. It holds an Ed25519 private key as unencrypted PKCS#8
PEM (`openssl pkey -in FILE -pubout` shows its public key); 32 raw bytes are accepted too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from core import ConfigurationError
from supervision import Ed25519Signer

KEY_FILE_MODE = 0o600


def load_audit_signer(path: Path) -> Ed25519Signer:
    """The signer in the key file at `path`, made (mode 0600) when there is none."""
    if not path.exists():
        _create(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigurationError(
            f"the audit signing key {path} may be read or written by others (mode {mode:o}): "
            f"run `chmod 600 {path}` (and check who could have copied it)"
        )
    return Ed25519Signer(_parse(path, path.read_bytes()))


def _create(path: Path) -> None:
    """Write a new key beside `path`, then link it into place: a process starting at the same time sees
    no file or a whole one, and the first link wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    draft = path.with_name(f".{path.name}.{os.getpid()}.new")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, KEY_FILE_MODE)
    try:
        os.fchmod(descriptor, KEY_FILE_MODE)  # a leftover draft keeps its old mode otherwise
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(draft, path)
    except FileExistsError:
        pass  # another process made it first: use theirs
    finally:
        draft.unlink(missing_ok=True)


def _parse(path: Path, content: bytes) -> Ed25519PrivateKey:
    if len(content) == 32:
        return Ed25519PrivateKey.from_private_bytes(content)
    try:
        key = load_pem_private_key(content, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"the audit signing key {path} is not an unencrypted Ed25519 private key (PEM, or 32 raw bytes): "
            f"restore it from your backup, or point STEWARD_AUDIT_KEY_FILE at the right file ({exc})"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(
            f"the audit signing key {path} holds a {type(key).__name__}, not an Ed25519 key: "
            "make one with `openssl genpkey -algorithm ed25519`"
        )
    return key
