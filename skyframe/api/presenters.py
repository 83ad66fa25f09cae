"""Posts, comments and notifications as the API (and the pages' scripts) see them."""

from __future__ import annotations

from functools import lru_cache

from flask import current_app, g, url_for

from skyframe import policy
from skyframe.api.schemas.posts import (
    CatalogueItem,
    CatalogueRef,
    Equipment,
    Exposure,
    PostImage,
    PostOut,
    PostVideo,
    Rendition,
    TakeDownNotice,
    UserRef,
)
from skyframe.api.schemas.social import CommentOut, CommentRef, NotificationOut
from skyframe.catalogue import CatalogueObject
from skyframe.extensions import db
from skyframe.models import Comment, Notification, Post, PostMedia, User
from skyframe.moderation import labels, takedowns
from skyframe.posts import views as post_views
from skyframe.posts.views import MediaView, OwnerView, PostView, ViewerFlags
from skyframe.social import comments as comment_rules
from skyframe.web.urls import avatar_url

WEB_FIRST = ("image/webp", "image/jpeg")


def media_url(media: PostMedia | MediaView) -> str:
    # Storage keys are URL-safe (storage.check_key): the route's prefix and
    # the key, without building a URL per rendition (a feed page has fifty).
    return _media_prefix() + media.key


def _media_prefix() -> str:
    if "skyframe_media_prefix" not in g:
        g.skyframe_media_prefix = url_for("main.media_file", key="-")[:-1]
    return g.skyframe_media_prefix


def _rendition(media: PostMedia | MediaView) -> Rendition:
    return Rendition(
        url=media_url(media),
        content_type=media.content_type,
        width=media.width,
        height=media.height,
        bytes=media.bytes,
    )


def _renditions(post: Post | PostView, kind: str) -> list[Rendition]:
    found = [post.rendition(kind, content_type) for content_type in WEB_FIRST]
    return [_rendition(m) for m in found if m is not None]


def post_image(post: Post | PostView) -> PostImage | None:
    """The post's renditions as listings show them: no original (see
    with_original)."""
    if not post.media:
        return None
    return PostImage(
        width=post.width,
        height=post.height,
        placeholder={"blurhash": post.placeholder_blurhash, "color": post.placeholder_color},
        display=_renditions(post, "display"),
        thumb=_renditions(post, "thumb"),
        original=None,
    )


def post_video(post: Post | PostView) -> PostVideo | None:
    """A clip's MP4 and poster, once processed (None for images)."""
    if not post.is_video:
        return None
    clip = post.rendition("video", "video/mp4")
    if clip is None:
        return None
    poster = post.rendition("display", "image/jpeg")
    return PostVideo(
        url=media_url(clip),
        poster_url=media_url(poster) if poster is not None else None,
        duration_s=post.duration_s or 0.0,
        width=clip.width,
        height=clip.height,
        has_audio=bool(post.has_audio),
    )


def _with_original(image: PostImage | None, post: Post | PostView) -> PostImage | None:
    original = post.rendition("original", "image/jpeg") if image is not None else None
    if original is None:
        return image
    return image.model_copy(update={"original": _rendition(original)})


def catalogue_item(found: CatalogueObject) -> CatalogueItem:
    return CatalogueItem(
        id=found.id,
        name=found.name,
        common_name=found.common_name,
        type=found.type,
        constellation=found.constellation,
        aliases=list(found.aliases),
    )


def user_ref(user: User | OwnerView) -> UserRef:
    return UserRef(handle=user.handle, display_name=user.display_name, avatar_url=avatar_url(user))


# Per app and process: the viewer-independent JSON of recently listed posts.
# Keyed by everything it is made of (the PostView's every field, renditions
# and tags included, and the URL root), so an edit, a like or a new comment
# makes a new key and the old entry just ages out.
POST_OUT_CACHE_SIZE = 4096
_CACHE_KEY = "skyframe.post_out_cache"


