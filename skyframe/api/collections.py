"""Collections over JSON: create, edit and delete them; add, insert, move and
remove their posts; list a user's and page through one's posts."""

from __future__ import annotations

from flask import current_app, url_for
from flask_login import current_user, login_required

from skyframe import cursors, policy
from skyframe.accounts import users
from skyframe.api.blueprint import bp
from skyframe.api.contract import operation
from skyframe.api.presenters import post_out, user_ref
from skyframe.api.schemas.collections import (
    CollectionEdit,
    CollectionIn,
    CollectionListPage,
    CollectionOut,
    CollectionsQuery,
    ItemIn,
    ItemMove,
    ItemOut,
)
from skyframe.api.schemas.common import PageQuery
from skyframe.api.schemas.posts import PostPage
from skyframe.exceptions import NotFound
from skyframe.extensions import db
from skyframe.models import Collection, CollectionItem, User, utcnow
from skyframe.posts import views as post_views
from skyframe.social import collections
from skyframe.web.ratelimit import per_user_limit
from skyframe.web.viewer import viewer

TAGS = ["collections"]


def collection_out(collection: Collection, reader: User | None, count: int) -> CollectionOut:
    return CollectionOut(
        id=collection.id,
        owner=user_ref(collection.owner),
        title=collection.title,
        description=collection.description,
        public=collection.public,
        item_count=count,
        url=url_for("main.collection_page", collection_id=collection.id),
        items_url=url_for("api.collection_items", collection_id=collection.id),
        can_edit=policy.can_edit_collection(collection, reader),
        created_at=collection.created_at,
        updated_at=collection.updated_at,
    )


def item_out(item: CollectionItem) -> ItemOut:
    return ItemOut(collection_id=item.collection_id, post_id=item.post_id, added_at=item.added_at)


def owner_by_handle(handle: str, reader: User | None) -> User:
    owner = users.user_by_handle(db.session, handle)
    if owner is None or not policy.can_see_account(owner, reader):
        raise NotFound("No such user.")
    return owner


def collections_page(owner: User, reader: User | None, cursor: str | None, limit: int):
    """A page of ``owner``'s collections ``reader`` may see (newest first),
    as (page, item counts by id): the API and the profile's tab."""
    page = cursors.keyset_page(
        current_app.config["SECRET_KEY"],
        f"collections:{owner.id}",
        cursor,
        limit,
        lambda after: collections.user_collections(
            db.session, owner, reader, limit=limit, after=after
        ),
    )
    counts = collections.item_counts(db.session, [c.id for c in page.items])
    return page, counts


def items_page(collection: Collection, reader: User | None, cursor: str | None, limit: int):
    """A page of a collection's posts in its order: the API and /c/<id>."""
    page = collections.items_page(
        db.session,
        collection,
        reader,
        secret=current_app.config["SECRET_KEY"],
        cursor=cursor,
        limit=limit,
    )
    return PostPage(
        items=[post_out(post, reader, page.flags) for post in page.posts],
        next_cursor=page.next_cursor,
        has_more=page.next_cursor is not None,
    )


def profile_covers(shown: list[Collection]) -> dict[int, dict]:
    """Each collection's first listed post as JSON (its cover), by collection id."""
    first = collections.covers(db.session, [c.id for c in shown])
    posts = {p.id: p for p in post_views.load_post_views(db.session, list(set(first.values())))}
    return {
        collection_id: post_out(posts[post_id], None).model_dump(mode="json")
        for collection_id, post_id in first.items()
        if post_id in posts
    }


def _one(collection: Collection, reader: User | None) -> CollectionOut:
    count = collections.item_counts(db.session, [collection.id])[collection.id]
    return collection_out(collection, reader, count)


@bp.post("/collections")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="collections")
@operation(
    tags=TAGS,
    ok=201,
    returns=CollectionOut,
    json=CollectionIn,
    signed_in=True,
    writes=True,
    errors=(429,),
)
def create_collection(json: CollectionIn):
    """Create a collection (public unless told)."""
    collection = collections.create_collection(
        db.session,
        current_user,
        title=json.title,
        description=json.description,
        public=json.public,
        now=utcnow(),
    )
    db.session.commit()
    return collection_out(collection, current_user, 0), 201


