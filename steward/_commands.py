"""What each `steward` command does; `cli.py` parses, these act and print."""

from __future__ import annotations

import argparse
import json
from typing import Any

from agents import Proposal
from core import JsonObject
from policies import ReviewRequirement, ReviewVerdict
from steward._settings import Settings
from steward._wiring import open_steward
from supervision import QueueItem


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


def _dump(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str))


def demo(args: argparse.Namespace, settings: Settings) -> int:
    from steward._demo import run_demo

    return run_demo(settings, history=args.history, new=args.new, seed=args.seed, people=args.people)


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
    print(f"  model {proposal.model_version}: probability of default {probability}, score {proposal.score}")
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
    from steward.cli import parse_edit

    edited = parse_edit(args.edit) if args.edit is not None else None
    verdict: ReviewVerdict = "approve" if args.approve else "reject" if args.reject else "edit"
    with open_steward(settings) as app:
        item = app.supervisor.decide(
            args.id, reviewer_id=args.user, verdict=verdict, comment=args.comment, edited_arguments=edited
        )
    waiting = " (waiting for a second reviewer)" if item.status == "pending" else ""
    print(f"{item.id}: {verdict} by {args.user} → {item.status}{waiting}")
    return 0


def queue_expire(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        expired = app.supervisor.expire_overdue()
    print(f"expired {len(expired)} overdue review(s)")
    return 0


def autonomy_status(args: argparse.Namespace, settings: Settings) -> int:
    from steward._status import autonomy_rows

    with open_steward(settings) as app:
        rows = autonomy_rows(app)
    if args.json:
        _dump(rows)
        return 0
    for row in rows:
        kpi = row["kpi"]
        print(f"{row['agent']}.{row['action']}: level {row['level']} (of {' → '.join(row['levels'])})")
        print(
            f"  agreement {kpi['agreed']}/{kpi['reviewed']} = {kpi['agreement_rate']:.1%} "
            f"(lower bound {kpi['agreement_lower_bound']:.1%}); bad outcomes {kpi['bad_outcomes']}/"
            f"{kpi['outcomes_observed']} (upper bound {kpi['bad_outcome_upper_bound']:.1%}); "
            f"expired {kpi['expired']} (not counted); reviewed since last change {kpi['reviewed_since_change']}"
        )
        if row["last_change"]:
            print(f"  last change: {row['last_change']}")
    return 0


def audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        result = app.audit.verify()
    if result.ok:
        print(f"audit chain intact: {result.count} entries")
        return 0
    print(f"audit chain BROKEN at entry {result.first_bad_seq}: {result.reason}")
    return 1


def eval_credit(args: argparse.Namespace, settings: Settings) -> int:
    from evals import run_credit_eval

    report = run_credit_eval(args.data, training_csv=settings.german_credit_csv)
    if args.json:
        _dump(report.model_dump(mode="json"))
        return 0
    print(f"credit eval on {args.data / 'german_credit.csv'} (model {report.model_version}, trained on bundled data)")
    print(f"  applicants            {report.n}")
    print(
        f"  expected cost         {report.expected_cost:.3f} per applicant "
        f"(decline all {report.baseline_decline_all_cost:.3f}, approve all {report.baseline_approve_all_cost:.3f})"
    )
    print(f"  AUC                   {report.auc:.3f}")
    print(f"  approval rate         {report.approval_rate:.1%}")
    return 0


def eval_identity(args: argparse.Namespace, settings: Settings) -> int:
    from evals import run_identity_eval

    report = run_identity_eval(args.data)
    if args.json:
        _dump(report.model_dump(mode="json"))
        return 0
    print(f"identity eval on {args.data}")
    print(f"  {'task':22} {'precision':>9} {'recall':>7} {'F1':>7} {'true pairs':>10} {'predicted':>9}")
    for task in report.tasks:
        print(
            f"  {task.name:22} {task.precision:9.4f} {task.recall:7.4f} {task.f1:7.4f} "
            f"{task.true_pairs:10} {task.predicted_pairs:9}"
        )
    return 0


def db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from steward._database import make_engine
    from steward._migrations import upgrade

    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    engine.dispose()
    print("database is at the latest schema")
    return 0


def ingest(args: argparse.Namespace, settings: Settings) -> int:
    from steward._ingest import run_ingest

    def progress(line: str) -> None:
        if not args.json:
            print(line, flush=True)

    with open_steward(settings) as app:
        outcome = run_ingest(app, args.source or None, progress)
    summary = outcome.as_json()
    if args.json:
        _dump(summary)
        return 0 if outcome.report.reconciles else 1
    print("\nreconciliation (received = staged + quarantined):")
    for load in outcome.report.loads:
        for name, counts in load.entities.items():
            mark = "ok" if counts.reconciles else "MISMATCH"
            print(
                f"  {load.system}.{name:16} received {counts.received:7}  staged {counts.staged:7}  "
                f"quarantined {counts.quarantined:5}  {mark}"
            )
            for reason, count in counts.reasons.most_common(3):
                print(f"      quarantined {count} x {reason}")
    resolution = outcome.report.resolution
    if resolution is not None:
        print(
            f"identity: {resolution.person_records} person records → {resolution.customers} customers "
            f"({resolution.new_customers} new, {resolution.new_links} new links, "
            f"{len(resolution.merges)} automatic merges, {len(resolution.candidates)} uncertain matches)"
        )
    if outcome.proposals or outcome.already_proposed:
        made = ", ".join(f"{count} {status}" for status, count in sorted(outcome.proposals.items())) or "none new"
        print(f"merge_customers proposals: {made}; {outcome.already_proposed} already waiting in the queue")
    print(
        f"timeline: {outcome.report.events_updated} events updated, "
        f"{outcome.report.events_without_customer} waiting for their person record; "
        f"credit applications added: {len(outcome.report.applications_added)}"
    )
    return 0 if outcome.report.reconciles else 1


def customer_show(args: argparse.Namespace, settings: Settings) -> int:
    from steward._customer import customer_view, print_customer

    with open_steward(settings) as app:
        view = customer_view(app, args.id)
    if args.json:
        _dump(view)
        return 0
    print_customer(view)
    return 0


def attention(args: argparse.Namespace, settings: Settings) -> int:
    if args.top < 1:
        from core import ConfigurationError

        raise ConfigurationError("--top must be at least 1")
    with open_steward(settings) as app:
        entries = app.customers.attention(args.top)
    if args.json:
        _dump([entry.as_json() for entry in entries])
        return 0
    if not entries:
        print("no customer needs attention (no reasons found on the timeline)")
        return 0
    for rank, entry in enumerate(entries, start=1):
        print(f"{rank:3}. {entry.customer_id}  score {entry.score:.2f}")
        for reason in entry.reasons:
            print(f"       - {reason.text}")
            for ev in reason.evidence[:2]:
                print(
                    f"           {ev.source_system}/{ev.record_id} ({ev.kind}, {ev.occurred_at:%Y-%m-%d}): {ev.detail}"
                )
    return 0
