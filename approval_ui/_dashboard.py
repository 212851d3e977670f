"""The autonomy dashboard's reads: every agent action's level and ladder, its KPIs against the policy's
thresholds, its KPIs over time as charts, its moves with their evidence, and the promotions that wait
for sign-off. The page and the JSON API share `autonomy_overview`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from markupsafe import Markup

from approval_ui._backend import Backend
from approval_ui._charts import Chart, Guide, Series, Unit, figure, format_value
from approval_ui._models import AutonomyOut
from supervision import AutonomyChangeView, AutonomyRequestView, KpiBucket, KpiSeries

SPANS: tuple[tuple[int, str], ...] = (
    (14, "Last 14 days"),
    (30, "Last 30 days"),
    (84, "Last 12 weeks"),
    (182, "Last 26 weeks"),
    (364, "Last 52 weeks"),
)
DEFAULT_DAYS = 84
CheckState = Literal["met", "not_met", "ok", "breach", "info"]


def agent_actions(backend: Backend) -> list[tuple[str, str]]:
    """Every (agent, action) on a ladder, by agent and action."""
    return [
        (agent, action)
        for agent, runtime in sorted(backend.supervisor.agents.items())
        for action in sorted(runtime.step.policy.actions)
    ]


def autonomy_overview(backend: Backend, days: int = DEFAULT_DAYS) -> list[AutonomyOut]:
    """Each agent action's level, ladder, KPIs, criteria, moves, KPI series and pending promotions."""
    actions = agent_actions(backend)
    supervisor = backend.supervisor
    rows = []
    for (agent, action), series in zip(actions, supervisor.kpis.series_of(actions, days=days), strict=True):
        policy = supervisor.agents[agent].step.policy
        ladder = policy.ladder(action)
        level, kpi = supervisor.ladder_state(agent, action)
        rows.append(
            AutonomyOut(
                agent=agent,
                action=action,
                level=level,
                levels=list(policy.levels(action)),
                kpi=kpi,
                history=backend.autonomy.history(agent, action),
                promotion=ladder.promotion,
                demotion=ladder.demotion,
                series=series,
                pending_requests=backend.autonomy.pending_requests(agent, action),
            )
        )
    return rows


@dataclass(frozen=True)
class Check:
    """One KPI beside the threshold that moves the action, and whether it is met."""

    label: str
    value: str
    threshold: str
    state: CheckState
    verdict: str


@dataclass(frozen=True)
class Card:
    """What the page shows for one agent action."""

    anchor: str
    row: AutonomyOut
    next_level: str | None
    promotion_checks: list[Check]
    demotion_checks: list[Check]
    charts: list[Markup]
    history: list[AutonomyChangeView]
    """Newest first."""
    past_requests: list[AutonomyRequestView]
    """Decided or superseded promotion requests, newest first."""
    declined_at: datetime | None


def cards(backend: Backend, rows: Sequence[AutonomyOut]) -> list[Card]:
    built = []
    for row in rows:
        anchor = f"{row.agent}-{row.action}"
        position = row.levels.index(row.level) if row.level in row.levels else len(row.levels) - 1
        built.append(
            Card(
                anchor=anchor,
                row=row,
                next_level=row.levels[position + 1] if position + 1 < len(row.levels) else None,
                promotion_checks=promotion_checks(row),
                demotion_checks=demotion_checks(row),
                charts=[figure(chart) for chart in charts_of(anchor, row)],
                history=list(reversed(row.history)),
                past_requests=[
                    r for r in backend.autonomy.requests(row.agent, row.action, limit=10) if r.status != "pending"
                ],
                declined_at=backend.autonomy.declined_at(row.agent, row.action),
            )
        )
    return built


def _percent(value: float) -> str:
    return format_value(value, "percent")


def promotion_checks(row: AutonomyOut) -> list[Check]:
    """The evidence a promotion needs, as it stands."""
    kpi, rule = row.kpi, row.promotion

    def at_least(label: str, value: float, text: str, needed: float, needed_text: str) -> Check:
        met = value >= needed
        return Check(label, text, f"at least {needed_text}", "met" if met else "not_met", "met" if met else "not yet")

    checks = [
        at_least(
            "Reviewed since the last change",
            kpi.reviewed_since_change,
            str(kpi.reviewed_since_change),
            rule.min_reviewed,
            str(rule.min_reviewed),
        ),
        at_least(
            f"Agreement, lower bound ({rule.confidence:.0%} confidence)",
            kpi.agreement_lower_bound,
            f"{_percent(kpi.agreement_lower_bound)} ({kpi.agreed} of {kpi.reviewed})",
            rule.min_agreement_lower_bound,
            _percent(rule.min_agreement_lower_bound),
        ),
    ]
    if rule.min_outcomes == 0:
        checks.append(Check("Outcomes", str(kpi.outcomes_observed), "not required", "info", "not required"))
        return checks
    checks.append(
        at_least(
            "Outcomes observed",
            kpi.outcomes_observed,
            str(kpi.outcomes_observed),
            rule.min_outcomes,
            str(rule.min_outcomes),
        )
    )
    within = kpi.outcomes_observed > 0 and kpi.bad_outcome_upper_bound <= rule.max_bad_outcome_upper_bound
    checks.append(
        Check(
            f"Bad outcomes, upper bound ({rule.confidence:.0%} confidence)",
            f"{_percent(kpi.bad_outcome_upper_bound)} ({kpi.bad_outcomes} of {kpi.outcomes_observed})",
            f"at most {_percent(rule.max_bad_outcome_upper_bound)}",
            "met" if within else "not_met",
            "met" if within else "not yet",
        )
    )
    return checks


