"""The `steward queue` commands: list, show and decide proposals, expire overdue reviews, propose again."""

from __future__ import annotations

import argparse
import json
import math
import sys

from agents import Proposal, ShownFigure, show_figures
from core import JsonObject, StewardError
from policies import ReviewRequirement, ReviewVerdict
from steward._output import dump as _dump
from steward._settings import Settings
from steward._table import print_table
from steward._wiring import Steward, open_steward
from supervision import DecisionEdit, QueueItem


def _summary(item: QueueItem) -> JsonObject:
    return {
        "id": item.id,
        "agent": item.agent,
        "action": item.action,
        "status": item.status,
        "customer_id": item.customer_id,
        "created_at": item.created_at.isoformat(),
        "gate": item.gate.outcome,
        "matched": item.gate.matched,
        "approvals": list(item.approvals),
        "expires_at": item.expires_at.isoformat() if item.expires_at else None,
        "escalated_to": item.escalated_to,
        "escalated_at": item.escalated_at.isoformat() if item.escalated_at else None,
        "subjects": [subject.model_dump(mode="json") for subject in item.subjects],
    }


def queue_list(args: argparse.Namespace, settings: Settings) -> int:
    customer = args.customer.strip() if args.customer is not None else None
    if customer == "":
        print("steward: --customer needs a customer id, e.g. --customer CUS-1a2b3c", file=sys.stderr)
        return 2
    with open_steward(settings) as app:
        items = app.queue.list(
            status=args.status, customer_ids=None if customer is None else [customer], limit=args.limit
        )
    if args.json:
        _dump([_summary(i) for i in items])
        return 0
    if not items:
        print(
            "no proposals"
            + (f" with status {args.status}" if args.status else "")
            + (f" naming customer {customer}" if customer else "")
        )
        return 0
    print_table(
        ("id", "agent", "action", "status", "customer", "gate", "created", "escalated to"),
        (
            (
                item.id,
                item.agent,
                item.action,
                item.status,
                item.customer_id,
                f"{item.gate.outcome}:{item.gate.matched}",
                f"{item.created_at:%Y-%m-%d %H:%M}",
                item.escalated_to or "",
            )
            for item in items
        ),
    )
    return 0


def _figures(app: Steward, item: QueueItem) -> tuple[ShownFigure, ...]:
    """The headline figures the action that runs declares; none for an agent or action no longer installed."""
    runtime = app.supervisor.agents.get(item.agent)
    spec = None if runtime is None else runtime.step.actions.get(item.runs)
    if spec is None:
        return ()
    return show_figures(spec.figures, arguments=item.arguments, facts=item.facts, proposal=item.proposal)


def queue_show(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        item = app.queue.get(args.id)
        figures = _figures(app, item)
    if args.json:
        _dump(item.model_dump(mode="json") | {"figures": [{"label": f.label, "text": f.text} for f in figures]})
        return 0
    try:
        proposal: Proposal | None = Proposal.model_validate(item.proposal)
    except ValueError:
        proposal = None  # redacted (the customer's data was erased)
    about = "" if proposal is None else f", about {proposal.subject_id}"
    print(f"proposal {item.id}  [{item.status}]")
    print(f"  agent {item.agent}, action {item.action}, customer {item.customer_id}{about}")
    if item.edited_action:
        print(f"  replaced by a reviewer with {item.edited_action}")
    width = max((len(f.label) for f in figures), default=0)
    for figure in figures:
        print(f"  {figure.label:<{width}}  {figure.text or '—'}")
    print(f"  arguments {json.dumps(item.arguments)}")
    if proposal is not None:
        print(f"  rationale: {proposal.rationale}")
        print(f"  model {proposal.model_version}")
    gate = item.gate
    print(f"  gate: {gate.outcome} ({gate.source}: {gate.matched}) at level {gate.autonomy_level}")
    for reason in gate.reasons:
        print(f"    - {reason}")
    print(f"  who may decide: {_authority_text(gate.review)}")
    if proposal is not None:
        print("  reason codes:")
        for code in proposal.reason_codes:
            print(f"    {code.code}: {code.description} ({code.contribution:+.2f})")
        print("  evidence (value <- source system / source record, observed):")
        for ev in proposal.evidence:
            print(
                f"    {ev.field} = {ev.value!r} <- {ev.source_system}/{ev.source_record_id}, {ev.observed_at:%Y-%m-%d}"
            )
    for r in item.reviews:
        comment = f": {r.comment}" if r.comment else ""
        print(f"  review: {r.reviewer} {r.verdict} at {r.at:%Y-%m-%d %H:%M}{comment}")
    if item.execution_result is not None:
        print(f"  executed: {json.dumps(item.execution_result)}")
    if item.error:
        print(f"  error: {item.error}")
    return 0


def _authority_text(review: ReviewRequirement) -> str:
    limits = ", ".join(
        f"{role} up to {'any amount' if limit is None else f'{limit:,.0f}'}"
        for role, limit in review.role_limits.items()
    )
    text = f"{limits}; approvals required: {review.approvals_required}"
    if review.requested_by:
        text += f"; requested by {review.requested_by}, who may not approve it"
    return text


def queue_decide(args: argparse.Namespace, settings: Settings) -> int:
    edited = parse_edit(args.edit) if args.edit is not None else None
    verdict: ReviewVerdict = "approve" if args.approve else "reject" if args.reject else "edit"
    if args.action is not None and verdict != "edit":
        print("steward: --action goes with --edit (the replacement action's arguments)", file=sys.stderr)
        return 2
    with open_steward(settings) as app:
        item = app.supervisor.decide(
            args.id,
            reviewer_id=args.user,
            verdict=verdict,
            comment=args.comment,
            edit=None if edited is None else DecisionEdit(arguments=edited, action=args.action),
        )
    waiting = " (waiting for a second reviewer)" if item.status == "pending" else ""
    print(f"{item.id}: {verdict} by {args.user} → {item.status}{waiting}")
    return 0


def queue_expire(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        timeouts = app.supervisor.apply_timeouts()
    print(f"expired {len(timeouts.expired)} overdue review(s)")
    if timeouts.escalated:
        print(f"escalated {len(timeouts.escalated)} overdue review(s), still pending:")
        for item in timeouts.escalated:
            due = f"{item.expires_at:%Y-%m-%d %H:%M}" if item.expires_at else "no deadline"
            print(f"  {item.id}  {item.agent}/{item.action}  to {item.escalated_to}, due {due}")
    return 0


def queue_propose_again(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        app.users.get(args.user)  # an unknown user is refused before anything runs
        fresh = app.supervisor.propose_again(args.id, actor=args.user)
    if args.json:
        _dump(_summary(fresh))
        return 0
    print(f"{args.id}: proposed again as {fresh.id} ({fresh.action} → {fresh.status})")
    return 0


def parse_edit(text: str) -> JsonObject:
    """The --edit argument: a JSON object of argument changes, its numbers finite (no NaN, Infinity or 1e400)."""
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise StewardError(f"--edit is not valid JSON: {exc.msg} at position {exc.pos}") from exc
    except (ValueError, RecursionError) as exc:  # an integer of thousands of digits, or nesting without end
        raise StewardError(f"--edit is not JSON this command reads: {str(exc)[:200]}") from None
    if not isinstance(value, dict):
        raise StewardError('--edit must be a JSON object, e.g. {"amount": 3000}')
    return value


def _no_constant(name: str) -> float:
    raise StewardError(f"--edit contains {name}: numbers must be finite, e.g. 3000")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise StewardError(f"--edit contains {text[:40]}, too large for a number: numbers must be finite, e.g. 3000")
    return number
