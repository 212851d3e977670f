"""The server-drawn SVG charts: well-formed, named for screen readers, points where the values say."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from approval_ui._charts import BOTTOM, LEFT, RIGHT, TOP, Chart, Guide, Series, figure, format_value, nice_ceiling, svg

NS = {"svg": "http://www.w3.org/2000/svg"}
LABELS = ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05")


def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(svg(chart))


def points(element: ET.Element) -> list[tuple[float, float]]:
    return [(float(a), float(b)) for a, b in (pair.split(",") for pair in element.attrib["points"].split())]


def agreement(values: tuple[float | None, ...] = (0.5, 1.0, None, 0.75)) -> Chart:
    return Chart(
        key="credit-agreement",
        title="Agreement with reviewers",
        kind="line",
        labels=LABELS,
        axis_labels=("Mar 2", "Mar 3", "Mar 4", "Mar 5"),
        series=(Series("Agreement", values),),
        unit="percent",
        summary="Agreement per day: latest 75%.",
        guides=(Guide("Demotion floor 75%", 0.75),),
    )


def test_a_line_chart_is_valid_svg_named_by_its_title_and_description() -> None:
    root = parse(agreement())

    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert (root.attrib["viewBox"], root.attrib["width"], root.attrib["role"]) == ("0 0 400 236", "100%", "img")
    assert "style" not in svg(agreement())  # the CSP forbids inline styles
    title_id, desc_id = root.attrib["aria-labelledby"].split()
    assert root.find(f"svg:title[@id='{title_id}']", NS).text == "Agreement with reviewers"  # type: ignore[union-attr]
    assert root.find(f"svg:desc[@id='{desc_id}']", NS).text == "Agreement per day: latest 75%."  # type: ignore[union-attr]
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0] == "Agreement with reviewers"  # the visible title
    assert [t.text for t in root.findall("svg:text[@class='x-label']", NS)] == ["Mar 2", "Mar 3", "Mar 4", "Mar 5"]
    assert [t.text for t in root.findall("svg:text[@class='y-label']", NS)] == ["0%", "25%", "50%", "75%", "100%"]
    assert [t.text for t in root.findall("svg:text[@class='legend']", NS)] == ["Agreement"]


def test_points_sit_at_their_values_and_a_missing_value_breaks_the_line() -> None:
    root = parse(agreement())
    lines = root.findall("svg:polyline", NS)
    assert len(lines) == 1  # 0.5 -> 1.0, then a gap; 0.75 stands alone
    first, second = points(lines[0])
    band = (RIGHT - LEFT) / 4
    assert first == pytest.approx((LEFT + band / 2, BOTTOM - (BOTTOM - TOP) * 0.5), abs=0.06)
    assert second == pytest.approx((LEFT + 1.5 * band, TOP), abs=0.06)
    circles = root.findall("svg:circle", NS)
    assert len(circles) == 3
    assert [c.find("svg:title", NS).text for c in circles] == [  # type: ignore[union-attr]
        "2026-03-02: Agreement 50%",
        "2026-03-03: Agreement 100%",
        "2026-03-05: Agreement 75%",
    ]
    assert float(circles[2].attrib["cy"]) == pytest.approx(BOTTOM - (BOTTOM - TOP) * 0.75, abs=0.06)
    guide = root.find("svg:line[@class='guide']", NS)
    assert guide is not None and float(guide.attrib["y1"]) == pytest.approx(float(circles[2].attrib["cy"]), abs=0.06)
    assert root.find("svg:text[@class='guide-label']", NS).text == "Demotion floor 75%"  # type: ignore[union-attr]


def test_stacked_bars_stack_in_series_order_and_the_axis_fits_the_tallest_stack() -> None:
    chart = Chart(
        key="volume",
        title="Volume",
        kind="stacked",
        labels=LABELS,
        series=(Series("Automated", (3, 0, 5, 1)), Series("Reviewed", (2, 4, 0, 1))),
        unit="count",
        summary="Proposals settled per day.",
    )
    root = parse(chart)
    bars = root.findall("svg:rect[@class='bar']", NS)
    assert [(b.attrib["data-series"], b.find("svg:title", NS).text) for b in bars] == [  # type: ignore[union-attr]
        ("Automated", "2026-03-02: Automated 3"),
        ("Reviewed", "2026-03-02: Reviewed 2"),
        ("Reviewed", "2026-03-03: Reviewed 4"),
        ("Automated", "2026-03-04: Automated 5"),
        ("Automated", "2026-03-05: Automated 1"),
        ("Reviewed", "2026-03-05: Reviewed 1"),
    ]
    per_unit = (BOTTOM - TOP) / 6  # the tallest stack is 5: the axis goes to 6 in steps of 2
    assert [t.text for t in root.findall("svg:text[@class='y-label']", NS)] == ["0", "2", "4", "6"]
    automated, reviewed = bars[0], bars[1]
    assert float(automated.attrib["height"]) == pytest.approx(3 * per_unit, abs=0.1)
    assert float(automated.attrib["y"]) + float(automated.attrib["height"]) == pytest.approx(BOTTOM, abs=0.1)
    assert float(reviewed.attrib["y"]) + float(reviewed.attrib["height"]) == pytest.approx(
        float(automated.attrib["y"]), abs=0.1
    )
    assert automated.attrib["fill"] != reviewed.attrib["fill"]
    assert len(root.findall("svg:rect", NS)) == 6 + 2  # the bars and the two legend keys


def test_text_is_escaped_and_an_empty_chart_says_so() -> None:
    chart = Chart(
        key="x",
        title='Backlog <b>&</b> "time"',
        kind="line",
        labels=("a", "b"),
        series=(Series("Backlog & co", (None, None)),),
        unit="hours",
        summary="Nothing yet.",
    )
    root = parse(chart)
    assert root.find("svg:title", NS).text == 'Backlog <b>&</b> "time"'  # type: ignore[union-attr]
    assert root.find("svg:text[@class='empty']", NS).text == "No data in this period"  # type: ignore[union-attr]
    assert root.findall("svg:polyline", NS) == [] and root.findall("svg:circle", NS) == []


def test_many_periods_show_a_thinned_axis_that_always_labels_the_latest() -> None:
    labels = tuple(f"W{i:02d}" for i in range(1, 13))
    chart = Chart(
        key="weeks",
        title="Backlog",
        kind="line",
        labels=labels,
        series=(Series("Pending", tuple(float(i) for i in range(12))),),
        unit="count",
        summary="Backlog per week.",
    )
    shown = [t.text for t in parse(chart).findall("svg:text[@class='x-label']", NS)]
    assert shown == ["W02", "W04", "W06", "W08", "W10", "W12"]


def test_the_figure_adds_the_data_table_in_a_details_element() -> None:
    html = str(figure(agreement()))

    class Cells(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []
            self.cells: list[str] = []
            self._in_cell = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append(tag)
            self._in_cell = tag in ("td", "th")

        def handle_data(self, data: str) -> None:
            if self._in_cell:
                self.cells.append(data)
                self._in_cell = False

    parsed = Cells()
    parsed.feed(html)
    assert parsed.tags[:2] == ["figure", "svg"]
    assert {"details", "summary", "table"} <= set(parsed.tags)
    assert parsed.cells == [
        "Period",
        "Agreement",
        "2026-03-02",
        "50%",
        "2026-03-03",
        "100%",
        "2026-03-04",
        "—",
        "2026-03-05",
        "75%",
    ]


def test_mismatched_series_are_refused_and_values_are_formatted_per_unit() -> None:
    with pytest.raises(ValueError, match="has 1 values for 4 labels"):
        agreement((0.5,))
    assert [format_value(v, "percent") for v in (0.123, 0.5, None)] == ["12.3%", "50%", "—"]
    assert [format_value(v, "count") for v in (1234, 0)] == ["1,234", "0"]
    assert [format_value(v, "hours") for v in (2.25, 3.0)] == ["2.2 h", "3 h"]
    assert [nice_ceiling(v) for v in (0, 5, 7, 38, 0.3)] == [(4.0, 1.0), (6, 2), (8, 2), (40, 10), (0.3, 0.1)]
