"""Charts drawn on the server as inline SVG: line charts and stacked bars, with axes, a legend, a text
alternative and the figures as a table.

The page's CSP allows no scripts or inline styles, so everything is SVG elements with presentation
attributes (`fill`, `stroke`, ...). A chart scales to its container (`viewBox`, width 100%); its
`<title>` and `<desc>` name it for screen readers, and `figure` adds the data table in a `<details>`
for anyone who wants the exact numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Literal, assert_never

from markupsafe import Markup

Unit = Literal["percent", "count", "hours"]
ChartKind = Literal["line", "stacked"]

WIDTH, HEIGHT = 400, 236
LEFT, RIGHT, TOP, BOTTOM = 44, 380, 34, 170
"""The plot area inside the view box; the title sits above it, the x labels and the legend below."""
MAX_X_LABELS = 6
INK, MUTED, GRID = "#1b1f24", "#555e68", "#d0d7de"
PALETTE = ("#0b5cad", "#b3261e", "#1a7f37", "#8a5a00", "#6f42c1")
"""Colours with at least 4.5:1 contrast on white; lines also differ by dash pattern."""
DASHES = ("", "6 4", "2 3", "8 3 2 3", "1 2")


@dataclass(frozen=True)
class Series:
    """One named row of values, one per x label; None where there is nothing to show."""

    name: str
    values: tuple[float | None, ...]
    colour: str | None = None


@dataclass(frozen=True)
class Guide:
    """A horizontal reference line, such as a policy threshold."""

    label: str
    value: float


@dataclass(frozen=True)
class Chart:
    key: str
    """Unique on the page: the ids of the title and description derive from it."""
    title: str
    kind: ChartKind
    labels: tuple[str, ...]
    """One per x position (bucket), as the data table shows them."""
    series: tuple[Series, ...]
    unit: Unit
    summary: str
    """One or two sentences saying what the chart shows: its text alternative."""
    axis_labels: tuple[str, ...] | None = None
    """Shorter x labels for the axis; `labels` when None."""
    guides: tuple[Guide, ...] = ()

    def __post_init__(self) -> None:
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ValueError(
                    f"series {series.name!r} has {len(series.values)} values for {len(self.labels)} labels"
                )
        if self.axis_labels is not None and len(self.axis_labels) != len(self.labels):
            raise ValueError("axis_labels must match labels one for one")


def format_value(value: float | None, unit: Unit) -> str:
    """A value as the chart and its table show it."""
    if value is None:
        return "—"
    match unit:
        case "percent":
            return f"{value:.0%}" if _whole(value * 100) else f"{value:.1%}"
        case "count":
            return f"{value:,.0f}"
        case "hours":
            return f"{value:.0f} h" if _whole(value) else f"{value:.1f} h"
        case unreachable:
            assert_never(unreachable)


def _whole(value: float) -> bool:
    return abs(value - round(value)) < 1e-9


def nice_ceiling(value: float) -> tuple[float, float]:
    """The top of a value axis at or above `value`, and its tick step (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 4.0, 1.0
    rough = value / 4
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    if step < 1 and value >= 1:
        step = 1.0
    return round(step * math.ceil(value / step - 1e-9), 12), step


def _scale(chart: Chart) -> tuple[float, float]:
    if chart.unit == "percent":
        return 1.0, 0.25
    if chart.kind == "stacked":
        peak = max((sum(s.values[i] or 0.0 for s in chart.series) for i in range(len(chart.labels))), default=0.0)
    else:
        peak = max((v for s in chart.series for v in s.values if v is not None), default=0.0)
    peak = max([peak, *(guide.value for guide in chart.guides)])
    top, step = nice_ceiling(peak)
    if chart.unit == "count" and step < 1:
        top, step = max(4.0, math.ceil(top)), 1.0
    return top, step


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _attrs(**values: str | float) -> str:
    return " ".join(f'{name.rstrip("_").replace("_", "-")}="{escape(str(value))}"' for name, value in values.items())


def svg(chart: Chart) -> str:
    """The chart as one `<svg>` element."""
    n = len(chart.labels)
    top, step = _scale(chart)
    band = (RIGHT - LEFT) / max(n, 1)

    def x(i: int) -> float:
        return LEFT + (i + 0.5) * band

    def y(value: float) -> float:
        return BOTTOM - (BOTTOM - TOP) * min(value, top) / top

    title_id, desc_id = f"{chart.key}-title", f"{chart.key}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" {_attrs(viewBox=f"0 0 {WIDTH} {HEIGHT}")} width="100%" '
        f'class="chart" role="img" aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="{escape(title_id)}">{escape(chart.title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(chart.summary)}</desc>',
        f'<text x="4" y="16" font-size="14" font-weight="600" fill="{INK}">{escape(chart.title)}</text>',
    ]
    ticks = round(top / step)
    for t in range(ticks + 1):
        value = t * step
        parts.append(
            f'<line class="grid" {_attrs(x1=LEFT, x2=RIGHT, y1=_num(y(value)), y2=_num(y(value)))} '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text class="y-label" {_attrs(x=LEFT - 6, y=_num(y(value) + 4))} text-anchor="end" fill="{MUTED}">'
            f"{escape(format_value(value, chart.unit))}</text>"
        )
    parts.append(f'<line {_attrs(x1=LEFT, x2=RIGHT, y1=BOTTOM, y2=BOTTOM)} stroke="{INK}" stroke-width="1"/>')
    axis = chart.axis_labels or chart.labels
    every = max(1, math.ceil(n / MAX_X_LABELS))
    for i, label in enumerate(axis):
        if (n - 1 - i) % every == 0:  # anchored on the latest period, which always shows
            parts.append(
                f'<text class="x-label" {_attrs(x=_num(x(i)), y=BOTTOM + 16)} text-anchor="middle" fill="{MUTED}">'
                f"{escape(label)}</text>"
            )
    if chart.kind == "stacked":
        parts += _bars(chart, x, y, band)
    else:
        parts += _lines(chart, x, y)
    for guide in chart.guides:
        gy = _num(y(guide.value))
        parts.append(
            f'<line class="guide" {_attrs(x1=LEFT, x2=RIGHT, y1=gy, y2=gy)} stroke="{INK}" stroke-width="1" '
            f'stroke-dasharray="3 3"/>'
        )
        parts.append(
            f'<text class="guide-label" {_attrs(x=LEFT + 4, y=_num(y(guide.value) - 4))} text-anchor="start" '
            f'font-size="12" fill="{INK}">{escape(guide.label)}</text>'
        )
    shown = [v for s in chart.series for v in s.values if v is not None and (v != 0 or chart.kind == "line")]
    if not shown:
        parts.append(
            f'<text class="empty" {_attrs(x=(LEFT + RIGHT) / 2, y=(TOP + BOTTOM) / 2)} text-anchor="middle" '
            f'fill="{MUTED}">No data in this period</text>'
        )
    parts += _legend(chart)
    parts.append("</svg>")
    return "".join(parts)