def demotion_checks(row: AutonomyOut) -> list[Check]:
    """The breaches that demote the action at once, as they stand."""
    kpi, rule = row.kpi, row.demotion

    def state(enough: bool, breached: bool) -> tuple[CheckState, str]:
        if not enough:
            return "info", f"under {rule.min_cases} cases"
        return ("breach", "breach") if breached else ("ok", "ok")

    agreement = state(kpi.reviewed >= rule.min_cases, kpi.agreement_rate < rule.agreement_floor)
    outcomes = state(kpi.outcomes_observed >= rule.min_cases, kpi.bad_outcome_rate > rule.max_bad_outcome_rate)
    return [
        Check(
            "Agreement rate",
            f"{_percent(kpi.agreement_rate)} ({kpi.agreed} of {kpi.reviewed})",
            f"demotes below {_percent(rule.agreement_floor)}",
            *agreement,
        ),
        Check(
            "Bad-outcome rate",
            f"{_percent(kpi.bad_outcome_rate)} ({kpi.bad_outcomes} of {kpi.outcomes_observed})",
            f"demotes above {_percent(rule.max_bad_outcome_rate)}",
            *outcomes,
        ),
        Check("Expired reviews", str(kpi.expired), "not counted as rejections", "info", "—"),
    ]


def _axis_label(bucket: KpiBucket, series: KpiSeries) -> str:
    if series.granularity == "day":
        return f"{bucket.start:%b} {bucket.start.day}"
    return bucket.label.split("-")[-1]


def _summary(what: str, series: KpiSeries, values: Sequence[float | None], unit: Unit, extra: str = "") -> str:
    labels = [b.label for b in series.buckets]
    period = f"{what} per {series.granularity}, {labels[0]} to {labels[-1]} (UTC)"
    latest = next(((labels[i], v) for i in reversed(range(len(values))) if (v := values[i]) is not None), None)
    shown = f"latest {latest[0]}: {format_value(latest[1], unit)}" if latest else "no data in this period"
    return f"{period}; {shown}.{extra}"


def charts_of(anchor: str, row: AutonomyOut) -> list[Chart]:
    """The six charts of one agent action, from its KPI series."""
    series = row.series
    buckets = series.buckets
    labels = tuple(b.label for b in buckets)
    axis = tuple(_axis_label(b, series) for b in buckets)

    def chart(
        key: str,
        title: str,
        kind: Literal["line", "stacked"],
        unit: Unit,
        lines: tuple[Series, ...],
        *,
        summary: str,
        guides: tuple[Guide, ...] = (),
    ) -> Chart:
        return Chart(
            key=f"{anchor}-{key}",
            title=title,
            kind=kind,
            labels=labels,
            axis_labels=axis,
            series=lines,
            unit=unit,
            summary=summary,
            guides=guides,
        )

    agreement = tuple(b.agreement_rate for b in buckets)
    bad_rate = tuple(b.bad_outcome_rate for b in buckets)
    backlog = tuple(float(b.backlog) for b in buckets)
    hours = tuple(b.median_hours_to_decision for b in buckets)
    floor, worst = row.demotion.agreement_floor, row.demotion.max_bad_outcome_rate
    reviewed = sum(b.reviewed for b in buckets)
    automated = sum(b.automated for b in buckets)
    return [
        chart(
            "agreement",
            "Agreement with reviewers",
            "line",
            "percent",
            (Series("Agreement rate", agreement),),
            guides=(Guide(f"Demotion floor {_percent(floor)}", floor),),
            summary=_summary("Share of reviews approving the proposal unchanged", series, agreement, "percent")
            + f" The action is demoted below {_percent(floor)}.",
        ),
        chart(
            "overrides",
            "Reviews: agreed and overridden",
            "stacked",
            "count",
            (
                Series("Agreed", tuple(float(b.agreed) for b in buckets), "#1a7f37"),
                Series("Overridden", tuple(float(b.overridden) for b in buckets), "#b3261e"),
            ),
            summary=f"Reviews per {series.granularity}: {sum(b.agreed for b in buckets)} agreed and "
            f"{sum(b.overridden for b in buckets)} overridden (rejected or edited) in this period.",
        ),
        chart(
            "outcomes",
            "Bad outcomes",
            "line",
            "percent",
            (Series("Bad-outcome rate", bad_rate),),
            guides=(Guide(f"Demotion above {_percent(worst)}", worst),),
            summary=_summary("Share of observed outcomes that were bad", series, bad_rate, "percent")
            + f" {sum(b.outcomes_observed for b in buckets)} outcomes observed in this period.",
        ),
        chart(
            "volume",
            "Volume: automated and reviewed",
            "stacked",
            "count",
            (
                Series("Automated", tuple(float(b.automated) for b in buckets), "#0b5cad"),
                Series("Reviewed", tuple(float(b.reviewed) for b in buckets), "#8a5a00"),
                Series("Expired", tuple(float(b.expired) for b in buckets), "#57606a"),
            ),
            summary=f"Proposals settled per {series.granularity}: {automated} automated, {reviewed} reviewed "
            f"and {sum(b.expired for b in buckets)} expired in this period.",
        ),
        chart(
            "backlog",
            "Reviewer backlog",
            "line",
            "count",
            (Series("Pending reviews", backlog),),
            summary=_summary("Reviews pending at the end of each period", series, backlog, "count"),
        ),
        chart(
            "time",
            "Time to decision",
            "line",
            "hours",
            (Series("Median hours", hours),),
            summary=_summary("Median hours from proposal to a reviewer's verdict", series, hours, "hours"),
        ),
    ]
