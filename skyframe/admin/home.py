"""The staff area's front page, the dashboard: the work waiting (open
reports, current suspensions), the site's activity per day over the last 90
days as charts with their numbers, and a post by its id."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from skyframe import policy
from skyframe.admin.blueprint import bp
from skyframe.admin.charts import bar_chart, describe, title_of
from skyframe.extensions import db
from skyframe.models import utcnow
from skyframe.moderation.dashboard import dashboard
from skyframe.web.converters import DATABASE_INT_MAX
from skyframe.web.viewer import viewer


@bp.get("/")
def home():
    board = dashboard(db.session, viewer(), utcnow())
    charts = [
        {
            "series": series,
            "title": title_of(series.points, series.label),
            "summary": describe(series.points, series.label),
            "svg": bar_chart(series.points, what=series.label, chart_id=f"chart-{series.name}"),
        }
        for series in board.series
    ]
    return render_template(
        "admin/home.html",
        board=board,
        charts=charts,
        can_read_audit=policy.can_read_audit(viewer()),
    )


@bp.get("/posts")
def find_post():
    """The front page's "post by id" form: on to that post's staff view."""
    post_id = request.args.get("id", "").strip().lstrip("#")
    if not post_id.isdigit() or not 1 <= int(post_id) <= DATABASE_INT_MAX:
        flash("Give a post's number, e.g. 1234.", "error")
        return redirect(url_for("admin.home"))
    return redirect(url_for("admin.post", post_id=int(post_id)))
