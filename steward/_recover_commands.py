"""`steward recover`: apply the review clock, carry on the decisions a crash left unfinished, and say what
was done."""

from __future__ import annotations

import argparse
import json
import sys

from agents import RecoveryReport
from steward._settings import Settings
from steward._wiring import open_steward

EXIT_NOT_CLEAN = 1


def recover(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        report = app.supervisor.recover()
    if args.json:
        document = {"counts": report.counts(), **report.model_dump(mode="json")}
        print(json.dumps(document, indent=2, sort_keys=True))
    else:
        _print(report)
    if not report.clean:
        stuck = len(report.ids("stuck")) + len(report.ids("error"))
        print(f"steward: {stuck} proposal(s) could not be carried on; see above and the log", file=sys.stderr)
        return EXIT_NOT_CLEAN
    return 0


def _print(report: RecoveryReport) -> None:
    if report.expired or report.escalated:
        print(f"review clock: {len(report.expired)} overdue review(s) expired, {len(report.escalated)} escalated")
        for proposal_id in report.escalated:
            print(f"  escalated {proposal_id}")
    if not report.proposals:
        print("nothing to recover")
        return
    counts = ", ".join(f"{count} {outcome}" for outcome, count in report.counts().items())
    print(f"recovered {len(report.proposals)} proposal(s): {counts}")
    for entry in report.proposals:
        line = f"  {entry.outcome:9} {entry.id}  {entry.agent}/{entry.action}  {entry.found} -> {entry.status}"
        print(line + (f"  ({entry.detail})" if entry.detail else ""))
    if report.ladders_reviewed:
        print(f"ladders reviewed: {', '.join(report.ladders_reviewed)}")
