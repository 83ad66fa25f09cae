"""URLs of things the pages and the API both link to."""

from __future__ import annotations

from flask import url_for

from skyframe.accounts.avatars import gravatar_url
from skyframe.models import User
from skyframe.posts.views import OwnerView


def avatar_url(user: User | OwnerView) -> str:
    """Uploaded avatar, else Gravatar for those who opted in, else the generated one."""
    if user.avatar_key is None and user.gravatar:
        return gravatar_url(user.email)
    version = user.avatar_key.rsplit("/", 1)[-1].split(".")[0][:12] if user.avatar_key else "d"
    return url_for("main.avatar", handle=user.handle, v=version)
