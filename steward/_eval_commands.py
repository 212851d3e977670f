"""`steward eval ...`: offline evaluations, printed and saved as reports."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from pydantic import BaseModel

from steward._output import actor_of as _actor
from steward._output import dump as _dump
from steward._settings import Settings
from steward._wiring import open_steward

if TYPE_CHECKING:
    from supervision import EvalMetric


def _save(
    args: argparse.Namespace, settings: Settings, name: str, report: BaseModel, metrics: list[EvalMetric], dataset: str
) -> None:
    """Save the report as an eval report (unless `--no-save`) and say so on stderr."""
    if args.no_save:
        return
    from steward._evals import save_report

    with open_steward(settings) as app:
        saved = save_report(app.reports, name, report, metrics, dataset=dataset, actor=_actor(args))
    print(f"saved as eval report {saved.id} (steward serve: /evals)", file=sys.stderr)


def eval_credit(args: argparse.Namespace, settings: Settings) -> int:
    from evals import run_credit_eval
    from steward._evals import credit_metrics

    report = run_credit_eval(args.data, training_csv=settings.german_credit_csv)
    _save(args, settings, "credit", report, credit_metrics(report), str(args.data / "german_credit.csv"))
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
    from steward._evals import identity_metrics

    report = run_identity_eval(args.data)
    _save(args, settings, "identity", report, identity_metrics(report), str(args.data))
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


def eval_routing(args: argparse.Namespace, settings: Settings) -> int:
    from evals import run_routing_eval
    from steward._evals import routing_metrics
    from steward._progress import progress

    data = args.data or settings.data_dir / "gap_orlib"
    names = _instance_names(args.instances) if args.instances is not None else None
    with progress("routing eval: instances solved") as advance:
        report = run_routing_eval(data, time_limit=args.time_limit, instances=names, progress=advance)
    _save(args, settings, "routing", report, routing_metrics(report), str(data))
    if args.json:
        _dump(report.model_dump(mode="json"))
        return 0
    print(f"routing eval on {data} ({report.instances} instances, {report.time_limit:g} s each)")
    print(f"  {'family':8} {'instances':>9} {'feasible':>8} {'mean gap':>9} {'max gap':>8} {'mean s':>7} {'max s':>6}")
    for group in report.groups:
        print(
            f"  {group.group:8} {group.instances:9} {group.feasible:8} {_pct(group.mean_gap_pct):>9} "
            f"{_pct(group.max_gap_pct):>8} {group.mean_seconds:7.2f} {group.max_seconds:6.2f}"
        )
    print(
        f"  {'all':8} {report.instances:9} {report.feasible:8} {_pct(report.mean_gap_pct):>9} "
        f"{_pct(report.max_gap_pct):>8} {report.mean_seconds:7.2f} {report.max_seconds:6.2f}"
    )
    for result in report.results:
        if not result.feasible or result.gap_pct:
            print(
                f"  {result.name}: {'infeasible plan' if not result.feasible else f'gap {result.gap_pct:.3f}%'} "
                f"(objective {result.objective:g}, reference {result.reference:g}, bound {result.bound:g}, "
                f"{result.seconds:.1f} s)"
            )
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}%"


def _instance_names(text: str) -> list[str]:
    from core import ConfigurationError

    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names or len(names) > 1_000:
        raise ConfigurationError("--instances takes 1 to 1,000 instance names, separated by commas")
    return names
