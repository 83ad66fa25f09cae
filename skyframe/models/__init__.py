"""SQLAlchemy models. Import from here so Alembic sees every table."""

from skyframe.models.access_token import AccessToken
from skyframe.models.appeal import Appeal, AppealStatus, AppealTarget
from skyframe.models.base import Base, UTCDateTime, utcnow
from skyframe.models.block import Block
from skyframe.models.collection import Collection, CollectionItem
from skyframe.models.comment import Comment, CommentLike
from skyframe.models.feed import FeedSeen
from skyframe.models.interaction import Follow, PostLike, PostSave
from skyframe.models.live import (
    ChannelStatus,
    HostingStatus,
    HostingTarget,
    LiveFrame,
    LiveSession,
    LiveStatus,
)
from skyframe.models.login_session import LoginSession
from skyframe.models.moderation import (
    AuditEntry,
    AuditSource,
    Decision,
    Report,
    ReportReason,
    ReportStatus,
    ReportTarget,
    Strike,
    TakeDown,
)
from skyframe.models.motd import Motd, MotdAck
from skyframe.models.notification import Notification
from skyframe.models.password_reset import PasswordResetToken
from skyframe.models.post import Category, Label, Post, PostKind, PostMedia, PostStatus, PostTag
from skyframe.models.ticket import Ticket, TicketMessage, TicketStatus
from skyframe.models.user import Role, User

__all__ = [
    "AccessToken",
    "Appeal",
    "AppealStatus",
    "AppealTarget",
    "AuditEntry",
    "AuditSource",
    "Base",
    "Block",
    "Category",
    "ChannelStatus",
    "Collection",
    "CollectionItem",
    "Comment",
    "CommentLike",
    "Decision",
    "FeedSeen",
    "Follow",
    "HostingStatus",
    "HostingTarget",
    "Label",
    "LiveFrame",
    "LiveSession",
    "LiveStatus",
    "LoginSession",
    "Motd",
    "MotdAck",
    "Notification",
    "PasswordResetToken",
    "Post",
    "PostKind",
    "PostLike",
    "PostMedia",
    "PostSave",
    "PostStatus",
    "PostTag",
    "Report",
    "ReportReason",
    "ReportStatus",
    "ReportTarget",
    "Role",
    "Strike",
    "TakeDown",
    "Ticket",
    "TicketMessage",
    "TicketStatus",
    "UTCDateTime",
    "User",
    "utcnow",
]
