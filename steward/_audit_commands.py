"""`steward audit ...`: verify the chain with its signed checkpoints, and write a checkpoint on demand."""

from __future__ import annotations

import argparse
import json
import re

from core import StewardError
from steward._settings import Settings
from steward._wiring import open_steward
from supervision import AnchoredVerification, AuditCheckpoint, ExpectedHead

MAX_PROBLEMS_SHOWN = 20
_HASH = re.compile(r"[0-9a-fA-F]{64}")


def parse_expected_head(text: str) -> ExpectedHead:
    """`--expect-head`: `HASH`, or `SEQ:HASH` as `steward audit checkpoint` and `verify` print heads."""
    seq_text, _, hash_text = text.strip().rpartition(":")
    if not _HASH.fullmatch(hash_text) or (seq_text and not (seq_text.isdecimal() and int(seq_text) >= 1)):
        raise StewardError(
            f"--expect-head {text!r} is neither HASH nor SEQ:HASH (an entry's 64-hex-digit hash, optionally "
            "after its sequence number from 1, as `steward audit checkpoint` prints the head)"
        )
    return ExpectedHead(seq=int(seq_text) if seq_text else None, hash=hash_text.lower())


def audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    expected = [parse_expected_head(text) for text in args.expect_head or ()]
    with open_steward(settings) as app:
        result = app.audit.verify_anchored(expected)
    if args.json:
        print(json.dumps({"ok": result.ok, **result.model_dump(mode="json")}, indent=2))
    else:
        _print_verification(result)
    return 0 if result.ok else 1


def _print_verification(result: AnchoredVerification) -> None:
    chain = result.chain
    if result.ok:
        print(f"audit chain intact: {chain.count} entries")
    elif not chain.ok:
        print(f"audit chain BROKEN at entry {chain.first_bad_seq}: {chain.reason}")
    for problem in result.problems[:MAX_PROBLEMS_SHOWN]:
        print(f"audit chain BROKEN: {problem}")
    if len(result.problems) > MAX_PROBLEMS_SHOWN:
        print(f"audit chain BROKEN: … and {len(result.problems) - MAX_PROBLEMS_SHOWN} more (see --json)")
    print(f"head: {result.head}" if result.head else "head: none (the chain is empty)")
    newest = result.newest_checkpoint
    if newest is None:
        print("checkpoints: none yet (nothing anchors the chain; `steward audit checkpoint` writes one)")
    else:
        print(f"checkpoints: {result.checkpoints}, the newest at entry {newest.seq} ({newest.at.isoformat()})")
    for head in result.expected_heads:
        print(f"expected head {head}: in the chain")


def audit_checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        checkpoint = app.audit.checkpoint()
    if args.json:
        print(json.dumps({"head": str(checkpoint.head), **checkpoint.model_dump(mode="json")}, indent=2))
    else:
        _print_checkpoint(checkpoint)
    return 0


def _print_checkpoint(checkpoint: AuditCheckpoint) -> None:
    print(f"checkpoint {checkpoint.id} of the audit chain (keep a copy outside this installation):")
    print(f"  head:       {checkpoint.head}")
    print(f"  at:         {checkpoint.at.isoformat()}")
    print(f"  public key: {checkpoint.public_key}")
    print(f"  signature:  {checkpoint.signature}")
    print(f"check the chain still holds it: steward audit verify --expect-head {checkpoint.head}")
