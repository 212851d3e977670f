"""python -m customers.world OUT_DIR: write the demo world's exports and ground truth."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from core import ConfigurationError
from customers.world._generate import generate_world

BUNDLED_DATA = Path(__file__).resolve().parents[2] / "steward" / "data"
DEFAULT_AS_OF = date(2026, 1, 1)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m customers.world",
        description="Write the exports of five simulated source systems (crm/, erp/, shop/, ticketing/, "
        "marketing/) and their ground truth (truth/) into OUT_DIR. The same arguments always give "
        "byte-identical files.",
    )
    parser.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="folder to write into (created if missing)")
    parser.add_argument("--people", type=int, default=3000, help="number of people (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=7, help="random seed, zero or positive (default: %(default)s)")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=DEFAULT_AS_OF,
        metavar="YYYY-MM-DD",
        help="the day of the export: every date lies before it (default: %(default)s)",
    )
    parser.add_argument(
        "--no-events",
        dest="events",
        action="store_false",
        help="write only people and accounts, no orders, tickets, sessions or e-mail events (for scale benchmarks)",
    )
    parser.add_argument(
        "--no-malformed", dest="malformed", action="store_false", help="write no deliberately broken rows"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=BUNDLED_DATA,
        metavar="DIR",
        help="folder with german_credit/, cdnow/ and cfpb_complaints/ (default: the bundled steward/data)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        summary = generate_world(
            args.out_dir,
            people=args.people,
            seed=args.seed,
            as_of=args.as_of,
            data_dir=args.data_dir,
            events=args.events,
            malformed=args.malformed,
            on_progress=lambda line: print(line, flush=True),
        )
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = sum(summary.counts.values())
    print(f"wrote {rows:,} rows for {summary.people:,} people in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
