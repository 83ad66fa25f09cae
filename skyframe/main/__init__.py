from flask import Blueprint

bp = Blueprint("main", __name__)

from skyframe.main import (  # noqa: E402,F401
    context,
    feed_pages,
    media,
    people,
    posts,
    profile,
    pwa,
    routes,
    search,
)
