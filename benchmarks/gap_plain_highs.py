"""The baseline `steward eval routing` is compared with: plain HiGHS on the textbook GAP model, same budget.

One binary per (agent, job), each job assigned once, each agent within capacity; HiGHS with its default
options except one thread and no relative gap tolerance (the exact solver given the same chance: no warm
start, no neighbourhood search). Prints the same per-family figures as the eval (gap to the optimum or best
known value, seconds).

    python -m benchmarks.gap_plain_highs [--data DIR] [--time-limit S] [--instances NAME,...] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import highspy
import numpy as np

from evals import GapInstance, gap_family, load_gap_instance, load_gap_references

BUNDLED = Path(__file__).resolve().parents[1] / "steward" / "data" / "gap_orlib"


def _quiet_highs() -> highspy.Highs:
    """A HiGHS instance, its once-per-process banner kept off standard output (the JSON goes there)."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    try:
        return highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def solve_plain(instance: GapInstance, time_limit: float) -> tuple[float, float, float]:
    """(objective, bound, seconds) of plain HiGHS on `instance`."""
    m, n = instance.agents, instance.jobs
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = m * n, n + m
    lp.col_cost_ = instance.cost.ravel()
    lp.col_lower_, lp.col_upper_ = np.zeros(m * n), np.ones(m * n)
    lp.row_lower_ = np.concatenate((np.ones(n), np.full(m, -highspy.kHighsInf)))
    lp.row_upper_ = np.concatenate((np.ones(n), instance.capacity))
    agent, job = np.divmod(np.arange(m * n), n)
    index = np.empty(2 * m * n, dtype=np.int32)
    index[0::2], index[1::2] = job, n + agent
    value = np.empty(2 * m * n)
    value[0::2], value[1::2] = 1.0, instance.use.ravel()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, 2 * m * n + 1, 2, dtype=np.int32)
    lp.a_matrix_.index_, lp.a_matrix_.value_ = index, value
    lp.integrality_ = [highspy.HighsVarType.kInteger] * (m * n)
    highs = _quiet_highs()
    for option, setting in (("output_flag", False), ("threads", 1), ("time_limit", time_limit), ("mip_rel_gap", 0.0)):
        highs.setOptionValue(option, setting)
    highs.passModel(lp)
    started = time.perf_counter()
    highs.run()
    seconds = time.perf_counter() - started
    info = highs.getInfo()
    return float(info.objective_function_value), float(info.mip_dual_bound), seconds


@dataclass(frozen=True)
class Result:
    name: str
    family: str
    objective: float
    bound: float
    gap_pct: float
    seconds: float


def summary(results: list[Result]) -> dict[str, float]:
    gaps, seconds = [r.gap_pct for r in results], [r.seconds for r in results]
    return {
        "instances": len(results),
        "mean_gap_pct": round(float(np.mean(gaps)), 4),
        "max_gap_pct": round(max(gaps), 4),
        "mean_seconds": round(float(np.mean(seconds)), 2),
        "max_seconds": round(max(seconds), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=BUNDLED)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--instances", help="names, separated by commas (default: all)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    references = load_gap_references(args.data / "gap_reference_values.csv")
    folder = args.data / "instances"
    names = args.instances.split(",") if args.instances else sorted(path.stem for path in folder.glob("*.txt"))
    results = []
    for name in names:
        objective, bound, seconds = solve_plain(load_gap_instance(folder / f"{name}.txt"), args.time_limit)
        gap = 100 * (objective - references[name]) / references[name]
        results.append(Result(name, gap_family(name), objective, bound, round(gap, 6), round(seconds, 3)))
    families = {f: summary([r for r in results if r.family == f]) for f in dict.fromkeys(r.family for r in results)}
    if args.json:
        rows = [asdict(r) for r in results]
        print(json.dumps({"overall": summary(results), "families": families, "results": rows}, indent=2))
        return
    for family, figures in families.items():
        print(f"{family:8} {figures}")
    print(f"{'all':8} {summary(results)}")


if __name__ == "__main__":
    main()
