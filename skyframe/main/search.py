"""Search and discovery pages: /search (works without JavaScript), object
pages /o/<catalogue id> and tag pages /t/<tag>."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for

from skyframe import catalogue
from skyframe.exceptions import ValidationFailed
from skyframe.extensions import db, limiter
from skyframe.main.blueprint import bp
from skyframe.models import Category
from skyframe.posts import views as post_views
from skyframe.search import filters as search_filters
from skyframe.search import related
from skyframe.search.filters import SearchFilters
from skyframe.services import search_page

PAGE_SIZE = 24
FIELDS = search_filters.PARAMETERS


def _search_limit() -> str:
    return current_app.config["SEARCH_LIMIT"]


def _results(filters: SearchFilters) -> tuple[list, str | None]:
    result = search_page(filters, request.args.get("cursor") or None, PAGE_SIZE)
    return post_views.load_post_views(db.session, result.post_ids), result.next_cursor


def _more_url(next_cursor: str | None, **view_args) -> str | None:
    if next_cursor is None:
        return None
    kept = {k: v for k, v in request.args.items() if k in FIELDS and v}
    return url_for(request.endpoint, **view_args, **kept, cursor=next_cursor)


@bp.get("/search")
@limiter.shared_limit(_search_limit, scope="search")
def search():
    """The search form and its results (newest first, or by relevance with text)."""
    typed = {name: request.args.get(name, "") for name in FIELDS}
    context = {
        "typed": typed,
        "categories": list(Category),
        "found": [],
        "more_url": None,
        "errors": {},
        "filters": None,
    }
    status = 200
    try:
        filters = search_filters.from_params(typed)
    except ValidationFailed as error:
        context["errors"] = error.fields
        status = 422
    else:
        if not filters.is_empty:
            found, next_cursor = _results(filters)
            context.update(filters=filters, found=found, more_url=_more_url(next_cursor))
    # ?partial=1: just the results, for the page's live search.
    partial = request.args.get("partial") == "1"
    template = "search/_results.html" if partial else "search/search.html"
    return render_template(template, **context), status


@bp.get("/o/<catalogue_id>")
@limiter.shared_limit(_search_limit, scope="search")
def object_page(catalogue_id: str):
    """Every post of one catalogue object, whatever name its uploader used."""
    found_object = catalogue.by_id(catalogue_id) or catalogue.by_id(catalogue_id.upper())
    if found_object is None:
        abort(404)
    filters = SearchFilters(object=found_object.id)
    found, next_cursor = _results(filters)
    return render_template(
        "search/object.html",
        object=found_object,
        found=found,
        more_url=_more_url(next_cursor, catalogue_id=catalogue_id),
    )


@bp.get("/t/<tag>")
@limiter.shared_limit(_search_limit, scope="search")
def tag_page(tag: str):
    """Every post with one tag, newest first."""
    try:
        filters = search_filters.build(tag=tag)
    except ValidationFailed:
        abort(404)
    if filters.tag is None:
        abort(404)
    found, next_cursor = _results(filters)
    return render_template(
        "search/tag.html", tag=filters.tag, found=found, more_url=_more_url(next_cursor, tag=tag)
    )


@bp.app_context_processor
def _discovery_helpers() -> dict:
    def related_posts(post) -> list:
        return post_views.load_post_views(db.session, related(db.session, post))

    return {"related_posts": related_posts}
