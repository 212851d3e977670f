"""Proposals per second through the credit agent (assess → propose → gate → enqueue), against a bare graph.

Both graphs have the same nodes (the credit agent's own steps, then gate and await_review: the bare
graph takes the names from the agent's definition) and the same SQLite checkpointer with the same
durability, and both stop at the review pause. The bare graph's nodes do nothing, so the ratio
bare/Steward is what Steward's real work costs on top of LangGraph itself. Bar: ≤ 1.5× (goal 1.2×).

Durability on both sides: each checkpoint file is WAL with SQLite's default `synchronous=FULL` (every
commit is fsynced), and so is Steward's own database, where each proposal commits once (the queue row,
its subjects and its audit entries).

    python -m benchmarks.proposal_throughput [--proposals N] [--json]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt

from agents import AgentRunner
from agents.credit import load_or_train_scorecard
from customers import load_applicants
from steward import Settings, configure_logging, open_steward


class BareState(TypedDict, total=False):
    application_id: str
    step: int
    answer: Any


def _bare_graph(saver: SqliteSaver, steps: list[str]) -> Any:
    def passthrough(state: BareState) -> dict[str, Any]:
        return {"step": state.get("step", 0) + 1}

    def pause(state: BareState) -> dict[str, Any]:
        return {"answer": interrupt({"application_id": state["application_id"]})}

    graph: StateGraph[Any] = StateGraph(BareState)
    previous = START
    for name in [*steps, "gate"]:
        graph.add_node(name, passthrough)
        graph.add_edge(previous, name)
        previous = name
    graph.add_node("await_review", pause)
    graph.add_edge("gate", "await_review")
    graph.add_edge("await_review", END)
    return graph.compile(checkpointer=saver)


def _seconds(indices: range, run_one: Callable[[int], None]) -> float:
    start = time.perf_counter()
    for i in indices:
        run_one(i)
    return time.perf_counter() - start


def measure(proposals: int, rounds: int = 5) -> dict[str, float]:
    """Both graphs run in alternating rounds (so a busy moment of the machine hits both alike); the ratio
    is of the total times, and the per-round ratios give its spread."""
    configure_logging("WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        settings = Settings(home=home)
        with open_steward(settings) as app:
            load_or_train_scorecard(settings.model_path, settings.german_credit_csv)
            ids = sorted(load_applicants(app.customers, settings.german_credit_csv).loaded)
            runtime = app.runtimes["credit_approval"]
            agent = AgentRunner(runtime)
            steps = [name for name, _ in runtime.definition.nodes(runtime.environment).steps]

            conn = sqlite3.connect(str(home / "bare.sqlite"), check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            saver = SqliteSaver(conn)
            saver.setup()
            bare = _bare_graph(saver, steps)

            def propose(i: int) -> None:
                agent.run(ids[i % len(ids)])

            def bare_propose(i: int) -> None:
                bare.invoke({"application_id": f"A-{i}"}, {"configurable": {"thread_id": f"bare-{i}"}})

            propose(-1)  # warm-up: imports, first connection, compiled caches
            bare_propose(-1)
            per_round = max(proposals // rounds, 1)
            steward_times: list[float] = []
            bare_times: list[float] = []
            for r in range(rounds):
                indices = range(r * per_round, (r + 1) * per_round)
                steward_times.append(_seconds(indices, propose))
                bare_times.append(_seconds(indices, bare_propose))
            conn.close()
    done = per_round * rounds
    ratios = sorted(s / b for s, b in zip(steward_times, bare_times, strict=True))
    return {
        "proposals": done,
        "rounds": rounds,
        "steward_per_second": round(done / sum(steward_times), 1),
        "bare_graph_per_second": round(done / sum(bare_times), 1),
        "overhead_ratio": round(sum(steward_times) / sum(bare_times), 2),
        # Steward's own time per proposal on top of the graph's: what the ratio is made of, since the
        # graph's time itself moves with the machine (its checkpoints' fsyncs, the other load).
        "bare_graph_ms": round(sum(bare_times) / done * 1000, 2),
        "steward_extra_ms": round((sum(steward_times) - sum(bare_times)) / done * 1000, 2),
        "round_ratio_min": round(ratios[0], 2),
        "round_ratio_max": round(ratios[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proposals", type=int, default=200, help="proposals per graph (default 200)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    result = measure(args.proposals, args.rounds)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"Steward: {result['steward_per_second']} proposals/s; bare LangGraph graph: "
            f"{result['bare_graph_per_second']}/s; overhead ×{result['overhead_ratio']} "
            f"(rounds ×{result['round_ratio_min']}–×{result['round_ratio_max']}; bar ≤ 1.5×, goal 1.2×); "
            f"Steward's own {result['steward_extra_ms']} ms per proposal on the graph's {result['bare_graph_ms']} ms"
        )


if __name__ == "__main__":
    main()
