"""`steward agents list` and `steward run`: the installed agents, and one pass of an agent over what its
trigger has waiting (the unit a background worker will schedule)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass

from agents import AgentRunner, AgentRuntime, TriggerReport
from core import ConfigurationError, JsonObject
from steward._progress import progress
from steward._settings import Settings
from steward._table import print_table
from steward._wiring import open_steward

EXIT_USAGE = 2
"""An agent or trigger that is not installed: the command line is wrong, as argparse's own errors."""


@dataclass(frozen=True)
class ActionListing:
    name: str
    title: str
    description: str
    level: str
    """The action's autonomy level now."""
    levels: list[str]
    """Every level its policy in force has, lowest first."""


@dataclass(frozen=True)
class TriggerListing:
    name: str
    description: str
    schedule: str


@dataclass(frozen=True)
class AgentListing:
    """One installed agent as `steward agents list` shows it."""

    name: str
    description: str
    actions: list[ActionListing]
    triggers: list[TriggerListing]

    def as_json(self) -> JsonObject:
        return asdict(self)


def listing(runtime: AgentRuntime) -> AgentListing:
    """What `runtime`'s agent can do and how far each action is trusted now (its policy in force)."""
    definition, step = runtime.definition, runtime.step
    policy = step.policy
    return AgentListing(
        name=definition.name,
        description=definition.description,
        actions=[
            ActionListing(
                name=spec.name,
                title=spec.title,
                description=spec.description,
                level=step.level(spec.name, policy),
                levels=policy.levels(spec.name),
            )
            for spec in definition.actions
        ],
        triggers=[
            TriggerListing(name=trigger.name, description=trigger.description, schedule=trigger.schedule)
            for trigger in definition.triggers
        ],
    )


def agents_list(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        agents = [listing(app.runtimes[name]) for name in app.registry]
    if args.json:
        print(json.dumps([agent.as_json() for agent in agents], indent=2))
        return 0
    for number, agent in enumerate(agents):
        if number:
            print()
        print(f"{agent.name}: {agent.description}")
        print_table(
            ("action", "title", "level", "levels"),
            ((a.name, a.title, a.level, " → ".join(a.levels)) for a in agent.actions),
            indent="  ",
        )
        if agent.triggers:
            print_table(
                ("trigger", "schedule", "description"),
                ((t.name, t.schedule, t.description) for t in agent.triggers),
                indent="  ",
            )
        else:
            print("  no trigger: it runs when another part of Steward starts it")
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        try:
            runner = app.runner(args.agent)
            if args.input is not None and not runner.runtime.definition.input_key:
                raise ConfigurationError(f"agent {args.agent!r} takes no input by key; run it without INPUT")
            trigger = runner.runtime.definition.trigger(args.trigger) if args.input is None else None
        except ConfigurationError as exc:
            print(f"steward: {exc}", file=sys.stderr)
            return EXIT_USAGE
        report = runner.run_input(args.input) if trigger is None else _run_waiting(runner, trigger.name, args.limit)
    if args.json:
        print(json.dumps(report.as_json(), indent=2))
        return 0
    _print_report(report)
    return 0


def _run_waiting(runner: AgentRunner, trigger: str, limit: int | None) -> TriggerReport:
    with progress(f"{runner.name}: {trigger}") as advance:
        return runner.run_waiting(trigger, limit=limit, progress=advance)


def _print_report(report: TriggerReport) -> None:
    where = f"{report.agent} (trigger {report.trigger})"
    if not report.runs and not report.not_run:
        print(f"{where}: nothing waiting")
        return
    if report.runs:
        counts = ", ".join(f"{count} {status}" for status, count in sorted(report.by_status.items()))
        print(f"{where}: {len(report.runs)} proposed: {counts}")
        print_table(("proposal", "action", "status"), ((r.proposal_id, r.action, r.status) for r in report.runs))
    else:
        print(f"{where}: nothing proposed")
    if report.not_run:
        print(f"not run ({len(report.not_run)}; offered again next time):")
        print_table(("input", "reason"), ((entry["input"], entry["reason"]) for entry in report.not_run))