def post_out(
    post: Post | PostView,
    viewer: User | None,
    flags: ViewerFlags | None = None,
    *,
    with_original: bool = False,
) -> PostOut:
    """One post as JSON, with the viewer's own flags. Listings pass ``flags``
    (post_views.viewer_flags for the page); alone, three key lookups are made.
    PostViews (posts.load_post_views) share the rest through a cache.

    The full-size original's URL is only in the post's own answer
    (``with_original``): originals are what downloads are, limited per client
    (MEDIA_ORIGINAL_LIMIT), and a listing that carried them handed out a
    feed's worth of them a page at a time.
    """
    if isinstance(post, PostView):
        shared = _shared_cache()(post, _media_prefix())
    else:
        shared = _shared_post_out(post)
    liked = favorited = following = None
    if viewer is not None:
        if flags is None:
            flags = post_views.viewer_flags(db.session, viewer, [post])
        liked = post.id in flags.liked
        favorited = post.id in flags.saved
        following = post.owner_id in flags.following
    sees_failures = policy.can_edit_post(post, viewer)
    own = {"media": _with_original(shared.media, post)} if with_original else {}
    return shared.model_copy(
        update={
            **own,
            "take_down": _take_down(post) if sees_failures else None,
            "failure_reason": post.failure_reason if sees_failures else None,
            "liked": liked,
            "favorited": favorited,
            "following": following,
        }
    )


def _take_down(post: Post | PostView) -> TakeDownNotice | None:
    """The take-down in force, for its owner and staff: read only for a post
    taken down (listings others see hold none, and the feed's pages none)."""
    if not post.taken_down:
        return None
    found = takedowns.current(db.session, post.id)
    return TakeDownNotice(reason=found.reason, at=found.created_at) if found else None


def _shared_cache():
    cache = current_app.extensions.get(_CACHE_KEY)
    if cache is None:
        # The media prefix in the key stands for the request's URL root
        # (every URL in the JSON is relative to it).
        cached = lru_cache(maxsize=POST_OUT_CACHE_SIZE)(
            lambda post, _media_prefix: _shared_post_out(post)
        )
        cache = current_app.extensions.setdefault(_CACHE_KEY, cached)
    return cache


def _shared_post_out(post: Post | PostView) -> PostOut:
    """A post's JSON without what depends on the viewer."""
    return PostOut(
        id=post.id,
        kind=post.kind,
        status=post.status,
        failure_reason=None,
        title=post.title,
        object=CatalogueRef(
            id=post.object_id,
            name=post.object_name,
            common_name=post.object_common_name,
            type=post.object_type,
            constellation=post.object_constellation,
        )
        if post.object_name or post.object_id
        else None,
        category=post.category,
        observer=post.observer,
        observed_at=post.observed_at,
        equipment=Equipment(
            telescope=post.telescope, camera=post.camera, mount=post.mount, filters=post.filters
        ),
        exposure=Exposure(
            sub_seconds=post.exposure_seconds,
            count=post.exposure_count,
            integration_seconds=post.integration_seconds,
            gain=post.gain,
            bortle=post.bortle,
        ),
        notes=post.notes,
        tags=list(post.tags),
        labels=labels.of(post.labels),
        take_down=None,
        owner=user_ref(post.owner),
        created_at=post.created_at,
        updated_at=post.updated_at,
        media=post_image(post),
        video=post_video(post),
        like_count=post.like_count,
        favorite_count=post.favorite_count,
        comment_count=post.comment_count,
        view_count=post.view_count,
        liked=None,
        favorited=None,
        following=None,
        url=url_for("main.post_page", post_id=post.id),
        download_url=url_for("main.download", post_id=post.id) if post.is_ready else None,
    )


def comment_out(
    comment: Comment, viewer: User | None, post_owner_id: int, liked: frozenset[int] | None
) -> CommentOut:
    """One comment; ``liked`` is comments.liked_by for the viewer's page."""
    parent = comment_rules.shown_parent(comment, viewer)
    return CommentOut(
        id=comment.id,
        post_id=comment.post_id,
        author=user_ref(comment.author),
        body=comment.body,
        reply_to=CommentRef(id=parent.id, author=user_ref(parent.author)) if parent else None,
        like_count=comment.like_count,
        liked=None if viewer is None or liked is None else comment.id in liked,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        can_edit=policy.can_edit_comment(comment, viewer),
        can_delete=policy.can_delete_comment(comment, post_owner_id, viewer),
    )


NOTIFICATION_MESSAGES = {
    "follow": "{actor} started following you",
    "like": "{actor} liked your post",
    "comment": "{actor} commented on your post",
    "reply": "{actor} replied to your comment",
    "live": "{actor} is live",
    # Moderation notices: from the site, naming no moderator.
    "report_handled": "Your report was handled — thank you",
    "take_down": "A moderator removed your post “{title}”",
    "restored": "A moderator restored your post “{title}”",
    "strike": "You received a strike",
    "strike_resolved": "A strike on your account was resolved",
    "suspended": "Your account is suspended: you cannot post or comment",
    "unsuspended": "Your account is no longer suspended",
    "warning": "A moderator sent you a warning",
    "appeal_decided": "Your appeal was decided",
}
APPEAL_OUTCOMES = {
    "upheld": "Your appeal was declined: the decision stands",
    "overturned": "Your appeal was accepted: the decision is overturned",
}
# Notices about the account's standing lead to /settings/standing.
STANDING_KINDS = {
    "strike",
    "strike_resolved",
    "suspended",
    "unsuspended",
    "warning",
    "appeal_decided",
}


