"""URLs of things the pages and the API both link to."""

from __future__ import annotations

from urllib.parse import quote

from flask import g, url_for

from skyframe.accounts.avatars import gravatar_url
from skyframe.models import User
from skyframe.posts.views import OwnerView


def avatar_url(user: User | OwnerView) -> str:
    """Uploaded avatar, else Gravatar for those who opted in, else the generated one."""
    if user.avatar_key is None and user.gravatar:
        return gravatar_url(user.email)
    version = user.avatar_key.rsplit("/", 1)[-1].split(".")[0][:12] if user.avatar_key else "d"
    # url_for once per request: listings show dozens of people, and building
    # each URL through the routing map was a fifth of a live strip's time.
    pattern = g.get("_avatar_url_pattern")
    if pattern is None:
        pattern = g._avatar_url_pattern = url_for(
            "main.avatar", handle="handle-slot", v="version-slot"
        )
    return pattern.replace("version-slot", version, 1).replace(
        "handle-slot", quote(user.handle, safe=""), 1
    )
