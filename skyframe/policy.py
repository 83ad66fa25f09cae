"""Who may see and do what: one rule for every listing, page, file, edit and
staff action. Doors (HTML, JSON, CLI) ask these rules and never test roles
themselves.

**Listings** (the feed's pools, Following, search and its object and tag
pages, related posts, Saved, seen reports, site stats) show *listed* posts:
ready, not taken down, and not uploaded by a disabled account. That is one
condition, ``listed_posts``, which every partial index of posts is built over
(see models.post), so the feed's hot SQL keeps its index-only scans and joins
no users: disabling an account marks its posts (``owner_disabled``), and a
take-down its post (``taken_down``), in the same transaction.

**A post's own URLs** (its page, its JSON, its files under /media, its
download, its comments) follow ``can_see_post``: a listed post is for
everyone; a post still processing, failed or taken down for its owner and
staff; a disabled account's posts for staff only. Anyone else gets a 404, so
the post's existence does not leak. A user's profile lists everything to its
owner and staff (skyframe.profiles), and a disabled or deleted account's
profile is for staff only.

**Roles.** ``user``; ``moderator`` (staff: the report queue, labels,
take-downs, strikes, suspensions of users); ``manager`` (staff, and also:
restoring taken-down posts, roles, deleting accounts, suspending staff, the
audit log).

**Account states.** Active; suspended (by active strikes, or by staff until
an optional end): may sign in, read, delete their own content and open
tickets, but not post, comment, go live or host; disabled (cannot sign in,
content hidden but from staff); deleted (a tombstone; content gone).

**Comments** by a disabled account are hidden from everyone but staff, and
left out of their post's ``comment_count``, so the count says what the
listing shows; enabling the account puts them back. Likes and follows by a
disabled account are left as they are (they list nothing and count in no
listing a visitor could compare).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import and_, false, func, or_, select, true, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from skyframe.exceptions import PermissionDenied, Suspended
from skyframe.models import Comment, Post, PostStatus, Role, Strike, Ticket, User


class Operator:
    """Whoever runs the command line: the operator of the site, trusted with
    every staff action (as a manager), and audited as source ``cli`` with no
    account. Pass ``OPERATOR`` as the actor from the CLI."""

    id = None
    role = Role.MANAGER.value
    is_staff = True
    handle = "operator"

    def __repr__(self) -> str:
        return "<Operator>"


OPERATOR = Operator()

# Who does a staff action: a signed-in account, or the operator at the CLI.
Actor = User | Operator


class PostFacts(Protocol):
    """What the rules read of a post: a loaded Post or a listing's PostView."""

    owner_id: int
    status: str
    owner_disabled: bool
    taken_down: bool


def is_staff(viewer: Actor | None) -> bool:
    return viewer is not None and viewer.is_staff


def is_manager(viewer: Actor | None) -> bool:
    return viewer is not None and viewer.role == Role.MANAGER


def require(allowed: bool, message: str = "You may not do that.") -> None:
    """Raise PermissionDenied (403) unless a rule allowed it."""
    if not allowed:
        raise PermissionDenied(message)


def listed_posts(posts=Post) -> list[ColumnElement[bool]]:
    """Conditions for the posts listings show: ready, uploader not disabled.

    ``posts`` is the Post class, its table or an alias of either. The exact
    form matters: the partial indexes' WHERE is these conditions, and a
    planner uses one only when the query's conditions imply it.
    """
    columns = getattr(posts, "c", posts)
    return [
        columns.status == PostStatus.READY,
        columns.owner_disabled == false(),
        columns.taken_down == false(),
    ]


def is_listed(post: PostFacts) -> bool:
    """listed_posts for one loaded post."""
    return post.status == PostStatus.READY and not post.owner_disabled and not post.taken_down


def can_see_post(post: PostFacts, viewer: User | None) -> bool:
    """Whether ``viewer`` may open this post, its files and its comments."""
    if is_staff(viewer):
        return True
    if post.owner_disabled:
        return False
    return is_listed(post) or (viewer is not None and viewer.id == post.owner_id)


def can_edit_post(post: PostFacts, user: User | None) -> bool:
    """Its owner and staff may edit or delete a post (and see why it failed)."""
    return user is not None and (user.id == post.owner_id or is_staff(user))


def can_see_all_posts_of(owner: User, viewer: User | None) -> bool:
    """A profile lists every post, processing and failed ones too, to its
    owner and staff; others see its listed posts."""
    return viewer is not None and (viewer.id == owner.id or is_staff(viewer))


def can_edit_comment(comment: Comment, user: User | None) -> bool:
    """Only its author edits a comment."""
    return user is not None and user.id == comment.author_id