def _notice(notification: Notification) -> tuple[str, str | None]:
    """A moderation notice's message, and the moderator's words (a
    take-down's reason, a strike's take-downs, a warning's text)."""
    kind, removal = notification.kind, notification.take_down
    message = NOTIFICATION_MESSAGES[kind].format(title=removal.post_title if removal else "")
    reason = None
    if kind == "take_down" and removal is not None:
        reason = removal.reason
        message += f": {reason}"
    elif kind in ("strike", "strike_resolved") and notification.strike is not None:
        strike = notification.strike
        reason = strike.reason if kind == "strike" else strike.resolve_note or None
    elif kind == "warning" and notification.report is not None:
        reason = notification.report.note or None
        message += f": {reason}" if reason else ""
    elif kind == "appeal_decided" and notification.appeal is not None:
        message = APPEAL_OUTCOMES.get(notification.appeal.status, message)
        reason = notification.appeal.decision_note or None
    elif kind == "suspended":
        user = notification.recipient
        if user.suspended_until is not None and not user.strike_suspended:
            message = f"Your account is suspended until {user.suspended_until:%Y-%m-%d %H:%M} UTC"
        reason = (user.suspension_reason or None) if not user.strike_suspended else None
    return message, reason


# Support notices: from staff to a ticket's owner they name no one (actor
# empty); to staff they name the owner or the colleague who acted.
TICKET_MESSAGES = {
    ("ticket_reply", False): "Staff answered your ticket “{title}”",
    ("ticket_reply", True): "{actor} wrote on ticket “{title}”",
    ("ticket_assigned", False): "Someone on staff is looking at your ticket “{title}”",
    ("ticket_assigned", True): "{actor} took over ticket “{title}”",
    ("ticket_escalated", False): "Your ticket “{title}” was passed on to a manager",
    ("ticket_closed", False): "Your ticket “{title}” was closed",
    ("ticket_closed", True): "{actor} closed ticket “{title}”",
}


def _ticket_notice(notification: Notification) -> tuple[str, str]:
    """A support notice's message, and the ticket's page on the recipient's side."""
    ticket, actor = notification.ticket, notification.actor
    template = TICKET_MESSAGES.get(
        (notification.kind, actor is not None), "Ticket “{title}” changed"
    )
    message = template.format(
        title=ticket.title, actor=actor.display_name if actor is not None else ""
    )
    if notification.recipient_id == ticket.owner_id:
        return message, url_for("main.support_ticket", ticket_id=ticket.id)
    return message, url_for("admin.ticket", ticket_id=ticket.id)


def notification_out(notification: Notification) -> NotificationOut:
    actor = notification.actor
    reason = None
    if notification.ticket_id is not None and notification.ticket is not None:
        message, url = _ticket_notice(notification)
        return NotificationOut(
            id=notification.id,
            kind=notification.kind,
            actor=user_ref(actor) if actor is not None else None,
            post_id=None,
            comment_id=None,
            message=message,
            reason=None,
            url=url,
            created_at=notification.created_at,
            read=notification.read_at is not None,
        )
    if notification.kind in NOTIFICATION_MESSAGES and notification.actor_id is None:
        message, reason = _notice(notification)
    else:
        name = actor.display_name if actor is not None else "Someone"
        template = NOTIFICATION_MESSAGES.get(notification.kind, "{actor} did something")
        message = template.format(actor=name)
    url = None
    if notification.post_id is not None:
        url = url_for("main.post_page", post_id=notification.post_id)
        if notification.comment_id is not None:
            url += f"#comment-{notification.comment_id}"
    elif notification.kind == "live" and actor is not None:
        url = url_for("main.live_channel", handle=actor.handle)
    elif notification.kind in STANDING_KINDS:
        url = url_for("main.standing")
    elif notification.kind == "report_handled" and notification.report_id is not None:
        # The reporter may follow their report up with staff in a ticket.
        url = url_for("main.support", report=notification.report_id)
    return NotificationOut(
        id=notification.id,
        kind=notification.kind,
        actor=user_ref(actor) if actor is not None else None,
        post_id=notification.post_id,
        comment_id=notification.comment_id,
        message=message,
        reason=reason,
        url=url,
        created_at=notification.created_at,
        read=notification.read_at is not None,
    )
