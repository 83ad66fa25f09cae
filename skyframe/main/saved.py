"""Saved: the posts the signed-in user keeps, latest save first."""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from skyframe.api.pages import saved_page
from skyframe.main.blueprint import bp
from skyframe.main.people import GRID_PAGE


@bp.get("/saved")
@login_required
def saved():
    page = saved_page(request.args.get("cursor"), GRID_PAGE)
    posts = [post for post, _ in page.items]
    return render_template("people/saved.html", posts=posts, older=page.next_cursor)
