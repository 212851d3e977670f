"""What costly CEL conditions really take, beside the cost the policy checker estimates for them.

The checker (`policies._cost`) refuses a condition whose estimate passes `MAX_CONDITION_COST` steps and
documents a step as at most about a fifth of a microsecond. Each row here evaluates one adversarial
condition with the `cel` library (the best of a few runs) and prints its estimate, its time and the
time per step; a row whose nanoseconds per step pass 200 means the estimate is no longer an upper
bound for that shape (after a library upgrade, say) and the weights need raising. Conditions over the
limit are measured too: the estimate must stay an upper bound there as well.

    python -m benchmarks.condition_cost [--runs N] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time

import cel

from policies import MAX_CONDITION_COST
from policies._cost import estimated_cost


def _list(count: int, element: str = "1") -> str:
    return "[" + ", ".join([element] * count) + "]"


FACTS = {"l": list(range(100)), "s": "a" * 1000}
CASES: dict[str, str] = {
    "map of lists": f"{_list(67)}.map(x, {_list(33)}).size() > 0",
    "map, body grows": f"{_list(100, '[1]')}.map(x, x" + " + x" * 100 + ").size() > 0",
    "map inside map": f"{_list(30)}.map(x, {_list(30)}.map(y, {_list(30)})).size() > 0",
    "three deep": f"{_list(10)}.all(a, {_list(10)}.all(b, {_list(10)}.all(c, a + b + c > 0)))",
    "two deep, + in the body": f"{_list(10, '[1, 1]')}.all(x, {_list(10)}.all(y, (x" + " + x" * 30 + ").size() > 0))",
    "filter": f"{_list(100, '[1]')}.filter(y, true).size() > 0",
    "exists over the facts, twice": "l.exists(x, l.exists(y, x == y + 1000))",
    "map over the facts": "l.map(x, l).size() > 0",
    "list + chain": "(" + " + ".join([_list(20)] * 40) + ").size() > 0",
    "regex \\w{10}": r"s.matches('\\w{10}')",
    "regex \\p{L}{10}": r"s.matches('\\p{L}{10}')",
    "regex (?i)k{10}": r"s.matches('(?i)k{10}')",
    "regex .{100}": r"s.matches('.{100}')",
    "regex three \\w+": r"s.matches('^\\w+@\\w+\\.\\w+$')",
}


def measure(runs: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name, source in CASES.items():
        estimate = estimated_cost(source)
        program = cel.compile(source)
        best = float("inf")
        for _ in range(runs):
            started = time.perf_counter()
            with contextlib.suppress(Exception):  # a pattern the library refuses still cost its compilation
                program.execute(dict(FACTS))
            best = min(best, time.perf_counter() - started)
        rows.append(
            {
                "condition": name,
                "estimate": estimate,
                "over_limit": estimate > MAX_CONDITION_COST,
                "ms": round(best * 1000, 3),
                "ns_per_step": round(best * 1e9 / estimate, 2),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = measure(args.runs)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'condition':32} {'estimate':>16} {'over':>5} {'ms':>10} {'ns/step':>9}")
    for row in rows:
        over = "yes" if row["over_limit"] else ""
        print(f"{row['condition']!s:32} {row['estimate']:>16,} {over:>5} {row['ms']:>10} {row['ns_per_step']:>9}")


if __name__ == "__main__":
    main()
