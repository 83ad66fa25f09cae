"""Collections: a user's named, ordered lists of posts, public or private.

Order is kept in order keys (skyframe.models.collection): placing an item
between two others gives it a key between theirs, so adding, inserting and
moving write exactly one row, whatever the collection's length; no other
item is renumbered (docs/collections.md says why and measures it). Keys only
grow long under many inserts at one spot; past POSITION_MAX_LENGTH the
collection's keys are written afresh, once, in the same transaction.

Rules (skyframe.policy): a private collection is 404 to everyone but its
owner; only the owner changes one; only posts the owner may open can be
added; a post is at most once in a collection (409 ``already_in_collection``)
and a collection holds at most ``max_items`` (409 ``collection_full``).
Listings show listed posts only, so taken-down posts and those of disabled
accounts drop out (and come back when restored); a deleted post's item goes
with it (ON DELETE CASCADE).

Writes that change a collection's items take a lock on its row first
(SELECT … FOR UPDATE on PostgreSQL; SQLite has one writer at a time), so two
writers never compute the same key or overrun the limit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fractional_indexing import generate_key_between, generate_n_keys_between
from sqlalchemy import delete, func, insert, select, true, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from skyframe import cursors, policy
from skyframe.exceptions import Conflict, NotFound, ValidationFailed
from skyframe.models import Collection, CollectionItem, Post, User
from skyframe.models.collection import (
    COLLECTION_DESCRIPTION_MAX_LENGTH,
    COLLECTION_TITLE_MAX_LENGTH,
    POSITION_MAX_LENGTH,
)
from skyframe.posts import views as post_views
from skyframe.text import one_line, paragraphs, text_problem, too_long

# More than any collection holds (COLLECTION_MAX_ITEMS is at most 100,000).
LISTED_MAX = 100_000


class AlreadyInCollection(Conflict):
    code = "already_in_collection"


class CollectionFull(Conflict):
    code = "collection_full"


# -- what people type ---------------------------------------------------------


def clean_title(raw: str) -> str:
    title = one_line(raw)
    if problem := text_problem(raw):
        pass
    elif not title:
        problem = "Give the collection a title."
    elif too_long(raw, title, COLLECTION_TITLE_MAX_LENGTH):
        problem = f"Keep the title under {COLLECTION_TITLE_MAX_LENGTH} characters."
    else:
        return title
    raise ValidationFailed("The collection could not be saved.", fields={"title": problem})


def clean_description(raw: str) -> str:
    description = paragraphs(raw)
    if problem := text_problem(raw, allowed_controls="\n\t\r"):
        pass
    elif too_long(raw, description, COLLECTION_DESCRIPTION_MAX_LENGTH):
        problem = f"Keep the description under {COLLECTION_DESCRIPTION_MAX_LENGTH} characters."
    else:
        return description
    raise ValidationFailed("The collection could not be saved.", fields={"description": problem})


# -- collections ----------------------------------------------------------------


def get_collection(session: Session, collection_id: int, viewer: User | None) -> Collection:
    """A collection ``viewer`` may see (a private one: its owner only)."""
    collection = session.get(Collection, collection_id)
    if collection is None or not policy.can_see_collection(collection, viewer):
        raise NotFound("No such collection.")
    return collection


def get_own_collection(session: Session, collection_id: int, user: User) -> Collection:
    """A collection ``user`` may change: 404 when they may not see it, 403
    when it is someone else's public one."""
    collection = get_collection(session, collection_id, user)
    policy.require(
        policy.can_edit_collection(collection, user), "Only its owner can change a collection."
    )
    return collection


def create_collection(
    session: Session,
    owner: User,
    *,
    title: str,
    description: str = "",
    public: bool = True,
    now: datetime,
) -> Collection:
    collection = Collection(
        owner_id=owner.id,
        title=clean_title(title),
        description=clean_description(description),
        public=public,
        created_at=now,
        updated_at=now,
    )
    session.add(collection)
    session.flush()
    return collection


