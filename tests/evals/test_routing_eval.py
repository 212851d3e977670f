"""The routing eval: OR-Library instances read strictly, plans checked apart from the solver, the CLI's JSON."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from agents.assignment import AssignmentPlan
from core import ConfigurationError
from evals import RoutingDataError, load_gap_instance, run_routing_eval

BUNDLED = Path(__file__).resolve().parents[2] / "steward" / "data" / "gap_orlib"
HEADER = "instance,orlib_file,index_in_file,orlib_label,agents_m,jobs_n,opt_max_orlib,opt_min,best_known_min\n"
TINY = "1\n2 3\n1 2 3\n4 5 6\n2 2 2\n1 1 1\n4 2\n"
"""Two agents, three jobs: agent 0 can take two jobs (capacity 4, each uses 2), agent 1 takes any two."""


def write_data(folder: Path, instances: dict[str, str], references: dict[str, str]) -> Path:
    (folder / "instances").mkdir(parents=True)
    for name, text in instances.items():
        (folder / "instances" / f"{name}.txt").write_text(text)
    rows = "".join(f"{name},f,1,{name},2,3,,{value},{value}\n" for name, value in references.items())
    (folder / "gap_reference_values.csv").write_text(HEADER + rows)
    return folder


def test_the_tiny_instance_and_a_bundled_one_are_solved_to_their_optimum(tmp_path: Path) -> None:
    data = write_data(tmp_path, {"tiny1": TINY}, {"tiny1": "9", "gap1-1": "261"})
    shutil.copy(BUNDLED / "instances" / "gap1-1.txt", data / "instances")
    seen: list[tuple[int, int]] = []

    report = run_routing_eval(data, time_limit=5.0, progress=lambda done, total: seen.append((done, total)))

    assert (report.instances, report.feasible, report.mean_gap_pct, report.max_gap_pct) == (2, 2, 0.0, 0.0)
    assert seen == [(1, 2), (2, 2)]
    gap, tiny = report.results
    assert (gap.name, gap.group, gap.agents, gap.jobs, gap.objective, gap.reference) == (
        "gap1-1",
        "gap1-12",
        5,
        15,
        261,
        261,
    )
    assert (tiny.name, tiny.group, tiny.objective, tiny.status) == ("tiny1", "other", 9.0, "optimal")
    assert [group.group for group in report.groups] == ["gap1-12", "other"]


def test_a_plan_over_capacity_is_infeasible_whatever_the_solver_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The eval checks plans from the instance's numbers: a solver claiming an optimal plan that puts all
    three jobs on agent 0 (load 6 > capacity 4) is caught."""
    data = write_data(tmp_path, {"tiny1": TINY}, {"tiny1": "9"})
    lying = AssignmentPlan(
        chosen=(0, 2, 4), unserved=(), objective=6.0, bound=6.0, gap_pct=0.0, status="optimal", method="x", seconds=0.0
    )
    monkeypatch.setattr("evals._routing.solve_assignment", lambda problem, time_limit: lying)

    report = run_routing_eval(data, time_limit=1.0)

    (result,) = report.results
    assert not result.feasible
    assert result.gap_pct is None
    assert (report.feasible, report.mean_gap_pct) == (0, None)


@pytest.mark.parametrize(
    ("text", "problem", "line"),
    [
        ("1\n2 3\n1 2 x\n", "'x' is not a number", 3),
        ("1\n2 3\n1 2 3\n4 5 nan\n", "not a finite number", 4),
        ("2\n2 3\n", "one problem", 1),
        ("1\n2 3.5\n", "number of jobs must be a whole number", 2),
        ("1\n0 3\n", "number of agents must be a whole number", 2),
        ("1\n2 3\n1 2 3\n4 5 6\n2 2 2\n1 1 1\n4\n", "ends before all capacities are read (1 numbers missing)", 7),
        ("1\n2 3\n1 2 3\n4 5 6\n2 2 2\n1 1 1\n4 2\n9\n", "numbers after the 2 capacities", 8),
        ("1\n2 3\n1 2 3\n4 5 6\n2 2 2\n1 1 1\n4 -2\n", "capacities must not be negative", 7),
        ("1\n2 3\n1 2 3\n4 5 6\n2 -2 2\n1 1 1\n4 2\n", "resource uses must not be negative", 5),
    ],
)
def test_a_malformed_instance_names_the_file_and_line(tmp_path: Path, text: str, problem: str, line: int) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(RoutingDataError, match=re.escape(problem)) as raised:
        load_gap_instance(path)
    assert raised.value.line == line
    assert str(path) in str(raised.value)
    assert f"line {line}" in str(raised.value)


def test_bad_reference_files_and_folders_are_configuration_errors(tmp_path: Path) -> None:
    data = write_data(tmp_path / "a", {"tiny1": TINY}, {"tiny1": "nine"})
    with pytest.raises(RoutingDataError, match="no opt_min or best_known_min number"):
        run_routing_eval(data)
    data = write_data(tmp_path / "b", {"tiny1": TINY}, {"other": "9"})
    with pytest.raises(RoutingDataError, match="no reference value for tiny1"):
        run_routing_eval(data)
    with pytest.raises(ConfigurationError, match="no instance nope"):
        run_routing_eval(data, instances=["nope"])
    with pytest.raises(ConfigurationError, match="does not exist"):
        run_routing_eval(tmp_path / "missing")
    with pytest.raises(ConfigurationError, match="time limit"):
        run_routing_eval(data, time_limit=0)
    (data / "gap_reference_values.csv").write_text("instance,opt_min\n")
    with pytest.raises(RoutingDataError, match="missing columns best_known_min"):
        run_routing_eval(data)


def test_the_cli_evaluates_two_bundled_instances_as_json_and_saves_the_report(
    steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from steward.cli import main

    assert main(["eval", "routing", "--instances", "gap1-1,a05100", "--json", "--time-limit", "5"]) == 0

    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert {"instances", "feasible", "mean_gap_pct", "max_gap_pct", "mean_seconds"} <= report.keys()
    assert (report["instances"], report["feasible"], report["max_gap_pct"]) == (2, 2, 0.0)
    assert [(r["name"], r["agents"], r["jobs"], r["reference"]) for r in report["results"]] == [
        ("gap1-1", 5, 15, 261.0),
        ("a05100", 5, 100, 1698.0),
    ]
    for result in report["results"]:
        assert {"objective", "gap_pct", "bound", "seconds", "feasible"} <= result.keys()
        assert result["objective"] == result["reference"]
    assert "saved as eval report" in captured.err
    assert "routing eval: instances solved: 2/2" in captured.err


def test_the_cli_refuses_an_unknown_instance(steward_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    from steward.cli import main

    assert main(["eval", "routing", "--instances", "gap1-1,zzz", "--no-save"]) == 1
    assert "no instance zzz" in capsys.readouterr().err