def _colour(chart: Chart, index: int) -> str:
    return chart.series[index].colour or PALETTE[index % len(PALETTE)]


def _bars(chart: Chart, x: Callable[[int], float], y: Callable[[float], float], band: float) -> list[str]:
    width = max(2.0, band * 0.7)
    parts = []
    for i, label in enumerate(chart.labels):
        base = 0.0
        for s, series in enumerate(chart.series):
            value = series.values[i] or 0.0
            if value <= 0:
                continue
            top, bottom = y(base + value), y(base)
            tip = f"{label}: {series.name} {format_value(value, chart.unit)}"
            parts.append(
                f'<rect class="bar" data-series="{escape(series.name)}" '
                f"{_attrs(x=_num(x(i) - width / 2), y=_num(top), width=_num(width), height=_num(bottom - top))} "
                f'fill="{_colour(chart, s)}"><title>{escape(tip)}</title></rect>'
            )
            base += value
    return parts


def _lines(chart: Chart, x: Callable[[int], float], y: Callable[[float], float]) -> list[str]:
    parts = []
    for s, series in enumerate(chart.series):
        colour, dash = _colour(chart, s), DASHES[s % len(DASHES)]
        segment: list[str] = []
        runs: list[list[str]] = [segment]
        for i, value in enumerate(series.values):
            if value is None:
                segment = []
                runs.append(segment)
            else:
                segment.append(f"{_num(x(i))},{_num(y(value))}")
        for run in runs:
            if len(run) > 1:
                dashing = f' stroke-dasharray="{dash}"' if dash else ""
                parts.append(
                    f'<polyline class="line" data-series="{escape(series.name)}" points="{" ".join(run)}" '
                    f'fill="none" stroke="{colour}" stroke-width="2"{dashing}/>'
                )
        for i, value in enumerate(series.values):
            if value is not None:
                tip = f"{chart.labels[i]}: {series.name} {format_value(value, chart.unit)}"
                parts.append(
                    f'<circle class="point" data-series="{escape(series.name)}" '
                    f'{_attrs(cx=_num(x(i)), cy=_num(y(value)), r=3)} fill="{colour}">'
                    f"<title>{escape(tip)}</title></circle>"
                )
    return parts


def _legend(chart: Chart) -> list[str]:
    parts = []
    cursor = float(LEFT)
    for s, series in enumerate(chart.series):
        colour = _colour(chart, s)
        if chart.kind == "stacked":
            parts.append(f'<rect {_attrs(x=_num(cursor), y=HEIGHT - 22, width=12, height=12)} fill="{colour}"/>')
        else:
            dash = DASHES[s % len(DASHES)]
            dashing = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f"<line {_attrs(x1=_num(cursor), x2=_num(cursor + 14), y1=HEIGHT - 16, y2=HEIGHT - 16)} "
                f'stroke="{colour}" stroke-width="2"{dashing}/>'
            )
        parts.append(
            f'<text class="legend" {_attrs(x=_num(cursor + 18), y=HEIGHT - 12)} fill="{INK}">'
            f"{escape(series.name)}</text>"
        )
        cursor += 30 + 8 * len(series.name)
    return parts


def table(chart: Chart) -> str:
    """The chart's figures as an HTML table, one row per period."""
    head = "".join(f'<th scope="col" class="num">{escape(s.name)}</th>' for s in chart.series)
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        + "".join(f'<td class="num">{escape(format_value(s.values[i], chart.unit))}</td>' for s in chart.series)
        + "</tr>"
        for i, label in enumerate(chart.labels)
    )
    return (
        f'<table class="chart-data"><thead><tr><th scope="col">Period</th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def figure(chart: Chart) -> Markup:
    """The chart, and its data table in a `<details>`, as one `<figure>` for a template."""
    return Markup(
        f'<figure class="chart-figure" id="{escape(chart.key)}">{svg(chart)}'
        f"<details><summary>Data: {escape(chart.title)}</summary>"
        f'<div class="scroll">{table(chart)}</div></details></figure>'
    )