def can_delete_comment(comment: Comment, post_owner_id: int, user: User | None) -> bool:
    """Its author, the post's owner and staff may delete a comment."""
    return user is not None and (user.id in (comment.author_id, post_owner_id) or is_staff(user))


def can_see_account(user: User, viewer: User | None) -> bool:
    """A disabled or deleted account (its profile, its avatar) is for staff only."""
    return not (user.disabled or user.deleted_at is not None) or is_staff(viewer)


# -- account standing ---------------------------------------------------------


def is_suspended(user: User, now: datetime) -> bool:
    """Suspended by active strikes, or by staff until ``suspended_until``."""
    if user.strike_suspended:
        return True
    if user.suspended_at is None:
        return False
    return user.suspended_until is None or user.suspended_until > now


def suspended_accounts(now: datetime) -> ColumnElement[bool]:
    """is_suspended as a condition on users (``flask users list --state``)."""
    by_staff = and_(
        User.suspended_at.is_not(None),
        or_(User.suspended_until.is_(None), User.suspended_until > now),
    )
    return or_(User.strike_suspended == true(), by_staff)


def require_in_good_standing(user: User, now: datetime) -> None:
    """Raise Suspended (403 ``suspended``) for a suspended account: posting,
    commenting, going live and hosting all ask this."""
    if is_suspended(user, now):
        until = user.suspended_until if not user.strike_suspended else None
        when = f" until {until:%Y-%m-%d %H:%M} UTC" if until else ""
        raise Suspended(f"Your account is suspended{when}; you cannot post or comment.")


# -- staff actions --------------------------------------------------------------


def can_moderate(actor: Actor | None) -> bool:
    """The report queue, its decisions, labels on anyone's post: staff."""
    return is_staff(actor)


def can_take_down(actor: Actor | None, post: PostFacts) -> bool:
    """Moderators and managers take down others' posts."""
    return is_staff(actor) and actor.id != post.owner_id


def can_restore(actor: Actor | None) -> bool:
    """Only a manager undoes a take-down."""
    return is_manager(actor)


def can_label(actor: Actor | None, post: PostFacts) -> bool:
    """Staff label any post; owners label their own."""
    return actor is not None and (actor.id == post.owner_id or is_staff(actor))


def can_resolve_strike(actor: Actor | None, strike: Strike) -> bool:
    """Staff resolve strikes, never their own."""
    return is_staff(actor) and actor.id != strike.user_id


def can_suspend(actor: Actor | None, user: User) -> bool:
    """Staff suspend users; only managers suspend staff; nobody themselves."""
    if actor is None or actor.id == user.id or not is_staff(actor):
        return False
    return not user.is_staff or is_manager(actor)


def can_set_role(actor: Actor | None, user: User) -> bool:
    """Managers grant and take roles (not their own, so a site keeps one)."""
    return is_manager(actor) and actor.id != user.id


def can_delete_account(actor: Actor | None, user: User) -> bool:
    """An account's owner, or a manager, deletes it."""
    return actor is not None and (actor.id == user.id or is_manager(actor))


def can_disable_account(actor: Actor | None, user: User) -> bool:
    """Managers disable and enable accounts other than their own."""
    return is_manager(actor) and actor.id != user.id


def can_read_audit(actor: Actor | None) -> bool:
    return is_manager(actor)


def can_report(actor: Actor | None, target_owner_id: int | None) -> bool:
    """Anyone signed in reports what is not their own."""
    return actor is not None and actor.id != target_owner_id


# -- appeals (skyframe.support.appeals) -------------------------------------------


def can_appeal(actor: Actor | None, owner_id: int) -> bool:
    """Only whom a decision is about appeals it (the take-down's post owner,
    the struck account), suspended or not."""
    return actor is not None and actor.id is not None and actor.id == owner_id


def can_decide_appeal(actor: Actor | None, appellant_id: int) -> bool:
    """Managers decide appeals (they alone restore posts), never their own:
    the moderator who took a decision does not judge the appeal of it."""
    return is_manager(actor) and actor.id != appellant_id


def can_list_appeals(actor: Actor | None) -> bool:
    """The appeals waiting for a decision: managers."""
    return is_manager(actor)


def shown_comments(viewer: User | None) -> list[ColumnElement[bool]]:
    """Conditions on comments (with their author joined as User) for what a
    post's conversation shows ``viewer``."""
    return [] if is_staff(viewer) else [User.disabled == false()]


def can_see_comment(comment: Comment, viewer: User | None) -> bool:
    return not comment.author.disabled or is_staff(viewer)


