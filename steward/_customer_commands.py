"""`steward ingest`, `customer`, `attention` and `gdpr ...`: the customer data and the person's rights."""

from __future__ import annotations

import argparse
import json
from typing import Any

from steward._output import dump as _dump
from steward._settings import Settings
from steward._wiring import open_steward


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
