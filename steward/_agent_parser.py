"""The parser entries of `steward agents list` and `steward run AGENT` (`steward/_agent_commands.py` acts)."""

from __future__ import annotations

import argparse

MAX_RUN_LIMIT = 10_000
"""The most inputs one `steward run --limit` takes (run it again for more: it picks up where it stopped)."""


def _run_limit(text: str) -> int:
    """`--limit N`: a whole number from 1 to MAX_RUN_LIMIT."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
    if not 1 <= value <= MAX_RUN_LIMIT:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_RUN_LIMIT:,}")
    return value


def agent_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    agents = sub.add_parser("agents", help="the installed agents").add_subparsers(
        dest="agents_command", required=True, metavar="ACTION"
    )
    a_list = agents.add_parser(
        "list",
        help="each installed agent: its actions with their autonomy levels, and its triggers",
        description=(
            "List the installed agents (the bundled ones, then those STEWARD_AGENT_MODULES adds), in order: each "
            "agent's description, its actions (name, title, the autonomy level it stands on now, and every level "
            "its policy in force has) and its triggers (what `steward run` runs it on, and their schedule)."
        ),
    )
    a_list.add_argument(
        "--json",
        action="store_true",
        help=(
            "print a JSON list, one object per agent: name, description, actions (a list of objects: name, title, "
            "description, level, levels — lowest first), triggers (a list of objects: name, description, schedule)"
        ),
    )
    run = sub.add_parser(
        "run",
        help="run an agent on what its trigger has waiting (a second run proposes nothing new)",
        description=(
            "Run AGENT once on each input its trigger has waiting, oldest first (e.g. credit applications no "
            "proposal names yet, uncertain identity matches not yet in the queue); each proposal is gated by the "
            "agent's policy: executed, denied, or left pending for review. Idempotent: what this run proposed is "
            "no longer waiting, so running it again proposes only what arrived since. Prints the counts per status "
            "and each proposal (id, action, status); progress goes to stderr. An agent or trigger that is not "
            "installed exits 2 naming the installed ones (`steward agents list`)."
        ),
    )
    run.add_argument("agent", metavar="AGENT", help="an installed agent, e.g. as `steward agents list` names it")
    run.add_argument(
        "input",
        metavar="INPUT",
        nargs="?",
        help=(
            "run once on this input instead of the trigger's (the value of the agent's input key: an application id, "
            "an order id...); an input it cannot assess is listed under `not_run`, trigger `input`"
        ),
    )
    run.add_argument("--trigger", metavar="NAME", help="which of the agent's triggers (default: its first)")
    run.add_argument(
        "--limit",
        type=_run_limit,
        metavar="N",
        help=f"at most N inputs, 1 to {MAX_RUN_LIMIT:,} (default: everything waiting)",
    )
    run.add_argument(
        "--json",
        action="store_true",
        help=(
            "print JSON: agent, trigger, waiting (inputs taken), proposed, by_status (count per status), runs (a list "
            "of objects: thread_id, proposal_id, action, status)"
        ),
    )
