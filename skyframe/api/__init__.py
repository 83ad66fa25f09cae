"""The JSON API under /api/v1."""

from flask import Blueprint

bp = Blueprint("api", __name__)


from skyframe.api import (  # noqa: E402,F401
    account,
    auth,
    catalogue,
    comments,
    feed,
    interactions,
    meta,
    motd,
    notifications,
    posts,
    profile,
    search,
)
