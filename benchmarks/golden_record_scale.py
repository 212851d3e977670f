"""Ingest and resolve N generated person records: wall time, records per second, peak memory, pair F1.

A demo world (`customers.world`, events off: only person records and the CRM's accounts) is
generated with enough people for about N person records (~3.24 per person), by a child process so
that it neither counts in the time nor in the memory measured. Then `Ingestor.ingest` runs on a
fresh database: staging every row (payload, typed fields, quarantine, reconciliation counts),
resolving identities over all person records, and linking them to customers. Measured: its wall
time, source records received per second, the process's RSS just before it and its peak when it
finished, and pair precision, recall and F1 of the customers against the generator's truth.

Bar (issue 3): 1,000,000 records in <= 5 minutes within 4 GB on the 2-core machine.

    python -m benchmarks.golden_record_scale --records N [--seed S] [--postgres URL] [--json]

SQLite (default) is a file in a temporary folder, in WAL mode with synchronous=NORMAL; the folder
and the world are removed afterwards. `--postgres URL` ingests into that database instead: it must
hold no customer links, and the benchmark's rows stay there.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from evals import WorldEvalReport, run_world_eval

PERSON_RECORDS_PER_PERSON = 3.24
"""Person records the demo world writes per person, measured (3.22 at 10,000 people, 3.24 at 31,000)."""
BAR_RECORDS = 1_000_000
BAR_SECONDS = 300.0
BAR_RSS_MB = 4096.0
DATA_DIR = Path(__file__).resolve().parents[1] / "steward" / "data"


def people_for(records: int) -> int:
    """How many people give about `records` person records."""
    return max(1, round(records / PERSON_RECORDS_PER_PERSON))


def postgres_url(url: str) -> str:
    """`postgres://` and `postgresql://` mean psycopg 3, as in the product's settings."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def table(report: WorldEvalReport, records: int) -> str:
    person_rate = report.person_rows / report.ingest_seconds if report.ingest_seconds else 0.0
    rows = [
        ("records asked for", f"{records:,}"),
        ("people generated", f"{report.people:,} (seed {report.seed})"),
        (
            "source records received",
            f"{report.source_records:,} ({report.person_rows:,} person records, "
            f"{report.source_records - report.person_rows:,} other; {report.quarantined:,} quarantined)",
        ),
        ("generation (not timed)", f"{report.generate_seconds:,.1f} s"),
        ("database", report.database),
        ("staging", f"{report.stage_seconds:,.1f} s"),
        ("resolution + linking", f"{report.resolve_seconds:,.1f} s ({report.person_records:,} person records)"),
        ("ingest + resolve wall time", f"{report.ingest_seconds:,.1f} s"),
        (
            "records per second",
            f"{report.records_per_second:,.0f} source records/s ({person_rate:,.0f} person records/s)",
        ),
        ("RSS before ingesting", f"{report.rss_before_ingest_mb:,.0f} MB"),
        (
            "peak RSS",
            f"{report.peak_rss_mb:,.0f} MB"
            + (" (generation ran in a child process)" if report.generated_apart else " (includes generation)"),
        ),
        ("customers", f"{report.customers:,} ({report.merge_candidates:,} merge candidates)"),
        (
            "pair precision / recall / F1",
            f"{report.score.precision:.4f} / {report.score.recall:.4f} / {report.score.f1:.4f}",
        ),
        ("pairs true / predicted", f"{report.score.true_pairs:,} / {report.score.predicted_pairs:,}"),
    ]
    if records >= BAR_RECORDS:
        met = report.ingest_seconds <= BAR_SECONDS and report.peak_rss_mb <= BAR_RSS_MB
        rows.append(
            (
                "bar (<= 300 s, <= 4 GB at 1M)",
                f"{'met' if met else 'MISSED'}: {report.ingest_seconds:,.0f} s, {report.peak_rss_mb:,.0f} MB",
            )
        )
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.golden_record_scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--records", type=int, default=100_000, help="person records to generate (default 100000)")
    parser.add_argument("--seed", type=int, default=7, help="world seed (default 7)")
    parser.add_argument("--postgres", metavar="URL", help="ingest into this PostgreSQL database instead of SQLite")
    parser.add_argument(
        "--generate-in-process",
        action="store_true",
        help="generate the world in this process (faster start; the peak RSS then includes generation)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if args.records < 1:
        parser.error("--records must be at least 1")
    started = time.perf_counter()

    def progress(line: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {line}", file=sys.stderr, flush=True)

    people = people_for(args.records)
    progress(f"{args.records:,} records: generating a world of {people:,} people (events off)")
    report = run_world_eval(
        people=people,
        seed=args.seed,
        data_dir=DATA_DIR,
        events=False,
        database_url=postgres_url(args.postgres) if args.postgres else None,
        generate_apart=not args.generate_in_process,
        progress=progress,
    )
    if args.json:
        print(json.dumps({"records": args.records, **report.model_dump()}, indent=2))
    else:
        print(table(report, args.records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