def update_collection(
    session: Session,
    user: User,
    collection: Collection,
    *,
    title: str | None = None,
    description: str | None = None,
    public: bool | None = None,
    now: datetime,
) -> Collection:
    """Change what is given (None: keep it)."""
    policy.require(policy.can_edit_collection(collection, user))
    changes = {}
    if title is not None:
        changes["title"] = clean_title(title)
    if description is not None:
        changes["description"] = clean_description(description)
    if public is not None:
        changes["public"] = public
    changed = {k: v for k, v in changes.items() if getattr(collection, k) != v}
    for name, value in changed.items():
        setattr(collection, name, value)
    if changed:
        collection.updated_at = now
    return collection


def delete_collection(session: Session, user: User, collection: Collection) -> None:
    """Delete the collection and its items (never the posts)."""
    policy.require(policy.can_edit_collection(collection, user))
    session.execute(delete(CollectionItem).where(CollectionItem.collection_id == collection.id))
    session.delete(collection)
    session.flush()


def user_collections(
    session: Session,
    owner: User,
    viewer: User | None,
    *,
    limit: int,
    after: tuple[datetime, int] | None = None,
) -> list[Collection]:
    """``owner``'s collections that ``viewer`` may see, newest first,
    keyset-paginated on (created_at, id); ``limit + 1`` tells whether more
    follow. The owner's account itself is the caller's check."""
    query = (
        select(Collection)
        .where(Collection.owner_id == owner.id)
        .order_by(Collection.created_at.desc(), Collection.id.desc())
        .limit(limit + 1)
    )
    if viewer is None or viewer.id != owner.id:
        query = query.where(Collection.public == true())
    if after is not None:
        query = query.where(tuple_(Collection.created_at, Collection.id) < tuple_(*after))
    return list(session.scalars(query))


def _listed_items():
    return (
        select(CollectionItem.collection_id, CollectionItem.post_id, CollectionItem.position)
        .join(Post, Post.id == CollectionItem.post_id)
        .where(*policy.listed_posts())
    )


def item_counts(session: Session, collection_ids: list[int]) -> dict[int, int]:
    """How many posts each collection lists (listed posts only)."""
    if not collection_ids:
        return {}
    listed = _listed_items().where(CollectionItem.collection_id.in_(collection_ids)).subquery()
    rows = session.execute(
        select(listed.c.collection_id, func.count()).group_by(listed.c.collection_id)
    )
    counts = dict.fromkeys(collection_ids, 0)
    counts.update({collection_id: count for collection_id, count in rows})
    return counts


def covers(session: Session, collection_ids: list[int]) -> dict[int, int]:
    """The first listed post of each collection (its cover), by collection id."""
    if not collection_ids:
        return {}
    listed = _listed_items().where(CollectionItem.collection_id.in_(collection_ids)).subquery()
    first = (
        select(listed.c.collection_id, func.min(listed.c.position).label("position"))
        .group_by(listed.c.collection_id)
        .subquery()
    )
    rows = session.execute(
        select(listed.c.collection_id, listed.c.post_id).join(
            first,
            (first.c.collection_id == listed.c.collection_id)
            & (first.c.position == listed.c.position),
        )
    )
    return dict(rows.all())


def holding(session: Session, user: User, post_id: int) -> frozenset[int]:
    """Which of ``user``'s collections hold the post (the "Add to" sheet)."""
    return frozenset(
        session.scalars(
            select(CollectionItem.collection_id)
            .join(Collection, Collection.id == CollectionItem.collection_id)
            .where(CollectionItem.post_id == post_id, Collection.owner_id == user.id)
        )
    )


# -- items ----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemsPage:
    posts: list[post_views.PostView]
    flags: post_views.ViewerFlags | None
    next_cursor: str | None


