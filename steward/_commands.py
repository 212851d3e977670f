"""What each `steward` command does; `cli.py` parses, these act and print."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from core import StewardError
from steward._settings import Settings
from steward._wiring import open_steward


def _dump(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str))


def demo(args: argparse.Namespace, settings: Settings) -> int:
    from steward._demo import run_demo

    code = run_demo(settings, history=args.history, new=args.new, seed=args.seed, people=args.people)
    if code != 0 or args.no_serve:
        return code
    return serve(argparse.Namespace(host=args.host, port=args.port), settings)


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


def autonomy_requests(args: argparse.Namespace, settings: Settings) -> int:
    with open_steward(settings) as app:
        pending = app.autonomy.pending_requests()
    if args.json:
        _dump([request.model_dump(mode="json") for request in pending])
        return 0
    if not pending:
        print("no promotion waits for sign-off")
        return 0
    for request in pending:
        kpi = request.kpi
        print(
            f"{request.id}: {request.agent}.{request.action} {request.from_level} → {request.to_level}, "
            f"requested {request.requested_at:%Y-%m-%d %H:%M} UTC"
        )
        print(f"  {request.reason}")
        print(
            f"  agreement {kpi.agreed}/{kpi.reviewed} (lower bound {kpi.agreement_lower_bound:.1%}); bad outcomes "
            f"{kpi.bad_outcomes}/{kpi.outcomes_observed} (upper bound {kpi.bad_outcome_upper_bound:.1%})"
        )
    print("decide with: steward autonomy sign-off ID --approve|--decline --actor USER [--note TEXT]")
    return 0


def autonomy_sign_off(args: argparse.Namespace, settings: Settings) -> int:
    from steward._roles import load_roles

    roles = load_roles(settings)
    with open_steward(settings) as app:
        signer = app.users.get(args.actor)
        if "autonomy.signoff" not in roles.permissions_of(signer.roles):
            signers = " or ".join(role.name for role in roles if "autonomy.signoff" in role.permissions)
            raise StewardError(f"{args.actor} may not sign off promotions: that needs the {signers} role")
        request = app.autonomy.sign_off(args.id, actor=args.actor, approve=args.approve, note=args.note)
    if request.status == "approved":
        print(f"{request.id}: approved by {args.actor}; {request.agent}.{request.action} is now at {request.to_level}")
    else:
        print(f"{request.id}: declined by {args.actor}; {request.agent}.{request.action} stays at {request.from_level}")
    return 0


def _actor(args: argparse.Namespace) -> str:
    return str(args.actor or getpass.getuser())


def eval_credit(args: argparse.Namespace, settings: Settings) -> int:
    from evals import run_credit_eval
    from steward._evals import credit_metrics, save_report

    report = run_credit_eval(args.data, training_csv=settings.german_credit_csv)
    if not args.no_save:
        with open_steward(settings) as app:
            dataset = str(args.data / "german_credit.csv")
            saved = save_report(
                app.reports, "credit", report, credit_metrics(report), dataset=dataset, actor=_actor(args)
            )
        print(f"saved as eval report {saved.id} (steward serve: /evals)", file=sys.stderr)
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
    from steward._evals import identity_metrics, save_report

    report = run_identity_eval(args.data)
    if not args.no_save:
        with open_steward(settings) as app:
            saved = save_report(
                app.reports, "identity", report, identity_metrics(report), dataset=str(args.data), actor=_actor(args)
            )
        print(f"saved as eval report {saved.id} (steward serve: /evals)", file=sys.stderr)
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
    from steward._progress import note
    from steward._table import table_lines

    with open_steward(settings) as app:
        outcome = run_ingest(app, args.source or None, note)  # what it is doing: plain lines on stderr
    summary = outcome.as_json()
    if args.json:
        _dump(summary)
        return 0 if outcome.report.reconciles else 1
    print("reconciliation (received = staged + quarantined):")
    entities = [
        (f"{load.system}.{name}", counts) for load in outcome.report.loads for name, counts in load.entities.items()
    ]
    header, *lines = table_lines(
        ("entity", "received", "staged", "quarantined", ""),
        ((entity, c.received, c.staged, c.quarantined, "ok" if c.reconciles else "MISMATCH") for entity, c in entities),
        right={1, 2, 3},
        indent="  ",
    )
    print(header)
    for line, (_, counts) in zip(lines, entities, strict=True):
        print(line)
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
        print(f"merge proposals: {made}; {outcome.already_proposed} already waiting in the queue")
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


def gdpr_retention(args: argparse.Namespace, settings: Settings) -> int:
    from steward._gdpr import retention

    with open_steward(settings) as app:
        result = retention(app, apply=args.apply)
    if args.json:
        _dump(result)
        return 0
    verb = "applied" if args.apply else "would apply (dry run; --apply to carry out)"
    print(f"retention rules {verb}:")
    for rule in result["rules"]:  # type: ignore[union-attr]
        row: Any = rule
        print(
            f"  {row['rule']:36} {row['action']:9} {row['matched']:7} {row['applies_to']} before {row['cutoff'][:10]}"
        )
    if args.apply:
        print(f"customers anonymised: {result['customers_anonymised']}")
    return 0


def gdpr_export(args: argparse.Namespace, settings: Settings) -> int:
    from steward._gdpr import export

    with open_steward(settings) as app:
        data = export(app, args.id)
    text = json.dumps(data, indent=2, default=str, ensure_ascii=False)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
        print(f"wrote everything held about {args.id} to {args.output}")
    else:
        print(text)
    return 0


def gdpr_erase(args: argparse.Namespace, settings: Settings) -> int:
    from steward._gdpr import erase

    with open_steward(settings) as app:
        summary = erase(app, args.id)
        verification = app.audit.verify()
    if args.json:
        _dump({**summary, "audit_chain_intact": verification.ok})
        return 0
    erased: Any = summary
    print(f"erased customer {erased['customer_id']} (ids {', '.join(erased['customer_ids'])}):")
    for key in (
        "source_records",
        "staged_versions",
        "quarantined_rows",
        "events",
        "observations",
        "applications",
        "decisions",
        "identity_decisions",
        "proposals_redacted",
        "reviews_expired",
        "checkpoint_threads_deleted",
    ):
        print(f"  {key.replace('_', ' '):28} {erased[key]}")
    print(f"audit chain {'intact' if verification.ok else 'BROKEN'}: {verification.count} entries")
    return 0


def serve(args: argparse.Namespace, settings: Settings) -> int:
    from steward._web import serve as serve_app

    return serve_app(settings, args.host, args.port)
