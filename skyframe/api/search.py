"""Search, handle typeahead and related posts over JSON."""

from __future__ import annotations

from flask import current_app

from skyframe import search
from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.presenters import catalogue_item, post_out, user_ref
from skyframe.api.schemas.search import (
    HandleQuery,
    PostList,
    SearchQuery,
    SearchResults,
    UserSuggestions,
)
from skyframe.extensions import db, limiter
from skyframe.posts import views as post_views
from skyframe.search import filters as search_filters
from skyframe.services import search_page
from skyframe.web.viewer import viewer

TAGS = ["search"]


def _search_limit() -> str:
    return current_app.config["SEARCH_LIMIT"]


@bp.get("/search")
@limiter.shared_limit(_search_limit, scope="search")
@operation(tags=TAGS, returns=SearchResults, query=SearchQuery, errors=(400, 429))
def search_posts(query: SearchQuery):
    """Posts matching every filter given: free text (q), observer, object
    (alias-aware), category, tag and an observed date range (from/to).
    Sorted by relevance when q is given, else newest first; cursor-paginated."""
    chosen = search_filters.from_params(query.model_dump(by_alias=True))
    result = search_page(chosen, query.cursor, query.limit)
    next_cursor = result.next_cursor
    reader = viewer()
    reader_id = reader.id if reader else None
    found, flags = post_views.load_post_views_for(db.session, result.post_ids, reader_id)
    resolved = chosen.catalogue_object
    return SearchResults(
        items=[post_out(post, reader, flags) for post in found],
        next_cursor=next_cursor,
        has_more=next_cursor is not None,
        sort=chosen.sort.value,
        object=catalogue_item(resolved) if resolved else None,
    )


@bp.get("/users/suggest")
@limiter.shared_limit(_search_limit, scope="search")
@operation(tags=TAGS, returns=UserSuggestions, query=HandleQuery, errors=(429,))
def suggest_users(query: HandleQuery):
    """Up to 10 active users whose handle starts with q (any case); none a
    block stands between the signed-in viewer and."""
    found = search.suggest_handles(db.session, query.q, viewer=viewer())
    return UserSuggestions(items=[user_ref(u) for u in found])


@bp.get("/posts/<int:post_id>/related")
@limiter.shared_limit(_search_limit, scope="search")
@operation(tags=TAGS, returns=PostList, errors=(404, 429))
def related_posts(post_id: int):
    """More like this: posts of the same object, then the same uploader, then
    the same category (newest first within each; at most 6)."""
    reader = viewer()
    post = post_views.get_post(db.session, post_id, reader)
    related = search.related(db.session, post)
    found, flags = post_views.load_post_views_for(
        db.session, related, reader.id if reader else None
    )
    return PostList(items=[post_out(p, reader, flags) for p in found])
