"""The dashboard's bar charts (skyframe.admin.charts): one bar a day scaled
to the busiest, an accessible name and description that say what the bars
show, nothing a CSP refuses, and nothing typed drawn unescaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from skyframe.admin.charts import HEIGHT, bar_chart, describe

SVG = "{http://www.w3.org/2000/svg}"
START = date(2026, 9, 4)


def points(*counts: int) -> list[tuple[date, int]]:
    return [(START + timedelta(days=n), count) for n, count in enumerate(counts)]


def parsed(markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - our own markup


def test_the_chart_is_an_image_named_and_described_by_its_title_and_desc():
    svg = parsed(bar_chart(points(0, 3, 1), what="Uploads", chart_id="chart-uploads"))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-uploads-title"
    assert svg.get("aria-describedby") == "chart-uploads-desc"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == ("chart-uploads-title", "Uploads per day, last 3 days")
    assert desc.get("id") == "chart-uploads-desc"
    assert desc.text == (
        "Uploads per day, 2026-09-04 to 2026-09-06 (3 days): 4 in all; "
        "the most, 3, on 2026-09-05; 4 in the last 3 days."
    )


def test_one_bar_per_day_with_a_count_the_tallest_for_the_busiest():
    svg = parsed(bar_chart(points(2, 0, 4, 1), what="Reports", chart_id="c"))
    bars = svg.findall(f"{SVG}g/{SVG}rect")
    assert [bar.find(f"{SVG}title").text for bar in bars] == [
        "2026-09-04: 2",
        "2026-09-06: 4",
        "2026-09-07: 1",
    ]
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[1] == max(heights)
    assert heights[0] == heights[1] / 2


def test_no_style_attributes_for_the_csp():
    markup = str(bar_chart(points(1, 2), what="Sign-ups", chart_id="c"))
    assert "style=" not in markup
    assert "<script" not in markup


def test_an_empty_window_says_none():
    assert describe(points(0, 0, 0), "Take-downs") == (
        "Take-downs per day, 2026-09-04 to 2026-09-06 (3 days): none."
    )
    assert (
        parsed(bar_chart(points(0, 0), what="Take-downs", chart_id="c")).findall(
            f"{SVG}g/{SVG}rect"
        )
        == []
    )
    assert describe([], "Uploads") == "No days to show for uploads."


def test_the_last_week_and_the_latest_of_equal_peaks():
    text = describe(points(5, 0, 0, 0, 0, 0, 0, 0, 5, 1), "Uploads")
    assert "the most, 5, on 2026-09-12" in text
    assert "6 in the last 7 days" in text


def test_what_it_names_is_escaped():
    markup = str(bar_chart(points(1), what="<b>x</b>", chart_id='"><script>'))
    assert "<b>" not in markup
    assert "<script>" not in markup
    parsed(markup)  # still well-formed


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=120))
def test_every_bar_stays_inside_the_drawing(counts):
    svg = parsed(bar_chart(points(*counts), what="Uploads", chart_id="c"))
    bars = svg.findall(f"{SVG}g/{SVG}rect")
    assert len(bars) == sum(1 for count in counts if count > 0)
    for bar in bars:
        top, height = float(bar.get("y")), float(bar.get("height"))
        assert top >= 0
        assert height > 0
        assert top + height <= HEIGHT
    total = re.search(r": (\d+) in all", svg.find(f"{SVG}desc").text)
    assert total is None or int(total.group(1)) == sum(counts)
