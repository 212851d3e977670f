"""Cross-validate the credit scorecard on the bundled German credit data and print the figures.

python -m evals.credit_cv                 # the chosen method, 10-fold x 3 repeats
python -m evals.credit_cv --compare       # every method, same folds
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from agents.scorecard import DEFAULT_METHOD, METHODS, load_german_credit
from evals._cross_validation import CrossValidationReport, cross_validate_credit

BUNDLED = Path(__file__).resolve().parents[1] / "steward" / "data" / "german_credit" / "german_credit.csv"


def _line(report: CrossValidationReport) -> str:
    repeats = " ".join(f"{c:.3f}" for c in report.repeat_mean_costs)
    return (
        f"{report.method:14s} cost {report.mean_cost:.3f} ± {report.std_cost:.3f} "
        f"(per-repeat means {repeats})   AUC {report.mean_auc:.3f} ± {report.std_auc:.3f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.credit_cv", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=BUNDLED, help="German credit CSV (default: bundled)")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compare", action="store_true", help="also run the alternative methods")
    args = parser.parse_args(argv)

    data = load_german_credit(args.data)
    print(
        f"{args.folds}-fold stratified CV x {args.repeats} repeats "
        f"(seeds {args.seed}..{args.seed + args.repeats - 1}) on {len(data)} applicants; "
        f"StatLog cost per applicant (decline all = {1 - data.label.mean():.3f}), mean ± std over folds"
    )
    for method in METHODS if args.compare else (DEFAULT_METHOD,):
        report = cross_validate_credit(data, folds=args.folds, repeats=args.repeats, seed=args.seed, method=method)
        print(_line(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
