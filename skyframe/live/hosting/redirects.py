"""Where a viewer of a channel goes, and the banner they see (seed 004).

A viewer opening an offline host's channel is sent to the live target it is
hosting (``/live/<target>?host=<host>``), which says "{host} is hosting
{target}" with a "Return to host" button (``?follow_host=false``). On the
host's own page (its owner, or ``follow_host=false``) the banner reads the
same with "Go there".

Read from the live columns at request time, not from the job's last run: a
host that went live stops redirecting at once, and a target that went
offline is not followed, even before the job un-hosts it. The owner is
never redirected (they may be about to go live).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from skyframe import policy
from skyframe.models import ChannelStatus, HostingStatus, HostingTarget, User


@dataclass(frozen=True)
class Banner:
    """``hosted``: on the target's page, the host sent the viewer here;
    ``hosting``: on the host's page, where the host sends its viewers."""

    kind: Literal["hosted", "hosting"]
    host: User
    target: User

    @property
    def text(self) -> str:
        return f"@{self.host.handle} is hosting @{self.target.handle}"


def hosted_by(session: Session, host: User, viewer: User | None) -> User | None:
    """The live target ``host`` is hosting now, when the host is offline."""
    if host.channel_status == ChannelStatus.LIVE:
        return None
    target = session.scalar(
        select(User)
        .join(HostingTarget, HostingTarget.target_id == User.id)
        .where(
            HostingTarget.host_id == host.id,
            HostingTarget.status == HostingStatus.HOSTING,
            User.channel_status == ChannelStatus.LIVE,
        )
    )
    if target is None or not policy.can_see_account(target, viewer):
        return None
    return target


def where_to(
    session: Session, viewer: User | None, channel_owner: User, follow_host: bool
) -> User | None:
    """The channel to send ``viewer`` to instead of ``channel_owner``'s, or None."""
    if not follow_host or (viewer is not None and viewer.id == channel_owner.id):
        return None
    return hosted_by(session, channel_owner, viewer)


def banner(
    session: Session,
    viewer: User | None,
    channel_owner: User,
    *,
    host_handle: str | None,
    follow_host: bool,
) -> Banner | None:
    """The banner of ``channel_owner``'s page: "hosted" when the page was
    reached from a host (``?host=``) that is hosting it now (a stale or
    forged ``?host=`` shows nothing), otherwise "hosting" when the page's
    owner hosts someone and the viewer stayed (the owner, or follow_host off)."""
    if host_handle:
        host_alias = aliased(User, name="host")
        host = session.scalar(
            select(host_alias).where(func.lower(host_alias.handle) == host_handle.lower())
        )
        if (
            host is not None
            and host.id != channel_owner.id
            and policy.can_see_account(host, viewer)
        ):
            target = hosted_by(session, host, viewer)
            if target is not None and target.id == channel_owner.id:
                return Banner("hosted", host, channel_owner)
    stayed = not follow_host or (viewer is not None and viewer.id == channel_owner.id)
    if stayed:
        target = hosted_by(session, channel_owner, viewer)
        if target is not None:
            return Banner("hosting", channel_owner, target)
    return None
