"""The `steward queue` commands: list, show and decide proposals, expire overdue reviews, propose again."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

from agents import Proposal
from core import JsonObject, StewardError
from policies import ReviewRequirement, ReviewVerdict
from steward._settings import Settings
from steward._wiring import open_steward
from supervision import QueueItem


def _dump(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str))


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
    }


def queue_list(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        items = app.queue.list(status=args.status, limit=args.limit)
    if args.json:
        _dump([_summary(i) for i in items])
        return 0
    if not items:
        print("no proposals" + (f" with status {args.status}" if args.status else ""))
        return 0
    print(f"{'id':36}  {'action':20} {'status':9} {'customer':8} {'gate':22} created")
    for item in items:
        gate = f"{item.gate.outcome}:{item.gate.matched}"
        print(
            f"{item.id:36}  {item.action:20} {item.status:9} {item.customer_id:8} {gate[:22]:22} "
            f"{item.created_at:%Y-%m-%d %H:%M}"
        )
    return 0


def queue_show(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        item = app.queue.get(args.id)
    if args.json:
        _dump(item.model_dump(mode="json"))
        return 0
    proposal = Proposal.model_validate(item.proposal)
    print(f"proposal {item.id}  [{item.status}]")
    print(f"  agent {item.agent}, action {item.action}, customer {item.customer_id}, about {proposal.subject_id}")
    print(f"  arguments {json.dumps(item.arguments)}")
    print(f"  rationale: {proposal.rationale}")
    probability = "n/a" if proposal.probability is None else f"{proposal.probability:.1%}"
    if item.agent == "credit_approval":
        print(f"  model {proposal.model_version}: probability of default {probability}, score {proposal.score}")
    else:
        print(f"  model {proposal.model_version}: probability {probability}")
    gate = item.gate
    print(f"  gate: {gate.outcome} ({gate.source}: {gate.matched}) at level {gate.autonomy_level}")
    for reason in gate.reasons:
        print(f"    - {reason}")
    print(f"  who may decide: {_authority_text(gate.review)}")
    print("  reason codes:")
    for code in proposal.reason_codes:
        print(f"    {code.code}: {code.description} ({code.contribution:+.2f})")
    print("  evidence (value <- source system / source record, observed):")
    for ev in proposal.evidence:
        print(f"    {ev.field} = {ev.value!r} <- {ev.source_system}/{ev.source_record_id}, {ev.observed_at:%Y-%m-%d}")
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
            edited_arguments=edited,
            edited_action=args.action,
        )
    waiting = " (waiting for a second reviewer)" if item.status == "pending" else ""
    print(f"{item.id}: {verdict} by {args.user} → {item.status}{waiting}")
    return 0


def queue_expire(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        expired = app.supervisor.expire_overdue()
    print(f"expired {len(expired)} overdue review(s)")
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
