"""What every command handler prints the same way: JSON documents on stdout, and who the actor is."""

from __future__ import annotations

import argparse
import getpass
import json
from typing import Any


def dump(value: Any) -> None:
    """`value` as indented JSON on stdout (times and other values as their text)."""
    print(json.dumps(value, indent=2, default=str))


def actor_of(args: argparse.Namespace) -> str:
    """The `--actor` given, else the login name of who runs the command."""
    return str(args.actor or getpass.getuser())