def listed_item_ids(
    session: Session, collection: Collection, *, limit: int, after: tuple[str, int] | None = None
) -> list[tuple[int, str]]:
    """(post id, position) of the collection's listed posts in order, after
    the keyset position ``after``; ``limit + 1`` tells whether more follow."""
    query = (
        select(CollectionItem.post_id, CollectionItem.position)
        .join(Post, Post.id == CollectionItem.post_id)
        .where(CollectionItem.collection_id == collection.id, *policy.listed_posts())
        .order_by(CollectionItem.position, CollectionItem.post_id)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(
            tuple_(CollectionItem.position, CollectionItem.post_id) > tuple_(*after)
        )
    return [(post_id, position) for post_id, position in session.execute(query)]


def _listing(collection: Collection) -> str:
    return f"collection:{collection.id}"


def items_page(
    session: Session,
    collection: Collection,
    viewer: User | None,
    *,
    secret: str,
    cursor: str | None,
    limit: int,
) -> ItemsPage:
    """A page of the collection's posts in its order, with the viewer's flags;
    a forged cursor, or one of another collection, is InvalidCursor (400)."""
    after = None
    if cursor:
        try:
            position, post_id = cursors.loads(secret, _listing(collection), cursor)
            after = (str(position), int(post_id))
        except (TypeError, ValueError) as exc:
            raise cursors.invalid() from exc
    found = listed_item_ids(session, collection, limit=limit, after=after)
    rows = found[:limit]
    next_cursor = None
    if len(found) > limit:
        post_id, position = rows[-1]
        next_cursor = cursors.dumps(secret, _listing(collection), [position, post_id])
    posts, flags = post_views.load_post_views_for(
        session, [post_id for post_id, _ in rows], viewer.id if viewer else None
    )
    return ItemsPage(posts, flags, next_cursor)


def _lock(session: Session, collection: Collection) -> None:
    """Hold the collection's row until commit: its item writes go one at a time."""
    session.execute(select(Collection.id).where(Collection.id == collection.id).with_for_update())


def _item(session: Session, collection: Collection, post_id: int) -> CollectionItem | None:
    return session.get(CollectionItem, (collection.id, post_id))


def _neighbours(
    session: Session, collection: Collection, before: int | None, moving: int | None
) -> tuple[str | None, str | None]:
    """The keys a new place lies between: just ahead of ``before`` (None: the
    end), leaving the item ``moving`` out of the count."""
    others = [CollectionItem.collection_id == collection.id]
    if moving is not None:
        others.append(CollectionItem.post_id != moving)
    upper = None
    if before is not None:
        target = _item(session, collection, before)
        if target is None or before == moving:
            problem = (
                "An item cannot go before itself."
                if before == moving
                else "That post is not in this collection."
            )
            raise ValidationFailed("The item could not be placed.", fields={"before": problem})
        upper = target.position
        others.append(CollectionItem.position < upper)
    lower = session.scalar(select(func.max(CollectionItem.position)).where(*others))
    return lower, upper


def _order(session: Session, collection: Collection) -> list[tuple[int, datetime]]:
    """(post id, added at) of every item, hidden ones too, in order."""
    return [
        (post_id, added_at)
        for post_id, added_at in session.execute(
            select(CollectionItem.post_id, CollectionItem.added_at)
            .where(CollectionItem.collection_id == collection.id)
            .order_by(CollectionItem.position, CollectionItem.post_id)
        )
    ]


def _place_anew(
    session: Session,
    collection: Collection,
    post_id: int,
    before: int | None,
    added_at: datetime,
) -> CollectionItem:
    """The rare rewrite, once keys grew too long: put ``post_id`` in its place
    and give every item a fresh short key, all rows deleted and written again
    (so the unique keys never clash on the way)."""
    order = [row for row in _order(session, collection) if row[0] != post_id]
    at = [p for p, _ in order].index(before) if before is not None else len(order)
    order.insert(at, (post_id, added_at))
    session.execute(delete(CollectionItem).where(CollectionItem.collection_id == collection.id))
    keys = generate_n_keys_between(None, None, len(order))
    session.execute(
        insert(CollectionItem),
        [
            {"collection_id": collection.id, "post_id": p, "position": key, "added_at": added}
            for (p, added), key in zip(order, keys, strict=True)
        ],
    )
    session.expire_all()
    return _item(session, collection, post_id)


def add_item(
    session: Session,
    user: User,
    collection: Collection,
    post_id: int,
    *,
    before: int | None = None,
    max_items: int,
    now: datetime,
) -> CollectionItem:
    """Add a post at the end, or just ahead of the post ``before``."""
    policy.require(
        policy.can_edit_collection(collection, user), "Only its owner can change a collection."
    )
    post = session.get(Post, post_id)
    if post is None or not policy.can_see_post(post, user):
        raise ValidationFailed("The post could not be added.", fields={"post_id": "No such post."})
    _lock(session, collection)
    if _item(session, collection, post_id) is not None:
        raise AlreadyInCollection("That post is already in this collection.")
    count = session.scalar(
        select(func.count()).where(CollectionItem.collection_id == collection.id)
    )
    if count >= max_items:
        raise CollectionFull(f"A collection holds at most {max_items} posts.")
    lower, upper = _neighbours(session, collection, before, None)
    key = generate_key_between(lower, upper)
    if len(key) > POSITION_MAX_LENGTH:
        return _place_anew(session, collection, post_id, before, now)
    item = CollectionItem(collection_id=collection.id, post_id=post_id, position=key, added_at=now)
    try:
        with session.begin_nested():
            session.add(item)
    except IntegrityError as exc:  # a writer the lock did not hold back (SQLite)
        raise Conflict("The collection changed meanwhile; try again.") from exc
    return item


def move_item(
    session: Session, user: User, collection: Collection, post_id: int, *, before: int | None
) -> CollectionItem:
    """Move an item just ahead of the post ``before`` (None: to the end). One
    row written; none when it is already there."""
    policy.require(
        policy.can_edit_collection(collection, user), "Only its owner can change a collection."
    )
    _lock(session, collection)
    item = _item(session, collection, post_id)
    if item is None:
        raise NotFound("That post is not in this collection.")
    lower, upper = _neighbours(session, collection, before, post_id)
    lower_ok = lower is None or lower < item.position
    upper_ok = upper is None or item.position < upper
    if lower_ok and upper_ok:
        return item  # already in that place
    key = generate_key_between(lower, upper)
    if len(key) > POSITION_MAX_LENGTH:
        return _place_anew(session, collection, post_id, before, item.added_at)
    item.position = key
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict("The collection changed meanwhile; try again.") from exc
    return item


def neighbour_before(
    session: Session, collection: Collection, post_id: int, step: int
) -> int | bool | None:
    """For the up/down buttons: the ``before`` that moves the listed item one
    place up (step -1) or down (step +1) among the listed items; False when it
    is already first or last (nothing to do)."""
    order = [p for p, _ in listed_item_ids(session, collection, limit=LISTED_MAX)]
    if post_id not in order:
        raise NotFound("That post is not in this collection.")
    at = order.index(post_id)
    if step < 0:
        return order[at - 1] if at > 0 else False
    if at + 1 >= len(order):
        return False
    return order[at + 2] if at + 2 < len(order) else None


def remove_item(session: Session, user: User, collection: Collection, post_id: int) -> None:
    policy.require(
        policy.can_edit_collection(collection, user), "Only its owner can change a collection."
    )
    removed = session.execute(
        delete(CollectionItem).where(
            CollectionItem.collection_id == collection.id, CollectionItem.post_id == post_id
        )
    )
    if not removed.rowcount:
        raise NotFound("That post is not in this collection.")


def own_collections_for(session: Session, user: User, limit: int = 200) -> list[Collection]:
    """The user's collections for the "Add to collection" sheet, newest first."""
    return user_collections(session, user, user, limit=limit)[:limit]
