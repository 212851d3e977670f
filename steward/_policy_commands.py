"""The `steward policy` commands: show, history, what-if and set (validate, preview, save)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from core import ConfigurationError
from policies import WhatIfLine, WhatIfReport
from steward._settings import Settings
from steward._wiring import open_steward


def policy_show(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        store = app.policy_store
        version = store.latest(args.agent) if args.version is None else store.get(args.agent, args.version)
    when = "the installed policy file" if version.created_at is None else f"{version.created_at:%Y-%m-%d %H:%M} UTC"
    print(
        f"# {version.agent} policy version {version.version} ({version.label}), {when}, by {version.author}",
        file=sys.stderr,
    )
    sys.stdout.write(version.text if version.text.endswith("\n") else version.text + "\n")
    return 0


def policy_history(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        history = app.policy_store.history(args.agent)
    if args.json:
        print(json.dumps([info.model_dump(mode="json") for info in history], indent=2))
        return 0
    print(f"{'version':>7}  {'saved':20} {'by':16} {'digest':12}  reason")
    for info in history:
        when = "(file)" if info.created_at is None else f"{info.created_at:%Y-%m-%d %H:%M} UTC"
        print(f"{info.version:>7}  {when:20} {info.author[:16]:16} {info.digest[:12]}  {info.reason}")
    return 0


def policy_what_if(args: argparse.Namespace, settings: Settings) -> int:
    text = _read(args.file)
    with open_steward(settings) as app:
        report = app.policy_store.what_if(args.agent, text)
    if args.json:
        print(json.dumps(report.model_dump(mode="json"), indent=2))
    else:
        print("\n".join(what_if_text(report)))
    return 0


def policy_set(args: argparse.Namespace, settings: Settings) -> int:
    text = _read(args.file)
    with open_steward(settings) as app:
        store = app.policy_store
        actor = _actor(args.actor)
        if args.actor is not None:
            app.users.get(actor)  # NotFound for a user who does not exist
        base = store.latest(args.agent)
        if text == base.text:
            print(f"{args.file} is the same as version {base.version} of the {args.agent} policy; nothing to save")
            return 0
        report = store.what_if(args.agent, text)
        print("\n".join(what_if_text(report)))
        saved = store.save(args.agent, text, author=actor, reason=args.reason, expected_version=base.version)
    print(f"saved the {saved.agent} policy as version {saved.version} ({saved.label}) by {saved.author}")
    return 0


def what_if_text(report: WhatIfReport) -> list[str]:
    """The what-if as a small table: one line per action and the total, then a few changed cases."""
    lines = [
        f"what-if for the {report.agent} policy over its last {report.total.cases} proposals "
        f"(in force {report.current_version}, candidate {report.candidate_version}), "
        "each at its action's current autonomy level:",
        f"  {'action':24} {'cases':>5}  {'auto':>9}  {'review':>9}  {'deny':>9}  {'newly auto':>10}  "
        f"{'auto, overridden':>16}",
    ]
    for line in [*report.actions, report.total]:
        lines.append(_line_text(line))
    if report.total.unjudged:
        lines.append(
            f"  {report.total.unjudged} case(s) could not be judged (their action or level is not in a policy)"
        )
    if report.examples:
        lines.append("  changed cases, for example:")
    for case in report.examples:
        verdict = f", reviewer: {case.verdict}" if case.verdict else ""
        lines.append(
            f"    {case.proposal_id} {case.action} at {case.level}: {case.current} → {case.candidate} "
            f"({case.candidate_matched}; was {case.status}{verdict})"
        )
    return lines


def _line_text(line: WhatIfLine) -> str:
    def pair(now: int, then: int) -> str:
        return f"{now}→{then}"

    overridden = f"{line.automated_overridden}/{line.automated_reviewed}"
    return (
        f"  {line.action or 'all actions':24} {line.cases:>5}  {pair(line.current.auto, line.candidate.auto):>9}  "
        f"{pair(line.current.review, line.candidate.review):>9}  {pair(line.current.deny, line.candidate.deny):>9}  "
        f"{line.newly_automated:>10}  {overridden:>16}"
    )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{path}: cannot be read as UTF-8 text ({exc})") from None


def _actor(given: str | None) -> str:
    if given is not None:
        return given
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in a bare container
        return "cli"
