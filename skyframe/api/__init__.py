"""The JSON API under /api/v1."""

from flask import Blueprint

bp = Blueprint("api", __name__)


from skyframe.api import auth, catalogue, meta, motd, posts, profile  # noqa: E402,F401
