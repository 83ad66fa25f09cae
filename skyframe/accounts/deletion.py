"""Deleting an account: by its owner (with their password), by a manager, or
by the operator at the CLI.

Everything happens in the caller's one transaction, so a failure leaves
nothing half deleted:

- the account can no longer sign in: every login session and reset token
  ends, the password becomes unusable, ``deleted_at`` is set;
- the handle stays reserved (the row is kept as a tombstone, so registering
  that handle again fails with the usual "taken"), while the e-mail address
  is scrubbed and may register a new account: the tombstone keeps no
  address (``email`` empty, ``email_key`` ``deleted:<id>``, which no
  normalised address can equal); display name, bio and avatar go too;
- its posts, comments, likes, saves, follows, blocks and seen history are
  deleted, with every counter they moved moved back in the same
  transaction: like and save counts of the posts it liked or saved, like
  counts of comments it liked, comment counts of the posts it commented on
  (unless it was disabled: those were already uncounted), and follower or
  following counts (counted from the follows). Replies to its comments stay,
  answering nothing (as when a comment is deleted);
- notifications by it or to it, and about its posts, go with them;
- reports by or against it stay (their target may be gone), as do its
  take-downs, strikes and the audit log.

Its files (every rendition and original of its posts, its avatar) are
removed after the commit by the ``purge-account-files`` job
(``purge_files``): a rollback leaves them, and a job that fails can run
again. A manager's or the operator's deletion writes one audit row
(``account.delete``); an owner's own does not (it is no staff action).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from skyframe import policy
from skyframe.accounts import login_sessions
from skyframe.accounts.passwords import PasswordHashing
from skyframe.exceptions import NotFound, ValidationFailed
from skyframe.media.formats import FORMATS
from skyframe.models import (
    AuditSource,
    Block,
    Collection,
    Comment,
    CommentLike,
    FeedSeen,
    Follow,
    Notification,
    PasswordResetToken,
    Post,
    PostLike,
    PostMedia,
    PostSave,
    Role,
    User,
)
from skyframe.moderation import audit
from skyframe.posts.lifecycle import RENDITION_FILES
from skyframe.storage import Storage, StorageError

log = logging.getLogger(__name__)

PURGE_ACCOUNT_FILES = "purge-account-files"
WRONG_PASSWORD = "That is not your password."  # noqa: S105 - a message
UNUSABLE_PASSWORD = "!deleted"  # noqa: S105 - no Argon2 hash: every sign-in fails


@dataclass(frozen=True)
class Deleted:
    """A deleted account's handle and the storage keys left to purge."""

    handle: str
    file_keys: list[str]


def delete_own_account(
    session: Session, hashing: PasswordHashing, user: User, password: str, now: datetime
) -> Deleted:
    """The owner deletes their account, confirming with their password
    (ValidationFailed on ``password`` otherwise)."""
    if not hashing.verify(user.password_hash, password).ok:
        raise ValidationFailed(WRONG_PASSWORD, fields={"password": WRONG_PASSWORD})
    return _delete(session, user, now)


def delete_account(
    session: Session, actor: policy.Actor, user: User, *, source: AuditSource, now: datetime
) -> Deleted:
    """Staff deletes an account (a manager, or the operator): audited.
    Deleting one's own account goes through ``delete_own_account``."""
    policy.require(policy.can_delete_account_as_staff(actor, user), "Only a manager may do that.")
    if user.is_deleted:
        raise NotFound("No such user.")
    deleted = _delete(session, user, now)
    audit.record(
        session,
        actor=actor,
        action=audit.Action.ACCOUNT_DELETE,
        target_type="user",
        target_id=user.id,
        reason=f"@{deleted.handle}",
        source=source,
        now=now,
    )
    return deleted


def _delete(session: Session, user: User, now: datetime) -> Deleted:
    keys = _file_keys(session, user)
    if not user.disabled:
        # Its comments leave their posts' counts (and its posts every listing).
        policy.set_account_hidden(session, user.id, True)
    _unmark(session, PostLike, Post, Post.like_count, user.id)
    _unmark(session, PostSave, Post, Post.favorite_count, user.id)
    _unmark(session, CommentLike, Comment, Comment.like_count, user.id)
    uid = user.id
    for statement in (
        delete(Notification).where(
            or_(Notification.actor_id == uid, Notification.recipient_id == uid)
        ),
        delete(Follow).where(or_(Follow.follower_id == uid, Follow.followee_id == uid)),
        delete(Block).where(or_(Block.blocker_id == uid, Block.blocked_id == uid)),
        delete(FeedSeen).where(FeedSeen.user_id == uid),
        delete(PasswordResetToken).where(PasswordResetToken.user_id == uid),
        # Cascades: their items (others' posts stay).
        delete(Collection).where(Collection.owner_id == uid),
        # Replies to its comments keep standing (parent_id SET NULL).
        delete(Comment).where(Comment.author_id == uid),
        # Cascades: their tags, media rows, likes, saves, comments, seen rows
        # and notifications; take-downs keep their row (post_id SET NULL).
        delete(Post).where(Post.owner_id == uid),
    ):
        session.execute(statement.execution_options(synchronize_session=False))
    login_sessions.end_all(session, uid)
    handle = user.handle
    user.deleted_at = now
    user.email = ""
    user.email_key = f"deleted:{uid}"
    user.password_hash = UNUSABLE_PASSWORD
    user.display_name = handle
    user.bio = ""
    user.avatar_key = None
    user.gravatar = False
    user.role = Role.USER.value
    session.flush()
    session.expire_all()  # rows loaded before are gone or changed
    return Deleted(handle, keys)


def _unmark(session: Session, mark, target, counter, user_id: int) -> None:
    """Take one user's marks (likes, saves) off their targets' counters."""
    target_key = "post_id" if target is Post else "comment_id"
    marked = select(getattr(mark, target_key)).where(mark.user_id == user_id)
    session.execute(
        update(target)
        .where(target.id.in_(marked))
        .values({counter: counter - 1})
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(mark).where(mark.user_id == user_id))


def _file_keys(session: Session, user: User) -> list[str]:
    """Every name the account's files can have (as posts.lifecycle.delete_post
    lists a post's), and its avatar."""
    keys: set[str] = set(
        session.scalars(
            select(PostMedia.key)
            .join(Post, Post.id == PostMedia.post_id)
            .where(Post.owner_id == user.id)
        )
    )
    for media_key in session.scalars(select(Post.media_key).where(Post.owner_id == user.id)):
        keys |= {f"posts/{media_key}/{name}" for name in RENDITION_FILES}
        keys |= {f"incoming/{media_key}.{f.name}" for f in FORMATS}
    if user.avatar_key:
        keys.add(user.avatar_key)
    return sorted(keys)


def purge_files(storage: Storage, keys: list[str]) -> int:
    """The job: remove a deleted account's files (a missing one is no
    error). Raises StorageError when some could not be removed, after trying
    every one, so the job fails and can run again. Returns how many keys."""
    failed = []
    for key in keys:
        try:
            storage.delete(key)
        except StorageError:
            log.warning("could not remove %s", key, exc_info=True)
            failed.append(key)
    if failed:
        raise StorageError(f"{len(failed)} file(s) of a deleted account could not be removed")
    return len(keys)
