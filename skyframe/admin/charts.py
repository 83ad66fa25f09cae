"""Daily bar charts drawn on the server as SVG: no script, no library.

``bar_chart`` takes the points (day, count), oldest first, and returns an
``<svg role="img">`` named by its ``<title>`` (``aria-labelledby``) and
described by its ``<desc>`` (``aria-describedby``), whose description says in words what
the bars show: the span, the total, the busiest day and the last week. The
page puts the full numbers in a table beside it (``templates/admin/
_chart.html``). Colours come from ``currentColor``, and every attribute is a
presentation attribute, never ``style``, which the CSP forbids.

Pure: the same points give the same markup (the tests read it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup

WIDTH, HEIGHT = 360, 140
# Room for the largest count on the left and the dates below.
LEFT, TOP, BOTTOM = 28, 8, 18
GAP = 1  # between bars
RECENT_DAYS = 7


def _fmt(day: date) -> str:
    return day.isoformat()


def describe(points: Sequence[tuple[date, int]], what: str) -> str:
    """The chart in one or two sentences (its ``<desc>``)."""
    if not points:
        return f"No days to show for {what.lower()}."
    first, last = points[0][0], points[-1][0]
    span = f"{what} per day, {_fmt(first)} to {_fmt(last)} ({len(points)} days)"
    total = sum(count for _, count in points)
    if total == 0:
        return f"{span}: none."
    peak_day, peak = max(points, key=lambda point: (point[1], point[0]))
    recent = sum(count for _, count in points[-RECENT_DAYS:])
    return (
        f"{span}: {total} in all; the most, {peak}, on {_fmt(peak_day)}; "
        f"{recent} in the last {min(RECENT_DAYS, len(points))} days."
    )


def title_of(points: Sequence[tuple[date, int]], what: str) -> str:
    return f"{what} per day, last {len(points)} days"


LABEL = Markup('<text x="{x}" y="{y}" text-anchor="{anchor}">{text}</text>')
SVG = Markup(
    '<svg class="daily-chart" viewBox="0 0 {width} {height}" '
    'xmlns="http://www.w3.org/2000/svg" role="img" '
    'aria-labelledby="{id}-title" aria-describedby="{id}-desc" focusable="false">'
    '<title id="{id}-title">{title}</title>'
    '<desc id="{id}-desc">{desc}</desc>'
    '<line x1="{left}" y1="{baseline}" x2="{width}" y2="{baseline}" '
    'stroke="currentColor" stroke-opacity="0.4" stroke-width="1"/>'
    '<g fill="currentColor" fill-opacity="0.85">{bars}</g>'
    '<g fill="currentColor" font-size="10">{labels}</g>'
    "</svg>"
)


def bar_chart(points: Sequence[tuple[date, int]], *, what: str, chart_id: str) -> Markup:
    """An accessible SVG bar chart of ``points`` (one bar a day) counting ``what``."""
    top = max((count for _, count in points), default=0)
    plot_w, plot_h = WIDTH - LEFT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points), 1)
    baseline = TOP + plot_h
    bars = []
    for index, (day, count) in enumerate(points):
        if count <= 0:
            continue
        height = max(plot_h * count / top, 1.0)
        # Numbers and ISO dates only: formatted plainly (Markup.format,
        # escaping each field, took most of the dashboard's time).
        bars.append(
            f'<rect x="{LEFT + index * step:.2f}" y="{baseline - height:.2f}" '
            f'width="{max(step - GAP, 0.5):.2f}" height="{height:.2f}">'
            f"<title>{_fmt(day)}: {int(count)}</title></rect>"
        )
    labels = [
        LABEL.format(x=LEFT - 4, y=TOP + 8, anchor="end", text=top),
        LABEL.format(x=LEFT - 4, y=baseline, anchor="end", text=0),
    ]
    if points:
        labels.append(LABEL.format(x=LEFT, y=HEIGHT - 4, anchor="start", text=_fmt(points[0][0])))
        labels.append(LABEL.format(x=WIDTH, y=HEIGHT - 4, anchor="end", text=_fmt(points[-1][0])))
    return SVG.format(
        width=WIDTH,
        height=HEIGHT,
        id=chart_id,
        title=title_of(points, what),
        desc=describe(points, what),
        left=LEFT,
        baseline=baseline,
        bars=Markup("".join(bars)),  # noqa: S704 - numbers and dates, built above
        labels=Markup("").join(labels),
    )