def set_account_hidden(session: Session, user_id: int, hidden: bool) -> None:
    """Hide (or show again) an account's posts and comments, in the caller's
    transaction: its posts are marked, and the comment counts of the posts it
    commented on drop (or regain) its comments. Call once per change of the
    account's state (accounts.set_disabled does)."""
    session.execute(update(Post).where(Post.owner_id == user_id).values(owner_disabled=hidden))
    theirs = (
        select(func.count())
        .where(Comment.post_id == Post.id, Comment.author_id == user_id)
        .scalar_subquery()
    )
    step = -theirs if hidden else theirs
    commented = select(Comment.post_id).where(Comment.author_id == user_id)
    session.execute(
        update(Post)
        .where(Post.id.in_(commented))
        .values(comment_count=Post.comment_count + step)
        .execution_options(synchronize_session=False)
    )


# -- the staff area -------------------------------------------------------------


def can_enter_staff_area(actor: Actor | None) -> bool:
    """The staff pages under /admin: moderators and managers. Everyone else is
    answered 404, as if there were none (each page and action there still
    asks its own rule: the audit log is for managers only)."""
    return is_staff(actor)


# -- deleting accounts (accounts.deletion) --------------------------------------


def can_delete_account_as_staff(actor: Actor | None, user: User) -> bool:
    """A manager (or the operator) deletes another account, staff ones too;
    their own goes through the owner's deletion, with their password."""
    return is_manager(actor) and actor.id != user.id and can_delete_account(actor, user)


# -- support tickets (support.tickets) --------------------------------------------


def can_see_ticket(ticket: Ticket, viewer: Actor | None) -> bool:
    """Its owner sees a ticket; so does staff, but a ticket for managers only
    (a staff member's own, or one escalated) is a manager's: a moderator is
    answered 404, as if there were none."""
    if viewer is None:
        return False
    if viewer.id is not None and viewer.id == ticket.owner_id:
        return True
    return is_staff(viewer) and (not ticket.managers_only or is_manager(viewer))


def can_work_ticket(ticket: Ticket, actor: Actor | None) -> bool:
    """Staff who see a ticket assign, answer, escalate and close it as staff,
    but never their own (there they are its owner); always as an account
    (the thread and the audit log name them), so not the operator."""
    return (
        actor is not None
        and actor.id is not None
        and actor.id != ticket.owner_id
        and is_staff(actor)
        and can_see_ticket(ticket, actor)
    )


def can_answer_tickets(actor: Actor | None) -> bool:
    """The staff views of tickets (unassigned, mine, all): staff."""
    return is_staff(actor)


def can_see_managers_only_tickets(actor: Actor | None) -> bool:
    """Which staff listings include tickets for managers only."""
    return is_manager(actor)


# -- collections (skyframe.social.collections) -----------------------------------


def can_see_collection(collection, viewer: User | None) -> bool:
    """A private collection is its owner's alone (anyone else: 404); a public
    one is for whoever may see its owner's account. What it lists is still
    only listed posts (``listed_posts``), for its owner too."""
    if viewer is not None and viewer.id == collection.owner_id:
        return True
    return collection.public and can_see_account(collection.owner, viewer)


def can_edit_collection(collection, user: User | None) -> bool:
    """Only its owner edits a collection, its items and their order."""
    return user is not None and user.id == collection.owner_id


def counts_views_of(viewer: User | None) -> bool:
    """Whether this viewer's views are counted: everyone's but staff's (who
    open posts to moderate them). Owners' views of their own posts do not
    count either (skyframe.viewcounts.counting)."""
    return not is_staff(viewer)


# -- live sessions (skyframe.live) -------------------------------------------------


def require_can_go_live(user: User, now: datetime) -> None:
    """Going live, and pushing frames to a running session, need an account
    in good standing (Suspended, 403 ``suspended``)."""
    require_in_good_standing(user, now)


def can_see_channel(owner: User, viewer: User | None) -> bool:
    """A channel, its sessions and their frames follow the owner's account:
    a disabled or deleted account's are for staff only."""
    return can_see_account(owner, viewer)


def can_end_live(live_session, user: User | None) -> bool:
    """Its owner ends a session, and staff may end anyone's."""
    return user is not None and (user.id == live_session.owner_id or is_staff(user))


def can_push_frame(live_session, user: User | None) -> bool:
    """Only the session's owner pushes frames to it (and publishes them as posts)."""
    return user is not None and user.id == live_session.owner_id


def can_see_frame(frame, viewer: User | None) -> bool:
    """A taken-down frame disappears as a taken-down post does: for everyone
    but its owner and staff."""
    return not frame.taken_down or (
        viewer is not None and (viewer.id == frame.owner_id or is_staff(viewer))
    )


def can_take_down_frame(actor: Actor | None, frame) -> bool:
    """Staff take down others' frames, as they do posts."""
    return is_staff(actor) and actor.id != frame.owner_id