@bp.get("/users/<handle>/collections")
@operation(tags=TAGS, returns=CollectionListPage, query=CollectionsQuery, errors=(400, 404))
def user_collections(handle: str, query: CollectionsQuery):
    """A user's collections, newest first: private ones only to their owner."""
    reader = viewer()
    owner = owner_by_handle(handle, reader)
    page, counts = collections_page(owner, reader, query.cursor, query.limit)
    holds = None
    if query.post_id is not None and reader is not None and reader.id == owner.id:
        held = collections.holding(db.session, reader, query.post_id)
        holds = [c.id for c in page.items if c.id in held]
    return CollectionListPage(
        items=[collection_out(c, reader, counts[c.id]) for c in page.items],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
        holds=holds,
    )


@bp.get("/collections/<int:collection_id>")
@operation(tags=TAGS, returns=CollectionOut, errors=(404,))
def get_collection(collection_id: int):
    """One collection (a private one: 404 to all but its owner)."""
    reader = viewer()
    return _one(collections.get_collection(db.session, collection_id, reader), reader)


@bp.patch("/collections/<int:collection_id>")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="collections")
@operation(
    tags=TAGS,
    returns=CollectionOut,
    json=CollectionEdit,
    signed_in=True,
    writes=True,
    errors=(403, 404, 429),
)
def edit_collection(collection_id: int, json: CollectionEdit):
    """Change a collection's title, description or visibility (its owner)."""
    collection = collections.get_own_collection(db.session, collection_id, current_user)
    collections.update_collection(
        db.session,
        current_user,
        collection,
        title=json.title,
        description=json.description,
        public=json.public,
        now=utcnow(),
    )
    db.session.commit()
    return _one(collection, current_user)


@bp.delete("/collections/<int:collection_id>")
@login_required
@operation(tags=TAGS, ok=204, signed_in=True, writes=True, errors=(403, 404))
def delete_collection(collection_id: int):
    """Delete a collection (its posts stay)."""
    collection = collections.get_own_collection(db.session, collection_id, current_user)
    collections.delete_collection(db.session, current_user, collection)
    db.session.commit()
    return "", 204


@bp.get("/collections/<int:collection_id>/items")
@operation(tags=TAGS, returns=PostPage, query=PageQuery, errors=(400, 404))
def collection_items(collection_id: int, query: PageQuery):
    """A collection's posts in its order (cursor-paginated); taken-down posts
    and those of disabled accounts are left out."""
    reader = viewer()
    collection = collections.get_collection(db.session, collection_id, reader)
    return items_page(collection, reader, query.cursor, query.limit)


@bp.post("/collections/<int:collection_id>/items")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="collections")
@operation(
    tags=TAGS,
    ok=201,
    returns=ItemOut,
    json=ItemIn,
    signed_in=True,
    writes=True,
    errors=(403, 404, 409, 429),
)
def add_collection_item(collection_id: int, json: ItemIn):
    """Add a post at the end, or just ahead of ``before``: 409
    ``already_in_collection`` when it is there already, 409 ``collection_full``
    at COLLECTION_MAX_ITEMS."""
    collection = collections.get_own_collection(db.session, collection_id, current_user)
    item = collections.add_item(
        db.session,
        current_user,
        collection,
        json.post_id,
        before=json.before,
        max_items=current_app.config["COLLECTION_MAX_ITEMS"],
        now=utcnow(),
    )
    db.session.commit()
    return item_out(item), 201


@bp.patch("/collections/<int:collection_id>/items/<int:post_id>")
@login_required
@per_user_limit("INTERACTION_LIMIT", scope="collections")
@operation(
    tags=TAGS,
    returns=ItemOut,
    json=ItemMove,
    signed_in=True,
    writes=True,
    errors=(403, 404, 409, 429),
)
def move_collection_item(collection_id: int, post_id: int, json: ItemMove):
    """Move a post just ahead of ``before`` (absent or null: to the end); one
    row is written."""
    collection = collections.get_own_collection(db.session, collection_id, current_user)
    item = collections.move_item(db.session, current_user, collection, post_id, before=json.before)
    db.session.commit()
    return item_out(item)


@bp.delete("/collections/<int:collection_id>/items/<int:post_id>")
@login_required
@operation(tags=TAGS, ok=204, signed_in=True, writes=True, errors=(403, 404))
def remove_collection_item(collection_id: int, post_id: int):
    """Take a post out of a collection."""
    collection = collections.get_own_collection(db.session, collection_id, current_user)
    collections.remove_item(db.session, current_user, collection, post_id)
    db.session.commit()
    return "", 204
